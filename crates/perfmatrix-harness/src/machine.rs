//! The machine mode (`--perfmatrix-fingerprint <target-triple> [emulator]`): the machine as this
//! benchmark process sees it, with what the benchmarked code dispatched to, as one JSON line
//! (a `perfmatrix_fingerprint::Machine`). perfmatrix runs it through the same runner as the
//! benchmarks (e.g. qemu-aarch64), so an emulated run reports the emulated machine.

use perfmatrix_fingerprint::{FingerprintError, Machine};

use crate::Harness;

/// Prints the machine line; the exit code (2: a bad triple or dispatch fact).
pub(crate) fn run(
    harness: &Harness,
    target: &str,
    emulator: Option<&str>,
    out: &mut dyn std::io::Write,
) -> i32 {
    match line(harness, target, emulator) {
        Ok(line) => match writeln!(out, "{line}").and_then(|()| out.flush()) {
            Ok(()) => 0,
            Err(_) => 2,
        },
        Err(err) => {
            eprintln!("error: {err}");
            2
        }
    }
}

/// The machine line of `harness`'s process for `target`.
fn line(
    harness: &Harness,
    target: &str,
    emulator: Option<&str>,
) -> Result<String, FingerprintError> {
    let dispatch = harness.dispatch_facts().into_iter().collect();
    let machine = Machine::collect(target, dispatch, emulator)?;
    serde_json::to_string(&machine).map_err(|source| FingerprintError::Json {
        context: "the machine facts".to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn harness() -> Harness {
        let mut h = Harness::new();
        h.dispatch(|| vec![("sum".to_owned(), "portable".to_owned())]);
        h
    }

    #[test]
    fn the_line_carries_the_dispatch_facts_and_parses_back() {
        let text = line(&harness(), "x86_64-unknown-linux-gnu", None).unwrap();
        let machine = Machine::from_json(&text).unwrap();
        assert_eq!(machine.dispatch["sum"], "portable");
        assert_eq!(machine.target.as_str(), "x86_64-unknown-linux-gnu");
        let emulated = line(
            &harness(),
            "aarch64-unknown-linux-gnu",
            Some("qemu-aarch64"),
        )
        .unwrap();
        let emulated = Machine::from_json(&emulated).unwrap();
        assert_eq!(emulated.environment.emulated.as_deref(), Some("qemu-user"));
    }

    #[test]
    fn bad_input_is_an_error_naming_it() {
        let err = line(&harness(), "no-such-arch-at-all", None).unwrap_err();
        assert!(err.to_string().contains("`target`"), "{err}");
        let mut blank = Harness::new();
        blank.dispatch(|| vec![("sum".to_owned(), " ".to_owned())]);
        let err = line(&blank, "x86_64-unknown-linux-gnu", None).unwrap_err();
        assert!(err.to_string().contains("dispatch.sum"), "{err}");
        for args in [
            &["--perfmatrix-fingerprint"][..],
            &["--perfmatrix-fingerprint", "a", "b", "c"],
        ] {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            assert_eq!(harness().run_with(&args), 2, "{args:?}");
        }
    }
}
