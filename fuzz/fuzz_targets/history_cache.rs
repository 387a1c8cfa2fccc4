//! Any bytes in place of a history cache file (the cache of the first 30 lines of the real
//! paired history, docs/history-replay/): the cache is refused and rebuilt, never a panic.
#![no_main]

use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use perfmatrix_history::{HistoryFile, read_trend};

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

fuzz_target!(|data: &[u8]| {
    let replay = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/history-replay/paired/x86_64-unknown-linux-gnu.jsonl");
    let text = std::fs::read_to_string(replay).unwrap();
    let seed: Vec<&str> = text.lines().take(30).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x86_64-unknown-linux-gnu.jsonl");
    std::fs::write(&file, seed.join("\n") + "\n").unwrap();
    let cache = dir.path().join("cache");
    let read = read_trend(vec![HistoryFile::at_path(&file).unwrap()], Some(&cache)).unwrap();
    let _ = read.save_caches();
    let cached = files(&cache);
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    if cached.is_empty() {
        return;
    }
    let victim = &cached[usize::from(*first) % cached.len()];
    std::fs::write(victim, rest).unwrap();
    let _ = read_trend(vec![HistoryFile::at_path(&file).unwrap()], Some(&cache));
});
