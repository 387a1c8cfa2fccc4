//! Any JSON as `[workspace.metadata.perfmatrix]`: read or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfmatrix_model::Config;

fuzz_target!(|data: &[u8]| {
    if let Ok(section) = serde_json::from_slice::<serde_json::Value>(data) {
        let metadata = serde_json::json!({ "metadata": { "perfmatrix": section } });
        let _ = Config::from_cargo_metadata(&metadata);
    }
});
