//! How long `cargo xtask history` takes on a large history, as it runs on every push to `main`:
//! one new commit appended to every platform's file, then the files read through the history
//! cache (only the new lines parsed), every series' change points found (each time detector
//! resumed from its memo), every page rendered and the caches written back. The history is a
//! real compact store on disk (`<triple>.pmh`), 8 platforms × benchmarks × commits, written by
//! `perfmatrix_history::append`; the first, cold read (every run parsed, every series searched
//! whole) is timed once and printed, with the size of the files.
//!
//! A tooling benchmark, run by hand and excluded from the gated suite (docs/history.md, "Scale",
//! has the numbers): `cargo bench -p perfmatrix-report --bench history`. The largest history
//! takes about 1 GB of disk under `target/perfmatrix-bench/` while it runs;
//! `PERFMATRIX_BENCH_HISTORY=BxC` picks another size (benchmarks × commits), and
//! `PERFMATRIX_BENCH_PHASES=1` prints how long each phase of every run took.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId as CriterionId, Criterion, SamplingMode, Throughput};
use perfmatrix_history::{
    ChangeSummary, HISTORY_SCHEMA, HistoryFile, HistoryMode, HistoryRecord, MachineClass,
    TimeSummary, append, history_files, history_path, read_trend,
};
use perfmatrix_model::{BenchmarkId, RowVerdict, TargetTriple};
use perfmatrix_report::{HistoryOptions, render_history_html, render_history_markdown};

const PLATFORMS: usize = 8;

fn triple(platform: usize) -> TargetTriple {
    const TRIPLES: [&str; PLATFORMS] = [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
        "riscv64gc-unknown-linux-gnu",
        "powerpc64le-unknown-linux-gnu",
        "s390x-unknown-linux-gnu",
    ];
    TargetTriple::parse(TRIPLES[platform]).unwrap()
}

/// The records of commit `c` of `platform`: one per benchmark, with a +8% step at `step_at` in
/// one benchmark of every ten.
fn commit_records(
    platform: usize,
    benchmarks: usize,
    c: usize,
    step_at: usize,
) -> Vec<HistoryRecord> {
    let mut records = Vec::with_capacity(benchmarks);
    // A run's noise, the same on every machine: splitmix64 of (platform, commit, benchmark).
    let noise = |b: usize, salt: u64| {
        let mut z = ((platform as u64) << 48 ^ (c as u64) << 20 ^ b as u64 ^ salt << 56)
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as f64 / u64::MAX as f64
    };
    for b in 0..benchmarks {
        let step = if c >= step_at && b % 10 == 0 {
            1.08
        } else {
            1.0
        };
        // Per benchmark a time from 10 ns to 10 ms, each run 2% of noise around it, an
        // interval of 0.2% to 3% each side, the instructions of its own (one benchmark in fifty
        // changes them now and then), and the measurement's seconds.
        let base = 10.0 * 1e6_f64.powf(((b * 7919) % 1000) as f64 / 1000.0);
        let median = base * step * (1.0 + (noise(b, 1) - 0.5) * 0.04);
        let instructions = (base * 3.0) as u64 + if b % 50 == 0 { (c / 10) as u64 } else { 0 };
        let change = 0.002 + noise(b, 4) * 0.02;
        let record = HistoryRecord {
            schema: HISTORY_SCHEMA.kind.to_owned(),
            version: HISTORY_SCHEMA.version,
            commit: format!("{c:08x}{platform:032x}"),
            parent: c.checked_sub(1).map(|p| format!("{p:08x}{platform:032x}")),
            dirty: false,
            date: "2026-12-01T10:00:00+00:00".to_owned(),
            measured_unix: 1_790_000_000 + c as u64,
            platform: triple(platform),
            machine: MachineClass {
                slug: "intel-xeon-f6m167-avx512-2c".to_owned(),
                id: "0123456789abcdef".to_owned(),
            },
            mode: HistoryMode::Paired,
            benchmark: BenchmarkId::new(format!("group{}/bench-{b}", b % 50)).unwrap(),
            time: TimeSummary {
                median_ns: median,
                lower_ns: median * (1.0 - 0.002 - noise(b, 2) * 0.028),
                upper_ns: median * (1.0 + 0.002 + noise(b, 3) * 0.028),
            },
            instructions: Some(instructions),
            peak_rss_bytes: Some((1 << 20) + 4096 * ((b * 13) % 4000) as u64),
            change: Some(ChangeSummary {
                estimate: (noise(b, 5) - 0.5) * 0.02,
                lower: (noise(b, 5) - 0.5) * 0.02 - change,
                upper: (noise(b, 5) - 0.5) * 0.02 + change,
                log_se: change / 2.6,
            }),
            verdict: Some(if noise(b, 6) < 0.97 {
                RowVerdict::Unchanged
            } else {
                RowVerdict::Inconclusive
            }),
            seconds: Some(0.5 + noise(b, 7) * 2.5),
        };
        records.push(record);
    }
    records
}

/// Appends commits `commits` of every platform to its file in `dir`, as the history job does
/// (a hundred commits to an append while the store is first filled).
fn append_commits(dir: &Path, benchmarks: usize, commits: std::ops::Range<usize>, step_at: usize) {
    for p in 0..PLATFORMS {
        let mut start = commits.start;
        while start < commits.end {
            let end = (start + 100).min(commits.end);
            let records: Vec<HistoryRecord> = (start..end)
                .flat_map(|c| commit_records(p, benchmarks, c, step_at))
                .collect();
            append(dir, &records).unwrap();
            start = end;
        }
    }
}

/// What `cargo xtask history` does: read through the cache, analyse, render the pages and the
/// Markdown, write the caches back. Returns the number of records read.
fn history_command(dir: &Path, cache: &Path) -> usize {
    let files: Vec<HistoryFile> = history_files(dir)
        .unwrap()
        .iter()
        .map(|p| HistoryFile::at_path(p).unwrap())
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
        let bytes: Vec<u64> = (0..PLATFORMS)
            .map(|p| {
                std::fs::metadata(history_path(&history, &triple(p)))
                    .unwrap()
                    .len()
            })
            .collect();
        eprintln!(
            "{label}: {} commits written in {:.1?}; files of {:.1}–{:.1} MB",
            commits - 1,
            t.elapsed(),
            *bytes.iter().min().unwrap() as f64 / 1e6,
            *bytes.iter().max().unwrap() as f64 / 1e6,
        );
        let t = Instant::now();
        let files: Vec<HistoryFile> = history_files(&history)
            .unwrap()
            .iter()
            .map(|p| HistoryFile::at_path(p).unwrap())
            .collect();
        let series = perfmatrix_history::read_series(&files).unwrap();
        assert!(series.skipped.is_empty(), "{:?}", series.skipped.first());
        eprintln!(
            "{label}: cold read into series of {} records (no cache, no change points): {:.1?}",
            series
                .platforms
                .iter()
                .flat_map(|p| &p.series)
                .map(|s| s.points.len())
                .sum::<usize>(),
            t.elapsed()
        );
        drop(series);
        let t = Instant::now();
        let records = history_command(&history, &cache);
        eprintln!(
            "{label}: cold read of {records} records, every series searched (no cache): {:.1?}",
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
                        let t = Instant::now();
                        append_commits(&history, benchmarks, next..next + 1, commits / 2);
                        if std::env::var_os("PERFMATRIX_BENCH_PHASES").is_some() {
                            eprintln!("phase append: {:.3?}", t.elapsed());
                        }
                        next += 1;
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
