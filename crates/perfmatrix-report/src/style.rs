//! Whether the terminal table is coloured: the caller's decision, with the usual rule (stdout is
//! a terminal and `NO_COLOR` is unset or empty, per no-color.org) available as [`Style::detect`].

use std::io::IsTerminal;

/// How to render; only [`crate::Format::Table`] looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Colour the verdicts, the banner and the outcome with ANSI escape sequences.
    pub color: bool,
}

impl Style {
    /// Plain output, no escape sequences.
    #[must_use]
    pub fn plain() -> Self {
        Self { color: false }
    }

    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty ([`color_allowed`]).
    #[must_use]
    pub fn detect() -> Self {
        let no_color = std::env::var_os("NO_COLOR");
        // A value that is not UTF-8 is still "set and non-empty".
        let no_color = no_color.as_ref().map(|v| v.to_string_lossy());
        Self {
            color: color_allowed(std::io::stdout().is_terminal(), no_color.as_deref()),
        }
    }
}

/// The rule behind [`Style::detect`], without the environment: colour only on a terminal, and
/// only if `NO_COLOR` (its value, if set) is absent or empty.
#[must_use]
pub fn color_allowed(is_terminal: bool, no_color: Option<&str>) -> bool {
    is_terminal && no_color.is_none_or(str::is_empty)
}
