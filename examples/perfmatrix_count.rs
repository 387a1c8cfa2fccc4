//! perfmatrix's counting probe: makes exactly one call of one benchmark's routine inside
//! `perfmatrix_count_region`, for valgrind's callgrind to count (`--toggle-collect`), and reports
//! the process's peak resident memory.
//!
//! Usage: `perfmatrix_count --list` prints the benchmark ids; `perfmatrix_count <id>` builds that
//! benchmark's inputs (the same generator and sizes as `benches/kernels.rs`, from `workload`),
//! selects the kernel variant as the benchmarks do (`PERFMATRIX_KERNEL_VARIANT`), makes the one
//! call and prints one JSON line:
//! `{"id":…,"variant":…,"planted":…,"peak_rss_bytes":…}` — `peak_rss_bytes` is `null` and
//! `peak_rss_unavailable` says why when the peak cannot be read. Exit codes: 0 done; 2 usage
//! error (unknown id, bad plant knob, variant not supported here).
//!
//! Everything outside the region — input generation, the copies the benchmarks make in their
//! untimed `iter_batched_ref` setup, printing — is not counted. Inside it runs what the benchmark
//! times: the safe wrapper (argument checks, the spread kernel's work buffer) and the C kernel.
//!
//! Test-only knob: `PERFMATRIX_PLANT_WORK=<kernel>=<fraction>` (e.g. `decay=0.02`, fraction in
//! (0, 1]) adds about that fraction of extra work to that kernel's call, inside the region, so an
//! instruction-count regression can be planted without changing the binary: cosine runs again on
//! the first `fraction·n` rows, decay on a fresh copy of the first `fraction·n` strengths, and
//! spread runs again from the initial activations for `fraction·iterations` rounds (the rounds
//! are the kernel's unit of work; the per-call overhead — checks, work buffer, copies — comes on
//! top, so the increase is slightly above the fraction). The extra rows, elements and rounds are
//! rounded to the nearest integer, at least 1.
//!
//! Run it as `./perfmatrix_count` from its folder, as `cargo xtask` does: the arguments are
//! copied to the heap, so the length of the path moves the buffers' alignment and with it a few
//! dozen instructions of memcpy and memset (docs/kernels.md, "Instruction counts").

use std::fmt::Write as _;
use std::hint::black_box;
use std::process::ExitCode;

use perfmatrix_kernels::workload::{Case, CosineCase, DecayCase, SpreadCase};
use perfmatrix_kernels::{Kernel, Kernels, SpreadParams};

/// The environment variable of the planted-work knob.
const PLANT_ENV: &str = "PERFMATRIX_PLANT_WORK";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let id = match args.as_slice() {
        [flag] if flag == "--list" => {
            for case in Case::all() {
                println!("{}", case.id());
            }
            return ExitCode::SUCCESS;
        }
        [id] if !id.starts_with('-') => id,
        _ => {
            eprintln!("usage: perfmatrix_count --list | perfmatrix_count <benchmark-id>");
            return ExitCode::from(2);
        }
    };
    match run(id) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Counts one call of `id`'s routine and returns the JSON line to print.
fn run(id: &str) -> Result<String, String> {
    let Some(case) = Case::find(id) else {
        let valid: Vec<String> = Case::all().map(|case| case.id()).collect();
        return Err(format!(
            "unknown benchmark id `{id}`; valid ids: {}",
            valid.join(", ")
        ));
    };
    let kernels =
        Kernels::from_env().map_err(|err| format!("cannot select the kernel variant: {err}"))?;
    let plant = planted(std::env::var(PLANT_ENV).ok().as_deref(), case.kernel())?;
    match case {
        Case::Cosine(c) => cosine(kernels, c, plant),
        Case::Spread(c) => spread(kernels, c, plant),
        Case::Decay(c) => decay(kernels, c, plant),
    }
    let planted_json = plant.map_or_else(|| "null".to_owned(), |f| f.to_string());
    let peak = match peak_rss_bytes() {
        Ok(bytes) => format!("\"peak_rss_bytes\":{bytes}"),
        Err(reason) => format!(
            "\"peak_rss_bytes\":null,\"peak_rss_unavailable\":{}",
            json_string(&reason)
        ),
    };
    Ok(format!(
        "{{\"id\":{},\"variant\":{},\"planted\":{planted_json},{peak}}}",
        json_string(id),
        json_string(kernels.variant().name()),
    ))
}

/// The counted region: callgrind collects from entry to exit of this symbol
/// (`--toggle-collect=perfmatrix_count_region`), including everything `call` runs.
// SAFETY: `no_mangle` is sound as long as no other symbol of the binary has this name; the name is
// perfmatrix-specific and defined only here.
#[unsafe(no_mangle)]
#[inline(never)]
extern "Rust" fn perfmatrix_count_region(call: &mut dyn FnMut()) {
    call();
}

fn cosine(k: Kernels, case: CosineCase, plant: Option<f64>) {
    let input = case.input();
    let mut out = vec![0.0_f32; case.n];
    let extra_rows = plant.map(|fraction| share(case.n, fraction));
    perfmatrix_count_region(&mut || {
        k.cosine_batch(
            black_box(&input.query),
            black_box(&input.candidates),
            &mut out,
        )
        .expect("valid input");
        if let Some(rows) = extra_rows {
            k.cosine_batch(
                black_box(&input.query),
                black_box(&input.candidates[..rows * case.d]),
                &mut out[..rows],
            )
            .expect("valid input");
        }
    });
    black_box(&out);
}

fn spread(k: Kernels, case: SpreadCase, plant: Option<f64>) {
    let input = case.input();
    // The benchmark's untimed setup: fresh activations for the call.
    let mut activations = input.activations.clone();
    let mut extra = plant.map(|fraction| {
        let iterations = share(case.iterations as usize, fraction) as u32;
        let params = SpreadParams {
            iterations,
            ..input.params
        };
        (input.activations.clone(), params)
    });
    perfmatrix_count_region(&mut || {
        k.spread(black_box(&input.graph), &mut activations, input.params)
            .expect("valid input");
        if let Some((activations, params)) = &mut extra {
            k.spread(black_box(&input.graph), activations, *params)
                .expect("valid input");
        }
    });
    black_box(&activations);
}

fn decay(k: Kernels, case: DecayCase, plant: Option<f64>) {
    let input = case.input();
    // The benchmark's untimed setup: fresh strengths for the call.
    let mut strengths = input.strengths.clone();
    let mut extra = plant.map(|fraction| input.strengths[..share(case.n, fraction)].to_vec());
    perfmatrix_count_region(&mut || {
        k.decay(&mut strengths, black_box(&input.ages), input.lambda)
            .expect("valid input");
        if let Some(strengths) = &mut extra {
            let ages = &input.ages[..strengths.len()];
            k.decay(strengths, black_box(ages), input.lambda)
                .expect("valid input");
        }
    });
    black_box(&strengths);
}

/// `fraction` of `total`, rounded to the nearest integer, at least 1 and at most `total`.
fn share(total: usize, fraction: f64) -> usize {
    ((total as f64 * fraction).round() as usize).clamp(1, total)
}

/// The planted fraction for `kernel` from the knob's value (`<kernel>=<fraction>`); None when the
/// knob is unset or plants another kernel.
fn planted(knob: Option<&str>, kernel: Kernel) -> Result<Option<f64>, String> {
    let Some(knob) = knob.filter(|k| !k.trim().is_empty()) else {
        return Ok(None);
    };
    let bad = |why: &str| format!("{PLANT_ENV}=`{knob}` {why}; expected e.g. `decay=0.02`");
    let (name, fraction) = knob.split_once('=').ok_or_else(|| bad("has no `=`"))?;
    let name = name.trim();
    if !Kernel::ALL.iter().any(|k| k.name() == name) {
        return Err(bad("names no kernel (cosine, spread, decay)"));
    }
    let fraction: f64 = fraction
        .trim()
        .parse()
        .map_err(|_| bad("has a fraction that is not a number"))?;
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(bad("has a fraction outside (0, 1]"));
    }
    Ok((name == kernel.name()).then_some(fraction))
}

/// Peak resident memory of this process so far (`VmHWM` of /proc/self/status), in bytes.
fn peak_rss_bytes() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|err| format!("cannot read /proc/self/status: {err}"))?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .ok_or("/proc/self/status has no VmHWM line")?;
    let kib = line
        .trim()
        .strip_suffix("kB")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| format!("cannot parse VmHWM `{}` in /proc/self/status", line.trim()))?;
    Ok(kib * 1024)
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
