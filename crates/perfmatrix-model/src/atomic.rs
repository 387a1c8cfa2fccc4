//! Atomic file writes: a temp file in the destination folder, flushed, then renamed over the target,
//! so readers and interrupted runs only ever see the old file or the complete new one. A temp
//! file a kill leaves behind is named [`TEMP_PREFIX`]`…`: ignored by git (`.gitignore`) and by
//! baseline selection, so it can never be committed or read as a baseline.

use std::io::Write;
use std::path::Path;

use crate::ModelError;

/// How every temp file of [`write_atomically`] is named: `.perfmatrix-tmp-XXXXXX`, no extension.
pub const TEMP_PREFIX: &str = ".perfmatrix-tmp-";

/// Whether `path` is named like a temp file of [`write_atomically`] (a leftover of a killed run).
#[must_use]
pub fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(TEMP_PREFIX))
}

/// Writes `bytes` to `path` atomically, creating the parent folder if needed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
    write_through_temp(path, bytes, true)
}

/// Writes `bytes` to `path` as [`write_atomically`] does (a temp file renamed over it) but
/// without waiting for the disk: for derived files that are checked when read (the history
/// cache), where a file lost in a crash costs a rebuild, not data.
pub fn replace_unsynced(path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
    write_through_temp(path, bytes, false)
}

/// Writes every `(path, bytes)` of `files` as [`write_atomically`] does, all or none: each is
/// written to its temp file and flushed first, and only when all of them are on the disk are
/// they renamed over their paths, so a write that fails (a full disk) replaces no file. (A
/// rename, which needs no space, failing between two renames would leave the first one done.)
pub fn write_all_atomically(files: &[(&Path, &[u8])]) -> Result<(), ModelError> {
    let staged = files
        .iter()
        .map(|(path, bytes)| staged_temp(path, bytes, true).map(|tmp| (*path, tmp)))
        .collect::<Result<Vec<_>, _>>()?;
    for (path, tmp) in staged {
        tmp.persist(path).map_err(|e| ModelError::Write {
            path: path.to_owned(),
            source: e.error,
        })?;
    }
    Ok(())
}

/// A temp file next to `path`, written, flushed to the disk when `durable`, renamed over it.
fn write_through_temp(path: &Path, bytes: &[u8], durable: bool) -> Result<(), ModelError> {
    staged_temp(path, bytes, durable)?
        .persist(path)
        .map_err(|e| ModelError::Write {
            path: path.to_owned(),
            source: e.error,
        })?;
    Ok(())
}

/// A temp file next to `path` holding `bytes` with `path`'s permissions, flushed to the disk
/// when `durable`, not yet renamed (dropped unrenamed, it is removed).
fn staged_temp(
    path: &Path,
    bytes: &[u8],
    durable: bool,
) -> Result<tempfile::NamedTempFile, ModelError> {
    let write_err = |source| ModelError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(write_err)?;
    let mut tmp = temp_file_in(dir).map_err(write_err)?;
    // Temp files are created private (0600); the files we write are meant to be committed and
    // shared, so keep the old file's permissions, or use the usual 0644 for a new one.
    let permissions = std::fs::metadata(path)
        .map(|old| old.permissions())
        .ok()
        .or_else(default_permissions);
    if let Some(permissions) = permissions {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(write_err)?;
    }
    tmp.write_all(bytes).map_err(write_err)?;
    if durable {
        tmp.as_file().sync_all().map_err(write_err)?;
    }
    Ok(tmp)
}

/// The temp file [`write_atomically`] writes first, in `dir`, named [`TEMP_PREFIX`]`XXXXXX`.
fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
}

#[cfg(unix)]
#[allow(
    clippy::unnecessary_wraps,
    reason = "the non-unix version has nothing to offer"
)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temp file left behind");
    }

    #[test]
    fn temp_files_are_named_to_be_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = temp_file_in(dir.path()).unwrap();
        assert!(is_temporary(tmp.path()), "{}", tmp.path().display());
        assert!(tmp.path().extension().is_none(), "never a `.json` file");
        assert!(!is_temporary(&dir.path().join("out.json")));
        assert!(!is_temporary(Path::new(".tmpAbC123")));
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomically(&path, b"old").unwrap();
        // The target is a directory now: the rename fails, the error names the path.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("x")).unwrap();
        let err = write_atomically(&blocked, b"new").unwrap_err();
        assert!(err.to_string().contains("blocked"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_readable_by_others_and_old_permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        write_atomically(&path, b"one").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode(&path),
            0o644,
            "temp files are 0600; the result must not be"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(mode(&path), 0o664);
    }
}
