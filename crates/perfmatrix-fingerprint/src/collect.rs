//! Collecting the [`Machine`] part of a fingerprint on the running machine: the thin layer that
//! reads system files, runs CPUID and sysinfo, and hands the texts to the pure parsers.

use std::collections::BTreeMap;

use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

use crate::FingerprintError;
use crate::cpu::{self, CpuinfoFacts, arch_family, clean_text, parse_cpuinfo};
use crate::emulation::{self, detect_emulation, detect_virtualization};
use crate::fingerprint::{Cores, Cpu, Environment, Machine, TargetTriple, validate_dispatch};

impl Machine {
    /// The machine as a benchmark process for `target` sees it, with the `dispatch` facts the
    /// benchmarked code reports and the runner the process went through (`qemu-aarch64`), if
    /// any (see [`normalize_emulator`](crate::normalize_emulator)).
    ///
    /// CPU facts come from this process: CPUID on x86_64; sysfs `midr_el1`, else `/proc/cpuinfo`,
    /// elsewhere. SIMD features are detected in-process when `target` has this process's
    /// architecture, and left empty otherwise (a process on an x86_64 host cannot see an
    /// emulated aarch64 CPU's features). Unreadable sources give `unknown` / `None`; only invalid
    /// inputs (a target that is no triple, a blank dispatch name) are errors.
    pub fn collect(
        target: &str,
        dispatch: BTreeMap<String, String>,
        emulator: Option<&str>,
    ) -> Result<Self, FingerprintError> {
        let target = TargetTriple::parse(target)?;
        validate_dispatch(&dispatch)?;

        let cpuinfo_text = read_text("/proc/cpuinfo");
        let cpuinfo = parse_cpuinfo(&cpuinfo_text);
        let (cpu, cpuid_hypervisor) = probe_cpu(&cpuinfo);
        let process_arch = std::env::consts::ARCH;
        let simd_features = if arch_family(target.arch()) == arch_family(process_arch) {
            cpu::detect_simd_features()
        } else {
            Vec::new()
        };
        let (cores, memory_bytes) = cores_and_memory();
        let environment = Environment {
            emulated: detect_emulation(
                process_arch,
                &cpuinfo_text,
                &read_text(emulation::CPU_MODALIAS_PATH),
                emulator,
            ),
            virtualized: detect_virtualization(
                cpuid_hypervisor.as_deref(),
                &read_text(emulation::SYS_HYPERVISOR_TYPE_PATH),
                cpuinfo.hypervisor_flag,
            ),
        };
        Ok(Self {
            target,
            os: os_description(),
            cpu,
            cores,
            simd_features,
            dispatch,
            memory_bytes,
            environment,
        })
    }
}

/// A whole file as text; empty when it cannot be read.
fn read_text(path: &str) -> String {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// CPUID, with `/proc/cpuinfo` filling any field CPUID left unknown.
#[cfg(target_arch = "x86_64")]
fn probe_cpu(cpuinfo: &CpuinfoFacts) -> (Cpu, Option<String>) {
    use crate::fingerprint::UNKNOWN;

    let probe = crate::x86::probe();
    let mut cpu = probe.cpu;
    if cpu.vendor == UNKNOWN {
        cpu.vendor.clone_from(&cpuinfo.cpu.vendor);
    }
    if cpu.brand == UNKNOWN {
        cpu.brand.clone_from(&cpuinfo.cpu.brand);
    }
    if cpu.x86.is_none() {
        cpu.x86 = cpuinfo.cpu.x86;
    }
    (cpu, probe.hypervisor)
}

/// cpu0's MIDR from sysfs when readable (arm64 Linux), else what `/proc/cpuinfo` says (under
/// qemu-user that is the host's or QEMU's description).
#[cfg(not(target_arch = "x86_64"))]
fn probe_cpu(cpuinfo: &CpuinfoFacts) -> (Cpu, Option<String>) {
    use crate::arm;

    let cpu = arm::parse_midr(&read_text(arm::MIDR_PATH))
        .map_or_else(|| cpuinfo.cpu.clone(), arm::cpu_from_id);
    (cpu, None)
}

/// Logical and physical cores and total RAM from sysinfo.
fn cores_and_memory() -> (Cores, Option<u64>) {
    let system = System::new_with_specifics(
        RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(MemoryRefreshKind::nothing().with_ram()),
    );
    let logical = u32::try_from(system.cpus().len())
        .ok()
        .filter(|&n| n > 0)
        .or_else(|| {
            std::thread::available_parallelism()
                .ok()
                .and_then(|n| u32::try_from(n.get()).ok())
        })
        // The process runs, so there is at least one.
        .unwrap_or(1);
    let physical = System::physical_core_count()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0);
    let memory = Some(system.total_memory()).filter(|&bytes| bytes > 0);
    (Cores { logical, physical }, memory)
}

/// `Debian GNU/Linux 12 (bookworm); kernel 6.8.0`, from sysinfo.
fn os_description() -> String {
    let name = System::long_os_version().or_else(System::name);
    let kernel = System::kernel_version();
    let text = match (name, kernel) {
        (Some(name), Some(kernel)) => format!("{name}; kernel {kernel}"),
        (Some(name), None) => name,
        (None, Some(kernel)) => format!("kernel {kernel}"),
        (None, None) => String::new(),
    };
    clean_text(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_inputs_name_the_field() {
        let err = Machine::collect("not a triple", BTreeMap::new(), None).unwrap_err();
        assert!(
            matches!(
                &err,
                FingerprintError::InvalidTarget {
                    field: "target",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("`target`"), "{err}");

        let dispatch = [("cosine".to_owned(), String::new())].into();
        let err = Machine::collect("x86_64-unknown-linux-gnu", dispatch, None).unwrap_err();
        assert!(err.to_string().contains("dispatch.cosine"), "{err}");
    }

    #[test]
    fn unreadable_files_are_empty() {
        assert_eq!(read_text("/nonexistent/perfmatrix/cpuinfo"), "");
    }
}
