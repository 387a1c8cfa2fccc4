//! `/proc/cpuinfo` parsing (a pure function over the text), SIMD feature naming and in-process
//! feature detection.

use crate::arm;
use crate::fingerprint::{ArmId, Cpu, UNKNOWN, X86Id};

/// The SIMD features that matter to the kernels on x86, in the order fingerprints list them.
pub(crate) const X86_FEATURES: [&str; 5] = ["sse4.2", "avx", "avx2", "fma", "avx512f"];
/// The SIMD features that matter to the kernels on ARM, in the order fingerprints list them.
pub(crate) const ARM_FEATURES: [&str; 2] = ["neon", "sve"];

/// CPUID vendor strings of x86 CPUs that run Linux today.
const X86_VENDORS: [&str; 5] = [
    "GenuineIntel",
    "AuthenticAMD",
    "HygonGenuine",
    "CentaurHauls",
    "Shanghai",
];

/// What one `/proc/cpuinfo` text says about the CPU (its first processor entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuinfoFacts {
    /// Vendor, brand and model identification; `unknown` / `None` where the text is silent.
    pub cpu: Cpu,
    /// The kernel-relevant SIMD features the `flags` (x86) or `Features` (ARM) line lists,
    /// named as in [`Fingerprint::simd_features`](crate::Fingerprint::simd_features).
    pub simd_features: Vec<String>,
    /// Whether the x86 `flags` line contains `hypervisor` (the OS runs on a virtual machine).
    pub hypervisor_flag: bool,
    /// Which kind of CPU the text describes: `Some("x86")`, `Some("arm")`, or `None` when it
    /// describes neither recognisably.
    pub arch_family: Option<&'static str>,
}

/// Parses `/proc/cpuinfo` text. Never fails: missing or malformed fields come out as `unknown`
/// or `None`. Reads the first value of each key, i.e. the first processor's entry.
#[must_use]
pub fn parse_cpuinfo(text: &str) -> CpuinfoFacts {
    let field = |key: &str| -> Option<&str> {
        text.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == key).then(|| v.trim())
        })
    };

    let flags = field("flags");
    let arm_features = field("Features");
    // `cpu family` is x86-only; `vendor_id` alone is not (s390x has `vendor_id : IBM/S390`).
    let is_x86 = field("cpu family").is_some()
        || field("vendor_id").is_some_and(|v| X86_VENDORS.contains(&v));
    let is_arm = !is_x86 && (field("CPU implementer").is_some() || arm_features.is_some());

    if is_x86 {
        let flag_list: Vec<&str> = flags.unwrap_or("").split_whitespace().collect();
        let x86 = match (
            field("cpu family").and_then(parse_number),
            field("model").and_then(parse_number),
            field("stepping").and_then(parse_number),
        ) {
            (Some(family), Some(model), Some(stepping)) => Some(X86Id {
                family,
                model,
                stepping,
            }),
            _ => None,
        };
        let simd_features = relevant_features(&X86_FEATURES, |name| {
            let flag = if name == "sse4.2" { "sse4_2" } else { name };
            flag_list.contains(&flag)
        });
        return CpuinfoFacts {
            cpu: Cpu {
                vendor: clean_text(field("vendor_id").unwrap_or("")),
                brand: clean_text(field("model name").unwrap_or("")),
                x86,
                arm: None,
            },
            simd_features,
            hypervisor_flag: flag_list.contains(&"hypervisor"),
            arch_family: Some("x86"),
        };
    }

    if is_arm {
        let feature_list: Vec<&str> = arm_features.unwrap_or("").split_whitespace().collect();
        let simd_features = relevant_features(&ARM_FEATURES, |name| {
            let feature = if name == "neon" { "asimd" } else { name };
            feature_list.contains(&feature)
        });
        let id = match (
            field("CPU implementer").and_then(parse_number),
            field("CPU part").and_then(parse_number),
        ) {
            (Some(implementer), Some(part)) => Some(ArmId {
                implementer,
                part,
                variant: field("CPU variant").and_then(parse_number).unwrap_or(0),
                revision: field("CPU revision").and_then(parse_number).unwrap_or(0),
            }),
            _ => None,
        };
        let cpu = match id {
            Some(id) => arm::cpu_from_id(id),
            None => Cpu {
                brand: clean_text(field("model name").unwrap_or("")),
                ..Cpu::unknown()
            },
        };
        return CpuinfoFacts {
            cpu,
            simd_features,
            hypervisor_flag: false,
            arch_family: Some("arm"),
        };
    }

    CpuinfoFacts {
        cpu: Cpu::unknown(),
        simd_features: Vec::new(),
        hypervisor_flag: false,
        arch_family: None,
    }
}

/// `0x41` (hex) or `65` (decimal); `None` for anything else.
pub(crate) fn parse_number(text: &str) -> Option<u32> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Collapses whitespace, drops control characters; empty → `unknown`.
pub(crate) fn clean_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.is_empty() {
        UNKNOWN.to_owned()
    } else {
        cleaned
    }
}

/// Groups architecture names so that a 32-bit build on a 64-bit CPU of the same kind is not
/// mistaken for emulation: `x86_64`, `i686` → `x86`; `aarch64`, `armv7` → `arm`.
pub(crate) fn arch_family(arch: &str) -> &str {
    let arch = arch.trim();
    let is_ix86 = arch.len() == 4 && arch.starts_with('i') && arch.ends_with("86");
    if arch == "x86_64" || arch == "x86" || arch == "amd64" || is_ix86 {
        "x86"
    } else if arch.starts_with("aarch64") || arch.starts_with("arm") || arch.starts_with("thumb") {
        "arm"
    } else {
        arch
    }
}

/// The names in `candidates` for which `has` is true, in `candidates` order.
pub(crate) fn relevant_features(candidates: &[&str], has: impl Fn(&str) -> bool) -> Vec<String> {
    candidates
        .iter()
        .filter(|name| has(name))
        .map(|name| (*name).to_owned())
        .collect()
}

/// The kernel-relevant SIMD features this process can use, detected at run time (this honours
/// OS support for AVX state and, under qemu-user, reports the emulated CPU's features).
#[cfg(target_arch = "x86_64")]
pub(crate) fn detect_simd_features() -> Vec<String> {
    relevant_features(&X86_FEATURES, |name| match name {
        "sse4.2" => std::arch::is_x86_feature_detected!("sse4.2"),
        "avx" => std::arch::is_x86_feature_detected!("avx"),
        "avx2" => std::arch::is_x86_feature_detected!("avx2"),
        "fma" => std::arch::is_x86_feature_detected!("fma"),
        "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
        _ => false,
    })
}

/// The kernel-relevant SIMD features this process can use, detected at run time (this honours
/// OS support for AVX state and, under qemu-user, reports the emulated CPU's features).
#[cfg(target_arch = "aarch64")]
pub(crate) fn detect_simd_features() -> Vec<String> {
    relevant_features(&ARM_FEATURES, |name| match name {
        "neon" => std::arch::is_aarch64_feature_detected!("neon"),
        "sve" => std::arch::is_aarch64_feature_detected!("sve"),
        _ => false,
    })
}

/// No kernel has SIMD variants for other architectures.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) fn detect_simd_features() -> Vec<String> {
    Vec::new()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// First entry of `/proc/cpuinfo` on the x86_64 VM this crate was written on (AMD EPYC under
    /// KVM; its brand string has no model number).
    pub(crate) const X86_CPUINFO: &str = "\
processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: AMD EPYC
stepping\t: 1
microcode\t: 0x1000065
cpu MHz\t\t: 2445.406
cache size\t: 512 KB
physical id\t: 0
siblings\t: 2
core id\t\t: 0
cpu cores\t: 2
apicid\t\t: 0
initial apicid\t: 0
fpu\t\t: yes
fpu_exception\t: yes
cpuid level\t: 16
wp\t\t: yes
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext ssbd ibrs ibpb stibp vmmcall fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves clzero xsaveerptr wbnoinvd arat umip pku ospke vaes vpclmulqdq rdpid fsrm
bugs\t\t: sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso ibpb_no_ret spectre_v2_user
bogomips\t: 4890.81
TLB size\t: 2560 4K pages
clflush size\t: 64
cache_alignment\t: 64
address sizes\t: 48 bits physical, 48 bits virtual
power management:

processor\t: 1
vendor_id\t: AuthenticAMD
";

    /// First entries of an AWS Graviton2 (Neoverse N1) `/proc/cpuinfo`.
    pub(crate) const ARM_CPUINFO: &str = "\
processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x3
CPU part\t: 0xd0c
CPU revision\t: 1

processor\t: 1
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x3
CPU part\t: 0xd0c
CPU revision\t: 1
";

    #[test]
    fn x86_cpuinfo() {
        let facts = parse_cpuinfo(X86_CPUINFO);
        assert_eq!(facts.cpu.vendor, "AuthenticAMD");
        assert_eq!(facts.cpu.brand, "AMD EPYC");
        assert_eq!(
            facts.cpu.x86,
            Some(X86Id {
                family: 25,
                model: 1,
                stepping: 1
            })
        );
        assert_eq!(facts.cpu.arm, None);
        assert_eq!(facts.simd_features, ["sse4.2", "avx", "avx2", "fma"]);
        assert!(facts.hypervisor_flag);
        assert_eq!(facts.arch_family, Some("x86"));
    }

    #[test]
    fn aarch64_cpuinfo() {
        let facts = parse_cpuinfo(ARM_CPUINFO);
        assert_eq!(facts.cpu.vendor, "ARM");
        assert_eq!(facts.cpu.brand, "ARM Neoverse-N1");
        assert_eq!(facts.cpu.x86, None);
        assert_eq!(
            facts.cpu.arm,
            Some(ArmId {
                implementer: 0x41,
                part: 0xd0c,
                variant: 3,
                revision: 1
            })
        );
        assert_eq!(facts.simd_features, ["neon"]);
        assert!(!facts.hypervisor_flag);
        assert_eq!(facts.arch_family, Some("arm"));
    }

    #[test]
    fn sve_is_read_from_features() {
        let text = "Features\t: fp asimd sve sve2\nCPU implementer\t: 0x41\nCPU part\t: 0xd40\n";
        let facts = parse_cpuinfo(text);
        assert_eq!(facts.simd_features, ["neon", "sve"]);
        assert_eq!(facts.cpu.brand, "ARM Neoverse-V1");
    }

    #[test]
    fn empty_and_garbage_cpuinfo_are_unknown() {
        let garbage = "\u{0}\u{1}::::\n:\n\n\u{fffd}zz\nmodel name\nCPU part : 0xZZZ\n".repeat(3);
        for text in ["", "\n\n", "not a cpuinfo at all", garbage.as_str()] {
            let facts = parse_cpuinfo(text);
            assert_eq!(facts.cpu.vendor, UNKNOWN, "{text:?}");
            assert_eq!(facts.cpu.brand, UNKNOWN, "{text:?}");
            assert_eq!(facts.cpu.x86, None);
            assert_eq!(facts.cpu.arm, None);
            assert!(facts.simd_features.is_empty());
        }
    }

    #[test]
    fn other_architectures_are_neither_x86_nor_arm() {
        let s390x = "vendor_id       : IBM/S390\n# processors    : 2\nfeatures\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx\n";
        let facts = parse_cpuinfo(s390x);
        assert_eq!(facts.arch_family, None);
        assert_eq!(facts.cpu, Cpu::unknown());
    }

    #[test]
    fn half_broken_x86_cpuinfo_keeps_what_it_can() {
        let facts = parse_cpuinfo("vendor_id : GenuineIntel\ncpu family : six\nmodel : 85\n");
        assert_eq!(facts.cpu.vendor, "GenuineIntel");
        assert_eq!(facts.cpu.brand, UNKNOWN);
        assert_eq!(facts.cpu.x86, None);
        assert_eq!(facts.arch_family, Some("x86"));
    }

    #[test]
    fn numbers_and_text() {
        assert_eq!(parse_number("0x41"), Some(0x41));
        assert_eq!(parse_number(" 65 "), Some(65));
        assert_eq!(parse_number("0xd0c"), Some(0xd0c));
        assert_eq!(parse_number("x"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(
            clean_text("  Intel(R)\tXeon(R)   CPU \u{0}"),
            "Intel(R) Xeon(R) CPU"
        );
        assert_eq!(clean_text(" \u{0} "), UNKNOWN);
    }

    #[test]
    fn arch_families() {
        assert_eq!(arch_family("x86_64"), "x86");
        assert_eq!(arch_family("i686"), "x86");
        assert_eq!(arch_family("aarch64"), "arm");
        assert_eq!(arch_family("armv7"), "arm");
        assert_eq!(arch_family("riscv64gc"), "riscv64gc");
    }

    #[test]
    fn detected_features_are_relevant_ones() {
        for feature in detect_simd_features() {
            assert!(
                X86_FEATURES.contains(&feature.as_str())
                    || ARM_FEATURES.contains(&feature.as_str())
            );
        }
    }
}
