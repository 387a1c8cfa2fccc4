//! The counting mode: one call of a benchmark's routine inside [`perfmatrix_count_region`], for
//! valgrind's callgrind to count (`--collect-atstart=no --toggle-collect=perfmatrix_count_region`),
//! then one JSON line with the process id, the dispatch facts and the process's peak resident
//! memory: `{"id":…,"pid":…,"variant":…,"dispatch":{…},"peak_rss_bytes":…}` (`peak_rss_bytes` is null and
//! `peak_rss_unavailable` says why when it cannot be read).
//!
//! Everything outside the region is not counted: preparing the state, the routine's reset,
//! printing. Run the binary as `./name` from its folder: its arguments are copied to the heap, so
//! the length of its path moves the buffers' alignment and a few dozen instructions of memcpy.

use serde_json::json;

use crate::{Harness, Plant, Setup};

/// The counted region: callgrind collects from entry to exit of this symbol, including
/// everything `call` runs.
// SAFETY: `no_mangle` is sound as long as no other symbol of the binary has this name; the name
// is perfmatrix-specific and defined only here.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "Rust" fn perfmatrix_count_region(call: &mut dyn FnMut()) {
    call();
}

/// Counts one call of `id` and prints its line; the exit code (2: unknown id).
pub(crate) fn run(harness: &Harness, plant: &Plant, id: &str, out: &mut dyn std::io::Write) -> i32 {
    let Some(bench) = harness.find(id) else {
        eprintln!(
            "error: unknown benchmark id {id:?}; valid ids: {}",
            harness.ids().join(", ")
        );
        return 2;
    };
    let setup = Setup {
        work: plant.work_for(id),
    };
    let mut prepared = (bench.make)(&setup);
    prepared.once_in(&mut |call| perfmatrix_count_region(call));
    let dispatch = harness.dispatch_facts();
    let variant = dispatch
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let facts: serde_json::Map<String, serde_json::Value> =
        dispatch.into_iter().map(|(k, v)| (k, v.into())).collect();
    // The pid names the callgrind file of a child of `--perfmatrix-count-each`.
    let mut line = json!({
        "id": id,
        "pid": std::process::id(),
        "variant": variant,
        "dispatch": facts,
    });
    match peak_rss_bytes() {
        Ok(bytes) => line["peak_rss_bytes"] = bytes.into(),
        Err(unread) => {
            line["peak_rss_bytes"] = serde_json::Value::Null;
            line["peak_rss_unavailable"] = unread.to_string().into();
        }
    }
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// Why the peak resident memory could not be read (sent as `peak_rss_unavailable`).
#[derive(Debug, thiserror::Error)]
enum PeakUnread {
    /// /proc/self/status cannot be read (not Linux, or no /proc).
    #[error("cannot read /proc/self/status: {0}")]
    Status(#[source] std::io::Error),
    /// It has no `VmHWM` line.
    #[error("/proc/self/status has no VmHWM line")]
    NoLine,
    /// Its `VmHWM` line is not `<n> kB`.
    #[error("cannot parse VmHWM `{0}` in /proc/self/status")]
    NotKib(String),
}

/// Peak resident memory of this process so far (`VmHWM` of /proc/self/status), in bytes.
fn peak_rss_bytes() -> Result<u64, PeakUnread> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(PeakUnread::Status)?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .ok_or(PeakUnread::NoLine)?;
    let kib = line
        .trim()
        .strip_suffix("kB")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| PeakUnread::NotKib(line.trim().to_owned()))?;
    Ok(kib * 1024)
}
