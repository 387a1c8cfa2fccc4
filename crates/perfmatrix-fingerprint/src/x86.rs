//! x86 CPU identification with the CPUID instruction: vendor, brand string, family/model/
//! stepping and the hypervisor vendor leaf. Decoding is pure; only `probe` executes CPUID.

use crate::cpu::clean_text;
#[cfg(target_arch = "x86_64")]
use crate::fingerprint::Cpu;
use crate::fingerprint::X86Id;

/// What CPUID says about this machine.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct X86Probe {
    /// Vendor, brand, family/model/stepping.
    pub(crate) cpu: Cpu,
    /// The hypervisor named by leaf 0x4000_0000 when the leaf-1 hypervisor bit is set.
    pub(crate) hypervisor: Option<String>,
}

/// Executes CPUID for `leaf` / `sub_leaf`.
#[cfg(target_arch = "x86_64")]
#[allow(unused_unsafe)] // `__cpuid_count` is an unsafe fn in older Rust (MSRV 1.85), safe in recent releases.
fn cpuid(leaf: u32, sub_leaf: u32) -> core::arch::x86_64::CpuidResult {
    // SAFETY: CPUID is part of the x86_64 baseline, so the instruction exists on every CPU this
    // code can run on; it only writes the four output registers and touches no memory. Leaves
    // above the supported maximum return zeros or the highest basic leaf's data.
    unsafe { core::arch::x86_64::__cpuid_count(leaf, sub_leaf) }
}

/// Reads vendor, brand, signature and hypervisor with CPUID.
#[cfg(target_arch = "x86_64")]
pub(crate) fn probe() -> X86Probe {
    let leaf0 = cpuid(0, 0);
    let vendor = decode_vendor(leaf0.ebx, leaf0.edx, leaf0.ecx);
    let (x86, hypervisor_bit) = if leaf0.eax >= 1 {
        let leaf1 = cpuid(1, 0);
        (
            Some(decode_signature(leaf1.eax)),
            leaf1.ecx & (1 << 31) != 0,
        )
    } else {
        (None, false)
    };
    let brand = if cpuid(0x8000_0000, 0).eax >= 0x8000_0004 {
        let mut regs = [0_u32; 12];
        for (i, leaf) in (0x8000_0002_u32..=0x8000_0004).enumerate() {
            let r = cpuid(leaf, 0);
            regs[i * 4..i * 4 + 4].copy_from_slice(&[r.eax, r.ebx, r.ecx, r.edx]);
        }
        decode_brand(&regs)
    } else {
        clean_text("")
    };
    let hypervisor = hypervisor_bit.then(|| {
        let leaf = cpuid(0x4000_0000, 0);
        hypervisor_name(&registers_text(&[leaf.ebx, leaf.ecx, leaf.edx]))
    });
    X86Probe {
        cpu: Cpu {
            vendor,
            brand,
            x86,
            arm: None,
        },
        hypervisor,
    }
}

/// The 12-character vendor string of leaf 0 (EBX, EDX, ECX order), e.g. `GenuineIntel`.
pub(crate) fn decode_vendor(ebx: u32, edx: u32, ecx: u32) -> String {
    clean_text(&registers_text(&[ebx, edx, ecx]))
}

/// The 48-character brand string of leaves 0x8000_0002..=4 (EAX, EBX, ECX, EDX each).
pub(crate) fn decode_brand(regs: &[u32; 12]) -> String {
    clean_text(&registers_text(regs))
}

/// Family, model and stepping from leaf-1 EAX, folding in the extended fields the way the
/// vendors (and Linux) define display family and model.
pub(crate) fn decode_signature(eax: u32) -> X86Id {
    let stepping = eax & 0xf;
    let base_model = (eax >> 4) & 0xf;
    let base_family = (eax >> 8) & 0xf;
    let ext_model = (eax >> 16) & 0xf;
    let ext_family = (eax >> 20) & 0xff;
    let family = if base_family == 0xf {
        base_family + ext_family
    } else {
        base_family
    };
    let model = if base_family == 0x6 || base_family == 0xf {
        (ext_model << 4) | base_model
    } else {
        base_model
    };
    X86Id {
        family,
        model,
        stepping,
    }
}

/// Short name for a hypervisor vendor signature (leaf 0x4000_0000: EBX, ECX, EDX).
pub(crate) fn hypervisor_name(signature: &str) -> String {
    let known = match signature.trim_matches(|c: char| c == '\0' || c == ' ') {
        "KVMKVMKVM" | "Linux KVM Hv" => "kvm",
        "Microsoft Hv" => "hyperv",
        "VMwareVMware" => "vmware",
        "XenVMMXenVMM" => "xen",
        "TCGTCGTCGTCG" => "qemu-tcg",
        "VBoxVBoxVBox" => "virtualbox",
        "lrpepyh  vr" | "prl hyperv" => "parallels",
        "bhyve bhyve" => "bhyve",
        "ACRNACRNACRN" => "acrn",
        "QNXQVMBSQG" => "qnx",
        other => {
            let name: String = other
                .chars()
                .filter(char::is_ascii_graphic)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            return if name.is_empty() {
                clean_text("")
            } else {
                name
            };
        }
    };
    known.to_owned()
}

/// Little-endian bytes of the registers as text, cut at the first NUL.
fn registers_text(regs: &[u32]) -> String {
    let bytes: Vec<u8> = regs.iter().flat_map(|r| r.to_le_bytes()).collect();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs_of(text: &str) -> Vec<u32> {
        let mut bytes = text.as_bytes().to_vec();
        bytes.resize(bytes.len().div_ceil(4) * 4, 0);
        bytes
            .chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    #[test]
    fn vendor_and_brand() {
        let r = regs_of("GenuntelineI"); // EBX "Genu", ECX "ntel", EDX "ineI"
        assert_eq!(decode_vendor(r[0], r[2], r[1]), "GenuineIntel");
        let mut brand = [0_u32; 12];
        let text = regs_of("Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz");
        brand[..text.len()].copy_from_slice(&text);
        assert_eq!(
            decode_brand(&brand),
            "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz"
        );
        assert_eq!(decode_brand(&[0; 12]), "unknown");
    }

    #[test]
    fn signatures() {
        // AMD EPYC 7763 (Zen 3): family 0x19, model 0x01, stepping 1.
        assert_eq!(
            decode_signature(0x00a0_0f11),
            X86Id {
                family: 25,
                model: 1,
                stepping: 1
            }
        );
        // Intel Xeon Platinum 8370C (Ice Lake SP): family 6, model 0x6a, stepping 6.
        assert_eq!(
            decode_signature(0x0006_06a6),
            X86Id {
                family: 6,
                model: 106,
                stepping: 6
            }
        );
    }

    #[test]
    fn hypervisors() {
        let kvm = registers_text(&regs_of("KVMKVMKVM\0\0\0"));
        assert_eq!(hypervisor_name(&kvm), "kvm");
        assert_eq!(hypervisor_name("Microsoft Hv"), "hyperv");
        assert_eq!(hypervisor_name("NewHyperVisr"), "newhypervisr");
        assert_eq!(hypervisor_name("\0\0"), "unknown");
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn probe_reads_this_cpu() {
        let probe = probe();
        assert_ne!(probe.cpu.vendor, "unknown");
        assert!(probe.cpu.x86.is_some());
    }
}
