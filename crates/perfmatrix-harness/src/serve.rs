//! The sample server: a line protocol on stdin/stdout through which perfmatrix times samples of
//! one benchmark in a base and a head process, alternately (docs/harness.md).
//!
//! The server greets with `{"protocol":1}`, then answers each request line with one JSON line:
//!
//! | request | answer |
//! | --- | --- |
//! | `list` | `{"ids":["cosine/768x100",…]}` |
//! | `dispatch` | `{"dispatch":{"cosine":"avx2-fma",…}}`: what the benchmarked code runs |
//! | `prepare <id>` | `{"prepared":"<id>"}` once its state is built (replaces any earlier one); the id is the rest of the line |
//! | `time <iters>` | `{"ns":<u64>}`: wall time of `iters` calls of the prepared benchmark |
//! | `quit` | none; the server exits 0 (so it does at the end of its input) |
//!
//! A bad request gets `{"error":"…"}` and the server goes on. The planted slowdown applies to
//! `time` exactly as in criterion mode.

use std::io::{BufRead, Write};

use serde_json::json;

use crate::routine::Prepared;
use crate::{Harness, PROTOCOL, Plant, Setup};

/// Serves requests from `input` until `quit` or its end. Errors only when `output` fails.
pub fn serve(
    harness: &Harness,
    plant: &Plant,
    input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    writeln!(output, "{}", json!({ "protocol": PROTOCOL }))?;
    output.flush()?;
    let mut prepared: Option<(String, Box<dyn Prepared>)> = None;
    for line in input.lines() {
        let line = line?;
        // `prepare` takes the rest of the line: an id may hold spaces.
        let prepare = line.trim().strip_prefix("prepare ").map(str::trim);
        let mut words = line.split_whitespace();
        let words = match prepare {
            Some(id) if !id.is_empty() => (Some("prepare"), Some(id), None),
            _ => (words.next(), words.next(), words.next()),
        };
        let answer = match words {
            (None, ..) => continue,
            (Some("quit"), None, _) => return Ok(()),
            (Some("list"), None, _) => json!({ "ids": harness.ids() }),
            (Some("dispatch"), None, _) => {
                let facts: serde_json::Map<String, serde_json::Value> = harness
                    .dispatch_facts()
                    .into_iter()
                    .map(|(k, v)| (k, v.into()))
                    .collect();
                json!({ "dispatch": facts })
            }
            (Some("prepare"), Some(id), None) => match harness.find(id) {
                Some(bench) => {
                    let setup = Setup {
                        work: plant.work_for(id),
                    };
                    prepared = Some((id.to_owned(), (bench.make)(&setup)));
                    json!({ "prepared": id })
                }
                None => json!({ "error": format!("unknown benchmark id {id:?}") }),
            },
            (Some("time"), Some(iters), None) => match (iters.parse::<u64>(), &mut prepared) {
                (Ok(iters), Some((id, p))) if iters > 0 => {
                    let ns = p.time(iters, plant.slowdown_for(id)).as_nanos();
                    json!({ "ns": u64::try_from(ns).unwrap_or(u64::MAX) })
                }
                (Ok(_), None) => json!({ "error": "nothing prepared: send `prepare <id>` first" }),
                _ => json!({ "error": format!("`time` takes a whole number > 0, not {iters:?}") }),
            },
            _ => {
                json!({ "error": format!("unknown request {line:?}; expected list, dispatch, prepare <id>, time <iters> or quit") })
            }
        };
        writeln!(output, "{answer}")?;
        output.flush()?;
    }
    Ok(())
}
