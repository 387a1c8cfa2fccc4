//! Compiles the C kernels: one `cc::Build` per instruction-set variant, each with only its own flags.
//!
//! The portable file is built with the target's baseline flags, so no AVX2 or other optional
//! instruction can leak into code that runs on every CPU. Each SIMD file is a translation unit of its
//! own with the flags it needs; runtime dispatch in `src/variant.rs` decides whether it may run.

use std::env;

const HEADER: &str = "kernels/kernels.h";

fn base_build(file: &str) -> cc::Build {
    println!("cargo:rerun-if-changed={file}");
    let mut build = cc::Build::new();
    build
        .file(file)
        .include("kernels")
        .std("c11")
        .opt_level(3)
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        // IEEE semantics everywhere: the variants must agree with the Rust reference within the
        // documented tolerances, so no `-ffast-math` and no silent contraction into FMA.
        .flag_if_supported("-ffp-contract=off");
    build
}

fn main() {
    println!("cargo:rerun-if-changed={HEADER}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(perfmatrix_avx2)");
    println!("cargo::rustc-check-cfg=cfg(perfmatrix_neon)");

    base_build("kernels/portable.c").compile("pmk_portable");

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    match arch.as_str() {
        "x86_64" => {
            let mut avx2 = base_build("kernels/avx2.c");
            avx2.flag("-mavx2").flag("-mfma");
            avx2.compile("pmk_avx2");
            println!("cargo:rustc-cfg=perfmatrix_avx2");
        }
        "aarch64" => {
            // NEON (Advanced SIMD) is part of the aarch64 baseline: no extra flag is needed.
            base_build("kernels/neon.c").compile("pmk_neon");
            println!("cargo:rustc-cfg=perfmatrix_neon");
        }
        _ => {}
    }
}
