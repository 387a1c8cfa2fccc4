//! A bounded fuzz smoke of the history's readers (issue 22, item 13): history lines and the
//! history cache, each fed a real history (docs/history-replay/) mutated byte by byte. A reader
//! may refuse a line or rebuild a cache; it must never panic. Proptest runs a few hundred cases.

use std::path::{Path, PathBuf};

use perfmatrix_history::{History, HistoryFile, analyse, read_trend};
use proptest::prelude::*;

/// The first lines of the real paired history: valid records to mutate.
fn seed() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/history-replay/paired/x86_64-unknown-linux-gnu.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().take(30).collect();
    (lines.join("\n") + "\n").into_bytes()
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>(), 0_u8..3), 1..8)
}

/// `bytes` with each edit applied: overwrite, insert or remove a byte at a position (modulo
/// the length).
fn apply(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, byte, op) in edits {
        match op {
            0 if !bytes.is_empty() => {
                let i = at % bytes.len();
                bytes[i] = byte;
            }
            1 => bytes.insert(at % (bytes.len() + 1), byte),
            _ if !bytes.is_empty() => {
                bytes.remove(at % bytes.len());
            }
            _ => {}
        }
    }
    bytes
}

/// Every file of `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 192,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn history_lines_never_panic_the_reader_or_the_analysis(edits in edits()) {
        let mut history = History::default();
        history
            .parse_into("x86_64-unknown-linux-gnu.jsonl", &apply(seed(), &edits))
            .unwrap();
        let _ = analyse(history);
    }

    #[test]
    fn a_corrupt_cache_is_never_a_panic(which in any::<usize>(), edits in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x86_64-unknown-linux-gnu.jsonl");
        std::fs::write(&file, seed()).unwrap();
        let cache = dir.path().join("cache");
        let read = read_trend(vec![HistoryFile::at_path(&file).unwrap()], Some(&cache)).unwrap();
        let _ = read.save_caches();
        let cached = files(&cache);
        prop_assume!(!cached.is_empty());
        let victim = &cached[which % cached.len()];
        let bytes = std::fs::read(victim).unwrap();
        std::fs::write(victim, apply(bytes, &edits)).unwrap();
        let _ = read_trend(vec![HistoryFile::at_path(&file).unwrap()], Some(&cache));
    }
}
