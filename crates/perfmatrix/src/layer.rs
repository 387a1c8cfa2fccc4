//! Plain criterion benchmarks, unchanged, built against perfmatrix's criterion-compatible layer
//! (`crates/perfmatrix-criterion`): its sources are carried in this binary, written next to the
//! base worktree as a package named `criterion` with the version the workspace's lock file
//! holds, and patched in with cargo's `--config 'patch.crates-io.criterion.path=…'`. The user's
//! manifests are never edited; the lock file cargo rewrites for the patched build is put back
//! byte for byte ([`LockGuard`]). What the layer cannot build falls back to criterion itself,
//! with the reason kept for the report.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use perfmatrix_model::write_atomically;

/// The layer's sources, as `(path in the package, contents)`.
const SOURCES: &[(&str, &str)] = &[
    (
        "src/lib.rs",
        include_str!("../../perfmatrix-criterion/src/lib.rs"),
    ),
    (
        "src/bencher.rs",
        include_str!("../../perfmatrix-criterion/src/bencher.rs"),
    ),
    (
        "src/each.rs",
        include_str!("../../perfmatrix-criterion/src/each.rs"),
    ),
    (
        "src/group.rs",
        include_str!("../../perfmatrix-criterion/src/group.rs"),
    ),
    (
        "src/id.rs",
        include_str!("../../perfmatrix-criterion/src/id.rs"),
    ),
    (
        "src/plain.rs",
        include_str!("../../perfmatrix-criterion/src/plain.rs"),
    ),
    (
        "src/session.rs",
        include_str!("../../perfmatrix-criterion/src/session.rs"),
    ),
];

/// The features criterion 0.4 to 0.8 declare, its optional dependencies' included: a
/// dependency on criterion may select any of them. The async ones select an API the layer does
/// not have (`to_async`), which then fails to compile, and the target falls back.
const FEATURES: &[&str] = &[
    "default",
    "stable",
    "html_reports",
    "csv_output",
    "cargo_bench_support",
    "real_blackbox",
    "plotters",
    "rayon",
    "csv",
    "async",
    "async_futures",
    "async_smol",
    "async_std",
    "async_tokio",
    "futures",
    "smol",
    "tokio",
    "async-std",
];

/// The layer, written out for one criterion version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layer {
    /// The criterion version it stands in for (the lock file's).
    pub(crate) version: String,
    /// The package's folder.
    pub(crate) dir: PathBuf,
}

/// Whether a workspace can use the layer: which criterion its lock file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Criterion {
    /// No criterion in the lock file: nothing to stand in for.
    Absent,
    /// One version of criterion from crates.io.
    One(String),
    /// Why the layer cannot stand in (several versions, no lock file).
    Unusable(perfmatrix_model::LayerUnusable),
}

/// The criterion of the lock file `Cargo.lock` at the workspace `root`.
pub(crate) fn criterion_of(root: &Path) -> Criterion {
    let path = root.join("Cargo.lock");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Criterion::Unusable(perfmatrix_model::LayerUnusable::LockUnreadable {
            path: path.display().to_string(),
        });
    };
    let versions = locked_versions(&text, "criterion");
    match versions.as_slice() {
        [] => Criterion::Absent,
        [one] => Criterion::One(one.clone()),
        several => Criterion::Unusable(perfmatrix_model::LayerUnusable::SeveralVersions {
            versions: several.to_vec(),
        }),
    }
}

/// The versions of the crates.io package `name` in a lock file's text.
fn locked_versions(lock: &str, name: &str) -> Vec<String> {
    let mut versions = Vec::new();
    for package in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            package.lines().find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
            })
        };
        let from_registry = field("source").is_some_and(|s| s.starts_with("registry+"));
        if field("name").as_deref() == Some(name)
            && from_registry
            && let Some(version) = field("version")
        {
            versions.push(version);
        }
    }
    versions
}

impl Layer {
    /// Writes the layer for criterion `version` under `scratch` (kept between runs; rewritten
    /// when its files differ, so cargo rebuilds it only when perfmatrix changed).
    pub(crate) fn write(scratch: &Path, version: &str) -> anyhow::Result<Self> {
        let dir = scratch.join(format!("criterion-layer-{version}"));
        let features = FEATURES.iter().fold(String::new(), |mut out, f| {
            out.push_str(f);
            out.push_str(" = []\n");
            out
        });
        let manifest = format!(
            "# Written by perfmatrix: its criterion-compatible layer, standing in for criterion \
             {version}.\n[package]\nname = \"criterion\"\nversion = \"{version}\"\nedition = \
             \"2021\"\npublish = false\n\n[lib]\npath = \"src/lib.rs\"\n\n[dependencies]\n\n\
             # criterion's features (0.4 to 0.8), so that a manifest selecting some resolves; none \
             changes the layer.\n[features]\n{features}"
        );
        let files =
            std::iter::once(("Cargo.toml", manifest.as_str())).chain(SOURCES.iter().copied());
        for (name, contents) in files {
            let path = dir.join(name);
            if std::fs::read_to_string(&path).is_ok_and(|old| old == contents) {
                continue;
            }
            write_atomically(&path, contents.as_bytes()).with_context(|| {
                format!("writing perfmatrix's criterion layer to {}", dir.display())
            })?;
        }
        Ok(Self {
            version: version.to_owned(),
            dir,
        })
    }

    /// cargo's `--config` value that patches criterion with this layer.
    pub(crate) fn patch(&self) -> String {
        let path = self.dir.display().to_string();
        let escaped = path.replace('\\', "\\\\").replace('"', "\\\"");
        format!("patch.crates-io.criterion.path=\"{escaped}\"")
    }
}

/// The lock file of a workspace as it was before a patched build, put back when dropped: cargo
/// rewrites `Cargo.lock` to record the patch, and the user's files must stay as they were.
#[derive(Debug)]
pub(crate) struct LockGuard {
    path: PathBuf,
    before: Option<Vec<u8>>,
}

impl LockGuard {
    /// Remembers the lock file of the workspace at `root`.
    pub(crate) fn keep(root: &Path) -> Self {
        let path = root.join("Cargo.lock");
        let before = std::fs::read(&path).ok();
        Self { path, before }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let now = std::fs::read(&self.path).ok();
        if now == self.before {
            return;
        }
        let restored = match &self.before {
            Some(bytes) => write_atomically(&self.path, bytes).map_err(anyhow::Error::from),
            None => std::fs::remove_file(&self.path).map_err(anyhow::Error::from),
        };
        if let Err(err) = restored {
            eprintln!(
                "warning: could not put back {} as it was before perfmatrix's patched build: \
                 {err:#}",
                self.path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "criterion"
version = "0.5.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "f2b12d017a929603d80db1831cd3a24082f8137ce19c69e6447f54f5fc8d692f"

[[package]]
name = "criterion-plot"
version = "0.5.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "criterion"
version = "0.9.0"
"#;

    /// Every source file of `crates/perfmatrix-criterion` is carried, and nothing else: a module
    /// added to the layer and not to [`SOURCES`] would break every layered build.
    #[test]
    fn every_source_of_the_layer_crate_is_carried() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../perfmatrix-criterion/src");
        let mut on_disk: Vec<String> = std::fs::read_dir(&src)
            .unwrap()
            .map(|e| format!("src/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        on_disk.sort();
        let mut carried: Vec<String> = SOURCES.iter().map(|(name, _)| (*name).to_owned()).collect();
        carried.sort();
        assert_eq!(carried, on_disk);
    }

    #[test]
    fn the_lock_file_names_the_registry_criterion() {
        // The path package of the same name (a workspace's own) is not criterion's release.
        assert_eq!(locked_versions(LOCK, "criterion"), ["0.5.1"]);
        assert_eq!(locked_versions(LOCK, "criterion-plot"), ["0.5.0"]);
        assert!(locked_versions(LOCK, "rayon").is_empty());
        let two = format!(
            "{LOCK}\n[[package]]\nname = \"criterion\"\nversion = \"0.4.0\"\nsource = \
             \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        );
        assert_eq!(locked_versions(&two, "criterion"), ["0.5.1", "0.4.0"]);
    }

    #[test]
    fn the_lock_file_is_put_back_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("Cargo.lock");
        std::fs::write(&lock, "before\n").unwrap();
        {
            let _guard = LockGuard::keep(dir.path());
            std::fs::write(&lock, "patched\n").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), "before\n");
        std::fs::remove_file(&lock).unwrap();
        {
            let _guard = LockGuard::keep(dir.path());
            std::fs::write(&lock, "created\n").unwrap();
        }
        assert!(!lock.exists(), "a lock file the build created is removed");
    }

    #[test]
    fn the_layer_is_written_as_criterion_of_the_locked_version() {
        let dir = tempfile::tempdir().unwrap();
        let layer = Layer::write(dir.path(), "0.5.1").unwrap();
        let manifest = std::fs::read_to_string(layer.dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("name = \"criterion\"\nversion = \"0.5.1\""),
            "{manifest}"
        );
        for (name, _) in SOURCES {
            assert!(layer.dir.join(name).is_file(), "{name}");
        }
        assert!(
            layer
                .patch()
                .starts_with("patch.crates-io.criterion.path=\"")
        );
        assert!(layer.patch().ends_with("criterion-layer-0.5.1\""));
    }
}
