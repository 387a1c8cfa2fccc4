//! Versioned JSON files: every file perfmatrix writes starts with `{"schema": <kind>, "version": N}`,
//! checked before the rest is parsed, so an old or foreign file gets an error that says exactly
//! which kind and version it is and which one this build reads.

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::ModelError;

/// A kind of file perfmatrix writes, and the one schema version this build reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The value of the `schema` field, e.g. `perfmatrix-results`.
    pub kind: &'static str,
    /// The value of the `version` field this build reads and writes.
    pub version: u32,
}

#[derive(Deserialize)]
struct Header {
    schema: Option<String>,
    version: Option<serde_json::Value>,
}

impl Schema {
    /// Parses `text` (read from `path`) as a `T`, after checking its `schema` and `version`.
    pub fn parse<T: DeserializeOwned>(&self, path: &Path, text: &str) -> Result<T, ModelError> {
        let json_err = |source| ModelError::Json {
            path: path.to_owned(),
            what: self.kind,
            source,
        };
        let header: Header = serde_json::from_str(text).map_err(json_err)?;
        match header.schema.as_deref() {
            Some(kind) if kind == self.kind => {}
            Some(other) => {
                return Err(ModelError::field(
                    path,
                    "schema",
                    format!("is `{other}`, expected `{}`", self.kind),
                ));
            }
            None => {
                return Err(ModelError::field(
                    path,
                    "schema",
                    format!("is missing (expected `{}`)", self.kind),
                ));
            }
        }
        match header.version {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(self.version)) => {}
            Some(other) => {
                return Err(ModelError::field(
                    path,
                    "version",
                    format!(
                        "is {other}; this perfmatrix reads {} version {} only (re-record the file, or use the perfmatrix that wrote it)",
                        self.kind, self.version
                    ),
                ));
            }
            None => return Err(ModelError::field(path, "version", "is missing")),
        }
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_data() {
                // A value of the wrong type or range: name the field it sits in.
                ModelError::field(path, field, inner.to_string())
            } else {
                json_err(inner)
            }
        })
    }

    /// Reads and parses the file at `path`.
    pub fn read<T: DeserializeOwned>(&self, path: &Path) -> Result<T, ModelError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.parse(path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESULTS: Schema = Schema {
        kind: "perfmatrix-results",
        version: 1,
    };

    #[derive(Debug, Deserialize, PartialEq)]
    struct Doc {
        payload: u32,
    }

    fn parse(text: &str) -> Result<Doc, String> {
        RESULTS
            .parse(Path::new("r.json"), text)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn reads_its_own_version() {
        let doc = parse(r#"{"schema":"perfmatrix-results","version":1,"payload":7}"#).unwrap();
        assert_eq!(doc, Doc { payload: 7 });
    }

    #[test]
    fn other_versions_and_kinds_say_what_is_needed() {
        let e = parse(r#"{"schema":"perfmatrix-results","version":2,"payload":7}"#).unwrap_err();
        assert!(
            e.contains("r.json") && e.contains("`version`") && e.contains("version 1 only"),
            "{e}"
        );
        let e = parse(r#"{"schema":"perfmatrix-baseline","version":1}"#).unwrap_err();
        assert!(
            e.contains("`schema`") && e.contains("perfmatrix-baseline"),
            "{e}"
        );
        let e = parse(r#"{"version":1}"#).unwrap_err();
        assert!(e.contains("`schema`") && e.contains("missing"), "{e}");
        let e = parse(r#"{"schema":"perfmatrix-results","version":"1"}"#).unwrap_err();
        assert!(e.contains("`version`"), "{e}");
    }

    #[test]
    fn truncated_or_wrong_payloads_are_json_errors_naming_the_file() {
        let e = parse(r#"{"schema":"perfmatrix-results","vers"#).unwrap_err();
        assert!(e.contains("r.json") && e.contains("not valid JSON"), "{e}");
        let e = parse(r#"{"schema":"perfmatrix-results","version":1,"payload":-1}"#).unwrap_err();
        assert!(e.contains("r.json") && e.contains("`payload`"), "{e}");
    }
}
