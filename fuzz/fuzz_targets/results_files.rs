//! Any bytes as a results file, a judged results file, a baseline and a merge's leg: every
//! reader refuses or reads, none panics; a leg that reads is merged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfmatrix_model::{Baseline, LegResults, Results, merge};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.json");
    std::fs::write(&path, data).unwrap();
    let _ = Results::load(&path);
    let _ = Results::load_judged(&path);
    let _ = Baseline::load(&path);
    if let Ok(leg) = LegResults::load(&path) {
        let _ = merge(vec![leg], &[], &[]);
    }
});
