//! Compiler versions: `rustc -vV` and `<cc> --version`, with every failure reported as
//! `unknown`.

use std::ffi::OsString;
use std::process::{Command, Stdio};

use crate::cpu::clean_text;
use crate::fingerprint::{Toolchain, UNKNOWN};

impl Toolchain {
    /// A toolchain from the caller's strings; blank ones become `unknown`.
    #[must_use]
    pub fn new(rustc: &str, cc: &str, profile: &str) -> Self {
        Self {
            rustc: clean_text(rustc),
            cc: clean_text(cc),
            profile: clean_text(profile),
            flags: String::new(),
            harness: String::new(),
        }
    }

    /// Asks the compilers themselves: [`rustc_version`] and [`cc_version`] of `cc`, and the
    /// environment for extra flags ([`env_flags`]).
    #[must_use]
    pub fn detect(cc: &str, profile: &str) -> Self {
        Self {
            flags: env_flags(|name| std::env::var(name).ok()),
            ..Self::new(&rustc_version(), &cc_version(cc), profile)
        }
    }

    /// Every field `unknown`.
    #[must_use]
    pub fn unknown() -> Self {
        Self::new("", "", "")
    }
}

/// The variables that add compiler flags to a build, as `NAME=value` joined by `; `, in this
/// order; unset or blank ones are left out.
const FLAG_VARIABLES: [&str; 4] = ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CFLAGS", "CXXFLAGS"];

/// The extra compiler flags set in the environment (`lookup` reads a variable), e.g.
/// `RUSTFLAGS=-C target-cpu=native`; empty when none is set.
#[must_use]
pub fn env_flags(lookup: impl Fn(&str) -> Option<String>) -> String {
    FLAG_VARIABLES
        .iter()
        .filter_map(|name| {
            let value = lookup(name)?;
            // clean_text also turns CARGO_ENCODED_RUSTFLAGS' 0x1f separators into spaces.
            let value = clean_text(&value);
            (!value.is_empty() && value != UNKNOWN).then(|| format!("{name}={value}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The release line of `rustc -vV` plus its LLVM version, e.g.
/// `rustc 1.95.0 (59807616e 2026-04-14), LLVM 22.1.2`. Runs `$RUSTC` when set, else `rustc`.
/// `unknown` when it cannot be run or says nothing recognisable.
#[must_use]
pub fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| OsString::from("rustc"));
    run(Command::new(rustc).arg("-vV"))
        .and_then(|out| parse_rustc_verbose_version(&out))
        .unwrap_or_else(|| UNKNOWN.to_owned())
}

/// The first line of `<cc> --version`, e.g. `cc (Debian 12.2.0-14) 12.2.0`. `cc` may carry
/// leading arguments (`ccache gcc`). `unknown` when it cannot be run or prints nothing.
#[must_use]
pub fn cc_version(cc: &str) -> String {
    let mut words = cc.split_whitespace();
    let Some(program) = words.next() else {
        return UNKNOWN.to_owned();
    };
    run(Command::new(program).args(words).arg("--version"))
        .and_then(|out| first_line(&out))
        .unwrap_or_else(|| UNKNOWN.to_owned())
}

/// Stdout of a command that exited successfully.
pub(crate) fn run(command: &mut Command) -> Option<String> {
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `rustc 1.95.0 (…)` from `rustc -vV` output, with `, LLVM x.y.z` appended when listed.
fn parse_rustc_verbose_version(text: &str) -> Option<String> {
    let release = first_line(text).filter(|line| line.starts_with("rustc "))?;
    let llvm = text.lines().find_map(|line| {
        line.strip_prefix("LLVM version:")
            .map(str::trim)
            .filter(|v| !v.is_empty())
    });
    Some(match llvm {
        Some(llvm) => format!("{release}, LLVM {llvm}"),
        None => release,
    })
}

/// The first non-blank line, whitespace-normalized.
fn first_line(text: &str) -> Option<String> {
    text.lines().map(clean_text).find(|line| line != UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_flags_lists_the_set_variables_in_order() {
        let env = |name: &str| match name {
            "CFLAGS" => Some("-O2   -g".to_owned()),
            "RUSTFLAGS" => Some("-C target-cpu=native".to_owned()),
            "CXXFLAGS" => Some("  ".to_owned()),
            _ => None,
        };
        assert_eq!(
            env_flags(env),
            "RUSTFLAGS=-C target-cpu=native; CFLAGS=-O2 -g"
        );
        assert_eq!(env_flags(|_| None), "");
        let encoded = |name: &str| {
            (name == "CARGO_ENCODED_RUSTFLAGS").then(|| "-C\u{1f}opt-level=2".to_owned())
        };
        assert_eq!(env_flags(encoded), "CARGO_ENCODED_RUSTFLAGS=-C opt-level=2");
    }

    const RUSTC_VV: &str = "rustc 1.95.0 (59807616e 2026-04-14)
binary: rustc
commit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860
commit-date: 2026-04-14
host: x86_64-unknown-linux-gnu
release: 1.95.0
LLVM version: 22.1.2
";

    #[test]
    fn rustc_output() {
        assert_eq!(
            parse_rustc_verbose_version(RUSTC_VV).as_deref(),
            Some("rustc 1.95.0 (59807616e 2026-04-14), LLVM 22.1.2")
        );
        assert_eq!(
            parse_rustc_verbose_version("rustc 1.85.0 (4d91de4e4 2025-02-17)\n").as_deref(),
            Some("rustc 1.85.0 (4d91de4e4 2025-02-17)")
        );
        assert_eq!(parse_rustc_verbose_version("error: no such command"), None);
        assert_eq!(parse_rustc_verbose_version(""), None);
    }

    #[test]
    fn cc_output() {
        let gcc = "\ncc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.\n";
        assert_eq!(
            first_line(gcc).as_deref(),
            Some("cc (Debian 12.2.0-14+deb12u1) 12.2.0")
        );
        assert_eq!(first_line(" \n\t\n"), None);
    }

    #[test]
    fn missing_compilers_are_unknown() {
        assert_eq!(cc_version("/nonexistent/perfmatrix-no-such-cc"), UNKNOWN);
        assert_eq!(cc_version("   "), UNKNOWN);
        let toolchain = Toolchain::new(" ", "gcc 12", "\tbench ");
        assert_eq!(toolchain.rustc, UNKNOWN);
        assert_eq!(toolchain.cc, "gcc 12");
        assert_eq!(toolchain.profile, "bench");
    }
}
