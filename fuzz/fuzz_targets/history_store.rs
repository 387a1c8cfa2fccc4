//! Any bytes as the numbers and ids of a compact history run (framed with a valid header and
//! CRC, so the decoder behind the checks is reached), followed by the raw bytes as a frame of
//! their own: every run read or set aside as bad, then analysed; no panic.
#![no_main]

use std::io::Write as _;

use libfuzzer_sys::fuzz_target;
use perfmatrix_history::{History, analyse};

fn frame(records: u8, body: &[u8]) -> Vec<u8> {
    let header = format!(
        "{{\"schema\":\"perfmatrix-history-run\",\"version\":1,\"commit\":\"{}\",\"parent\":null,\
         \"date\":\"\",\"measured_unix\":0,\"platform\":\"x86_64-unknown-linux-gnu\",\
         \"machine\":{{\"slug\":\"s\",\"id\":\"i\"}},\"mode\":\"paired\",\"records\":{records}}}",
        "a".repeat(40)
    );
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflate.write_all(body).unwrap();
    let body = deflate.finish().unwrap();
    let mut crc = flate2::Crc::new();
    crc.update(&body);
    let mut out = b"PMH2".to_vec();
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&body);
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&records, body)) = data.split_first() else {
        return;
    };
    let mut bytes = frame(records, body);
    bytes.extend_from_slice(data);
    let mut history = History::default();
    history
        .parse_into("x86_64-unknown-linux-gnu.pmh", &bytes)
        .unwrap();
    let _ = analyse(history);
});
