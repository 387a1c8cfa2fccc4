//! Renders the real histories of `docs/history-replay/` (docs/history.md, "A real history") as
//! the dashboard, the Markdown summary and the badges, byte for byte (`tests/snapshots/`): a
//! change to what a reader sees shows as a diff to review (`cargo insta review`).

use std::fmt::Write as _;
use std::path::Path;

use perfmatrix_history::{History, analyse};
use perfmatrix_report::{
    HistoryOptions, render_badge, render_history_html, render_history_markdown,
};

#[test]
fn the_replayed_histories_render_as_their_snapshots() {
    for kind in ["committed", "paired"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/history-replay")
            .join(kind);
        let trend = analyse(History::read_dir(&dir).unwrap());
        let mut out = String::new();
        out.push_str("===== markdown\n");
        out.push_str(&render_history_markdown(&trend, 10).unwrap());
        for page in render_history_html(&trend, &HistoryOptions::default()).unwrap() {
            write!(out, "\n===== {}\n{}", page.file_name, page.html).unwrap();
        }
        for platform in &trend.platforms {
            write!(
                out,
                "\n===== badge of {}\n{}",
                platform.platform,
                render_badge(platform)
            )
            .unwrap();
        }
        insta::assert_snapshot!(format!("history_{kind}"), out);
    }
}
