//! [`Fingerprint`], what machine and build produced a set of results, and its parts. Field names are part of the results
//! file format; rename nothing without bumping [`SCHEMA_VERSION`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::FingerprintError;

/// The value of any text field whose source could not be read or made sense of.
pub const UNKNOWN: &str = "unknown";

/// The `schema` number this build writes and accepts.
pub const SCHEMA_VERSION: u32 = 1;

/// What machine and build produced a set of benchmark results.
///
/// Serialized as JSON with exactly these field names (see `docs/fingerprint.md`). Text fields whose
/// source was unreadable hold `"unknown"`; optional fields are `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    /// Format version of this record, [`SCHEMA_VERSION`].
    pub schema: u32,
    /// Rust target triple the benchmarks were compiled for, e.g. `aarch64-unknown-linux-gnu`.
    pub target: TargetTriple,
    /// Operating system and kernel of the machine that collected the fingerprint.
    pub os: String,
    /// The CPU that executed the benchmarks (for an emulated run: the host CPU, or what the
    /// emulator reports).
    pub cpu: Cpu,
    /// Logical and physical core counts.
    pub cores: Cores,
    /// SIMD features relevant to the kernels that the running code can use, in a fixed order:
    /// `sse4.2`, `avx`, `avx2`, `fma`, `avx512f` on x86_64; `neon`, `sve` on aarch64.
    pub simd_features: Vec<String>,
    /// What the benchmarked code dispatched to at run time, name → variant (e.g. `cosine` →
    /// `avx2-fma`), as the benchmarks report it through perfmatrix's harness; empty when they
    /// report nothing.
    pub dispatch: BTreeMap<String, String>,
    /// Total RAM in bytes, when known.
    pub memory_bytes: Option<u64>,
    /// Compilers and build profile.
    pub toolchain: Toolchain,
    /// Emulation and virtualization.
    pub environment: Environment,
    /// Source revision.
    pub git: Git,
}

/// The part of a [`Fingerprint`] that only the benchmark process can see: the machine as code
/// built for `target` finds it (for an emulated run, through the emulator), and what that code
/// dispatched to. perfmatrix's harness prints it (`--perfmatrix-fingerprint`);
/// [`Fingerprint::new`] adds what the orchestrating host knows (toolchain, git).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// See [`Fingerprint::target`].
    pub target: TargetTriple,
    /// See [`Fingerprint::os`].
    pub os: String,
    /// See [`Fingerprint::cpu`].
    pub cpu: Cpu,
    /// See [`Fingerprint::cores`].
    pub cores: Cores,
    /// See [`Fingerprint::simd_features`].
    pub simd_features: Vec<String>,
    /// See [`Fingerprint::dispatch`].
    pub dispatch: BTreeMap<String, String>,
    /// See [`Fingerprint::memory_bytes`].
    pub memory_bytes: Option<u64>,
    /// See [`Fingerprint::environment`].
    pub environment: Environment,
}

impl Machine {
    /// Parses the JSON a benchmark process printed (`--perfmatrix-fingerprint`), checking its
    /// dispatch facts and core count.
    pub fn from_json(text: &str) -> Result<Self, FingerprintError> {
        let machine: Self =
            serde_json::from_str(text).map_err(|source| FingerprintError::Json {
                context: "the machine facts a benchmark printed".to_owned(),
                source,
            })?;
        if machine.cores.logical == 0 {
            return Err(zero_cores());
        }
        validate_dispatch(&machine.dispatch)?;
        Ok(machine)
    }
}

/// A target triple that target-lexicon parses, kept exactly as written (serialized as a string).
/// It holds only ASCII letters, digits, `_`, `.` and `-`, so it names a file or a page as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TargetTriple(String);

impl TargetTriple {
    /// Validates `text` (surrounding whitespace ignored) with `target_lexicon::Triple`.
    pub fn parse(text: &str) -> Result<Self, FingerprintError> {
        let text = text.trim();
        let invalid = |reason: String| FingerprintError::InvalidTarget {
            field: "target",
            value: text.to_owned(),
            reason,
        };
        if text.is_empty() {
            return Err(invalid("it is empty".to_owned()));
        }
        if let Some(c) = text
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        {
            return Err(invalid(format!(
                "{c:?} is not an ASCII letter, digit, `_`, `.` or `-`"
            )));
        }
        let triple = target_lexicon::Triple::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if triple.architecture == target_lexicon::Architecture::Unknown {
            return Err(invalid("the architecture is unknown".to_owned()));
        }
        Ok(Self(text.to_owned()))
    }

    /// The triple as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The architecture component (the text before the first `-`), e.g. `x86_64`.
    #[must_use]
    pub fn arch(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// Whether valgrind can count instructions natively on a machine of this triple: Linux on
    /// one of the architectures valgrind ships for (x86, x86_64, ARM, AArch64, POWER, s390x,
    /// MIPS, RISC-V 64). Elsewhere (macOS, Windows, the BSDs as runners offer them) no instruction
    /// count is possible, so nothing installs valgrind there.
    #[must_use]
    pub fn valgrind_can_count(&self) -> bool {
        use target_lexicon::{Architecture as A, OperatingSystem};
        let Ok(triple) = target_lexicon::Triple::from_str(&self.0) else {
            return false;
        };
        triple.operating_system == OperatingSystem::Linux
            && matches!(
                triple.architecture,
                A::X86_64
                    | A::X86_32(_)
                    | A::Arm(_)
                    | A::Aarch64(_)
                    | A::Powerpc
                    | A::Powerpc64
                    | A::Powerpc64le
                    | A::S390x
                    | A::Mips32(_)
                    | A::Mips64(_)
                    | A::Riscv64(_)
            )
    }
}

impl TryFrom<String> for TargetTriple {
    type Error = FingerprintError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<TargetTriple> for String {
    fn from(triple: TargetTriple) -> Self {
        triple.0
    }
}

impl FromStr for TargetTriple {
    type Err = FingerprintError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// A triple reads as the string it is: `printable(&report.platform)`, `triple.ends_with("-gnu")`.
impl std::ops::Deref for TargetTriple {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for TargetTriple {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for TargetTriple {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl AsRef<str> for TargetTriple {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TargetTriple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The CPU: vendor and brand strings plus the architecture's model identification.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cpu {
    /// x86: the CPUID vendor string (`GenuineIntel`, `AuthenticAMD`); ARM: the implementer's
    /// name (`ARM`, `Ampere`, …).
    pub vendor: String,
    /// x86: the CPUID brand string (`AMD EPYC 7763 64-Core Processor`); ARM: implementer and
    /// core name looked up from MIDR (`ARM Neoverse-N1`).
    pub brand: String,
    /// Family, model and stepping, on x86 CPUs.
    #[serde(default)]
    pub x86: Option<X86Id>,
    /// MIDR_EL1 fields, on ARM CPUs.
    #[serde(default)]
    pub arm: Option<ArmId>,
}

impl Cpu {
    /// A CPU about which nothing could be read.
    #[must_use]
    pub fn unknown() -> Self {
        Self {
            vendor: UNKNOWN.to_owned(),
            brand: UNKNOWN.to_owned(),
            x86: None,
            arm: None,
        }
    }
}

/// x86 identification from CPUID leaf 1, with the extended family and model already folded in
/// (the numbers `/proc/cpuinfo` shows as `cpu family` and `model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct X86Id {
    /// Display family, e.g. 25 (0x19) for AMD Zen 3/4.
    pub family: u32,
    /// Display model.
    pub model: u32,
    /// Stepping.
    pub stepping: u32,
}

/// ARM identification from MIDR_EL1. Serialized like `/proc/cpuinfo` shows it: implementer,
/// variant and part as hex strings (`"0x41"`, `"0x3"`, `"0xd0c"`), revision as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ArmId {
    /// Implementer code (MIDR bits 31:24), e.g. 0x41 = Arm Ltd.
    #[serde(with = "hex")]
    pub implementer: u32,
    /// Primary part number (bits 15:4), e.g. 0xd0c = Neoverse N1.
    #[serde(with = "hex")]
    pub part: u32,
    /// Major revision (bits 23:20).
    #[serde(with = "hex")]
    pub variant: u32,
    /// Minor revision (bits 3:0).
    pub revision: u32,
}

/// Core counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cores {
    /// Logical CPUs (hardware threads) the OS reports; at least 1.
    pub logical: u32,
    /// Physical cores, when the OS tells.
    pub physical: Option<u32>,
}

/// The compilers and profile that built the benchmarks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Toolchain {
    /// `rustc` release line, e.g. `rustc 1.95.0 (59807616e 2026-04-14)`.
    pub rustc: String,
    /// First line of the C compiler's `--version`.
    pub cc: String,
    /// Cargo profile, e.g. `bench`.
    pub profile: String,
    /// Extra compiler flags from the environment (`RUSTFLAGS=…; CFLAGS=…`), empty when none:
    /// they change the generated code, so instruction counts are only comparable when equal.
    #[serde(default)]
    pub flags: String,
    /// What counted the instructions and peak memory: `perfmatrix-harness/1` (the bench binary's
    /// own counting mode); empty in files recorded by the earlier stand-alone counting example,
    /// whose process was smaller, so its peak memory is not comparable.
    #[serde(default)]
    pub harness: String,
}

/// Whether the benchmarks ran under an emulator or on a virtual machine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Environment {
    /// The emulator that translated the benchmark's instructions (`qemu-user`), or `null` for a
    /// native run.
    pub emulated: Option<String>,
    /// The hypervisor under the OS (`kvm`, `hyperv`, `xen`, …; `unknown` when one is present but
    /// does not name itself), or `null` for bare metal or when nothing says otherwise.
    pub virtualized: Option<String>,
}

/// The source revision that was benchmarked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Git {
    /// Full commit hash of `HEAD`, or `unknown` outside a git checkout.
    pub commit: String,
    /// Whether the work tree had changes (`git status --porcelain` non-empty).
    pub dirty: bool,
}

impl Fingerprint {
    /// The fingerprint of a run: the `machine` its benchmark process saw, the `toolchain` that
    /// built it and the `git` revision it was built from. The one way a fingerprint is made.
    #[must_use]
    pub fn new(machine: Machine, toolchain: Toolchain, git: Git) -> Self {
        let Machine {
            target,
            os,
            cpu,
            cores,
            simd_features,
            dispatch,
            memory_bytes,
            environment,
        } = machine;
        Self {
            schema: SCHEMA_VERSION,
            target,
            os,
            cpu,
            cores,
            simd_features,
            dispatch,
            memory_bytes,
            toolchain,
            environment,
            git,
        }
    }

    /// A GitHub-hosted x86_64 runner's fingerprint (AMD EPYC 7763, 4 vCPUs, AVX2 kernels): a
    /// fixed value for tests and documentation, never collected.
    #[must_use]
    pub fn example() -> Fingerprint {
        Fingerprint {
            schema: SCHEMA_VERSION,
            target: TargetTriple("x86_64-unknown-linux-gnu".to_owned()),
            os: "Ubuntu 24.04 LTS; kernel 6.8.0-1017-azure".into(),
            cpu: Cpu {
                vendor: "AuthenticAMD".into(),
                brand: "AMD EPYC 7763 64-Core Processor".into(),
                x86: Some(X86Id {
                    family: 25,
                    model: 1,
                    stepping: 1,
                }),
                arm: None,
            },
            cores: Cores {
                logical: 4,
                physical: Some(2),
            },
            simd_features: vec!["sse4.2".into(), "avx".into(), "avx2".into(), "fma".into()],
            dispatch: [
                ("cosine", "avx2-fma"),
                ("decay", "avx2-fma"),
                ("spread", "avx2-fma"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            memory_bytes: Some(16_772_579_328),
            toolchain: Toolchain::new("rustc 1.95.0 (59807616e 2026-04-14)", "cc 13.2.0", "bench"),
            environment: Environment {
                emulated: None,
                virtualized: Some("hyperv".into()),
            },
            git: Git {
                commit: "581caed0000000000000000000000000000000ab".into(),
                dirty: false,
            },
        }
    }

    /// Checks what deserialization cannot: the schema, a non-zero core count, and non-empty
    /// dispatch names and variants.
    pub fn validate(&self) -> Result<(), FingerprintError> {
        if self.schema != SCHEMA_VERSION {
            return Err(FingerprintError::UnsupportedSchema {
                found: self.schema,
                supported: SCHEMA_VERSION,
            });
        }
        if self.cores.logical == 0 {
            return Err(zero_cores());
        }
        validate_dispatch(&self.dispatch)
    }

    /// Pretty JSON with a trailing newline, as stored next to results.
    pub fn to_json(&self) -> Result<String, FingerprintError> {
        let mut text =
            serde_json::to_string_pretty(self).map_err(|source| FingerprintError::Json {
                context: "serializing fingerprint".to_owned(),
                source,
            })?;
        text.push('\n');
        Ok(text)
    }

    /// Parses and [validates](Self::validate) a fingerprint written by [`to_json`](Self::to_json).
    pub fn from_json(text: &str) -> Result<Self, FingerprintError> {
        Self::from_json_in(text, "fingerprint JSON")
    }

    /// Reads a fingerprint file.
    pub fn load(path: &Path) -> Result<Self, FingerprintError> {
        let text = std::fs::read_to_string(path).map_err(|source| FingerprintError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json_in(&text, &path.display().to_string())
    }

    /// Writes the fingerprint to a file as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), FingerprintError> {
        std::fs::write(path, self.to_json()?).map_err(|source| FingerprintError::Write {
            path: path.to_owned(),
            source,
        })
    }

    fn from_json_in(text: &str, context: &str) -> Result<Self, FingerprintError> {
        let json = |source| FingerprintError::Json {
            context: context.to_owned(),
            source,
        };
        // Check the schema first: a future schema may not even deserialize into this struct.
        let value: serde_json::Value = serde_json::from_str(text).map_err(json)?;
        if let Some(found) = value.get("schema").and_then(serde_json::Value::as_u64)
            && found != u64::from(SCHEMA_VERSION)
        {
            return Err(FingerprintError::UnsupportedSchema {
                found: u32::try_from(found).unwrap_or(u32::MAX),
                supported: SCHEMA_VERSION,
            });
        }
        let fingerprint: Self = serde_json::from_value(value).map_err(json)?;
        fingerprint.validate()?;
        Ok(fingerprint)
    }
}

fn zero_cores() -> FingerprintError {
    FingerprintError::InvalidField {
        field: "cores.logical".to_owned(),
        value: "0".to_owned(),
        reason: "must be at least 1",
    }
}

/// Dispatch names and variants must be non-empty and free of surrounding whitespace.
pub(crate) fn validate_dispatch(
    variants: &BTreeMap<String, String>,
) -> Result<(), FingerprintError> {
    for (name, variant) in variants {
        if name.is_empty() || name.trim() != name {
            return Err(FingerprintError::InvalidField {
                field: "dispatch".to_owned(),
                value: name.clone(),
                reason: "dispatch names must be non-empty without surrounding whitespace",
            });
        }
        if variant.is_empty() || variant.trim() != variant {
            return Err(FingerprintError::InvalidField {
                field: format!("dispatch.{name}"),
                value: variant.clone(),
                reason: "variant names must be non-empty without surrounding whitespace",
            });
        }
    }
    Ok(())
}

/// Hex-string serde for MIDR fields (`"0xd0c"`); reading also accepts plain numbers.
mod hex {
    use serde::de::{self, Deserializer};
    use serde::{Deserialize, Serializer};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` passes a reference
    pub(super) fn serialize<S: Serializer>(value: &u32, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{value:#x}"))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum HexOrNumber {
            Text(String),
            Number(u32),
        }
        match HexOrNumber::deserialize(deserializer)? {
            HexOrNumber::Number(n) => Ok(n),
            HexOrNumber::Text(text) => crate::cpu::parse_number(&text).ok_or_else(|| {
                de::Error::custom(format!(
                    "expected a hex number such as \"0xd0c\", got {text:?}"
                ))
            }),
        }
    }
}
