//! How long `cargo xtask history` takes on a large history: parsing the JSON lines of every
//! platform (`load`, also timed alone), finding the change points of every series and rendering
//! the dashboard, for
//! 8 platforms × benchmarks × commits. A tooling benchmark, run by hand
//! (`cargo bench -p perfmatrix-report --bench history`) and excluded from the gated suite
//! (docs/history.md, "Scale", has the numbers).

use std::time::Duration;

use criterion::{BenchmarkId as CriterionId, Criterion, SamplingMode, Throughput};
use perfmatrix_model::{
    BenchmarkId, HISTORY_SCHEMA, History, HistoryMode, HistoryRecord, MachineClass, RowVerdict,
    TimeSummary, analyse,
};
use perfmatrix_report::{HistoryOptions, render_history_html};

const PLATFORMS: usize = 8;

/// One platform's history file: `benchmarks` series of `commits` records, one step each.
fn history_text(platform: usize, benchmarks: usize, commits: usize) -> String {
    let mut text = String::new();
    let triple = format!("arch{platform}-unknown-linux-gnu");
    for c in 0..commits {
        for b in 0..benchmarks {
            let step = if c >= commits / 2 && b % 10 == 0 {
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
                platform: triple.clone(),
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
            };
            text.push_str(&serde_json::to_string(&record).unwrap());
            text.push('\n');
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("history");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(5));
    for (benchmarks, commits) in [(500, 100), (5_000, 20), (500, 1_000)] {
        let texts: Vec<(String, String)> = (0..PLATFORMS)
            .map(|p| (format!("p{p}.jsonl"), history_text(p, benchmarks, commits)))
            .collect();
        let records = PLATFORMS * benchmarks * commits;
        group.throughput(Throughput::Elements(records as u64));
        let label = format!("{PLATFORMS}x{benchmarks}x{commits}");
        // The parse alone, to tell how much of the whole it is.
        group.bench_function(CriterionId::new("load", &label), |b| {
            b.iter(|| History::parse_files(&texts));
        });
        group.bench_function(CriterionId::new("load+analyse+render", &label), |b| {
            b.iter(|| {
                let trend = analyse(History::parse_files(&texts));
                render_history_html(&trend, &HistoryOptions::default()).unwrap()
            });
        });
    }
    group.finish();
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
