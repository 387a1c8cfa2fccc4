//! A bounded fuzz smoke of every reader of user-supplied files (issue 22, item 13): results
//! (with and without a verdict), baselines, merged reports' legs and the settings, each fed
//! valid files mutated byte by byte and value by value. A reader may refuse a file; it must
//! never panic. Proptest runs a few hundred cases per reader in CI.

mod common;

use std::path::Path;

use common::{bench, fingerprint, results, runs_of};
use perfmatrix_model::{Baseline, Config, LegResults, Report, Results, Row, RowVerdict};
use proptest::prelude::*;
use serde_json::Value;

/// The valid files the mutations start from: results, results with their verdict, a baseline.
fn seeds() -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let fp = fingerprint(1);
    let plain = results(
        fp.clone(),
        vec![bench("a/1", 10.0, 1), bench("b/2", 20.0, 2)],
    );
    let plain_path = dir.path().join("plain.json");
    plain.save(&plain_path).unwrap();
    let judged_path = dir.path().join("judged.json");
    let report = Report::example(
        "x86_64-unknown-linux-gnu",
        vec![Row::bare(
            perfmatrix_model::BenchmarkId::new("a/1").unwrap(),
            RowVerdict::Unchanged,
        )],
    );
    plain.save_judged(&judged_path, &report).unwrap();
    let runs = runs_of(dir.path(), 5, &fp, &[("a/1", 10.0), ("b/2", 20.0)]);
    let refs: Vec<(&Path, Results)> = runs.iter().map(|(p, r)| (p.as_path(), r.clone())).collect();
    let baseline_path = dir.path().join("baseline.json");
    Baseline::from_runs(&refs)
        .unwrap()
        .save(&baseline_path)
        .unwrap();
    [plain_path, judged_path, baseline_path]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// One edit of a file's bytes: overwrite, insert or remove at a position (modulo the length).
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Set(at, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Insert(at, b)),
        any::<usize>().prop_map(Edit::Remove),
    ];
    prop::collection::vec(edit, 1..6)
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len().max(1);
        match *edit {
            Edit::Set(at, b) if !bytes.is_empty() => bytes[at % len] = b,
            Edit::Insert(at, b) => bytes.insert(at % (bytes.len() + 1), b),
            Edit::Remove(at) if !bytes.is_empty() => {
                bytes.remove(at % len);
            }
            _ => {}
        }
    }
    bytes
}

/// Values a mutation puts in place of one node of a JSON file: the edges of every type.
fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(0)),
        Just(serde_json::json!(1e308)),
        Just(serde_json::json!(-1e308)),
        Just(serde_json::json!(u64::MAX)),
        Just(serde_json::json!(i64::MIN)),
        Just(serde_json::json!(0.5)),
        Just(serde_json::json!("")),
        Just(serde_json::json!("x/../../y\n\u{1b}[31m")),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!(true)),
    ]
}

/// `value` with its `n`-th node (depth first, modulo the number of nodes) replaced by `with`.
fn replace_node(value: &mut Value, n: usize, with: &Value) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, n: &mut usize, with: &Value) -> bool {
        if *n == 0 {
            *v = with.clone();
            return true;
        }
        *n -= 1;
        match v {
            Value::Array(a) => a.iter_mut().any(|c| walk(c, n, with)),
            Value::Object(o) => o.values_mut().any(|c| walk(c, n, with)),
            _ => false,
        }
    }
    let mut n = n % count(value);
    walk(value, &mut n, with);
}

/// Every reader of a file at `path`: none may panic, whatever it holds.
fn read_all(path: &Path) {
    let _ = Results::load(path);
    let _ = Results::load_judged(path);
    let _ = Baseline::load(path);
    let _ = LegResults::load(path);
    if let Ok(text) = std::fs::read_to_string(path)
        && let Ok(value) = serde_json::from_str::<Value>(&text)
    {
        let _ = Config::from_cargo_metadata(
            &serde_json::json!({ "metadata": { "perfmatrix": value } }),
        );
    }
    if let Ok(leg) = LegResults::load(path) {
        let _ = perfmatrix_model::merge(vec![leg], &[], &[]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_reader_panics_on_a_file_edited_byte_by_byte(seed in 0_usize..3, edits in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file.json");
        std::fs::write(&path, apply(seeds()[seed].clone(), &edits)).unwrap();
        read_all(&path);
    }

    #[test]
    fn no_reader_panics_on_a_file_with_an_odd_value(
        seed in 0_usize..3,
        nodes in prop::collection::vec((any::<usize>(), odd_value()), 1..4),
    ) {
        let mut value: Value = serde_json::from_slice(&seeds()[seed]).unwrap();
        for (n, with) in &nodes {
            replace_node(&mut value, *n, with);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file.json");
        std::fs::write(&path, serde_json::to_vec(&value).unwrap()).unwrap();
        read_all(&path);
    }

    #[test]
    fn the_settings_reader_never_panics(
        nodes in prop::collection::vec((any::<usize>(), odd_value()), 0..4),
    ) {
        let mut value = serde_json::json!({
            "warn": 0.05, "fail": 0.1,
            "paired": {"warn": 0.02, "fail": 0.05},
            "instructions": {"warn": 0.005, "fail": 0.01},
            "peak-memory-limit": 1.5,
            "benchmarks": {"a/1": {"fail": 0.2, "instructions": {"warn": 0.001}}},
            "platforms": [{"triple": "x86_64-unknown-linux-gnu", "runner": "ubuntu-24.04"}],
            "exclude-benches": ["x"],
            "artifact-retention-days": 30,
            "leg-timeout-minutes": 30,
            "toolchain": "1.95.0",
            "baselines": "baselines",
            "workflow": ".github/workflows/perf.yml",
            "command": "cargo xtask",
            "install": "true"
        });
        for (n, with) in &nodes {
            replace_node(&mut value, *n, with);
        }
        let _ = Config::from_cargo_metadata(&serde_json::json!({ "metadata": { "perfmatrix": value } }));
    }
}
