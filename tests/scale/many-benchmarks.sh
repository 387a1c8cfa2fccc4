#!/usr/bin/env bash
# Generates a workspace shaped like a real one (one package, no [workspace] table, a `master`
# branch) with N benchmarks on perfmatrix's harness, in two commits: the base, and a head that
# doubles the work of every benchmark whose number ends in 07 (N/100 of them). Used by the
# sharding experiment of docs/matrix.md ("Shards"); nothing of it is committed.
#
#   tests/scale/many-benchmarks.sh <folder> [N=1000]
set -euo pipefail
dir="$1"
n="${2:-1000}"
perfmatrix="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/benches"
cat > "$dir/Cargo.toml" <<TOML
[package]
name = "many"
version = "0.1.0"
edition = "2024"
publish = false

[dev-dependencies]
perfmatrix-harness = { path = "$perfmatrix/crates/perfmatrix-harness" }

[[bench]]
name = "many"
harness = false

TOML
k=$(( (n + 92) / 100 ))
cat > "$dir/src/lib.rs" <<'RS'
//! A sum with a variable amount of work per benchmark.

/// The wrapping sum of `data`, `rounds` times over.
#[must_use]
pub fn sum(data: &[u64], rounds: usize) -> u64 {
    let mut total = 0u64;
    for _ in 0..rounds {
        for &x in data {
            total = total.wrapping_add(std::hint::black_box(x));
        }
    }
    total
}
RS
cat > "$dir/benches/many.rs" <<RS
//! $n generated benchmarks on perfmatrix's harness.

use perfmatrix_harness::{Harness, Routine};

/// The benchmarks that do twice the work. Only this table's values differ between the two
/// commits: the code, and so its layout in the binary, is the same.
static DOUBLED: [usize; $k] = [usize::MAX; $k];

fn main() {
    let mut h = Harness::new();
    for i in 0..$n {
        let len = 64 + (i % 16) * 16;
        let rounds = if std::hint::black_box(&DOUBLED).contains(&i) { 2 } else { 1 };
        h.bench(format!("sum/{i:05}"), move |_setup| {
            Routine::new(vec![i as u64; len], move |data| {
                std::hint::black_box(many::sum(data, rounds));
            })
        });
    }
    h.run();
}
RS
cp "$perfmatrix/Cargo.lock" "$dir/Cargo.lock"
cd "$dir"
printf 'target/\n' > .gitignore
git init -q -b master
git add -A
git -c user.name=gen -c user.email=gen@example.com commit -q -m "base: $n benchmarks"
doubled="$(seq 7 100 $((n - 1)) | paste -sd, -)"
sed -i "s/^static DOUBLED: \[usize; $k\] = \[usize::MAX; $k\];/static DOUBLED: [usize; $k] = [$doubled];/" benches/many.rs
grep -q "= \[$doubled\];" benches/many.rs
git -c user.name=gen -c user.email=gen@example.com commit -q -am "head: double the work of sum/xxx07"
echo "$dir: $n benchmarks; at HEAD, those numbered xxx07 do twice the work"
