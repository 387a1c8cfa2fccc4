//! `cargo xtask merge <results.json>…`: the legs of a CI matrix (one results file per platform,
//! each already judged on its own machine) merged into one report — an overall verdict, a row per
//! platform and a benchmark × platform table — printed and written as Markdown, HTML and JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use perfmatrix_fingerprint::TargetTriple;
use perfmatrix_model::{
    Config, Expected, Judging, LegResults, MergedOutcome, MergedReport, Report, Results, Skipped,
    merge, write_all_atomically,
};
use perfmatrix_report::{Format, Style, render_merged};

use crate::workspace::Invocation;

/// Merge the legs' results files (one per platform) into one report
#[derive(Debug, clap::Args)]
pub struct Merge {
    /// The legs' results files (`bench --out …`), one per platform
    #[arg(value_name = "RESULTS.json", required = true)]
    files: Vec<PathBuf>,
    /// Platforms whose results must be present [default: the matrix's required platforms]
    #[arg(long, value_name = "TRIPLE", num_args = 1..)]
    expect: Vec<String>,
    /// Judge every leg again with this perfmatrix and this workspace's settings and baselines,
    /// instead of taking the verdict each file carries (CI's judge from the default branch)
    #[arg(long)]
    rejudge: bool,
    #[command(flatten)]
    outputs: Outputs,
}

/// Where a merged report goes: stdout in one format, and any of three files.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct Outputs {
    /// How to print the merged report: table, markdown, json or html
    #[arg(long, default_value = "table")]
    pub(crate) format: Format,
    /// Also write the Markdown report here (job summary, pull-request comment)
    #[arg(long, value_name = "FILE")]
    pub(crate) markdown: Option<PathBuf>,
    /// Also write the self-contained HTML report (with its chart) here
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    /// Also write the JSON report here
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
}

impl Merge {
    pub(crate) fn run(self, at: &Invocation) -> anyhow::Result<ExitCode> {
        // A Ctrl-C lets the writes below finish or stops before them: no temp file left behind.
        crate::interrupt::install();
        let expected = if self.expect.is_empty() {
            let ws = at.workspace()?;
            expected_of(&ws.config)
        } else {
            self.expect
                .iter()
                .map(|t| {
                    let triple = TargetTriple::parse(t)
                        .with_context(|| format!("--expect `{t}` is not a target triple"))?;
                    Ok(Expected {
                        platform: triple,
                        required: true,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?
        };
        let legs = if self.rejudge {
            let ws = at.workspace()?;
            self.files
                .iter()
                .map(|path| rejudged(&ws, path))
                .collect::<anyhow::Result<Vec<_>>>()?
        } else {
            self.files
                .iter()
                .map(|path| LegResults::load(path))
                .collect::<Result<Vec<_>, _>>()?
        };
        report(legs, &expected, &[], &self.outputs)
    }
}

/// The leg of the results file at `path`, judged again by this build with the settings and
/// baselines of the workspace `ws`: a paired leg from its pairs and counts (as `bench` judges it),
/// a leg against the committed baselines from its times and counts against the baseline this
/// workspace selects for it, with wall time warning only (as CI runs it), its re-measured
/// benchmarks as the leg re-measured them. Says on stderr where the verdict changed.
fn rejudged(ws: &crate::workspace::Workspace, path: &Path) -> anyhow::Result<LegResults> {
    let (results, before) = Results::load_judged(path)?;
    let report = if results.paired.is_some() {
        Report::paired(&results, &ws.config)?
    } else {
        let remeasured: Vec<perfmatrix_model::BenchmarkId> =
            before.as_ref().map_or_else(Vec::new, |v| {
                v.rows
                    .iter()
                    .filter(|r| r.remeasured)
                    .map(|r| r.id.clone())
                    .collect()
            });
        crate::verdict::Against::select(&ws.baselines(None), &results, &ws.at.root)?.judge(
            &results,
            &ws.config,
            &perfmatrix_model::RecordCommand::for_run(&ws.at.invoked_as, &results),
            Judging {
                time_gated: false,
                remeasured: &remeasured,
            },
        )?
    };
    let before = before.as_ref().map(Report::outcome);
    if before != Some(report.outcome()) {
        eprintln!(
            "{}: judged again, {}; the leg said {}",
            path.display(),
            report.outcome().as_str(),
            before.map_or("nothing (unjudged)", |o| o.as_str())
        );
    }
    Ok(LegResults::of_run(path, &results, report))
}

/// The platforms of the matrix, each required or not as the table says.
pub(crate) fn expected_of(config: &Config) -> Vec<Expected> {
    config
        .platforms
        .iter()
        .map(|p| Expected {
            platform: p.triple.clone(),
            required: p.required,
        })
        .collect()
}

/// Merges, writes the requested files, prints the report and returns the exit code: 0 pass (or
/// nothing comparable), 1 fail. Shared by `merge` and `matrix run`, so the rehearsal merges
/// exactly as CI does.
pub(crate) fn report(
    legs: Vec<LegResults>,
    expected: &[Expected],
    skipped: &[Skipped],
    outputs: &Outputs,
) -> anyhow::Result<ExitCode> {
    // Every output checked before anything is written: none half-written, no input overwritten.
    let given: Vec<(&str, &Path)> = [
        ("--markdown", &outputs.markdown),
        ("--html", &outputs.html),
        ("--json", &outputs.json),
    ]
    .into_iter()
    .filter_map(|(flag, path)| path.as_deref().map(|p| (flag, p)))
    .collect();
    let inputs: Vec<&Path> = legs.iter().map(|l| l.source.as_path()).collect();
    crate::paths::check_outputs(&given, &inputs)?;
    let merged = merge(legs, expected, skipped)?;
    let files = [
        (&outputs.markdown, Format::Markdown),
        (&outputs.html, Format::Html),
        (&outputs.json, Format::Json),
    ];
    // Render everything before writing anything: a rendering error leaves no file half-updated.
    let rendered = files
        .iter()
        .filter_map(|(path, format)| path.as_ref().map(|p| (p, *format)))
        .map(|(path, format)| Ok((path, render_merged(&merged, format, Style::plain())?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let shown = render_merged(&merged, outputs.format, Style::detect())?;
    crate::interrupt::check()?;
    // All or none: a failed write (a full disk) replaces no output.
    let writes: Vec<(&Path, &[u8])> = rendered
        .iter()
        .map(|(path, text)| (path.as_path(), text.as_bytes()))
        .collect();
    write_all_atomically(&writes)?;
    print!("{shown}");
    for (path, _) in files.iter().filter_map(|(p, f)| p.as_ref().map(|p| (p, f))) {
        eprintln!("wrote {}", path.display());
    }
    Ok(exit_code(&merged))
}

fn exit_code(merged: &MergedReport) -> ExitCode {
    match merged.outcome {
        MergedOutcome::Fail => ExitCode::from(1),
        MergedOutcome::Pass | MergedOutcome::NoComparableBaseline => ExitCode::SUCCESS,
    }
}

/// `results-<stem>.json` in `dir`: where a leg's results go (the stem is its triple, and its
/// shard when it measures one: `x86_64-unknown-linux-gnu-shard-1-of-4`).
pub(crate) fn results_file(dir: &Path, stem: &str) -> PathBuf {
    dir.join(format!("results-{stem}.json"))
}
