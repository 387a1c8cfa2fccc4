//! Checks of the files a command is about to write, made before it writes any of them: each is a
//! file path (not a folder, not under a file), none is one of the command's inputs or another
//! output, and a results file never lands among the baselines.

use std::path::{Component, Path, PathBuf};

use anyhow::bail;

/// Checks every `(flag, path)` of `outputs`: writable as a file, no two the same, none of them
/// one of `inputs`. An error names the flag and the path.
pub(crate) fn check_outputs(outputs: &[(&str, &Path)], inputs: &[&Path]) -> anyhow::Result<()> {
    let inputs: Vec<PathBuf> = inputs.iter().map(|p| resolved(p)).collect();
    let mut seen: Vec<(&str, PathBuf)> = Vec::with_capacity(outputs.len());
    for &(flag, path) in outputs {
        check_file_path(flag, path)?;
        let full = resolved(path);
        if inputs.contains(&full) {
            bail!(
                "{flag} {} is one of the input files: writing it would overwrite that input; \
                 choose another output",
                path.display()
            );
        }
        if let Some((other, _)) = seen.iter().find(|(_, p)| *p == full) {
            bail!(
                "{flag} {} is also given to {other}: give each output its own file",
                path.display()
            );
        }
        seen.push((flag, full));
    }
    Ok(())
}

/// Refuses an output `path` (given with `flag`) inside `dir` (`what` names that folder), and
/// checks it is writable as a file.
pub(crate) fn check_outside(flag: &str, path: &Path, dir: &Path, what: &str) -> anyhow::Result<()> {
    check_file_path(flag, path)?;
    if resolved(path).starts_with(resolved(dir)) {
        bail!(
            "{flag} {} is inside {what} {}: every file there is read as a baseline, so a results \
             file would break every later run; write it elsewhere (e.g. target/perfmatrix/)",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

/// A path a file can be written to: not an existing folder, and no existing ancestor of it is a
/// file.
fn check_file_path(flag: &str, path: &Path) -> anyhow::Result<()> {
    if path.as_os_str().is_empty() {
        bail!("{flag} is empty: give a file path");
    }
    if path.is_dir() {
        bail!(
            "{flag} {} is a folder: give a file path, e.g. {}",
            path.display(),
            path.join("report").display()
        );
    }
    let mut ancestor = path.parent();
    while let Some(dir) = ancestor {
        if dir.as_os_str().is_empty() {
            break;
        }
        if dir.exists() {
            if !dir.is_dir() {
                bail!(
                    "{flag} {}: {} is a file, not a folder",
                    path.display(),
                    dir.display()
                );
            }
            break;
        }
        ancestor = dir.parent();
    }
    Ok(())
}

/// `path` made absolute, `.` and `..` resolved, and its longest existing ancestor canonicalized
/// (symlinks followed), so that two spellings of one file compare equal whether it exists or not.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::env::current_dir().map_or_else(|_| path.to_owned(), |cwd| cwd.join(path));
    let mut lexical = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    let mut existing = lexical.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return lexical,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_that_are_folders_inputs_or_each_other_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let input = d.join("x86.json");
        std::fs::write(&input, "{}").unwrap();
        let file = d.join("a-file");
        std::fs::write(&file, "").unwrap();
        let md = d.join("out/merged.md");
        let cases: [(Vec<(&str, PathBuf)>, &str); 5] = [
            (vec![("--json", d.to_owned())], "is a folder"),
            (
                vec![
                    ("--markdown", md.clone()),
                    ("--json", d.join("sub/../x86.json")),
                ],
                "one of the input files",
            ),
            (
                vec![
                    ("--markdown", md.clone()),
                    ("--html", d.join("out/./merged.md")),
                ],
                "also given to --markdown",
            ),
            (
                vec![("--html", file.join("r.html"))],
                "is a file, not a folder",
            ),
            (vec![("--json", PathBuf::new())], "is empty"),
        ];
        for (outputs, what) in cases {
            let borrowed: Vec<(&str, &Path)> =
                outputs.iter().map(|(f, p)| (*f, p.as_path())).collect();
            let err = check_outputs(&borrowed, &[input.as_path()])
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(what) && err.contains(borrowed.last().unwrap().0),
                "{err}"
            );
        }
        let valid = [("--markdown", md.as_path()), ("--json", &*d.join("m.json"))];
        check_outputs(&valid, &[input.as_path()]).unwrap();
    }

    #[test]
    fn a_results_file_inside_the_baselines_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let baselines = dir.path().join("baselines");
        std::fs::create_dir_all(baselines.join("x86_64-unknown-linux-gnu")).unwrap();
        for inside in [
            baselines.join("x86_64-unknown-linux-gnu/mine.json"),
            baselines.join("new-triple/deeper/mine.json"),
            dir.path().join("other/../baselines/mine.json"),
        ] {
            let err = check_outside("--out", &inside, &baselines, "the baselines folder")
                .unwrap_err()
                .to_string();
            assert!(err.contains("--out") && err.contains("inside"), "{err}");
        }
        check_outside(
            "--out",
            &dir.path().join("baselines-old/mine.json"),
            &baselines,
            "the baselines folder",
        )
        .unwrap();
        let err = check_outside("--out", &baselines, &dir.path().join("b"), "x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a folder"), "{err}");
    }
}
