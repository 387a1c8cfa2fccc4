//! Small facts about this machine's programs and target triples, shared by the commands.

use std::path::{Path, PathBuf};

use perfmatrix_fingerprint::TargetTriple;

/// The program's path in a directory of PATH, if it is there and executable.
pub(crate) fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Whether a build for `target` runs emulated on `host` (another architecture, through the
/// runner of `.cargo/config.toml`): the one place this is decided before a run.
pub(crate) fn runs_emulated(target: &TargetTriple, host: &TargetTriple) -> bool {
    target.arch() != host.arch()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_architecture_runs_emulated() {
        let triple = |t: &str| TargetTriple::parse(t).unwrap();
        let host = triple("x86_64-unknown-linux-gnu");
        assert!(runs_emulated(&triple("aarch64-unknown-linux-gnu"), &host));
        assert!(!runs_emulated(&triple("x86_64-unknown-linux-musl"), &host));
    }

    #[test]
    fn a_missing_program_is_not_found() {
        assert!(find_in_path("perfmatrix-no-such-program").is_none());
    }
}
