//! The real histories of docs/history-replay/ (made on this project's VM, docs/history.md,
//! "A real history"): 32 commits measured against committed baselines and 17 of them paired
//! against their parents, with +10% work planted in the decay benchmarks at commit f7b695c.
//! The analysis must find that step at that commit, and nothing else in the paired history.

use std::path::Path;

use perfmatrix_history::{History, Signal, analyse};

const PLANTED: &str = "f7b695c21950bc7755a3811d10e5b8d991ad0843";

fn read(kind: &str) -> History {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/history-replay")
        .join(kind);
    let history = History::read_dir(&dir).unwrap();
    assert!(history.bad.is_empty(), "{:?}", history.bad);
    history
}

#[test]
fn the_paired_replay_finds_the_planted_step_at_its_commit_and_nothing_else() {
    let history = read("paired");
    assert_eq!(history.records.len(), 17 * 9);
    let trend = analyse(history);
    let found: Vec<(String, Signal, String)> = trend
        .change_points_newest_first()
        .iter()
        .map(|(_, s, c)| (s.benchmark.to_string(), c.signal, c.commit.clone()))
        .collect();
    for bench in ["decay/1000", "decay/10000", "decay/100000"] {
        for signal in [Signal::PairedStep, Signal::Instructions] {
            assert!(
                found.contains(&(bench.to_owned(), signal, PLANTED.to_owned())),
                "{bench} {signal:?}: {found:?}"
            );
        }
    }
    assert_eq!(found.len(), 6, "no other change point: {found:?}");
}

#[test]
fn the_committed_replay_finds_the_instruction_step_exactly() {
    let trend = analyse(read("committed"));
    let instructions: Vec<(String, String)> = trend
        .change_points_newest_first()
        .iter()
        .filter(|(_, _, c)| c.signal == Signal::Instructions)
        .map(|(_, s, c)| (s.benchmark.to_string(), c.commit.clone()))
        .collect();
    let mut benches: Vec<&str> = instructions.iter().map(|(b, _)| b.as_str()).collect();
    benches.sort_unstable();
    assert_eq!(benches, ["decay/1000", "decay/10000", "decay/100000"]);
    assert!(
        instructions.iter().all(|(_, c)| c == PLANTED),
        "{instructions:?}"
    );
    // Whole criterion runs on this VM move by ±30% from run to run: the time steps found there
    // are the machine's, and each says that the instructions did not move.
    for (_, _, c) in trend.change_points_newest_first() {
        if c.signal == Signal::Time {
            assert_eq!(c.instructions_moved, Some(false), "{c:?}");
        }
    }
}

/// Both real histories, migrated to the compact store: every record comes back as the store
/// rounds it, and the analysis finds exactly the change points it found in the JSON lines.
#[test]
fn the_replays_migrated_to_the_compact_store_find_the_same_change_points() {
    for kind in ["paired", "committed"] {
        let lines = read(kind);
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/history-replay")
            .join(kind)
            .join("x86_64-unknown-linux-gnu.jsonl");
        let to = dir.path().join("x86_64-unknown-linux-gnu.jsonl");
        std::fs::copy(&from, &to).unwrap();
        let mut bad = Vec::new();
        let migrated = perfmatrix_history::migrate(dir.path(), &mut bad).unwrap();
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(migrated.len(), 1);
        assert_eq!(migrated[0].records, lines.records.len());
        assert!(!to.exists());
        let compact = History::read_dir(dir.path()).unwrap();
        assert!(compact.bad.is_empty(), "{:?}", compact.bad);
        let rounded: Vec<_> = lines
            .records
            .iter()
            .map(perfmatrix_history::rounded)
            .collect();
        assert_eq!(compact.records, rounded, "{kind}");
        let found = |history: History| -> Vec<(String, Signal, String)> {
            analyse(history)
                .change_points_newest_first()
                .iter()
                .map(|(_, s, c)| (s.benchmark.to_string(), c.signal, c.commit.clone()))
                .collect()
        };
        assert_eq!(found(compact), found(lines), "{kind}");
    }
}
