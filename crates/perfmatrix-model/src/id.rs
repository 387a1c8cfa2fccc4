//! Benchmark ids (`cosine/768x1000`): checked so that an id can never escape a folder when it is
//! used as a path, and compared as plain strings everywhere else.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// A benchmark id: non-empty `/`-separated parts of printable characters, none of them empty, `.`
/// or `..`, and no backslash or control character. At most 256 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BenchmarkId(String);

impl BenchmarkId {
    /// Checks `id` against the rules above; [`ModelError::BadId`] names the rule it breaks.
    pub fn new(id: impl Into<String>) -> Result<Self, ModelError> {
        let id = id.into();
        let reason = if id.is_empty() {
            Some("is empty")
        } else if id.len() > 256 {
            Some("is longer than 256 bytes")
        } else if id.chars().any(|c| c.is_control() || c == '\\') {
            Some("contains a control character or a backslash")
        } else if id
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        {
            Some("has an empty, `.` or `..` path component (it would escape its folder)")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(ModelError::BadId { id, reason }),
            None => Ok(Self(id)),
        }
    }

    /// The id as written (`cosine/768x1000`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An id reads as the string it is: `printable(&row.id)`, `id.starts_with("cosine/")`.
impl std::ops::Deref for BenchmarkId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for BenchmarkId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for BenchmarkId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for BenchmarkId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for BenchmarkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for BenchmarkId {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<BenchmarkId> for String {
    fn from(id: BenchmarkId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_criterion_style_ids() {
        for id in [
            "cosine/768x1000",
            "spread/1000n-5000e-100i",
            "decay/10000",
            "a b/c d",
        ] {
            assert_eq!(BenchmarkId::new(id).unwrap().as_str(), id);
        }
    }

    #[test]
    fn refuses_ids_that_escape_or_hide() {
        for id in [
            "",
            "../x",
            "a/../../b",
            "/abs",
            "a//b",
            "a/",
            ".",
            "a\\b",
            "a\nb",
            "x\0",
        ] {
            let err = BenchmarkId::new(id).unwrap_err().to_string();
            assert!(err.contains("benchmark id"), "{id:?}: {err}");
        }
        assert!(BenchmarkId::new("x".repeat(257)).is_err());
    }

    #[test]
    fn errors_print_newlines_and_nuls_escaped() {
        for (id, shown) in [
            ("a\nb", "`a\\nb`"),
            ("x\0y", "`x\\0y`"),
            ("t\rz", "`t\\rz`"),
        ] {
            let err = BenchmarkId::new(id).unwrap_err().to_string();
            assert!(err.contains(shown), "{err:?}");
            assert!(
                !err.contains(['\n', '\0', '\r']),
                "raw control character in {err:?}"
            );
        }
    }

    #[test]
    fn deserialising_checks_too() {
        let err = serde_json::from_str::<BenchmarkId>("\"../../etc\"").unwrap_err();
        assert!(err.to_string().contains("escape"), "{err}");
    }
}
