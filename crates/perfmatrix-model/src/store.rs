//! Baseline selection: among `baselines/<target-triple>/*.json`, the one recorded on a machine whose
//! comparability key equals the run's. No silent comparison across CPU models or kernel variants:
//! when nothing matches, the nearest candidates are returned with the fields that differ.

use std::path::{Path, PathBuf};

use perfmatrix_fingerprint::Fingerprint;

use crate::{Baseline, ModelError, is_temporary};

/// A baseline file that was considered but differs from the run in some comparability fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The baseline file.
    pub path: PathBuf,
    /// The slug of the machine it was recorded on (`amd-epyc-f25m1-avx2-2c`).
    pub slug: String,
    /// The fingerprint fields in which it differs from the run.
    pub differing: Vec<crate::DifferingField>,
}

/// The outcome of baseline selection.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// The file whose comparability key equals the run's.
    Matched {
        /// The baseline file.
        path: PathBuf,
        /// Its contents, loaded and checked.
        baseline: Box<Baseline>,
    },
    /// Nothing comparable; the nearest candidates first (fewest differing fields), at most three.
    NoComparable {
        /// The nearest files of the platform and what differs in each; empty when it has no
        /// file to consider.
        candidates: Vec<Candidate>,
    },
}

impl Selection {
    /// The selection with its files named relative to `root` when they lie inside it, as a
    /// report names them: the same path on every machine and checkout.
    #[must_use]
    pub fn relative_to(self, root: &Path) -> Self {
        let relative = |path: PathBuf| match path.strip_prefix(root) {
            Ok(inside) => inside.to_owned(),
            Err(_) => path,
        };
        match self {
            Selection::Matched { path, baseline } => Selection::Matched {
                path: relative(path),
                baseline,
            },
            Selection::NoComparable { candidates } => Selection::NoComparable {
                candidates: candidates
                    .into_iter()
                    .map(|c| Candidate {
                        path: relative(c.path),
                        ..c
                    })
                    .collect(),
            },
        }
    }
}

/// The folder holding one platform's baselines.
#[must_use]
pub fn platform_dir(baselines: &Path, fingerprint: &Fingerprint) -> PathBuf {
    baselines.join(fingerprint.target.as_str())
}

/// Where a baseline recorded with this fingerprint lives:
/// `<baselines>/<triple>/<slug>-<key id>.json`. The slug is for people and two machine classes
/// can share one (it leaves out the kernel variants and the x86 stepping); the
/// [comparability key](perfmatrix_fingerprint::ComparabilityKey::id)'s id makes the name unique
/// per machine class, so recording one class can never overwrite another's file.
#[must_use]
pub fn baseline_path(baselines: &Path, fingerprint: &Fingerprint) -> PathBuf {
    platform_dir(baselines, fingerprint).join(format!(
        "{}-{}.json",
        fingerprint.slug(),
        fingerprint.comparability_key().id()
    ))
}

/// Where a new baseline recorded with a fingerprint goes, and what is there already.
#[derive(Debug)]
pub struct Destination {
    /// [`baseline_path`] of the fingerprint.
    pub path: PathBuf,
    /// The baseline of the same machine class this one replaces, if any: at `path`, or under
    /// another name (a file named before names carried the key id), which the new file
    /// supersedes.
    pub replaces: Option<(PathBuf, Box<Baseline>)>,
    /// The file at `path` exists but cannot be read (e.g. another schema version): it is
    /// replaced, and the caller says so.
    pub unreadable: Option<ModelError>,
    /// Other machine classes of the platform with the same slug: kept, never replaced.
    pub same_slug: Vec<Candidate>,
}

/// Checks where a baseline recorded with `fingerprint` would be written. A file at that path
/// recorded with another comparability key (renamed by hand, or edited) is an error naming it:
/// it is never replaced. Other files of the platform that cannot be read are left alone here
/// (selection reports them).
pub fn destination(baselines: &Path, fingerprint: &Fingerprint) -> Result<Destination, ModelError> {
    let path = baseline_path(baselines, fingerprint);
    let key = fingerprint.comparability_key();
    let mut destination = Destination {
        path: path.clone(),
        replaces: None,
        unreadable: None,
        same_slug: Vec::new(),
    };
    if path.exists() {
        match Baseline::load(&path) {
            Ok(old) => {
                let differing = key.differences(&old.fingerprint.comparability_key());
                if let Some(first) = differing.first() {
                    return Err(ModelError::field(
                        &path,
                        format!("fingerprint.{}", first.field),
                        format!(
                            "is `{}`, but this baseline's is `{}`: the file holds another \
                             machine class (key {}) than its name says; refusing to replace \
                             it (move it to its own name or delete it first)",
                            first.theirs,
                            first.ours,
                            old.fingerprint.comparability_key().id()
                        ),
                    ));
                }
                destination.replaces = Some((path.clone(), Box::new(old)));
            }
            Err(err) => destination.unreadable = Some(err),
        }
    }
    for other in platform_files(baselines, fingerprint)? {
        if other == path {
            continue;
        }
        let Ok(old) = Baseline::load(&other) else {
            continue;
        };
        let differing = key.differences(&old.fingerprint.comparability_key());
        if differing.is_empty() {
            if destination.replaces.is_none() {
                destination.replaces = Some((other, Box::new(old)));
            }
        } else if old.fingerprint.slug() == fingerprint.slug() {
            destination.same_slug.push(Candidate {
                path: other,
                slug: old.fingerprint.slug(),
                differing: diffs(differing),
            });
        }
    }
    Ok(destination)
}

/// Selects the baseline for a run with `fingerprint` from `baselines` (the `baselines/` folder).
/// A missing platform folder is "no comparable baseline"; an unreadable or malformed file in it is
/// an error naming that file (a corrupt baseline must be fixed, not skipped).
pub fn select(baselines: &Path, fingerprint: &Fingerprint) -> Result<Selection, ModelError> {
    let key = fingerprint.comparability_key();
    let mut matched: Option<(PathBuf, Baseline)> = None;
    let mut candidates = Vec::new();
    for (path, baseline) in load_platform(baselines, fingerprint)? {
        let differing = diffs(key.differences(&baseline.fingerprint.comparability_key()));
        if differing.is_empty() {
            if let Some((first, _)) = &matched {
                return Err(ModelError::field(
                    &path,
                    "fingerprint",
                    format!(
                        "is the same machine class as {}: keep one baseline per machine class",
                        first.display()
                    ),
                ));
            }
            matched = Some((path, baseline));
        } else {
            candidates.push(Candidate {
                slug: baseline.fingerprint.slug(),
                path,
                differing,
            });
        }
    }
    if let Some((path, baseline)) = matched {
        return Ok(Selection::Matched {
            path,
            baseline: Box::new(baseline),
        });
    }
    Ok(Selection::NoComparable {
        candidates: nearest(candidates),
    })
}

/// Selects the baseline whose instruction counts may gate a run with `fingerprint`: one with
/// counts whose [count key](perfmatrix_fingerprint::CountKey) (target, kernel variants,
/// toolchain, flags, emulation) equals the run's, whatever CPU model it was recorded on. The
/// file `preferred` (the wall-time match) wins when it qualifies; otherwise the first in name
/// order. Files without counts are not candidates.
pub fn select_counts(
    baselines: &Path,
    fingerprint: &Fingerprint,
    preferred: Option<&Path>,
) -> Result<Selection, ModelError> {
    let key = fingerprint.count_key();
    let mut matched: Vec<(PathBuf, Baseline)> = Vec::new();
    let mut candidates = Vec::new();
    for (path, baseline) in load_platform(baselines, fingerprint)? {
        if !baseline.has_counts() {
            continue;
        }
        let differing = diffs(key.differences(&baseline.fingerprint.count_key()));
        if differing.is_empty() {
            matched.push((path, baseline));
        } else {
            candidates.push(Candidate {
                slug: baseline.fingerprint.slug(),
                path,
                differing,
            });
        }
    }
    let pick = matched
        .iter()
        .position(|(p, _)| Some(p.as_path()) == preferred)
        .unwrap_or(0);
    if pick < matched.len() {
        let (path, baseline) = matched.swap_remove(pick);
        return Ok(Selection::Matched {
            path,
            baseline: Box::new(baseline),
        });
    }
    Ok(Selection::NoComparable {
        candidates: nearest(candidates),
    })
}

/// Every baseline file of the run's platform, in name order. A missing platform folder is no
/// file; an unreadable or malformed file is an error naming it.
fn load_platform(
    baselines: &Path,
    fingerprint: &Fingerprint,
) -> Result<Vec<(PathBuf, Baseline)>, ModelError> {
    platform_files(baselines, fingerprint)?
        .into_iter()
        .map(|path| Baseline::load(&path).map(|b| (path, b)))
        .collect()
}

/// The `*.json` files of the run's platform folder, in name order (none if it does not exist),
/// leaving out a temp file of an interrupted write ([`crate::TEMP_PREFIX`]).
fn platform_files(baselines: &Path, fingerprint: &Fingerprint) -> Result<Vec<PathBuf>, ModelError> {
    let dir = platform_dir(baselines, fingerprint);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "json") && !is_temporary(p) && p.is_file()
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => return Err(ModelError::Read { path: dir, source }),
    };
    files.sort();
    Ok(files)
}

fn diffs(differences: Vec<perfmatrix_fingerprint::FieldDiff>) -> Vec<crate::DifferingField> {
    differences
        .into_iter()
        .map(|d| crate::DifferingField {
            field: d.field,
            run: d.ours,
            baseline: d.theirs,
        })
        .collect()
}

/// The nearest candidates first (fewest differing fields), at most three.
fn nearest(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by_key(|c| c.differing.len());
    candidates.truncate(3);
    candidates
}
