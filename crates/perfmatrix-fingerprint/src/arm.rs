//! ARM CPU identification: decoding MIDR_EL1 (from sysfs or `/proc/cpuinfo`) and naming the
//! implementer and core.

use crate::fingerprint::{ArmId, Cpu};

/// Where Linux exposes cpu0's MIDR_EL1 on arm64 (kernel 4.11 and later).
#[cfg(not(target_arch = "x86_64"))]
pub(crate) const MIDR_PATH: &str = "/sys/devices/system/cpu/cpu0/regs/identification/midr_el1";

/// Parses the sysfs `midr_el1` file (`0x00000000410fd0c1`). `None` when the text is not one hex
/// number.
#[must_use]
pub fn parse_midr(text: &str) -> Option<ArmId> {
    let text = text.trim();
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))?;
    u64::from_str_radix(hex, 16).ok().map(decode_midr)
}

/// Splits a MIDR_EL1 value into its fields (the architecture field, always 0xf, is dropped).
pub(crate) fn decode_midr(midr: u64) -> ArmId {
    let midr = (midr & 0xffff_ffff) as u32;
    ArmId {
        implementer: midr >> 24,
        variant: (midr >> 20) & 0xf,
        part: (midr >> 4) & 0xfff,
        revision: midr & 0xf,
    }
}

/// Vendor and brand for an ARM id: `ARM` / `ARM Neoverse-N1`; unlisted cores read
/// `ARM part 0xd99`, unlisted implementers `implementer 0x99`.
pub(crate) fn cpu_from_id(id: ArmId) -> Cpu {
    let vendor = implementer_name(id.implementer).map_or_else(
        || format!("implementer {:#04x}", id.implementer),
        str::to_owned,
    );
    let brand = match (id.implementer, part_name(id.implementer, id.part)) {
        // Implementer 0 is "reserved for software use"; QEMU's `max` CPU uses it with part 'Q'.
        (0x00, Some(name)) => name.to_owned(),
        (_, Some(name)) => format!("{vendor} {name}"),
        (_, None) => format!("{vendor} part {:#05x}", id.part),
    };
    Cpu {
        vendor,
        brand,
        x86: None,
        arm: Some(id),
    }
}

/// Implementer codes (MIDR bits 31:24), as listed in Linux's `arch/arm64/include/asm/cputype.h`.
fn implementer_name(implementer: u32) -> Option<&'static str> {
    Some(match implementer {
        0x00 => "software",
        0x41 => "ARM",
        0x42 => "Broadcom",
        0x43 => "Cavium",
        0x46 => "Fujitsu",
        0x48 => "HiSilicon",
        0x4e => "NVIDIA",
        0x50 => "APM",
        0x51 => "Qualcomm",
        0x61 => "Apple",
        0x6d => "Microsoft",
        0xc0 => "Ampere",
        _ => return None,
    })
}

/// Core names for the parts likely to run benchmarks (cloud servers, CI runners, dev boards).
fn part_name(implementer: u32, part: u32) -> Option<&'static str> {
    Some(match (implementer, part) {
        (0x00, 0x051) => "QEMU max",
        (0x41, 0xd03) => "Cortex-A53",
        (0x41, 0xd04) => "Cortex-A35",
        (0x41, 0xd05) => "Cortex-A55",
        (0x41, 0xd07) => "Cortex-A57",
        (0x41, 0xd08) => "Cortex-A72",
        (0x41, 0xd09) => "Cortex-A73",
        (0x41, 0xd0a) => "Cortex-A75",
        (0x41, 0xd0b) => "Cortex-A76",
        (0x41, 0xd0c) => "Neoverse-N1",
        (0x41, 0xd0d) => "Cortex-A77",
        (0x41, 0xd40) => "Neoverse-V1",
        (0x41, 0xd41) => "Cortex-A78",
        (0x41, 0xd44) => "Cortex-X1",
        (0x41, 0xd46) => "Cortex-A510",
        (0x41, 0xd47) => "Cortex-A710",
        (0x41, 0xd48) => "Cortex-X2",
        (0x41, 0xd49) => "Neoverse-N2",
        (0x41, 0xd4d) => "Cortex-A715",
        (0x41, 0xd4e) => "Cortex-X3",
        (0x41, 0xd4f) => "Neoverse-V2",
        (0x41, 0xd80) => "Cortex-A520",
        (0x41, 0xd81) => "Cortex-A720",
        (0x41, 0xd82) => "Cortex-X4",
        (0x41, 0xd84) => "Neoverse-V3",
        (0x41, 0xd87) => "Cortex-A725",
        (0x41, 0xd8e) => "Neoverse-N3",
        (0x42, 0x516) => "Vulcan",
        (0x43, 0x0af) => "ThunderX2",
        (0x46, 0x001) => "A64FX",
        (0x48, 0xd01) => "TaiShan-v110",
        (0x4e, 0x004) => "Carmel",
        (0x51, 0x001) => "Oryon-X1",
        (0x61, 0x022) => "M1-Icestorm",
        (0x61, 0x023) => "M1-Firestorm",
        (0x61, 0x032) => "M2-Blizzard",
        (0x61, 0x033) => "M2-Avalanche",
        (0x6d, 0xd49) => "Azure-Cobalt-100",
        (0xc0, 0xac3) => "AmpereOne",
        (0xc0, 0xac4) => "AmpereOne-A",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysfs_midr_of_neoverse_n1() {
        let id = parse_midr("0x00000000413fd0c1\n").unwrap();
        assert_eq!(
            id,
            ArmId {
                implementer: 0x41,
                part: 0xd0c,
                variant: 3,
                revision: 1
            }
        );
        let cpu = cpu_from_id(id);
        assert_eq!(cpu.vendor, "ARM");
        assert_eq!(cpu.brand, "ARM Neoverse-N1");
    }

    #[test]
    fn qemu_max_and_unlisted_parts() {
        // QEMU's `-cpu max`: implementer 0, architecture 0xf, part 'Q'.
        let qemu = cpu_from_id(decode_midr(0x000f_0510));
        assert_eq!(qemu.brand, "QEMU max");
        assert_eq!(qemu.vendor, "software");
        let unlisted = cpu_from_id(decode_midr(0x410f_d990));
        assert_eq!(unlisted.brand, "ARM part 0xd99");
        let stranger = cpu_from_id(decode_midr(0x990f_0120));
        assert_eq!(stranger.vendor, "implementer 0x99");
        assert_eq!(stranger.brand, "implementer 0x99 part 0x012");
        assert_eq!(
            cpu_from_id(decode_midr(0x6d0f_d490)).brand,
            "Microsoft Azure-Cobalt-100"
        );
    }

    #[test]
    fn unreadable_midr_is_none() {
        for text in [
            "",
            "garbage",
            "0x",
            "0xzz",
            "410fd0c1",
            "0x1ffffffffffffffff",
        ] {
            assert_eq!(parse_midr(text), None, "{text:?}");
        }
    }
}
