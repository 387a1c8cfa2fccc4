//! perfmatrix's probe: run for the benchmarked target (through its runner, e.g. qemu-aarch64), it
//! prints the fingerprint of the machine *as the benchmarks see it* — CPU, SIMD features and the
//! kernel variant each kernel dispatches to — as JSON. `cargo xtask bench` adds the toolchain and
//! git facts, which the orchestrating host knows better.
//!
//! Usage: `perfmatrix_probe <target-triple> [emulator]`

use std::process::ExitCode;

use perfmatrix_fingerprint::{CollectInputs, Fingerprint};
use perfmatrix_kernels::Kernels;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(target) = args.next() else {
        eprintln!("usage: perfmatrix_probe <target-triple> [emulator]");
        return ExitCode::from(2);
    };
    let kernels = match Kernels::from_env() {
        Ok(k) => k,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let mut inputs = CollectInputs::new(target);
    inputs.emulator = args.next();
    inputs.kernel_variants = kernels
        .dispatch()
        .iter()
        .map(|(kernel, variant)| (kernel.name().to_owned(), variant.name().to_owned()))
        .collect();
    match Fingerprint::collect(inputs).and_then(|fp| fp.to_json()) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
