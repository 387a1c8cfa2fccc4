#!/usr/bin/env bash
# The plain-criterion experiment of docs/statistics.md ("Plain criterion benchmarks"): a
# single-package crate of 21 plain criterion 0.5 benchmarks whose groups set 3 s of measurement,
# measured by perfmatrix on its criterion layer and, side by side, in whole criterion runs.
#
#   bash docs/experiments/plain-criterion.sh <dir> [runs]
#
# Makes the crate in <dir> (two commits on `master`: the suite, then `sum` doing ~5% more work),
# then runs, with the `cargo-perfmatrix` of this checkout (built first, in release):
#   1. A/A on the layer: `experiment --against HEAD` on the suite's commit checked out (runs);
#   2. the change on the layer: `experiment --against HEAD~1` on the second (runs);
#   3. A/A in whole runs: the same as 1 with a bench target the layer cannot build (2 runs).
# Each writes its tally to <dir>/results/<name>.json (its log beside it) and prints it. Run it on
# an otherwise idle machine.
set -euo pipefail
dir=${1:?usage: plain-criterion.sh <dir> [runs]}
runs=${2:-10}
here=$(cd "$(dirname "$0")/../.." && pwd)
cargo build --release -q -p cargo-perfmatrix --manifest-path "$here/Cargo.toml"
pm="$here/target/release/cargo-perfmatrix"

rm -rf "$dir" && mkdir -p "$dir/src" "$dir/benches" && cd "$dir"
cat > Cargo.toml <<'TOML'
[package]
name = "suite"
version = "0.1.0"
edition = "2021"

[dev-dependencies]
criterion = { version = "0.5", default-features = false, features = ["cargo_bench_support"] }

[[bench]]
name = "suite"
harness = false
TOML
cat > src/lib.rs <<'RUST'
pub fn sum(v: &[u64]) -> u64 {
    v.iter().sum()
}
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
pub fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}
pub fn words(s: &str) -> usize {
    s.split_whitespace().count()
}
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}
pub fn search(v: &[u64], keys: &[u64]) -> usize {
    keys.iter().filter(|k| v.binary_search(k).is_ok()).count()
}
RUST
cat > benches/suite.rs <<'RUST'
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn group<'a>(c: &'a mut Criterion, name: &str) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    g
}

fn benches(c: &mut Criterion) {
    let mut g = group(c, "sum");
    for n in [100u64, 1_000, 10_000, 100_000] {
        let v: Vec<u64> = (0..n).collect();
        g.bench_with_input(BenchmarkId::from_parameter(n), &v, |b, v| b.iter(|| suite::sum(black_box(v))));
    }
    g.finish();
    let mut g = group(c, "dot");
    for n in [100usize, 1_000, 10_000] {
        let a: Vec<f64> = (0..n).map(|i| i as f64).collect();
        g.bench_with_input(BenchmarkId::from_parameter(n), &a, |b, a| b.iter(|| suite::dot(black_box(a), black_box(a))));
    }
    g.finish();
    let mut g = group(c, "fib");
    for n in [10u64, 15, 20] {
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| b.iter(|| suite::fib(black_box(n))));
    }
    g.finish();
    let mut g = group(c, "sort");
    for n in [100u32, 1_000, 10_000] {
        let v: Vec<u32> = (0..n).map(|i| i.wrapping_mul(2_654_435_761)).collect();
        g.bench_with_input(BenchmarkId::from_parameter(n), &v, |b, v| {
            b.iter_batched_ref(|| v.clone(), |v| v.sort_unstable(), BatchSize::SmallInput)
        });
    }
    g.finish();
    let mut g = group(c, "words");
    for n in [100usize, 1_000, 10_000] {
        let text = "lorem ipsum dolor sit amet ".repeat(n / 5);
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| b.iter(|| suite::words(black_box(t))));
    }
    g.finish();
    let mut g = group(c, "fnv");
    for n in [64usize, 1_024, 16_384] {
        let bytes: Vec<u8> = (0..n).map(|i| i as u8).collect();
        g.bench_with_input(BenchmarkId::from_parameter(n), &bytes, |b, v| b.iter(|| suite::fnv(black_box(v))));
    }
    g.finish();
    let mut g = group(c, "search");
    for n in [1_000u64, 100_000] {
        let v: Vec<u64> = (0..n).map(|i| i * 2).collect();
        let keys: Vec<u64> = (0..64).map(|i| i * n / 32).collect();
        g.bench_with_input(BenchmarkId::from_parameter(n), &v, |b, v| b.iter(|| suite::search(black_box(v), black_box(&keys))));
    }
    g.finish();
}

criterion_group!(suite, benches);
criterion_main!(suite);
RUST
printf "/target\n/results\n" > .gitignore
mkdir -p results
git init -q -b master .
git add -A && git -c user.name=x -c user.email=x@x commit -qm "the suite"
cargo generate-lockfile -q
git add -A && git -c user.name=x -c user.email=x@x commit -qm "lock file"
# The change: `sum` adds up the first twentieth of its input a second time (~5% more work).
sed -i 's|    v.iter().sum()|    v.iter().sum::<u64>().wrapping_add(std::hint::black_box(\&v[..v.len() / 20]).iter().sum::<u64>())|' src/lib.rs
git -c user.name=x -c user.email=x@x commit -qam "sum: a twentieth more work"

run() { # name against runs
  "$pm" perfmatrix experiment --against "$2" --runs "$3" --out "$dir/results/$1.json" \
    2>"$dir/results/$1.log" | tee "$dir/results/$1.txt"
}
git checkout -q HEAD~1
echo "== 1. A/A on the layer"; run layer-aa HEAD "$runs"
git checkout -q master
echo "== 2. the change on the layer"; run layer-change HEAD~1 "$runs"
git checkout -q HEAD~1
mkdir -p benches && cat > benches/measured.rs <<'RUST'
use criterion::{criterion_group, criterion_main, Criterion};
fn m(c: &mut Criterion) { c.bench_function("measured", |b| b.iter(|| suite::fib(5))); }
criterion_group! { name = g; config = Criterion::default().with_measurement(criterion::measurement::WallTime); targets = m }
criterion_main!(g);
RUST
printf '\n[[bench]]\nname = "measured"\nharness = false\n' >> Cargo.toml
git add -A && git -c user.name=x -c user.email=x@x commit -qm "a target the layer cannot build"
echo "== 3. A/A in whole criterion runs"; run whole-aa HEAD 2
