//! How long `cargo xtask history` takes on a large history, as it runs on every push to `main`:
//! one new commit appended to every platform's file, then the files read through the history
//! cache (only the new lines parsed), every series' change points found (each time detector
//! resumed from its memo), every page rendered and the caches written back. The history is real
//! JSON lines on disk, 8 platforms × benchmarks × commits; the first, cold read (every line
//! parsed, every series searched whole) is timed once and printed.
//!
//! A tooling benchmark, run by hand and excluded from the gated suite (docs/history.md, "Scale",
//! has the numbers): `cargo bench -p perfmatrix-report --bench history`. The largest history
//! takes about 20 GB of disk under `target/perfmatrix-bench/` while it runs;
//! `PERFMATRIX_BENCH_HISTORY=BxC` picks another size (benchmarks × commits), and
//! `PERFMATRIX_BENCH_PHASES=1` prints how long each phase of every run took.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId as CriterionId, Criterion, SamplingMode, Throughput};
use perfmatrix_history::{
    HISTORY_SCHEMA, HistoryFile, HistoryMode, HistoryRecord, MachineClass, TimeSummary,
    history_files, history_path, read_trend,
};
use perfmatrix_model::{BenchmarkId, RowVerdict};
use perfmatrix_report::{HistoryOptions, render_history_html, render_history_markdown};

const PLATFORMS: usize = 8;

fn triple(platform: usize) -> String {
    format!("arch{platform}-unknown-linux-gnu")
}

/// The lines of commit `c` of `platform`: one per benchmark, with a +8% step at `step_at` in
/// one benchmark of every ten.
fn commit_lines(platform: usize, benchmarks: usize, c: usize, step_at: usize) -> String {
    let mut text = String::new();
    for b in 0..benchmarks {
        let step = if c >= step_at && b % 10 == 0 {
            1.08
        } else {
            1.0
        };
        let wobble = 1.0 + ((c * 7919 + b * 31) % 41) as f64 / 2_000.0;
        let median = (1_000.0 + (b * 37 % 1_000) as f64) * step * wobble;
        let record = HistoryRecord {
            schema: HISTORY_SCHEMA.kind.to_owned(),
            version: HISTORY_SCHEMA.version,
            commit: format!("{c:08x}{platform:032x}"),
            parent: None,
            dirty: false,
            date: "2026-12-01T10:00:00+00:00".to_owned(),
            measured_unix: 1_790_000_000 + c as u64,
            platform: triple(platform),
            machine: MachineClass {
                slug: "intel-xeon-f6m167-avx512-2c".to_owned(),
                id: "0123456789abcdef".to_owned(),
            },
            mode: HistoryMode::Committed,
            benchmark: BenchmarkId::new(format!("group{}/bench-{b}", b % 50)).unwrap(),
            time: TimeSummary {
                median_ns: median,
                lower_ns: median * 0.99,
                upper_ns: median * 1.01,
            },
            instructions: Some(10_000 + b as u64),
            peak_rss_bytes: Some(1 << 20),
            change: None,
            verdict: Some(RowVerdict::Unchanged),
            seconds: None,
        };
        text.push_str(&serde_json::to_string(&record).unwrap());
        text.push('\n');
    }
    text
}

/// Appends commits `commits` of every platform to its file in `dir`, the platforms in parallel.
fn append_commits(dir: &Path, benchmarks: usize, commits: std::ops::Range<usize>, step_at: usize) {
    let platforms: Vec<usize> = (0..PLATFORMS).collect();
    std::thread::scope(|scope| {
        for chunk in platforms.chunks(PLATFORMS / 2) {
            let commits = commits.clone();
            scope.spawn(move || {
                for &p in chunk {
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(history_path(dir, &triple(p)))
                        .unwrap();
                    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
                    for c in commits.clone() {
                        out.write_all(commit_lines(p, benchmarks, c, step_at).as_bytes())
                            .unwrap();
                    }
                    out.flush().unwrap();
                }
            });
        }
    });
}

/// What `cargo xtask history` does: read through the cache, analyse, render the pages and the
/// Markdown, write the caches back. Returns the number of records read.
fn history_command(dir: &Path, cache: &Path) -> usize {
    let files: Vec<HistoryFile> = history_files(dir)
        .unwrap()
        .iter()
        .map(|p| HistoryFile::at_path(p))
        .collect();
    let phases = std::env::var_os("PERFMATRIX_BENCH_PHASES").is_some();
    let phase = |name: &str, since: Instant| {
        if phases {
            eprintln!("phase {name}: {:.3?}", since.elapsed());
        }
        Instant::now()
    };
    let t = Instant::now();
    let read = read_trend(files, Some(cache)).unwrap();
    let t = phase("read and analyse", t);
    let pages = render_history_html(&read.trend, &HistoryOptions::default()).unwrap();
    let markdown = render_history_markdown(&read.trend, 10).unwrap();
    std::hint::black_box((pages, markdown));
    let t = phase("render", t);
    assert!(read.save_caches().is_empty());
    let t = phase("save the cache", t);
    let records = read
        .trend
        .platforms
        .iter()
        .flat_map(|p| &p.series)
        .map(|s| s.points.len())
        .sum();
    drop(read);
    phase("drop", t);
    records
}

fn sizes() -> Vec<(usize, usize)> {
    // `cargo test --all-targets` runs this once as a smoke test, without `--bench`: a small
    // history then, not 20 GB of one.
    if !std::env::args().any(|a| a == "--bench") {
        return vec![(50, 60)];
    }
    match std::env::var("PERFMATRIX_BENCH_HISTORY") {
        Ok(size) => {
            let (b, c) = size
                .split_once('x')
                .expect("PERFMATRIX_BENCH_HISTORY=BENCHMARKSxCOMMITS");
            vec![(b.parse().unwrap(), c.parse().unwrap())]
        }
        Err(_) => vec![(500, 100), (5_000, 1_000)],
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("history");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(30));
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../perfmatrix-bench");
    for (benchmarks, commits) in sizes() {
        let label = format!("{PLATFORMS}x{benchmarks}x{commits}");
        let dir = root.join(&label);
        let _ = std::fs::remove_dir_all(&dir);
        let (history, cache) = (dir.join("history"), dir.join("cache"));
        std::fs::create_dir_all(&history).unwrap();
        let t = Instant::now();
        append_commits(&history, benchmarks, 0..commits - 1, commits / 2);
        eprintln!(
            "{label}: {} commits written in {:.1?}",
            commits - 1,
            t.elapsed()
        );
        let t = Instant::now();
        let records = history_command(&history, &cache);
        eprintln!(
            "{label}: cold read of {records} records (no cache): {:.1?}",
            t.elapsed()
        );
        // Every sample is the history of one more commit: `commits`, `commits + 1`, …
        let mut next = commits - 1;
        group.throughput(Throughput::Elements(
            (PLATFORMS * benchmarks * commits) as u64,
        ));
        group.bench_function(
            CriterionId::new("append one commit, read+analyse+render", &label),
            |b| {
                b.iter_custom(|iters| {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iters {
                        append_commits(&history, benchmarks, next..next + 1, commits / 2);
                        next += 1;
                        let t = Instant::now();
                        std::hint::black_box(history_command(&history, &cache));
                        spent += t.elapsed();
                    }
                    spent
                });
            },
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
    group.finish();
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
