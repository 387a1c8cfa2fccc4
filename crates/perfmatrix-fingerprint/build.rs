//! Build script: records the target triple this crate is compiled for, so that a benchmark
//! binary can fingerprint itself (`perfmatrix_fingerprint::BUILD_TARGET`).

fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| String::from("unknown"));
    println!("cargo::rustc-env=PERFMATRIX_FINGERPRINT_BUILD_TARGET={target}");
    println!("cargo::rerun-if-changed=build.rs");
}
