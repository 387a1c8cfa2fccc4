//! Collects a fingerprint on the machine running the tests and checks that the values are sane,
//! survive a JSON round trip, and give a filename-safe slug and a stable id.

use std::collections::BTreeMap;
use std::path::Path;

use perfmatrix_fingerprint::{
    BUILD_TARGET, Fingerprint, FingerprintError, Git, Machine, TargetTriple, Toolchain, UNKNOWN,
};

fn dispatch() -> BTreeMap<String, String> {
    ["cosine", "decay", "spread"]
        .into_iter()
        .map(|k| (k.to_owned(), "portable".to_owned()))
        .collect()
}

/// This machine's fingerprint for `target`, through `emulator` if given.
fn collect_for(target: &str, emulator: Option<&str>) -> Fingerprint {
    let machine = Machine::collect(target, dispatch(), emulator).expect("collect");
    Fingerprint::new(
        machine,
        Toolchain::detect("cc", "test"),
        Git::collect(Path::new(env!("CARGO_MANIFEST_DIR"))),
    )
}

fn collect() -> Fingerprint {
    collect_for(BUILD_TARGET, None)
}

fn is_filename_safe(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

#[test]
fn collects_sane_values_on_this_machine() {
    let fp = collect();
    println!("{}", fp.to_json().unwrap());
    println!("slug: {}", fp.slug());
    println!("id:   {}", fp.comparability_key().id());

    assert!(fp.cores.logical >= 1);
    if let Some(physical) = fp.cores.physical {
        assert!(physical >= 1 && physical <= fp.cores.logical);
    }
    assert_eq!(fp.target.as_str(), BUILD_TARGET);
    assert!(BUILD_TARGET.parse::<target_lexicon::Triple>().is_ok());
    assert!(fp.memory_bytes.is_none_or(|bytes| bytes > 0));
    assert!(!fp.os.is_empty() && !fp.cpu.vendor.is_empty() && !fp.cpu.brand.is_empty());
    assert_eq!(fp.toolchain.profile, "test");
    assert!(fp.toolchain.rustc == UNKNOWN || fp.toolchain.rustc.starts_with("rustc "));
    assert!(fp.git.commit == UNKNOWN || fp.git.commit.len() == 40 || fp.git.commit.len() == 64);
    for feature in &fp.simd_features {
        assert!(
            ["sse4.2", "avx", "avx2", "fma", "avx512f", "neon", "sve"].contains(&feature.as_str()),
            "{feature}"
        );
    }
    if cfg!(target_arch = "x86_64") {
        assert!(fp.cpu.x86.is_some(), "CPUID gives family/model/stepping");
        assert!(fp.simd_features.iter().any(|f| f == "sse4.2"));
    }
    if cfg!(target_arch = "aarch64") {
        assert!(fp.simd_features.iter().any(|f| f == "neon"));
    }
    assert!(is_filename_safe(&fp.slug()), "{}", fp.slug());
}

#[test]
fn emulation_is_detected_from_inside() {
    let fp = collect();
    let modalias = std::fs::read_to_string("/sys/devices/system/cpu/modalias").unwrap_or_default();
    let host_is_x86 = modalias.starts_with("cpu:type:x86");
    if cfg!(target_arch = "aarch64") && host_is_x86 {
        // This test binary runs under qemu-user on an x86 host (the cross-test setup).
        assert_eq!(fp.environment.emulated.as_deref(), Some("qemu-user"));
        assert!(fp.slug().ends_with("-qemu"), "{}", fp.slug());
    }
    if cfg!(target_arch = "x86_64") && host_is_x86 {
        assert_eq!(fp.environment.emulated, None);
    }
}

#[test]
fn collecting_twice_gives_the_same_key() {
    let a = collect();
    let b = collect();
    assert_eq!(a.comparability_key(), b.comparability_key());
    assert_eq!(a.comparability_key().id(), b.comparability_key().id());
    assert!(a.is_comparable_with(&b));
    assert_eq!(a.slug(), b.slug());
}

#[test]
fn json_round_trip_is_lossless() {
    let fp = collect();
    let json = fp.to_json().unwrap();
    assert_eq!(Fingerprint::from_json(&json).unwrap(), fp);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fingerprint.json");
    fp.save(&path).unwrap();
    assert_eq!(Fingerprint::load(&path).unwrap(), fp);
}

#[test]
fn a_run_through_a_runner_for_another_arch_is_emulated() {
    let foreign = if cfg!(target_arch = "aarch64") {
        "x86_64-unknown-linux-gnu"
    } else {
        "aarch64-unknown-linux-gnu"
    };
    let fp = collect_for(foreign, Some("qemu-aarch64 -L /usr/aarch64-linux-gnu"));
    assert_eq!(fp.environment.emulated.as_deref(), Some("qemu-user"));
    // The emulated CPU's features cannot be seen from this process.
    assert!(fp.simd_features.is_empty());
    let native = collect();
    let diffs = native
        .comparability_key()
        .differences(&fp.comparability_key());
    let fields: Vec<&str> = diffs.iter().map(|d| d.field.as_str()).collect();
    assert!(fields.contains(&"target"), "{fields:?}");
    if native.environment.emulated.is_none() {
        assert!(fields.contains(&"environment.emulated"), "{fields:?}");
    }
}

#[test]
fn bad_files_are_errors_naming_the_problem() {
    let fp = collect();
    let json = fp.to_json().unwrap();

    let bad_target = json.replacen(BUILD_TARGET, "no-such-arch-at-all", 1);
    let err = Fingerprint::from_json(&bad_target).unwrap_err();
    assert!(err.to_string().contains("`target`"), "{err}");

    let future = json.replacen("\"schema\": 1", "\"schema\": 2", 1);
    assert!(matches!(
        Fingerprint::from_json(&future),
        Err(FingerprintError::UnsupportedSchema { found: 2, .. })
    ));

    assert!(matches!(
        Fingerprint::from_json("{ not json"),
        Err(FingerprintError::Json { .. })
    ));
    let missing = Path::new("/nonexistent/perfmatrix/fingerprint.json");
    let err = Fingerprint::load(missing).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/perfmatrix"), "{err}");
}

#[test]
fn target_triples_are_validated() {
    assert!(TargetTriple::parse("aarch64-unknown-linux-gnu").is_ok());
    assert_eq!(
        TargetTriple::parse(" x86_64-unknown-linux-gnu\n")
            .unwrap()
            .arch(),
        "x86_64"
    );
    // A triple names files and pages as it is: nothing but ASCII letters, digits, `_`, `.`, `-`.
    for bad in [
        "",
        "   ",
        "not a triple",
        "unknown",
        "x86_64-unknown-linux-gnu/x",
        "x86_64-evil<b>-linux-gnu",
        "x86_64-unknown-linux-gnu\u{7}",
        "x86_64-ünknown-linux-gnu",
        "x86_64-unknown-linux gnu",
    ] {
        let err = TargetTriple::parse(bad).unwrap_err();
        assert!(
            matches!(
                err,
                FingerprintError::InvalidTarget {
                    field: "target",
                    ..
                }
            ),
            "{bad:?}: {err}"
        );
    }
}

#[test]
fn valgrind_counts_on_linux_only() {
    let can = |t: &str| TargetTriple::parse(t).unwrap().valgrind_can_count();
    for yes in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "aarch64-unknown-linux-musl",
        "armv7-unknown-linux-gnueabihf",
        "riscv64gc-unknown-linux-gnu",
        "s390x-unknown-linux-gnu",
    ] {
        assert!(can(yes), "{yes}");
    }
    for no in [
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
        "x86_64-unknown-freebsd",
        "wasm32-unknown-unknown",
    ] {
        assert!(!can(no), "{no}");
    }
}
