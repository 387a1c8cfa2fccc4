//! `cargo xtask history`: the performance history. `append` adds full runs' results to a history
//! folder; without a subcommand, a history folder or a git ref of the history branch is analysed
//! for change points and rendered as a dashboard, Markdown and JSON (docs/history.md).

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::git::Repo;
use crate::workspace::Invocation;
use anyhow::{Context as _, bail};
use perfmatrix_history::{
    CacheUse, CommitInfo, HistoryFile, HistoryRecord, ReadTrend, Trend, append, history_files,
    read_trend, records_from_results,
};
use perfmatrix_model::{Results, write_atomically};
use perfmatrix_report::{
    HistoryOptions, render_badge, render_history_html, render_history_json, render_history_markdown,
};

/// Where a local history lives, under the target folder.
pub(crate) const LOCAL_DIR: &str = "perfmatrix/history";

/// Where the history cache lives, under the target folder.
pub(crate) const CACHE_DIR: &str = "perfmatrix/history-cache";

/// The folder of the history files in the history branch.
pub(crate) const BRANCH_DIR: &str = "history";

/// The performance history: render it (dashboard, change points), or `append` results to it
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct HistoryCmd {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    render: Render,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Append full runs' results files (one per platform) to a history folder
    Append(Append),
    /// Convert a folder's JSON-lines history files to the compact store (an append does it
    /// for the platforms it writes)
    Migrate(Migrate),
}

#[derive(Debug, clap::Args)]
struct Migrate {
    /// The history folder [default: target/perfmatrix/history]
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

impl Migrate {
    fn run(self, target: &TargetDir<'_>) -> anyhow::Result<ExitCode> {
        let dir = match self.dir {
            Some(dir) => dir,
            None => local_dir(target.get()?),
        };
        let mut bad = Vec::new();
        let migrated = perfmatrix_history::migrate(&dir, &mut bad)?;
        for bad in &bad {
            eprintln!("warning: {bad} (left out of the compact store)");
        }
        report_migrated(&migrated);
        if migrated.is_empty() {
            eprintln!(
                "history: {} holds no JSON-lines files to migrate",
                dir.display()
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn report_migrated(migrated: &[perfmatrix_history::Migrated]) {
    for m in migrated {
        eprintln!(
            "history: migrated {} ({} record(s), {} bytes) to {} ({} bytes)",
            m.from.display(),
            m.records,
            m.bytes.0,
            m.to.display(),
            m.bytes.1
        );
    }
}

#[derive(Debug, clap::Args)]
struct Append {
    /// Results files written by `bench --out` (one per platform)
    #[arg(value_name = "RESULTS.json", required = true)]
    files: Vec<PathBuf>,
    /// The history folder [default: target/perfmatrix/history]
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The commit the results measured [default: what a paired run names, else HEAD]
    #[arg(long, value_name = "REV")]
    commit: Option<String>,
}

#[derive(Debug, clap::Args)]
struct Render {
    /// The history folder to read [default: target/perfmatrix/history]
    #[arg(long, value_name = "DIR", conflicts_with = "git_ref")]
    dir: Option<PathBuf>,
    /// Read the history from this git ref instead (the history branch, e.g.
    /// `origin/perfmatrix-history`), from its `history/` folder
    #[arg(long = "ref", value_name = "REF")]
    git_ref: Option<String>,
    /// Write the dashboard (index.html and a page per platform) into this folder
    /// [default: target/perfmatrix/dashboard]
    #[arg(long, value_name = "DIR")]
    html: Option<PathBuf>,
    /// Write the Markdown summary (the newest change points) here
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Write the analysis (series and change points) as JSON here
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write one SVG status badge per platform (`<triple>.svg`) into this folder
    #[arg(long, value_name = "DIR")]
    badges: Option<PathBuf>,
    /// How many of the newest change points the Markdown summary lists
    #[arg(long, default_value_t = 10, value_name = "N")]
    latest: usize,
    /// At most this many charts per platform page (benchmarks with change points first)
    #[arg(long, default_value_t = HistoryOptions::default().max_charts, value_name = "N")]
    max_charts: usize,
    /// Keep the history cache in this folder [default: target/perfmatrix/history-cache]
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Read every history file in full, and neither read nor write the history cache
    #[arg(long, conflicts_with = "cache")]
    no_cache: bool,
}

impl HistoryCmd {
    pub(crate) fn run(self, at: &Invocation) -> anyhow::Result<ExitCode> {
        crate::interrupt::install();
        let target = TargetDir {
            at,
            dir: OnceCell::new(),
        };
        match self.action {
            Some(Action::Append(append)) => append.run(&target),
            Some(Action::Migrate(migrate)) => migrate.run(&target),
            None => self.render.run(&target),
        }
    }
}

/// The default history folder of this workspace.
pub(crate) fn local_dir(target_dir: &Path) -> PathBuf {
    target_dir.join(LOCAL_DIR)
}

/// The workspace's target folder, asked of cargo only when a default needs it, and once.
struct TargetDir<'a> {
    at: &'a Invocation,
    dir: OnceCell<PathBuf>,
}

impl TargetDir<'_> {
    fn get(&self) -> anyhow::Result<&Path> {
        if let Some(dir) = self.dir.get() {
            return Ok(dir);
        }
        let dir = self.at.workspace()?.target_dir;
        Ok(self.dir.get_or_init(|| dir))
    }
}

impl Append {
    fn run(self, target: &TargetDir<'_>) -> anyhow::Result<ExitCode> {
        let dir = match self.dir {
            Some(dir) => dir,
            None => local_dir(target.get()?),
        };
        // Everything is read and checked first: a refused append writes nothing.
        let mut records = Vec::new();
        for path in &self.files {
            let (results, verdict) = Results::load_judged(path)?;
            records.extend(
                records_of(
                    target.at.repo(),
                    &results,
                    verdict.as_ref(),
                    self.commit.as_deref(),
                )
                .with_context(|| format!("{}: not appended to the history", path.display()))?,
            );
        }
        let outcome = append(&dir, &records)?;
        report_appended(&dir, &outcome);
        Ok(ExitCode::SUCCESS)
    }
}

/// The records of one run and its verdict; the commit is `commit` (a revision), else the one a paired
/// run names, else HEAD.
pub(crate) fn records_of(
    repo: Repo<'_>,
    results: &Results,
    verdict: Option<&perfmatrix_model::Report>,
    commit: Option<&str>,
) -> anyhow::Result<Vec<HistoryRecord>> {
    let (commit, dirty) = match (commit, &results.paired) {
        (Some(rev), _) => (repo.resolve(rev, "--commit")?, false),
        (None, Some(paired)) => (paired.head.commit.clone(), paired.head.dirty),
        (None, None) => (repo.head()?, repo.has_changes()),
    };
    let info = CommitInfo {
        parent: repo.first_parent(&commit),
        date: repo.commit_date(&commit).unwrap_or_default(),
        commit,
        dirty,
    };
    Ok(records_from_results(results, verdict, &info)?)
}

pub(crate) fn report_appended(dir: &Path, outcome: &perfmatrix_history::Appended) {
    for bad in &outcome.bad {
        eprintln!("warning: {bad}");
    }
    report_migrated(&outcome.migrated);
    for (path, bytes) in &outcome.cut_short_removed {
        eprintln!(
            "history: removed a run cut short ({bytes} bytes) from the end of {}: an append \
             that was stopped while writing",
            path.display()
        );
    }
    if !outcome.leftovers_removed.is_empty() {
        eprintln!(
            "history: removed {} temp file(s) of earlier appends that were stopped before they \
             finished: {}",
            outcome.leftovers_removed.len(),
            outcome
                .leftovers_removed
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    eprint!(
        "history: {} record(s) appended to {}",
        outcome.written,
        dir.display()
    );
    if outcome.already_present > 0 {
        eprint!(
            " ({} already there, not written twice)",
            outcome.already_present
        );
    }
    eprintln!();
}

impl Render {
    fn run(self, target: &TargetDir<'_>) -> anyhow::Result<ExitCode> {
        // The workspace (cargo metadata) is asked only for a default folder and the cache.
        let files = match (&self.git_ref, &self.dir) {
            (Some(rev), _) => ref_files(target.at.repo(), rev)?,
            (None, Some(dir)) => {
                if !dir.is_dir() {
                    bail!("--dir {}: no such folder", dir.display());
                }
                dir_files(dir)?
            }
            (None, None) => dir_files(&local_dir(target.get()?))?,
        };
        let cache_dir = match (&self.cache, self.no_cache) {
            (_, true) => None,
            (Some(dir), false) => Some(dir.clone()),
            (None, false) => Some(target.get()?.join(CACHE_DIR)),
        };
        let read = read_trend(files, cache_dir.as_deref())?;
        report_read(&read, cache_dir.as_deref());
        let trend = &read.trend;
        for bad in &trend.skipped {
            eprintln!("warning: {bad}");
        }
        let html_dir = match &self.html {
            Some(dir) => dir.clone(),
            None => target.get()?.join("perfmatrix/dashboard"),
        };
        let options = HistoryOptions {
            max_charts: self.max_charts,
            ..HistoryOptions::default()
        };
        // Rendered in full before anything is written.
        let pages = render_history_html(trend, &options)?;
        let markdown = render_history_markdown(trend, self.latest)?;
        let json = match &self.json {
            Some(_) => render_history_json(trend)?,
            None => String::new(),
        };
        for page in &pages {
            write_atomically(&html_dir.join(&page.file_name), page.html.as_bytes())?;
        }
        if let Some(path) = &self.markdown {
            write_atomically(path, markdown.as_bytes())?;
        }
        if let Some(path) = &self.json {
            write_atomically(path, json.as_bytes())?;
        }
        if let Some(dir) = &self.badges {
            write_badges(trend, dir)?;
        }
        print!("{markdown}");
        eprintln!("dashboard: {}", html_dir.join("index.html").display());
        // Last: the outputs do not wait for the cache.
        for warning in read.save_caches() {
            eprintln!("warning: {warning} (the next read parses the history again)");
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// One line on what was read, and why a cache was dropped.
fn report_read(read: &ReadTrend, cache_dir: Option<&Path>) {
    let mut cached = 0;
    let mut parsed = 0;
    for file in &read.files {
        cached += file.cached_lines;
        parsed += file.parsed_lines;
        if let CacheUse::Dropped(why) = &file.cache {
            eprintln!(
                "note: the history cache of {} was not used: {why}",
                file.source
            );
        }
    }
    match cache_dir {
        Some(dir) => eprintln!(
            "history: {} file(s), {parsed} line(s) parsed, {cached} from the cache ({})",
            read.files.len(),
            dir.display()
        ),
        None => eprintln!(
            "history: {} file(s), {parsed} line(s) parsed (no cache)",
            read.files.len()
        ),
    }
}

/// The history files of a folder.
fn dir_files(dir: &Path) -> anyhow::Result<Vec<HistoryFile>> {
    Ok(history_files(dir)?
        .iter()
        .map(|path| HistoryFile::at_path(path))
        .collect::<Result<_, _>>()?)
}

fn write_badges(trend: &Trend, dir: &Path) -> anyhow::Result<()> {
    for platform in &trend.platforms {
        let path = dir.join(format!("{}.svg", platform.platform));
        write_atomically(&path, render_badge(platform).as_bytes())?;
    }
    Ok(())
}

/// The history files of a git ref of the history branch.
fn ref_files(repo: Repo<'_>, rev: &str) -> anyhow::Result<Vec<HistoryFile>> {
    let files = repo.files_at(rev, BRANCH_DIR, "--ref")?;
    let mut found = Vec::new();
    for file in files.iter().filter(|f| {
        Path::new(f).extension().is_some_and(|e| {
            e == perfmatrix_history::HISTORY_EXTENSION || e == perfmatrix_history::STORE_EXTENSION
        })
    }) {
        let bytes = repo.show_bytes(rev, file)?;
        found.push(HistoryFile::in_memory(
            format!("{rev}:{file}"),
            Path::new(file),
            bytes,
        )?);
    }
    if found.is_empty() {
        bail!("--ref `{rev}` has no history files in {BRANCH_DIR}/ (*.pmh or *.jsonl)");
    }
    Ok(found)
}
