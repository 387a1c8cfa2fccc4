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

    /// The bytes of `path` at `rev` (`git show rev:path`; a binary file too).
    pub(crate) fn show_bytes(self, rev: &str, path: &str) -> anyhow::Result<Vec<u8>> {
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
        Ok(out.stdout)
    }
}

/// A detached worktree of the base commit, kept between paired runs: the next run moves it to
/// its base with `git checkout`, which rewrites only the files that differ, so cargo rebuilds
/// only what changed, and nothing at all for the same base. A worktree that cannot be moved
/// (removed by hand, broken, of another repository) is made anew.
#[derive(Debug)]
pub(crate) struct Worktree {
    path: PathBuf,
}

impl Worktree {
    /// `commit` checked out at `path`: the worktree there moved to it, with every file that is
    /// not the commit's removed, or a new worktree.
    pub(crate) fn checkout(repo: &Path, path: &Path, commit: &str) -> anyhow::Result<Self> {
        let repo = std::path::absolute(repo).context("cannot name the repository's folder")?;
        let path = std::path::absolute(path).context("cannot name the worktree's folder")?;
        if moved(&repo, &path, commit) {
            return Ok(Self { path });
        }
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
        Ok(Self { path })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Moves the worktree of `repo` at `path` to `commit` and removes every file that is not the
/// commit's; false when there is no such worktree or a step fails.
fn moved(repo: &Path, path: &Path, commit: &str) -> bool {
    if !path.is_dir() {
        return false;
    }
    let common = |dir: &Path| {
        git_in(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-common-dir"],
        )
        .and_then(|d| std::fs::canonicalize(d).ok())
    };
    let toplevel =
        git_in(path, &["rev-parse", "--show-toplevel"]).and_then(|d| std::fs::canonicalize(d).ok());
    let ours = toplevel.is_some() && toplevel == std::fs::canonicalize(path).ok();
    if !ours {
        return false;
    }
    let shared = common(path);
    if shared.is_none() || shared != common(repo) {
        return false;
    }
    git_in(
        path,
        &["checkout", "--quiet", "--detach", "--force", commit],
    )
    .is_some()
        && git_in(path, &["clean", "-ffdxq"]).is_some()
        && git_in(path, &["rev-parse", "HEAD"]).as_deref() == Some(commit)
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
pub(crate) mod tests {
    use super::*;

    /// `git <args>` in `dir` as a fixed author, asserting it succeeds (the tests' repositories).
    pub(crate) fn run(dir: &Path, args: &[&str]) {
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

    /// Commits `files` (name, content) on top of the repository's HEAD; the new commit.
    fn commit(dir: &Path, files: &[(&str, &str)]) -> String {
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
            run(dir, &["add", name]);
        }
        run(dir, &["commit", "-q", "-m", "next"]);
        git_in(dir, &["rev-parse", "HEAD"]).unwrap()
    }

    fn modified(path: &Path) -> std::time::SystemTime {
        std::fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn a_kept_worktree_moves_to_the_next_base_and_rewrites_only_what_differs() {
        let dir = repo();
        let first = commit(dir.path(), &[("b.txt", "two\n")]);
        let second = commit(dir.path(), &[("b.txt", "three\n")]);
        let place = tempfile::tempdir().unwrap();
        let at = place.path().join("base-worktree");
        let wt = Worktree::checkout(dir.path(), &at, &first).unwrap();
        assert_eq!(
            std::fs::read_to_string(wt.path().join("b.txt")).unwrap(),
            "two\n"
        );
        // A rewrite would give the unchanged file a new time (nanoseconds apart at least).
        let old = modified(&at.join("a.txt"));
        std::fs::write(at.join("left-over.txt"), "a build's stray file").unwrap();
        drop(wt);
        assert!(at.join("a.txt").is_file(), "kept after the run");

        let wt = Worktree::checkout(dir.path(), &at, &second).unwrap();
        assert_eq!(
            std::fs::read_to_string(wt.path().join("b.txt")).unwrap(),
            "three\n"
        );
        assert_eq!(
            modified(&at.join("a.txt")),
            old,
            "an unchanged file is not rewritten"
        );
        assert!(
            !at.join("left-over.txt").exists(),
            "files not of the commit are removed"
        );
        // The same base again changes nothing.
        Worktree::checkout(dir.path(), &at, &second).unwrap();
        assert_eq!(modified(&at.join("a.txt")), old);
        assert_eq!(
            listed(dir.path()).matches("worktree ").count(),
            2,
            "one kept worktree"
        );
    }

    #[test]
    fn a_folder_that_is_not_the_repositorys_worktree_is_made_anew() {
        let dir = repo();
        let head = git_in(dir.path(), &["rev-parse", "HEAD"]).unwrap();
        let place = tempfile::tempdir().unwrap();
        let at = place.path().join("base-worktree");
        // A plain folder where the worktree was (removed by hand, or a killed `git worktree add`).
        std::fs::create_dir_all(&at).unwrap();
        std::fs::write(at.join("junk"), "x").unwrap();
        let wt = Worktree::checkout(dir.path(), &at, &head).unwrap();
        assert!(wt.path().join("a.txt").is_file() && !at.join("junk").exists());
        // Another repository's worktree at the same place is replaced too.
        let other = repo();
        let other_head = commit(other.path(), &[("c.txt", "other\n")]);
        let wt = Worktree::checkout(other.path(), &at, &other_head).unwrap();
        assert!(wt.path().join("c.txt").is_file());
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
