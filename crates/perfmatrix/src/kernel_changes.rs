//! Tests: real changes to a kernel, profiled as a paired run profiles a changed benchmark, must
//! be read right. Each change below rewrites `kernels/portable.c` (extra arithmetic, a
//! cache-unfriendly access pattern, a branchy rewrite, a dependency chain); both builds run under
//! callgrind with the cache and branch simulation ([`crate::counts::profile`]), and the report
//! must name the changed function first and give the reading that matches the change. Counts are
//! deterministic, so the checks are exact. Skipped with a note without valgrind, except in CI.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use perfmatrix_model::{Cause, FunctionDiff, Method, PairedRow, Profiles, Report, Row, RowVerdict};
use perfmatrix_report::{Format, Style, render};

use crate::binaries::BenchBinary;
use crate::tools::find_in_path;

/// Calls the portable kernels on fixed inputs inside `perfmatrix_count_region`, as the harness's
/// counting mode does: `cosine` (768 × 100, half of the candidates' values zero, at random) or
/// `decay` (65,536 strengths, 768 KiB with their ages: past any first-level cache).
const DRIVER: &str = r#"
#include <stdint.h>
#include <string.h>
#include "kernels.h"

static uint64_t state = 42;
static uint32_t next_u32(void) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(state >> 33);
}
static float next_unit(void) { return (float)(next_u32() & 0xffffff) / 16777216.0f; }

enum { D = 768, N = 100, DECAY_N = 65536 };
static float query[D], cands[D * N], out[N], strengths[DECAY_N];
static uint64_t ages[DECAY_N];

__attribute__((noinline)) void perfmatrix_count_region(const char *id) {
    if (strcmp(id, "cosine") == 0) {
        pmk_cosine_portable(query, cands, D, N, out);
    } else {
        pmk_decay_portable(strengths, ages, DECAY_N, 0.001f);
    }
}

int main(int argc, char **argv) {
    for (size_t i = 0; i < D; i++) query[i] = next_unit();
    for (size_t i = 0; i < (size_t)D * N; i++) cands[i] = (next_u32() & 1) ? next_unit() : 0.0f;
    for (size_t i = 0; i < DECAY_N; i++) {
        strengths[i] = next_unit();
        ages[i] = next_u32() % 5000;
    }
    perfmatrix_count_region(argv[argc - 1]);
    volatile float sink = out[0] + strengths[0];
    (void)sink;
    return 0;
}
"#;

/// One kernel change: the text replaced in `portable.c` on each side (base first), the
/// benchmark it shows in, and what the report must say.
struct Change {
    what: &'static str,
    id: &'static str,
    base: &'static [(&'static str, &'static str)],
    head: &'static [(&'static str, &'static str)],
    cause: Cause,
    function: &'static str,
    reading: &'static str,
}

const COSINE_LOOP: &str = "        float dot = 0.0f, rr = 0.0f;
        for (size_t k = 0; k < d; k++) {
            dot += query[k] * row[k];
            rr += row[k] * row[k];
        }
";

/// Two accumulators each for `dot` and `rr`, over the two halves of a row.
const TWO_ACCUMULATORS: &str = "        float dot = 0.0f, rr = 0.0f, dot2 = 0.0f, rr2 = 0.0f;
        size_t h = d / 2;
        for (size_t k = 0; k < h; k++) {
            dot += query[k] * row[k];
            rr += row[k] * row[k];
            dot2 += query[k + h] * row[k + h];
            rr2 += row[k + h] * row[k + h];
        }
        dot += dot2;
        rr += rr2;
";

/// The same instructions with one accumulator each: twice as long a chain of additions.
const ONE_ACCUMULATOR: &str = "        float dot = 0.0f, rr = 0.0f;
        size_t h = d / 2;
        for (size_t k = 0; k < h; k++) {
            dot += query[k] * row[k];
            rr += row[k] * row[k];
            dot += query[k + h] * row[k + h];
            rr += row[k + h] * row[k + h];
        }
";

const CHANGES: [Change; 4] = [
    Change {
        what: "extra arithmetic: the query's norm recomputed for every candidate",
        id: "cosine",
        base: &[],
        head: &[(
            "    float qq = 0.0f;
    for (size_t k = 0; k < d; k++) {
        qq += query[k] * query[k];
    }
    for (size_t i = 0; i < n; i++) {
",
            "    for (size_t i = 0; i < n; i++) {
        float qq = 0.0f;
        for (size_t k = 0; k < d; k++) {
            qq += query[k] * query[k];
        }
",
        )],
        cause: Cause::Instructions,
        function: "pmk_cosine_portable",
        reading: "the code does more work",
    },
    Change {
        what: "a cache-unfriendly access pattern: decay walks its arrays in 16 strided passes",
        id: "decay",
        base: &[],
        head: &[(
            "    for (size_t i = 0; i < n; i++) {
        strengths[i] *= expf(pmk_decay_exponent(neg_lambda, ages[i]));
    }",
            "    for (size_t j = 0; j < 16; j++) {
        for (size_t i = j; i < n; i += 16) {
            strengths[i] *= expf(pmk_decay_exponent(neg_lambda, ages[i]));
        }
    }",
        )],
        cause: Cause::Memory,
        function: "pmk_decay_portable",
        reading: "memory behaviour",
    },
    Change {
        what: "a branchy rewrite: cosine skips the zero values of a candidate",
        id: "cosine",
        base: &[],
        head: &[(
            "            dot += query[k] * row[k];
            rr += row[k] * row[k];
",
            "            if (row[k] != 0.0f) {
                dot += query[k] * row[k];
                rr += row[k] * row[k];
            }
",
        )],
        cause: Cause::Branches,
        function: "pmk_cosine_portable",
        reading: "branches",
    },
    Change {
        what: "a dependency chain: one accumulator instead of two",
        id: "cosine",
        base: &[(COSINE_LOOP, TWO_ACCUMULATORS)],
        head: &[(COSINE_LOOP, ONE_ACCUMULATOR)],
        cause: Cause::Execution,
        function: "pmk_cosine_portable",
        reading: "the same work executes differently",
    },
];

/// The kernels' folder: `kernels/` of the workspace.
fn kernels() -> PathBuf {
    crate::repo_root().join("kernels")
}

/// Builds the driver against `portable.c` with `edits` applied, in `dir`, as `name`.
fn build(dir: &Path, name: &str, edits: &[(&str, &str)]) -> BenchBinary {
    let mut source = std::fs::read_to_string(kernels().join("portable.c")).unwrap();
    for (from, to) in edits {
        assert!(
            source.contains(from),
            "kernels/portable.c no longer has the text this test changes:\n{from}"
        );
        source = source.replacen(from, to, 1);
    }
    let side = dir.join(name);
    std::fs::create_dir_all(&side).unwrap();
    std::fs::write(side.join("portable.c"), source).unwrap();
    std::fs::write(side.join("driver.c"), DRIVER).unwrap();
    let exe = side.join("driver");
    let status = Command::new("cc")
        .args(["-O2", "-g", "-I"])
        .arg(kernels())
        .arg("-o")
        .arg(&exe)
        .arg(side.join("driver.c"))
        .arg(side.join("portable.c"))
        .arg("-lm")
        .status()
        .unwrap();
    assert!(status.success(), "cc failed for {name}");
    BenchBinary {
        name: name.to_owned(),
        exe,
        target: None,
        workspace: dir.to_owned(),
        ids: vec!["cosine".to_owned(), "decay".to_owned()],
        on_harness: true,
        via_layer: false,
        count_each: false,
    }
}

#[test]
fn real_kernel_changes_are_read_right_and_name_the_changed_function_first() {
    if find_in_path("valgrind").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "valgrind is not installed, and CI is set: the kernel-change readings must be tested"
        );
        let _ = writeln!(
            std::io::stderr(),
            "note: skipping the kernel-change readings: valgrind is not installed"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (i, change) in CHANGES.iter().enumerate() {
        let base = build(dir.path(), &format!("base-{i}"), change.base);
        let head = build(dir.path(), &format!("head-{i}"), change.head);
        let ids = [perfmatrix_model::BenchmarkId::new(change.id).unwrap()];
        let profile = |bin: &BenchBinary| {
            crate::counts::profile(std::slice::from_ref(bin), &ids, &[])
                .unwrap()
                .remove(change.id)
                .unwrap_or_else(|| panic!("{}: no profile", change.what))
        };
        let profiles = Profiles {
            head: profile(&head),
            base: profile(&base),
        };
        let diff = FunctionDiff::of(&profiles);
        let summary = format!(
            "{}: {:?}, head {:?}, base {:?}, first {:?}",
            change.what,
            diff.cause,
            diff.head,
            diff.base,
            diff.functions.first().map(|f| &f.name)
        );
        assert_eq!(diff.cause, change.cause, "{summary}");
        assert_eq!(diff.functions[0].name, change.function, "{summary}");
        // As the report shows it: the reading, then the changed function first.
        let row = Row {
            functions: Some(diff),
            paired: Some(PairedRow {
                method: Method::Interleaved,
                pairs: 6,
                samples_per_pair: 30,
                iterations_per_sample: Some(100),
                budget_limited: false,
            }),
            ..Row::bare(ids[0].clone(), RowVerdict::Regressed)
        };
        let report = Report::example("x86_64-unknown-linux-gnu", vec![row]);
        let table = render(&report, Format::Table, Style::plain()).unwrap();
        let expected = format!("  {}: {}", change.id, change.reading);
        let at = table
            .find(&expected)
            .unwrap_or_else(|| panic!("{summary}: no `{expected}` in\n{table}"));
        let first = table[at..].lines().nth(1).unwrap_or_default();
        assert!(
            first.starts_with(&format!("    {}: own ", change.function)),
            "{summary}: the first function listed is `{first}`\n{table}"
        );
        let section = &table[table.find("Where it changed").unwrap_or(0)..];
        assert!(!section.contains("machine"), "{summary}\n{table}");
    }
}
