//! The git facts a paired run needs (which commit a ref names, whether the working tree has
//! changes, the default branch and a merge base) and the base's worktree, removed again
//! whatever happens.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// The git repository a command works in: every question is asked of git in its folder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Repo<'a> {
    dir: &'a Path,
}

/// `git <args>` in `dir`: its trimmed stdout, or None when git fails.
fn git_in(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

impl<'a> Repo<'a> {
    /// The repository around `dir`.
    pub(crate) fn at(dir: &'a Path) -> Self {
        Self { dir }
    }

    fn git(self, args: &[&str]) -> Option<String> {
        git_in(self.dir, args)
    }

    /// The full hash of the commit `rev` names; an error naming `flag` and `rev` when it names none.
    pub(crate) fn resolve(self, rev: &str, flag: &str) -> anyhow::Result<String> {
        if rev.starts_with('-') || rev.contains(['\0', '\n']) {
            bail!("{flag} {rev:?} is not a git revision");
        }
        self.git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .with_context(|| {
            format!(
                "{flag} `{rev}` names no commit of this repository (try a branch, a tag, a commit \
                 hash, `HEAD~1` or `origin/main`; a remote branch may need `git fetch` first)"
            )
        })
    }

    /// The commit the working tree is on.
    pub(crate) fn head(self) -> anyhow::Result<String> {
        self.resolve("HEAD", "HEAD")
            .context("perfmatrix's paired mode needs a git repository with at least one commit")
    }

    /// Whether tracked files differ from HEAD (untracked files are not part of the build until
    /// added, and `target/` is ignored anyway).
    pub(crate) fn has_changes(self) -> bool {
        self.git(&["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty())
    }

    /// The default branch, as a ref to compare with: `origin/HEAD`'s target (`origin/main`), else a
    /// local `main` or `master`.
    pub(crate) fn default_branch(self) -> Option<String> {
        if let Some(full) = self.git(&["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"])
            && let Some(short) = full.strip_prefix("refs/remotes/")
        {
            return Some(short.to_owned());
        }
        ["main", "master"]
            .into_iter()
            .find(|b| {
                self.git(&[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("refs/heads/{b}"),
                ])
                .is_some()
            })
            .map(str::to_owned)
    }

    /// The merge base of two commits.
    pub(crate) fn merge_base(self, a: &str, b: &str) -> Option<String> {
        self.git(&["merge-base", a, b])
    }

    /// How many commits `from..to` holds.
    pub(crate) fn commits_between(self, from: &str, to: &str) -> Option<usize> {
        self.git(&["rev-list", "--count", &format!("{from}..{to}")])?
            .parse()
            .ok()
    }

    /// The committer date of `commit` in ISO 8601 (`%cI`), if git knows the commit.
    pub(crate) fn commit_date(self, commit: &str) -> Option<String> {
        self.git(&["show", "-s", "--format=%cI", commit, "--"])
            .filter(|d| !d.is_empty())
    }

    /// The first parent of `commit`, if it has one.
    pub(crate) fn first_parent(self, commit: &str) -> Option<String> {
        self.git(&["rev-parse", "--verify", "--quiet", &format!("{commit}^1")])
    }

    /// The files of `rev` under `dir` (`git ls-tree -r --name-only`), or an error naming `flag`.
    pub(crate) fn files_at(self, rev: &str, dir: &str, flag: &str) -> anyhow::Result<Vec<String>> {
        let commit = self.resolve(rev, flag)?;
        let listing = self
            .git(&["ls-tree", "-r", "--name-only", &commit, "--", dir])
            .with_context(|| format!("{flag} `{rev}`: cannot list {dir}/ of it"))?;
        Ok(listing.lines().map(str::to_owned).collect())
    }

    /// The content of `path` at `rev` (`git show rev:path`).
    pub(crate) fn show(self, rev: &str, path: &str) -> anyhow::Result<String> {
        let out = Command::new("git")
            .current_dir(self.dir)
            .args(["show", &format!("{rev}:{path}")])
            .stdin(Stdio::null())
            .output()
            .context("cannot run `git show`")?;
        if !out.status.success() {
            bail!(
                "cannot read {path} of {rev}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        String::from_utf8(out.stdout).with_context(|| format!("{rev}:{path} is not UTF-8"))
    }
}

/// A detached worktree of one commit, removed (with git's bookkeeping) when dropped: on success,
/// on an error, on a panic, and after Ctrl-C (which `crate::interrupt` turns into an error).
#[derive(Debug)]
pub(crate) struct Worktree {
    repo: PathBuf,
    path: PathBuf,
}

impl Worktree {
    /// Checks out `commit` at `path` (a stale worktree left there by a killed run is removed
    /// first).
    pub(crate) fn add(repo: &Path, path: &Path, commit: &str) -> anyhow::Result<Self> {
        let repo = std::path::absolute(repo).context("cannot name the repository's folder")?;
        let path = std::path::absolute(path).context("cannot name the worktree's folder")?;
        remove(&repo, &path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let out = Command::new("git")
            .current_dir(&repo)
            .args(["worktree", "add", "--detach", "--force"])
            .arg(&path)
            .arg(commit)
            .stdin(Stdio::null())
            .output()
            .context("cannot run `git worktree add`")?;
        if !out.status.success() {
            bail!(
                "`git worktree add {} {commit}` failed: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(Self { repo, path })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        remove(&self.repo, &self.path);
    }
}

/// Removes the worktree at `path`, if any, and prunes git's record of it.
fn remove(repo: &Path, path: &Path) {
    if path.exists() {
        let _ = Command::new("git")
            .current_dir(repo)
            .args(["worktree", "remove", "--force", "--force"])
            .arg(path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if path.exists() {
            let _ = std::fs::remove_dir_all(path);
        }
    }
    let _ = git_in(repo, &["worktree", "prune"]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &["init", "-q", "-b", "main"]);
        std::fs::write(dir.path().join("a.txt"), "one\n").unwrap();
        run(dir.path(), &["add", "a.txt"]);
        run(dir.path(), &["commit", "-q", "-m", "one"]);
        dir
    }

    fn listed(repo: &Path) -> String {
        git_in(repo, &["worktree", "list", "--porcelain"]).unwrap()
    }

    #[test]
    fn the_worktree_is_removed_when_dropped_and_after_a_panic() {
        let dir = repo();
        let commit = git_in(dir.path(), &["rev-parse", "HEAD"]).unwrap();
        let at = dir.path().join("target/perfmatrix/base");
        {
            let wt = Worktree::add(dir.path(), &at, &commit).unwrap();
            assert!(wt.path().join("a.txt").is_file());
            assert!(listed(dir.path()).contains("target/perfmatrix/base"));
        }
        assert!(!at.exists());
        assert!(!listed(dir.path()).contains("target/perfmatrix/base"));

        let repo_path = dir.path().to_owned();
        let (at2, commit2) = (at.clone(), commit.clone());
        let unwound = std::panic::catch_unwind(move || {
            let _wt = Worktree::add(&repo_path, &at2, &commit2).unwrap();
            panic!("a build failed");
        });
        assert!(unwound.is_err());
        assert!(!at.exists());
        assert!(!listed(dir.path()).contains("target/perfmatrix/base"));
    }

    #[test]
    fn a_stale_worktree_from_a_killed_run_is_replaced() {
        let dir = repo();
        let commit = git_in(dir.path(), &["rev-parse", "HEAD"]).unwrap();
        let at = dir.path().join("wt");
        let stale = Worktree::add(dir.path(), &at, &commit).unwrap();
        std::mem::forget(stale); // as if the process had been killed
        let again = Worktree::add(dir.path(), &at, &commit).unwrap();
        assert!(again.path().join("a.txt").is_file());
    }

    #[test]
    fn unknown_revisions_are_refused_by_name() {
        let repo = Repo::at(Path::new(env!("CARGO_MANIFEST_DIR")));
        let err = repo.resolve("no-such-branch-xyz", "--against").unwrap_err();
        assert!(err.to_string().contains("`no-such-branch-xyz`"), "{err}");
        let err = repo.resolve("--upload-pack=evil", "--against").unwrap_err();
        assert!(err.to_string().contains("not a git revision"), "{err}");
    }
}
