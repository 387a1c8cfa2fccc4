//! Comparability: the fingerprint fields that decide whether two timing runs may be compared,
//! a stable short id over them, and a field-by-field difference report.

use std::collections::BTreeMap;
use std::fmt;

use crate::fingerprint::Fingerprint;

/// First line of the canonical form. Bump the version when the key's fields or their rendering
/// change: every id changes with it, so old baselines stop matching (as they should).
const CANONICAL_HEADER: &str = "perfmatrix-fingerprint comparability key v2";

/// The fields of a [`Fingerprint`] that must be equal for two timing runs to be comparable.
///
/// In: target triple, CPU vendor and brand, x86 family/model/stepping or ARM
/// implementer/part/variant, SIMD features, dispatch facts, logical cores, emulation.
/// Out: memory size, toolchain, git revision, virtualization, OS version, physical cores and
/// ARM revision. `docs/fingerprint.md` gives the reason for each.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ComparabilityKey {
    /// Target triple.
    pub target: String,
    /// CPU vendor string.
    pub cpu_vendor: String,
    /// CPU brand string.
    pub cpu_brand: String,
    /// x86 display family.
    pub x86_family: Option<u32>,
    /// x86 display model.
    pub x86_model: Option<u32>,
    /// x86 stepping.
    pub x86_stepping: Option<u32>,
    /// ARM implementer code.
    pub arm_implementer: Option<u32>,
    /// ARM primary part number.
    pub arm_part: Option<u32>,
    /// ARM variant (major revision).
    pub arm_variant: Option<u32>,
    /// Kernel-relevant SIMD features, sorted and deduplicated.
    pub simd_features: Vec<String>,
    /// What the benchmarked code dispatched to: name → variant.
    pub dispatch: BTreeMap<String, String>,
    /// Logical CPUs.
    pub logical_cores: u32,
    /// The emulator, or `None` for a native run.
    pub emulated: Option<String>,
}

/// One field whose values differ between two keys. `field` uses the fingerprint's JSON paths
/// (`cpu.brand`, `dispatch.cosine`, `environment.emulated`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldDiff {
    /// Path of the field.
    pub field: String,
    /// Value in the key `differences` was called on.
    pub ours: String,
    /// Value in the other key.
    pub theirs: String,
}

impl fmt::Display for FieldDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} here, {} there",
            self.field, self.ours, self.theirs
        )
    }
}

impl From<&Fingerprint> for ComparabilityKey {
    fn from(fp: &Fingerprint) -> Self {
        let mut simd_features = fp.simd_features.clone();
        simd_features.sort();
        simd_features.dedup();
        Self {
            target: fp.target.as_str().to_owned(),
            cpu_vendor: fp.cpu.vendor.clone(),
            cpu_brand: fp.cpu.brand.clone(),
            x86_family: fp.cpu.x86.map(|id| id.family),
            x86_model: fp.cpu.x86.map(|id| id.model),
            x86_stepping: fp.cpu.x86.map(|id| id.stepping),
            arm_implementer: fp.cpu.arm.map(|id| id.implementer),
            arm_part: fp.cpu.arm.map(|id| id.part),
            arm_variant: fp.cpu.arm.map(|id| id.variant),
            simd_features,
            dispatch: fp.dispatch.clone(),
            logical_cores: fp.cores.logical,
            emulated: fp.environment.emulated.clone(),
        }
    }
}

impl ComparabilityKey {
    /// The key's fields as `(path, value)` pairs in canonical order. Absent values read `none`;
    /// ARM codes are hex; `environment.emulated` reads `no` or `yes (qemu-user)`.
    #[must_use]
    pub fn entries(&self) -> Vec<(String, String)> {
        let number = |n: Option<u32>| n.map_or_else(|| "none".to_owned(), |n| n.to_string());
        let hex = |n: Option<u32>| n.map_or_else(|| "none".to_owned(), |n| format!("{n:#x}"));
        let mut entries = vec![
            ("target".to_owned(), self.target.clone()),
            ("cpu.vendor".to_owned(), self.cpu_vendor.clone()),
            ("cpu.brand".to_owned(), self.cpu_brand.clone()),
            ("cpu.x86.family".to_owned(), number(self.x86_family)),
            ("cpu.x86.model".to_owned(), number(self.x86_model)),
            ("cpu.x86.stepping".to_owned(), number(self.x86_stepping)),
            ("cpu.arm.implementer".to_owned(), hex(self.arm_implementer)),
            ("cpu.arm.part".to_owned(), hex(self.arm_part)),
            ("cpu.arm.variant".to_owned(), hex(self.arm_variant)),
            (
                "simd_features".to_owned(),
                if self.simd_features.is_empty() {
                    "none".to_owned()
                } else {
                    self.simd_features.join(",")
                },
            ),
        ];
        entries.extend(dispatch_entries(&self.dispatch));
        entries.push(("cores.logical".to_owned(), self.logical_cores.to_string()));
        entries.push(emulated_entry(self.emulated.as_deref()));
        entries
    }

    /// The text the id hashes: a version header, then one `path=value` line per entry, with
    /// `\`, `=` (in paths), newline and carriage return backslash-escaped so that no two keys
    /// share a canonical form.
    #[must_use]
    pub fn canonical(&self) -> String {
        let mut text = String::from(CANONICAL_HEADER);
        text.push('\n');
        for (path, value) in self.entries() {
            text.push_str(&escape(&path, true));
            text.push('=');
            text.push_str(&escape(&value, false));
            text.push('\n');
        }
        text
    }

    /// A stable 12-hex-digit id of the key: the top 48 bits of the 64-bit FNV-1a hash of
    /// [`canonical`](Self::canonical), in lowercase hex. Equal keys give equal ids on every
    /// platform and Rust version, so ids can name baselines on disk.
    #[must_use]
    pub fn id(&self) -> String {
        let hex = format!("{:016x}", fnv1a64(self.canonical().as_bytes()));
        hex[..12].to_owned()
    }

    /// The fields whose values differ, in canonical order (kernels present in only one key
    /// show `(absent)` on the other side). Empty exactly when the keys are equal.
    #[must_use]
    pub fn differences(&self, other: &Self) -> Vec<FieldDiff> {
        differences(&self.entries(), &other.entries())
    }
}

/// The fields that must be equal for two instruction counts to be comparable: the code that ran
/// and what it was built with, not the machine it ran on. A count recorded on one AVX2 machine
/// gates every machine whose benchmarked code dispatches to the same variants, built by the same
/// toolchain.
///
/// In: target triple, dispatch facts, rustc and C compiler versions, profile, extra flags,
/// emulation. Out: everything about the CPU model, cores and memory (they change the time an
/// instruction takes, not how many there are).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey {
    /// Target triple.
    pub target: String,
    /// What the benchmarked code dispatched to: name → variant.
    pub dispatch: BTreeMap<String, String>,
    /// `rustc` release line.
    pub rustc: String,
    /// C compiler version line.
    pub cc: String,
    /// Cargo profile.
    pub profile: String,
    /// Extra compiler flags from the environment.
    pub flags: String,
    /// What counted (`toolchain.harness`).
    pub harness: String,
    /// The emulator, or `None` for a native run.
    pub emulated: Option<String>,
}

impl From<&Fingerprint> for CountKey {
    fn from(fp: &Fingerprint) -> Self {
        Self {
            target: fp.target.as_str().to_owned(),
            dispatch: fp.dispatch.clone(),
            rustc: fp.toolchain.rustc.clone(),
            cc: fp.toolchain.cc.clone(),
            profile: fp.toolchain.profile.clone(),
            flags: fp.toolchain.flags.clone(),
            harness: fp.toolchain.harness.clone(),
            emulated: fp.environment.emulated.clone(),
        }
    }
}

impl CountKey {
    /// The key's fields as `(path, value)` pairs, named by their fingerprint paths.
    #[must_use]
    pub fn entries(&self) -> Vec<(String, String)> {
        let mut entries = vec![("target".to_owned(), self.target.clone())];
        entries.extend(dispatch_entries(&self.dispatch));
        entries.extend([
            ("toolchain.rustc".to_owned(), self.rustc.clone()),
            ("toolchain.cc".to_owned(), self.cc.clone()),
            ("toolchain.profile".to_owned(), self.profile.clone()),
            (
                "toolchain.flags".to_owned(),
                if self.flags.is_empty() {
                    "none".to_owned()
                } else {
                    self.flags.clone()
                },
            ),
            (
                "toolchain.harness".to_owned(),
                if self.harness.is_empty() {
                    "none (the stand-alone counting example)".to_owned()
                } else {
                    self.harness.clone()
                },
            ),
            emulated_entry(self.emulated.as_deref()),
        ]);
        entries
    }

    /// The fields whose values differ, in order. Empty exactly when the keys are equal.
    #[must_use]
    pub fn differences(&self, other: &Self) -> Vec<FieldDiff> {
        differences(&self.entries(), &other.entries())
    }
}

/// `dispatch.<kernel>` = variant, one entry per kernel in name order.
fn dispatch_entries(variants: &BTreeMap<String, String>) -> impl Iterator<Item = (String, String)> {
    variants
        .iter()
        .map(|(kernel, variant)| (format!("dispatch.{kernel}"), variant.clone()))
}

/// `environment.emulated` = `no` or `yes (<emulator>)`.
fn emulated_entry(emulated: Option<&str>) -> (String, String) {
    (
        "environment.emulated".to_owned(),
        emulated.map_or_else(|| "no".to_owned(), |name| format!("yes ({name})")),
    )
}

/// The entries whose values differ between two keys, in `ours`' order; an entry only `theirs`
/// has (a kernel) is placed before the first entry that follows all kernels in `ours`.
fn differences(ours: &[(String, String)], theirs: &[(String, String)]) -> Vec<FieldDiff> {
    let lookup = |entries: &[(String, String)], path: &str| {
        entries
            .iter()
            .find(|(p, _)| p == path)
            .map_or_else(|| "(absent)".to_owned(), |(_, v)| v.clone())
    };
    let mut paths: Vec<&String> = ours.iter().map(|(p, _)| p).collect();
    for (path, _) in theirs {
        if !paths.contains(&path) {
            // Keep canonical order: a kernel only they have goes after the last kernel entry
            // (or at the end).
            let at = paths
                .iter()
                .rposition(|p| p.starts_with("dispatch."))
                .map_or(paths.len(), |i| i + 1);
            paths.insert(at, path);
        }
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let (a, b) = (lookup(ours, path), lookup(theirs, path));
            (a != b).then(|| FieldDiff {
                field: path.clone(),
                ours: a,
                theirs: b,
            })
        })
        .collect()
}

impl Fingerprint {
    /// The fields that decide comparability.
    #[must_use]
    pub fn comparability_key(&self) -> ComparabilityKey {
        ComparabilityKey::from(self)
    }

    /// The fields that decide whether instruction counts are comparable.
    #[must_use]
    pub fn count_key(&self) -> CountKey {
        CountKey::from(self)
    }

    /// Whether timings recorded under `other` may be compared with timings recorded under
    /// `self`.
    #[must_use]
    pub fn is_comparable_with(&self, other: &Self) -> bool {
        self.comparability_key() == other.comparability_key()
    }
}

/// 64-bit FNV-1a (also what names a history cache folder and checks the part of a history file
/// it read). Hand-written rather than `std`'s `DefaultHasher` because the id is stored in
/// files and must never change: `DefaultHasher`'s algorithm is explicitly unspecified and may
/// change between Rust releases, and `Hash` impls may feed bytes differently across versions.
/// FNV-1a is fully specified by two constants and is plenty for telling a handful of machines
/// apart (not a defence against crafted collisions, which no one here has a reason to make).
#[must_use]
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

fn escape(text: &str, is_path: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '=' if is_path => out.push_str("\\="),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fingerprint::{ArmId, Git, Toolchain};

    /// The example fingerprint, under the name these tests have always used.
    pub(crate) fn sample() -> Fingerprint {
        Fingerprint::example()
    }

    #[test]
    fn count_keys_ignore_the_cpu_model_but_not_the_code_or_its_compiler() {
        let a = sample();
        let mut other_cpu = sample();
        if let Some(x86) = other_cpu.cpu.x86.as_mut() {
            x86.model += 1;
        }
        other_cpu.cpu.brand = "Another CPU".to_owned();
        other_cpu.cores.logical += 2;
        assert_ne!(a.comparability_key(), other_cpu.comparability_key());
        assert_eq!(a.count_key(), other_cpu.count_key());

        let mut other_build = sample();
        other_build.toolchain.flags = "RUSTFLAGS=-C target-cpu=native".to_owned();
        other_build
            .dispatch
            .insert("cosine".to_owned(), "portable".to_owned());
        let fields: Vec<String> = a
            .count_key()
            .differences(&other_build.count_key())
            .into_iter()
            .map(|d| d.field)
            .collect();
        assert_eq!(fields, ["dispatch.cosine", "toolchain.flags"]);
    }

    #[test]
    fn counts_of_another_counter_are_not_comparable() {
        // The stand-alone counting example's process was smaller: its peak memory cannot gate the harness's.
        let old = sample();
        let mut harness = sample();
        harness.toolchain.harness = "perfmatrix-harness/1".to_owned();
        let diffs = old.count_key().differences(&harness.count_key());
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].field, "toolchain.harness");
        assert_eq!(diffs[0].ours, "none (the stand-alone counting example)");
        assert_eq!(old.comparability_key(), harness.comparability_key());
    }

    #[test]
    fn fnv1a64_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn id_is_12_lowercase_hex_and_pinned() {
        let id = sample().comparability_key().id();
        assert_eq!(id.len(), 12);
        assert!(id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        // Pinned: if this changes, every stored baseline id changes. Bump CANONICAL_HEADER
        // deliberately instead of editing this value casually.
        assert_eq!(id, PINNED_SAMPLE_ID);
    }

    const PINNED_SAMPLE_ID: &str = "039a7c209dc4";

    #[test]
    fn excluded_fields_do_not_change_the_key() {
        let a = sample();
        let mut b = sample();
        b.os = "Ubuntu 22.04".into();
        b.memory_bytes = Some(8 << 30);
        b.toolchain = Toolchain::new("rustc 1.96.0", "clang 19", "release");
        b.git = Git::unknown();
        b.environment.virtualized = None;
        b.cores.physical = None;
        assert!(a.is_comparable_with(&b));
        assert_eq!(a.comparability_key().id(), b.comparability_key().id());
        assert!(
            a.comparability_key()
                .differences(&b.comparability_key())
                .is_empty()
        );
    }

    #[test]
    fn simd_order_does_not_matter() {
        let a = sample();
        let mut b = sample();
        b.simd_features.reverse();
        b.simd_features.push("avx".into());
        assert_eq!(a.comparability_key(), b.comparability_key());
    }

    #[test]
    fn differences_name_the_fields() {
        let a = sample();
        let mut b = sample();
        b.cpu.brand = "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz".into();
        b.dispatch.insert("cosine".into(), "portable".into());
        b.dispatch.insert("extra".into(), "portable".into());
        b.environment.emulated = Some("qemu-user".into());
        let diffs = a.comparability_key().differences(&b.comparability_key());
        let fields: Vec<&str> = diffs.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "cpu.brand",
                "dispatch.cosine",
                "dispatch.extra",
                "environment.emulated"
            ]
        );
        assert_eq!(diffs[2].ours, "(absent)");
        assert_eq!(diffs[3].ours, "no");
        assert_eq!(diffs[3].theirs, "yes (qemu-user)");
        assert_eq!(
            diffs[1].to_string(),
            "dispatch.cosine: avx2-fma here, portable there"
        );
    }

    #[test]
    fn arm_revision_is_not_in_the_key_but_variant_is() {
        let mut a = sample();
        a.cpu.x86 = None;
        a.cpu.arm = Some(ArmId {
            implementer: 0x41,
            part: 0xd0c,
            variant: 3,
            revision: 1,
        });
        let mut b = a.clone();
        b.cpu.arm = Some(ArmId {
            revision: 2,
            ..a.cpu.arm.unwrap()
        });
        assert!(a.is_comparable_with(&b));
        b.cpu.arm = Some(ArmId {
            variant: 4,
            ..a.cpu.arm.unwrap()
        });
        let diffs = a.comparability_key().differences(&b.comparability_key());
        assert_eq!(diffs.len(), 1);
        assert_eq!(
            (
                diffs[0].field.as_str(),
                diffs[0].ours.as_str(),
                diffs[0].theirs.as_str()
            ),
            ("cpu.arm.variant", "0x3", "0x4")
        );
    }

    #[test]
    fn canonical_form_escapes() {
        let mut a = sample();
        a.dispatch = [("a=b".to_owned(), "c".to_owned())].into();
        let mut b = sample();
        b.dispatch = [("a".to_owned(), "b=c".to_owned())].into();
        assert_ne!(
            a.comparability_key().canonical(),
            b.comparability_key().canonical()
        );
        let mut c = sample();
        c.cpu.brand = "x\ncores.logical=4".into();
        assert!(
            c.comparability_key()
                .canonical()
                .contains("cpu.brand=x\\ncores.logical=4\n")
        );
    }

    /// Applies mutation `which` (0..=12) to one key field.
    fn mutate(key: &mut ComparabilityKey, which: u8, text: &str, n: u32) {
        let other = |s: &str| format!("{s}{text}~");
        match which {
            0 => key.target = other(&key.target),
            1 => key.cpu_vendor = other(&key.cpu_vendor),
            2 => key.cpu_brand = other(&key.cpu_brand),
            3 => key.x86_family = Some(key.x86_family.unwrap_or(0) ^ (n | 1)),
            4 => key.x86_model = Some(key.x86_model.unwrap_or(0) ^ (n | 1)),
            5 => key.x86_stepping = Some(key.x86_stepping.unwrap_or(0) ^ (n | 1)),
            6 => key.arm_implementer = Some(n),
            7 => key.arm_part = Some(n),
            8 => key.arm_variant = Some(n),
            9 => key.simd_features.push(other("avx512")),
            10 => {
                key.dispatch.insert("cosine".into(), other("v"));
            }
            11 => key.logical_cores ^= n | 1,
            _ => key.emulated = Some(other("qemu")),
        }
    }

    proptest! {
        #[test]
        fn id_is_deterministic_and_changes_with_every_field(
            which in 0_u8..=12,
            text in "\\PC{0,12}",
            n in any::<u32>(),
        ) {
            let base = sample().comparability_key();
            prop_assert_eq!(base.id(), sample().comparability_key().id());
            let mut changed = base.clone();
            mutate(&mut changed, which, &text, n);
            prop_assert_ne!(&base, &changed);
            prop_assert_ne!(base.canonical(), changed.canonical());
            prop_assert_ne!(base.id(), changed.id());
            prop_assert!(!base.differences(&changed).is_empty());
        }
    }
}
