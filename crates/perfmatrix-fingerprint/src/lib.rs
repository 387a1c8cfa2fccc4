//! perfmatrix-fingerprint: what machine and build ran the benchmarks, and which of those facts
//! decide whether two timing runs may be compared.
//!
//! * [`Machine::collect`] records what a benchmark process sees: target triple, CPU, cores,
//!   SIMD features, what the benchmarked code dispatched to, memory, emulation and
//!   virtualization; [`Fingerprint::new`] adds the toolchain and git revision;
//! * [`Fingerprint::comparability_key`] keeps the fields that must match for a comparison,
//!   [`ComparabilityKey::id`] names them with a stable 12-hex-digit id, and
//!   [`ComparabilityKey::differences`] says which fields differ;
//! * [`Fingerprint::slug`] is a readable file name such as `amd-epyc-7763-avx2-4c`.
//!
//! Reading the machine never fails and never panics: an unreadable or odd source yields
//! `"unknown"` (or `None`) for its field. The parsers are pure functions over text
//! ([`parse_cpuinfo`], [`parse_midr`], [`detect_emulation`]). See `docs/fingerprint.md`.

mod arm;
mod collect;
mod cpu;
mod emulation;
mod error;
mod fingerprint;
mod git;
mod key;
mod slug;
mod toolchain;
// CPUID exists only on x86; the pure decoders are still unit-tested on every architecture.
#[cfg(any(target_arch = "x86_64", test))]
mod x86;

pub use arm::parse_midr;
pub use cpu::{CpuinfoFacts, parse_cpuinfo};
pub use emulation::{detect_emulation, normalize_emulator};
pub use error::FingerprintError;
pub use fingerprint::{
    ArmId, Cores, Cpu, Environment, Fingerprint, Git, Machine, SCHEMA_VERSION, TargetTriple,
    Toolchain, UNKNOWN, X86Id,
};
pub use git::parse_commit;
pub use key::{ComparabilityKey, CountKey, FieldDiff, fnv1a64};
pub use toolchain::{cc_version, env_flags, rustc_version};

/// The target triple this crate was compiled for (from Cargo's `TARGET`), so that a benchmark
/// binary can fingerprint the build it is part of.
pub const BUILD_TARGET: &str = env!("PERFMATRIX_FINGERPRINT_BUILD_TARGET");
