//! Emulation and virtualization detection, as pure functions of what the process can read.
//!
//! qemu-user runs a foreign binary on the host's kernel, so files the kernel generates describe
//! the host: before QEMU 8.1, `/proc/cpuinfo` is the host's (an aarch64 process sees
//! `vendor_id : AuthenticAMD`); from 8.1 QEMU fakes `/proc/cpuinfo` for arm guests, but
//! `/sys/devices/system/cpu/modalias` still says `cpu:type:x86`. Either mismatch with the
//! architecture this process was compiled for means the process is emulated.

use crate::cpu::{arch_family, parse_cpuinfo};

/// Where the kernel exposes the CPU's modalias (`cpu:type:x86,…` or `cpu:type:aarch64:…`).
pub(crate) const CPU_MODALIAS_PATH: &str = "/sys/devices/system/cpu/modalias";
/// Where Xen (and some other hypervisors) announce themselves.
pub(crate) const SYS_HYPERVISOR_TYPE_PATH: &str = "/sys/hypervisor/type";

/// Decides whether the benchmarks ran under an emulator.
///
/// * `process_arch`: the architecture this code was compiled for (`std::env::consts::ARCH`);
/// * `cpuinfo`, `cpu_modalias`: the texts of `/proc/cpuinfo` and
///   `/sys/devices/system/cpu/modalias` as this process reads them (empty when unreadable);
/// * `hint`: the runner the caller used, if any (`qemu-aarch64`, `/usr/bin/qemu-aarch64-static
///   -L /usr/aarch64-linux-gnu`, …). A hint wins over detection.
///
/// Returns `qemu-user` for a foreign-architecture process on an x86 host (or a qemu runner
/// hint), `qemu` for QEMU's `max` CPU model (a full-system TCG guest), `user-mode` for other
/// foreign-architecture hosts, the runner's program name for other hints, and `None` for a
/// native run.
#[must_use]
pub fn detect_emulation(
    process_arch: &str,
    cpuinfo: &str,
    cpu_modalias: &str,
    hint: Option<&str>,
) -> Option<String> {
    if let Some(name) = hint.and_then(normalize_emulator) {
        return Some(name);
    }
    let process = arch_family(process_arch);
    let facts = parse_cpuinfo(cpuinfo);
    let hosts = [facts.arch_family, modalias_arch_family(cpu_modalias)];
    if let Some(host) = hosts.into_iter().flatten().find(|host| *host != process) {
        return Some(
            if host == "x86" {
                "qemu-user"
            } else {
                "user-mode"
            }
            .to_owned(),
        );
    }
    // Implementer 0 is reserved for software; QEMU's `max` CPU reports it (with part 'Q').
    if process == "arm" && facts.cpu.arm.is_some_and(|id| id.implementer == 0) {
        return Some("qemu".to_owned());
    }
    None
}

/// Normalizes a runner command to an emulator name: any `qemu-<arch>` program (with or without
/// a path, `-static` suffix or arguments) is `qemu-user`; any other program is its lowercase
/// file name. Empty → `None`.
#[must_use]
pub fn normalize_emulator(hint: &str) -> Option<String> {
    let program = hint.split_whitespace().next()?;
    let name = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(program)
        .to_ascii_lowercase();
    if name.is_empty() {
        None
    } else if name.starts_with("qemu-") && !name.starts_with("qemu-system") {
        Some("qemu-user".to_owned())
    } else {
        Some(name)
    }
}

/// The architecture family a CPU modalias names: `cpu:type:x86,ven…` → `x86`,
/// `cpu:type:aarch64:feature:…` → `arm`.
fn modalias_arch_family(modalias: &str) -> Option<&'static str> {
    let rest = modalias.trim().strip_prefix("cpu:type:")?;
    let arch = rest.split([',', ':']).next()?;
    match arch_family(arch) {
        "x86" => Some("x86"),
        "arm" => Some("arm"),
        _ => None,
    }
}

/// The hypervisor under the OS: CPUID's vendor leaf on x86 (`cpuid_hypervisor`), else
/// `/sys/hypervisor/type`, else `unknown` when `/proc/cpuinfo` has the `hypervisor` flag.
pub(crate) fn detect_virtualization(
    cpuid_hypervisor: Option<&str>,
    sys_hypervisor_type: &str,
    cpuinfo_hypervisor_flag: bool,
) -> Option<String> {
    if let Some(name) = cpuid_hypervisor {
        return Some(name.to_owned());
    }
    let sys = sys_hypervisor_type.trim().to_ascii_lowercase();
    if !sys.is_empty() && sys.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Some(sys);
    }
    cpuinfo_hypervisor_flag.then(|| crate::fingerprint::UNKNOWN.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::tests::{ARM_CPUINFO, X86_CPUINFO};

    const X86_MODALIAS: &str = "cpu:type:x86,ven0002fam0019mod0001:feature:,0000,0001,0002\n";
    const ARM_MODALIAS: &str = "cpu:type:aarch64:feature:,0000,0001,0002,0003\n";
    /// What QEMU 8.1+ shows an aarch64 guest (`-cpu max`) instead of the host's cpuinfo.
    const QEMU_MAX_CPUINFO: &str = "processor\t: 0\nBogoMIPS\t: 100.00\n\
        Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics sve\n\
        CPU implementer\t: 0x00\nCPU architecture: 8\nCPU variant\t: 0x0\n\
        CPU part\t: 0x051\nCPU revision\t: 0\n";

    #[test]
    fn native_runs_are_not_emulated() {
        assert_eq!(
            detect_emulation("x86_64", X86_CPUINFO, X86_MODALIAS, None),
            None
        );
        assert_eq!(
            detect_emulation("aarch64", ARM_CPUINFO, ARM_MODALIAS, None),
            None
        );
        assert_eq!(detect_emulation("aarch64", ARM_CPUINFO, "", None), None);
        // A 32-bit x86 build on an x86_64 CPU is native.
        assert_eq!(
            detect_emulation("x86", X86_CPUINFO, X86_MODALIAS, None),
            None
        );
    }

    #[test]
    fn aarch64_process_seeing_x86_host_is_qemu_user() {
        // QEMU before 8.1 passes the host's /proc/cpuinfo through.
        assert_eq!(
            detect_emulation("aarch64", X86_CPUINFO, "", None).as_deref(),
            Some("qemu-user")
        );
        // QEMU 8.1+ fakes /proc/cpuinfo, but sysfs is still the host's.
        assert_eq!(
            detect_emulation("aarch64", QEMU_MAX_CPUINFO, X86_MODALIAS, None).as_deref(),
            Some("qemu-user")
        );
        // Without sysfs, QEMU's software implementer still gives it away.
        assert_eq!(
            detect_emulation("aarch64", QEMU_MAX_CPUINFO, "", None).as_deref(),
            Some("qemu")
        );
        assert_eq!(
            detect_emulation("x86_64", ARM_CPUINFO, "", None).as_deref(),
            Some("user-mode")
        );
    }

    #[test]
    fn hints_win_and_are_normalized() {
        assert_eq!(
            detect_emulation("aarch64", ARM_CPUINFO, "", Some("qemu-aarch64")).as_deref(),
            Some("qemu-user")
        );
        assert_eq!(
            normalize_emulator("/usr/bin/qemu-aarch64-static -L /usr/aarch64-linux-gnu").as_deref(),
            Some("qemu-user")
        );
        assert_eq!(normalize_emulator("Box64").as_deref(), Some("box64"));
        assert_eq!(normalize_emulator("  "), None);
        assert_eq!(normalize_emulator(""), None);
        assert_eq!(
            detect_emulation("x86_64", X86_CPUINFO, "", Some("")).as_deref(),
            None
        );
    }

    #[test]
    fn unreadable_sources_mean_native() {
        assert_eq!(detect_emulation("aarch64", "", "", None), None);
        assert_eq!(
            detect_emulation("x86_64", "\u{0}garbage", "cpu:type", None),
            None
        );
    }

    #[test]
    fn virtualization_sources() {
        assert_eq!(
            detect_virtualization(Some("kvm"), "xen", true).as_deref(),
            Some("kvm")
        );
        assert_eq!(
            detect_virtualization(None, "xen\n", false).as_deref(),
            Some("xen")
        );
        assert_eq!(
            detect_virtualization(None, "", true).as_deref(),
            Some("unknown")
        );
        assert_eq!(detect_virtualization(None, "\u{0}?", false), None);
    }
}
