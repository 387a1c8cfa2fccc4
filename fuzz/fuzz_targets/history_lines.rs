//! Any bytes as a history file: each line read or set aside as bad, then analysed; no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfmatrix_history::{History, analyse};

fuzz_target!(|data: &[u8]| {
    let mut history = History::default();
    // Named after a platform, as a history file is: its records are read, not all refused as
    // another platform's.
    history
        .parse_into("x86_64-unknown-linux-gnu.jsonl", data)
        .unwrap();
    let _ = analyse(history);
});
