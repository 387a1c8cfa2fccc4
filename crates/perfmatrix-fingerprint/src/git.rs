//! The benchmarked source revision, from `git rev-parse HEAD` and `git status --porcelain`.

use std::path::Path;
use std::process::Command;

use crate::fingerprint::{Git, UNKNOWN};
use crate::toolchain::run;

impl Git {
    /// The commit checked out in `dir` and whether its work tree has changes (untracked files
    /// count). Outside a git checkout, or without git: commit `unknown`, not dirty.
    #[must_use]
    pub fn collect(dir: &Path) -> Self {
        let git = |args: &[&str]| {
            let mut command = Command::new("git");
            command
                .arg("-C")
                .arg(dir)
                .args(args)
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE");
            run(&mut command)
        };
        let Some(commit) = git(&["rev-parse", "HEAD"]).and_then(|out| parse_commit(&out)) else {
            return Self::unknown();
        };
        let dirty = git(&["status", "--porcelain"]).is_some_and(|out| !out.trim().is_empty());
        Self { commit, dirty }
    }

    /// Commit `unknown`, not dirty.
    #[must_use]
    pub fn unknown() -> Self {
        Self {
            commit: UNKNOWN.to_owned(),
            dirty: false,
        }
    }
}

/// A full SHA-1 (40) or SHA-256 (64) hex hash, lowercased.
#[must_use]
pub fn parse_commit(text: &str) -> Option<String> {
    let hash = text.trim();
    ((hash.len() == 40 || hash.len() == 64) && hash.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hash.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits() {
        let sha = "581caed0000000000000000000000000000000ab";
        assert_eq!(parse_commit(&format!("{sha}\n")).as_deref(), Some(sha));
        assert_eq!(parse_commit("HEAD\n"), None);
        assert_eq!(parse_commit(""), None);
        assert_eq!(parse_commit("fatal: not a git repository"), None);
    }

    #[test]
    fn not_a_checkout_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Git::collect(dir.path()), Git::unknown());
        assert_eq!(Git::collect(&dir.path().join("missing")), Git::unknown());
    }
}
