//! Runtime dispatch: which instruction-set variant of the kernels this CPU can run.

use std::fmt;
use std::str::FromStr;

use crate::KernelError;

/// Environment variable that forces a variant (`portable`, `avx2-fma`, `neon`) or `auto`.
pub const VARIANT_ENV: &str = "PERFMATRIX_KERNEL_VARIANT";

/// An implementation of all three kernels for one instruction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// Scalar C11, compiled with the target's baseline flags; runs everywhere.
    Portable,
    /// x86_64 with AVX2 and FMA, detected at run time.
    Avx2Fma,
    /// aarch64 Advanced SIMD (always present on aarch64).
    Neon,
}

impl Variant {
    /// Every variant, in order of preference (best last).
    pub const ALL: [Variant; 3] = [Variant::Portable, Variant::Avx2Fma, Variant::Neon];

    /// The stable name used in fingerprints, results files and `PERFMATRIX_KERNEL_VARIANT`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Variant::Portable => "portable",
            Variant::Avx2Fma => "avx2-fma",
            Variant::Neon => "neon",
        }
    }

    /// Whether this build contains the variant and the running CPU supports it.
    #[must_use]
    pub fn is_supported(self) -> bool {
        match self {
            Variant::Portable => true,
            Variant::Avx2Fma => avx2_supported(),
            Variant::Neon => neon_supported(),
        }
    }

    /// The variants this CPU can run, portable first.
    #[must_use]
    pub fn available() -> Vec<Variant> {
        Self::ALL.into_iter().filter(|v| v.is_supported()).collect()
    }

    /// The fastest variant this CPU supports.
    #[must_use]
    pub fn best() -> Variant {
        Self::available().pop().unwrap_or(Variant::Portable)
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Variant {
    type Err = KernelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| KernelError::UnknownVariant(s.to_owned()))
    }
}

#[cfg(perfmatrix_avx2)]
fn avx2_supported() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

#[cfg(not(perfmatrix_avx2))]
fn avx2_supported() -> bool {
    false
}

#[cfg(perfmatrix_neon)]
fn neon_supported() -> bool {
    std::arch::is_aarch64_feature_detected!("neon")
}

#[cfg(not(perfmatrix_neon))]
fn neon_supported() -> bool {
    false
}

/// Parses the value of [`VARIANT_ENV`]: empty or `auto` means the best supported variant.
pub(crate) fn choose(requested: Option<&str>) -> Result<Variant, KernelError> {
    match requested.map(str::trim) {
        None | Some("" | "auto") => Ok(Variant::best()),
        Some(name) => {
            let variant: Variant = name.parse()?;
            if variant.is_supported() {
                Ok(variant)
            } else {
                Err(KernelError::UnsupportedVariant(variant))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in Variant::ALL {
            assert_eq!(v.name().parse::<Variant>(), Ok(v));
        }
        assert!(
            matches!("sse9".parse::<Variant>(), Err(KernelError::UnknownVariant(s)) if s == "sse9")
        );
    }

    #[test]
    fn choose_honours_auto_and_portable() {
        assert_eq!(choose(None), Ok(Variant::best()));
        assert_eq!(choose(Some("auto")), Ok(Variant::best()));
        assert_eq!(choose(Some(" portable ")), Ok(Variant::Portable));
        assert!(choose(Some("bogus")).is_err());
    }

    #[test]
    fn unsupported_variant_is_refused() {
        for v in Variant::ALL.into_iter().filter(|v| !v.is_supported()) {
            assert_eq!(
                choose(Some(v.name())),
                Err(KernelError::UnsupportedVariant(v))
            );
        }
    }

    #[test]
    fn this_machine_has_a_simd_variant() {
        // The project's machines (x86_64 with AVX2, aarch64) all have one; if this fails the SIMD
        // code is silently untested, which is worse than a red test.
        if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
            assert!(
                Variant::available().len() >= 2,
                "{:?}",
                Variant::available()
            );
        }
    }
}
