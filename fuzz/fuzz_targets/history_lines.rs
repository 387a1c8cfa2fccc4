//! Any bytes as a history file: each line read or set aside as bad, then analysed; no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfmatrix_history::{History, analyse};

fuzz_target!(|data: &[u8]| {
    let mut history = History::default();
    history.parse_into("fuzzed.jsonl", data);
    let _ = analyse(history);
});
