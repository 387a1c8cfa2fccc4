//! The cross tools a Linux target needs on a Debian host: the names of its C compiler, its
//! emulator and the packages that install them, defined once for the rehearsal that looks for
//! them, the fingerprint that names the compiler and the words that say what to install.

use crate::TargetTriple;

/// The Debian package that installs every `qemu-<arch>` user-mode emulator.
pub const EMULATOR_PACKAGE: &str = "qemu-user";

/// The cross tools of one target triple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossTools<'a> {
    /// The triple's architecture as GNU names it (`riscv64gc` is `riscv64`).
    gnu: &'a str,
}

impl<'a> CrossTools<'a> {
    /// The tools of `triple`, named after its architecture as GNU, qemu and Debian spell it.
    #[must_use]
    pub fn of(triple: &'a TargetTriple) -> Self {
        let arch = triple.arch();
        // Rust names RISC-V by its extensions (`riscv64gc`); GNU by its width.
        let gnu = if arch.starts_with("riscv64") {
            "riscv64"
        } else {
            arch
        };
        Self { gnu }
    }

    /// The cross C compiler (`aarch64-linux-gnu-gcc`).
    #[must_use]
    pub fn compiler(&self) -> String {
        format!("{}-linux-gnu-gcc", self.gnu)
    }

    /// The user-mode emulator (`qemu-aarch64`; qemu's own names for x86 and POWER).
    #[must_use]
    pub fn emulator(&self) -> String {
        let qemu = match self.gnu {
            "i586" | "i686" => "i386",
            "powerpc64le" => "ppc64le",
            "powerpc64" => "ppc64",
            "powerpc" => "ppc",
            other => other,
        };
        format!("qemu-{qemu}")
    }

    /// Where the target's C library lives, which the emulator is pointed at (`-L`).
    #[must_use]
    pub fn sysroot(&self) -> String {
        format!("/usr/{}-linux-gnu", self.gnu)
    }

    /// The Debian packages of the compiler and its C library (`gcc-aarch64-linux-gnu`,
    /// `libc6-dev-arm64-cross`): Debian spells x86_64 with a dash in the first, and names
    /// architectures its own way in the second.
    #[must_use]
    pub fn compiler_packages(&self) -> [String; 2] {
        let debian = match self.gnu {
            "aarch64" => "arm64",
            "x86_64" => "amd64",
            "i586" | "i686" => "i386",
            "powerpc64le" => "ppc64el",
            "powerpc64" => "ppc64",
            "powerpc" => "powerpc",
            other => other,
        };
        [
            format!("gcc-{}-linux-gnu", self.gnu.replace('_', "-")),
            format!("libc6-dev-{debian}-cross"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_are_named_after_the_architecture() {
        let arm = TargetTriple::parse("aarch64-unknown-linux-gnu").unwrap();
        let tools = CrossTools::of(&arm);
        assert_eq!(tools.compiler(), "aarch64-linux-gnu-gcc");
        assert_eq!(tools.emulator(), "qemu-aarch64");
        assert_eq!(tools.sysroot(), "/usr/aarch64-linux-gnu");
        assert_eq!(
            tools.compiler_packages(),
            ["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"]
        );
        let x86 = TargetTriple::parse("x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(
            CrossTools::of(&x86).compiler_packages(),
            ["gcc-x86-64-linux-gnu", "libc6-dev-amd64-cross"]
        );
    }

    /// Rust's RISC-V and POWER names are not GNU's, qemu's or Debian's (before: the rehearsal
    /// looked for `riscv64gc-linux-gnu-gcc` and `qemu-riscv64gc`, which no package installs).
    #[test]
    fn risc_v_and_power_take_their_tools_own_names() {
        let riscv = TargetTriple::parse("riscv64gc-unknown-linux-gnu").unwrap();
        let tools = CrossTools::of(&riscv);
        assert_eq!(tools.compiler(), "riscv64-linux-gnu-gcc");
        assert_eq!(tools.emulator(), "qemu-riscv64");
        assert_eq!(tools.sysroot(), "/usr/riscv64-linux-gnu");
        assert_eq!(
            tools.compiler_packages(),
            ["gcc-riscv64-linux-gnu", "libc6-dev-riscv64-cross"]
        );
        let power = TargetTriple::parse("powerpc64le-unknown-linux-gnu").unwrap();
        let tools = CrossTools::of(&power);
        assert_eq!(tools.emulator(), "qemu-ppc64le");
        assert_eq!(
            tools.compiler_packages(),
            ["gcc-powerpc64le-linux-gnu", "libc6-dev-ppc64el-cross"]
        );
        let i686 = TargetTriple::parse("i686-unknown-linux-gnu").unwrap();
        assert_eq!(CrossTools::of(&i686).emulator(), "qemu-i386");
    }
}
