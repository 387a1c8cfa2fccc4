//! Readable, filename-safe machine slugs such as `amd-epyc-7763-avx2-4c`.

use crate::fingerprint::{Cpu, Fingerprint, UNKNOWN};

/// Longest slug produced.
pub(crate) const MAX_SLUG_LEN: usize = 64;
/// The CPU part of the slug when neither brand nor vendor says anything.
const UNKNOWN_CPU: &str = "unknown-cpu";

impl Fingerprint {
    /// A short readable name for the machine, for file and directory names:
    /// the CPU brand without marketing noise, `f{family}m{model}` when the brand has no model
    /// number, the best kernel-relevant SIMD feature, `{logical}c`, and `qemu` (or the
    /// emulator's name) for emulated runs. Only `[a-z0-9-]`, no leading, trailing or doubled
    /// dashes, at most 64 characters, never empty.
    ///
    /// The slug is for people; two machines may share one. Use
    /// [`ComparabilityKey::id`](crate::ComparabilityKey::id) to decide comparability.
    #[must_use]
    pub fn slug(&self) -> String {
        slug_from(
            &self.cpu,
            &self.simd_features,
            self.cores.logical,
            self.environment.emulated.as_deref(),
        )
    }
}

pub(crate) fn slug_from(
    cpu: &Cpu,
    simd_features: &[String],
    logical_cores: u32,
    emulated: Option<&str>,
) -> String {
    let mut words = brand_words(&cpu.brand);
    if words.is_empty() {
        words = vendor_words(&cpu.vendor);
    }
    if words.is_empty() {
        words = vec![UNKNOWN_CPU.to_owned()];
    }

    let mut suffix = Vec::new();
    if let Some(id) = cpu.x86
        && !words.iter().any(|w| w.bytes().any(|b| b.is_ascii_digit()))
    {
        suffix.push(format!("f{}m{}", id.family, id.model));
    }
    if let Some(feature) = best_simd(simd_features) {
        suffix.push(feature.to_owned());
    }
    suffix.push(format!("{logical_cores}c"));
    if let Some(name) = emulated {
        let mut tag = if name.to_ascii_lowercase().contains("qemu") {
            "qemu".to_owned()
        } else {
            sanitize(name)
        };
        tag.truncate(12);
        let tag = tag.trim_matches('-');
        let tag = if tag.is_empty() { "emu" } else { tag };
        if !words.iter().any(|w| w.split('-').any(|part| part == tag)) {
            suffix.push(tag.to_owned());
        }
    }

    let suffix = suffix.join("-");
    let mut base = words.join("-");
    base.truncate(MAX_SLUG_LEN.saturating_sub(suffix.len() + 1));
    let base = base.trim_end_matches('-');
    let slug = sanitize(&format!("{base}-{suffix}"));
    if slug.is_empty() {
        UNKNOWN_CPU.to_owned()
    } else {
        slug
    }
}

/// The brand's meaningful words, sanitized: drops `(R)`, `(TM)`, `CPU`, `Processor`,
/// `64-Core`, the clock after `@`, `… with Radeon Graphics`.
fn brand_words(brand: &str) -> Vec<String> {
    let brand = brand.trim();
    if brand.eq_ignore_ascii_case(UNKNOWN) {
        return Vec::new();
    }
    let mut text = brand.to_lowercase();
    for cut in ["@", " with "] {
        if let Some(at) = text.find(cut) {
            text.truncate(at);
        }
    }
    for noise in ["(r)", "(tm)", "(c)", "®", "™"] {
        text = text.replace(noise, " ");
    }
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | '/'))
        .filter(|word| !is_noise(word))
        .map(sanitize)
        .filter(|word| !word.is_empty())
        .collect()
}

fn is_noise(word: &str) -> bool {
    let is_clock = (word.ends_with("ghz") || word.ends_with("mhz"))
        && word[..word.len() - 3]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.');
    matches!(word, "cpu" | "processor" | "") || word.ends_with("-core") || is_clock
}

/// Short vendor names for the x86 vendor strings; other vendors sanitized as they are.
fn vendor_words(vendor: &str) -> Vec<String> {
    let name = match vendor.trim() {
        "GenuineIntel" => "intel",
        "AuthenticAMD" => "amd",
        "HygonGenuine" => "hygon",
        v if v.eq_ignore_ascii_case(UNKNOWN) => "",
        v => v,
    };
    let word = sanitize(name);
    if word.is_empty() {
        Vec::new()
    } else {
        vec![word]
    }
}

/// The most capable kernel-relevant feature, as a slug word.
fn best_simd(features: &[String]) -> Option<&'static str> {
    const RANKED: [(&str, &str); 6] = [
        ("avx512f", "avx512"),
        ("avx2", "avx2"),
        ("avx", "avx"),
        ("sse4.2", "sse42"),
        ("sve", "sve"),
        ("neon", "neon"),
    ];
    RANKED
        .iter()
        .find(|(name, _)| features.iter().any(|f| f == name))
        .map(|(_, word)| *word)
}

/// Lowercase ASCII letters and digits; runs of anything else become one `-`; no dash at the
/// ends. `.` between digits is dropped (`sse4.2` → `sse42`) rather than dashed.
fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if c != '.' && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fingerprint::X86Id;
    use crate::key::tests::sample;

    fn cpu(vendor: &str, brand: &str, x86: Option<X86Id>) -> Cpu {
        Cpu {
            vendor: vendor.into(),
            brand: brand.into(),
            x86,
            arm: None,
        }
    }

    fn features(list: &[&str]) -> Vec<String> {
        list.iter().map(|&s| s.to_owned()).collect()
    }

    fn is_filename_safe(slug: &str) -> bool {
        !slug.is_empty()
            && slug.len() <= MAX_SLUG_LEN
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--")
    }

    const ZEN3: Option<X86Id> = Some(X86Id {
        family: 25,
        model: 1,
        stepping: 1,
    });

    #[test]
    fn readable_slugs() {
        assert_eq!(sample().slug(), "amd-epyc-7763-avx2-4c");
        let avx2 = features(&["sse4.2", "avx", "avx2", "fma"]);
        let cases = [
            (
                cpu(
                    "GenuineIntel",
                    "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz",
                    None,
                ),
                "intel-xeon-platinum-8370c-avx2-4c",
            ),
            (
                cpu(
                    "GenuineIntel",
                    "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz",
                    None,
                ),
                "intel-core-i7-8700-avx2-4c",
            ),
            (
                cpu(
                    "AuthenticAMD",
                    "AMD Ryzen 7 5800H with Radeon Graphics",
                    None,
                ),
                "amd-ryzen-7-5800h-avx2-4c",
            ),
            (
                cpu("AuthenticAMD", "AMD EPYC", ZEN3),
                "amd-epyc-f25m1-avx2-4c",
            ),
            (cpu("AuthenticAMD", "unknown", ZEN3), "amd-f25m1-avx2-4c"),
            (cpu("unknown", "unknown", None), "unknown-cpu-avx2-4c"),
        ];
        for (cpu, expected) in cases {
            assert_eq!(slug_from(&cpu, &avx2, 4, None), expected, "{}", cpu.brand);
        }
    }

    #[test]
    fn arm_and_emulated_slugs() {
        let n1 = crate::arm::cpu_from_id(crate::arm::parse_midr("0x413fd0c1").unwrap());
        assert_eq!(
            slug_from(&n1, &features(&["neon"]), 2, None),
            "arm-neoverse-n1-neon-2c"
        );
        let host = cpu("AuthenticAMD", "AMD EPYC 7763 64-Core Processor", ZEN3);
        assert_eq!(
            slug_from(&host, &features(&["neon", "sve"]), 4, Some("qemu-user")),
            "amd-epyc-7763-sve-4c-qemu"
        );
        let qemu_max = crate::arm::cpu_from_id(crate::arm::parse_midr("0x000f0510").unwrap());
        assert_eq!(
            slug_from(&qemu_max, &features(&["neon", "sve"]), 4, Some("qemu")),
            "qemu-max-sve-4c"
        );
        assert_eq!(
            slug_from(&host, &[], 1, Some("Box64")),
            "amd-epyc-7763-1c-box64"
        );
    }

    #[test]
    fn long_brands_are_cut_to_64() {
        let long = cpu("x", &"Very Long Brand Name ".repeat(10), ZEN3);
        let slug = slug_from(
            &long,
            &features(&["avx512f"]),
            u32::MAX,
            Some("an-emulator-with-a-long-name"),
        );
        assert!(is_filename_safe(&slug), "{slug}");
        assert!(
            slug.ends_with("-f25m1-avx512-4294967295c-an-emulator"),
            "{slug}"
        );
    }

    proptest! {
        #[test]
        fn any_brand_gives_a_filename_safe_slug(
            brand in "\\PC{0,100}",
            vendor in "\\PC{0,20}",
            logical in any::<u32>(),
            emulated in proptest::option::of("\\PC{0,20}"),
            family in any::<u32>(),
            model in any::<u32>(),
        ) {
            let cpu = Cpu {
                vendor,
                brand,
                x86: Some(X86Id { family, model, stepping: 0 }),
                arm: None,
            };
            let slug = slug_from(&cpu, &features(&["neon"]), logical, emulated.as_deref());
            prop_assert!(is_filename_safe(&slug), "{:?}", slug);
        }

        #[test]
        fn any_brand_alone_gives_a_filename_safe_slug(brand in any::<String>()) {
            let slug = slug_from(&cpu("", &brand, None), &[], 0, None);
            prop_assert!(is_filename_safe(&slug), "{:?}", slug);
        }
    }
}
