//! The history dashboard: the contexts of `templates/history_*.html.j2` and `history.md.j2`
//! built from a [`Trend`], every string passed through [`printable`] (and HTML-escaped by the
//! templates), every number formatted (see `units`), and the renderers of its pages, its
//! Markdown summary and its badges.
//!
//! Linear in the size of the trend (plus sorting the change points): a platform page lists every
//! benchmark in one table but charts at most [`HistoryOptions::max_charts`] of them, each
//! downsampled to a bounded number of points (`trend_chart`).

use minijinja::{Environment, Value, context};
use perfmatrix_history::{ChangePointFound, PlatformTrend, Series, Trend};
use perfmatrix_model::short_commit;
use rayon::prelude::*;
use serde::Serialize;

use crate::Style;
use crate::badge::{self, badge_svg};
use crate::budget::{MARKDOWN_LIMIT, hard_cut};
use crate::error::ReportError;
use crate::templates;
use crate::text::{EMPTY, printable, shorten};
use crate::trend_chart::{self, TrendChart, change_label, change_text, day, level};
use crate::units::{format_count, format_duration_ns, format_p};

const BASE: (&str, &str) = (
    "history_base.html.j2",
    include_str!("../templates/history_base.html.j2"),
);
const INDEX: (&str, &str) = (
    "history_index.html.j2",
    include_str!("../templates/history_index.html.j2"),
);
const PLATFORM: (&str, &str) = (
    "history_platform.html.j2",
    include_str!("../templates/history_platform.html.j2"),
);
const MARKDOWN: (&str, &str) = ("history.md.j2", include_str!("../templates/history.md.j2"));

/// The index page's file name.
pub const HISTORY_INDEX: &str = "index.html";

/// At most this many skipped lines are listed on the index (all are counted).
const SKIPPED_LISTED: usize = 20;

/// What the history pages show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryOptions {
    /// At most this many benchmarks are charted per platform page: those with change points
    /// first, then by id. The benchmark table lists every one.
    pub max_charts: usize,
    /// The index lists this many of the newest change points across all platforms.
    pub index_change_points: usize,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        Self {
            max_charts: 100,
            index_change_points: 100,
        }
    }
}

/// One page of the history dashboard: its file name (`index.html`, `<triple>.html`) and its
/// self-contained HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    /// The page's file name in the dashboard's folder (`index.html`, `<triple>.html`).
    pub file_name: String,
    /// The page's HTML, styles and charts included.
    pub html: String,
}

/// A change point as the tables show it.
#[derive(Debug, Serialize)]
struct ChangeRow {
    platform: String,
    /// Where its benchmark is on the platform's page (`x86_64….html#chart-3`).
    href: String,
    benchmark: String,
    signal: &'static str,
    change: String,
    /// `up` (slower, more instructions) or `down`.
    kind: &'static str,
    commit: String,
    day: String,
    before: String,
    after: String,
    p: String,
    /// A drift's last commit.
    until: Option<String>,
    /// What the other metric says of a time change point.
    reading: &'static str,
}

/// Time and instructions read together: a time step with the instructions unchanged may be the
/// machine (runs of a history are made at different times, possibly on different hosts) or the
/// same instructions executing differently (memory, branches, dependency chains); never proof
/// that the code is innocent.
fn reading(c: &ChangePointFound) -> &'static str {
    match c.instructions_moved {
        Some(false) => {
            "instructions unchanged: another machine, or the same instructions running differently"
        }
        Some(true) => "instructions changed too: the code",
        None => "",
    }
}

fn change_row(
    platform: &PlatformTrend,
    page: &str,
    anchor: &str,
    series: &Series,
    c: &ChangePointFound,
) -> ChangeRow {
    ChangeRow {
        platform: printable(&platform.platform),
        href: format!("{page}#{anchor}"),
        benchmark: printable(series.benchmark.as_str()),
        signal: c.signal.as_str(),
        change: change_text(c),
        kind: if c.change > 0.0 { "up" } else { "down" },
        commit: printable(short_commit(&c.commit)),
        day: day(&c.date),
        before: level(c.signal, c.before),
        after: level(c.signal, c.after),
        p: c.p_value.map_or_else(|| EMPTY.to_owned(), format_p),
        until: c
            .until
            .and_then(|u| series.points.get(u))
            .and_then(|p| platform.runs.get(p.run as usize))
            .map(|r| printable(short_commit(&r.commit))),
        reading: reading(c),
    }
}

/// The file name of each platform's page: its triple (which holds only ASCII letters, digits,
/// `.`, `_` and `-`, and is never `index`), one platform per page.
fn page_names(trend: &Trend) -> Vec<String> {
    trend
        .platforms
        .iter()
        .map(|p| format!("{}.html", p.platform))
        .collect()
}

/// A platform's line on the index.
#[derive(Debug, Serialize)]
struct PlatformLine {
    platform: String,
    href: String,
    badge: String,
    status: &'static str,
    kind: &'static str,
    commit: String,
    day: String,
    mode: &'static str,
    benchmarks: usize,
    change_points: usize,
}

fn platform_line(p: &PlatformTrend, href: &str) -> PlatformLine {
    let status = badge::status(p);
    PlatformLine {
        platform: printable(&p.platform),
        href: href.to_owned(),
        badge: badge_svg(p, false),
        status: status.text,
        kind: status.kind,
        commit: p
            .latest
            .as_ref()
            .map_or_else(|| EMPTY.to_owned(), |l| printable(short_commit(&l.commit))),
        day: p
            .latest
            .as_ref()
            .map_or_else(|| EMPTY.to_owned(), |l| day(&l.date)),
        mode: p.latest.as_ref().map_or(EMPTY, |l| l.mode.as_str()),
        benchmarks: p.series.len(),
        change_points: p.series.iter().map(|s| s.change_points.len()).sum(),
    }
}

/// The anchor of series `i` on its page: its chart's if it is charted, else its table row's.
fn anchor(i: usize, charted: bool) -> String {
    if charted {
        format!("chart-{i}")
    } else {
        format!("row-{i}")
    }
}

/// Which series of `p` are charted: at most `max`, those with change points first, then the
/// rest, each group in id order (the series' order). Gives the indices in that order.
fn charted(p: &PlatformTrend, max: usize) -> Vec<usize> {
    let with = (0..p.series.len()).filter(|&i| !p.series[i].change_points.is_empty());
    let without = (0..p.series.len()).filter(|&i| p.series[i].change_points.is_empty());
    with.chain(without).take(max).collect()
}

/// A benchmark's row in a platform page's table.
#[derive(Debug, Serialize)]
struct BenchRow {
    id: String,
    row: String,
    /// Its chart's anchor, when it is charted.
    chart: Option<String>,
    points: usize,
    median: String,
    instructions: String,
    verdict: &'static str,
    change_points: usize,
    last_change: String,
    last_kind: &'static str,
}

#[derive(Debug, Serialize)]
struct ChartView {
    id: String,
    anchor: String,
    row: String,
    chart: TrendChart,
}

#[derive(Debug, Serialize)]
struct ClassLine {
    slug: String,
    id: String,
}

/// The change points of `trend` as (platform index, series index, change point), newest first:
/// by when the commit was measured, then platform and benchmark (as
/// [`Trend::change_points_newest_first`] orders them), then the later point first.
fn newest_first(trend: &Trend) -> Vec<(usize, usize, &ChangePointFound)> {
    let mut all: Vec<(usize, usize, &ChangePointFound)> = Vec::new();
    for (k, p) in trend.platforms.iter().enumerate() {
        for (i, s) in p.series.iter().enumerate() {
            all.extend(s.change_points.iter().map(|c| (k, i, c)));
        }
    }
    let platform = |k: usize| &trend.platforms[k];
    all.sort_by(|a, b| {
        b.2.measured_unix
            .cmp(&a.2.measured_unix)
            .then_with(|| platform(a.0).platform.cmp(&platform(b.0).platform))
            .then_with(|| {
                platform(a.0).series[a.1]
                    .benchmark
                    .cmp(&platform(b.0).series[b.1].benchmark)
            })
            .then_with(|| b.2.index.cmp(&a.2.index))
    });
    all
}

fn environment() -> Result<Environment<'static>, ReportError> {
    let mut env = templates::environment(Style::plain());
    for (name, source) in [BASE, INDEX, PLATFORM, MARKDOWN] {
        env.add_template(name, source)
            .map_err(|source| ReportError::Template {
                template: name,
                source,
            })?;
    }
    Ok(env)
}

fn render(env: &Environment<'_>, name: &'static str, ctx: Value) -> Result<String, ReportError> {
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|source| ReportError::Template {
            template: name,
            source,
        })
}

/// The history dashboard of `trend`: `index.html` and one page per platform (`<triple>.html`),
/// each self-contained (inline CSS and SVG, no script, nothing loaded from the network).
///
/// - The index lists the platforms with their status badge and newest commit, and the
///   [`HistoryOptions::index_change_points`] newest change points of all platforms, each
///   linking to its benchmark on its platform's page. Without any history it says so.
/// - A platform page lists its machine classes, every benchmark in a table (latest median and
///   instruction count, number of change points, the last one), charts at most
///   [`HistoryOptions::max_charts`] benchmarks (saying how many are left out), and lists its
///   change points newest first. Each chart shows the time medians over commits with their
///   interval shaded, the instruction counts in a second panel when there are any, a dashed
///   marker labelled with the new class's slug where the machine class changes, and each change
///   point marked at its commit and labelled (`+3.1% at abc1234`).
pub fn render_history_html(
    trend: &Trend,
    options: &HistoryOptions,
) -> Result<Vec<HistoryPage>, ReportError> {
    let env = environment()?;
    let names = page_names(trend);
    // Which series are charted, per platform: chart positions by series index.
    let charted_of: Vec<Vec<usize>> = trend
        .platforms
        .iter()
        .map(|p| charted(p, options.max_charts))
        .collect();
    let is_charted: Vec<Vec<bool>> = trend
        .platforms
        .iter()
        .zip(&charted_of)
        .map(|(p, charted)| {
            let mut flags = vec![false; p.series.len()];
            for &i in charted {
                flags[i] = true;
            }
            flags
        })
        .collect();
    let all = newest_first(trend);

    let mut pages = Vec::with_capacity(trend.platforms.len() + 1);
    let index_changes: Vec<ChangeRow> = all
        .iter()
        .take(options.index_change_points)
        .map(|&(k, i, c)| {
            let p = &trend.platforms[k];
            change_row(p, &names[k], &anchor(i, is_charted[k][i]), &p.series[i], c)
        })
        .collect();
    let skipped: Vec<String> = trend
        .skipped
        .iter()
        .take(SKIPPED_LISTED)
        .map(|b| printable(&b.to_string()))
        .collect();
    let index = context! {
        platforms => trend.platforms.iter().zip(&names).map(|(p, n)| platform_line(p, n)).collect::<Vec<_>>(),
        changes => index_changes,
        total_changes => all.len(),
        skipped,
        skipped_total => trend.skipped.len(),
    };
    pages.push(HistoryPage {
        file_name: HISTORY_INDEX.to_owned(),
        html: render(&env, INDEX.0, index)?,
    });

    // The platform pages are independent: shared out over the cores.
    let page_of = |k: usize| -> Result<HistoryPage, ReportError> {
        let p = &trend.platforms[k];
        let page = &names[k];
        let flags = &is_charted[k];
        let rows: Vec<BenchRow> = p
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| bench_row(i, s, flags[i]))
            .collect();
        let charts: Vec<ChartView> = charted_of[k]
            .iter()
            .map(|&i| {
                let s = &p.series[i];
                ChartView {
                    id: printable(s.benchmark.as_str()),
                    anchor: anchor(i, true),
                    row: format!("row-{i}"),
                    chart: trend_chart::chart(s, p),
                }
            })
            .collect();
        let changes: Vec<ChangeRow> = all
            .iter()
            .filter(|&&(owner, _, _)| owner == k)
            .map(|&(_, i, c)| change_row(p, "", &anchor(i, flags[i]), &p.series[i], c))
            .collect();
        let status = badge::status(p);
        let ctx = context! {
            platform => platform_line(p, page),
            status => status.text,
            classes => p.classes.iter().map(|c| ClassLine { slug: printable(&c.slug), id: printable(&c.id) }).collect::<Vec<_>>(),
            rows,
            charted => charts.len(),
            left_out => p.series.len() - charts.len(),
            max_charts => options.max_charts,
            charts,
            changes,
        };
        Ok(HistoryPage {
            file_name: page.clone(),
            html: render(&env, PLATFORM.0, ctx)?,
        })
    };
    let rendered: Vec<Result<HistoryPage, ReportError>> = (0..trend.platforms.len())
        .into_par_iter()
        .map(page_of)
        .collect();
    for page in rendered {
        pages.push(page?);
    }
    Ok(pages)
}

fn bench_row(i: usize, s: &Series, charted: bool) -> BenchRow {
    let last = s.points.last();
    let last_change = s
        .change_points
        .iter()
        .max_by_key(|c| (c.measured_unix, c.index));
    BenchRow {
        id: printable(s.benchmark.as_str()),
        row: format!("row-{i}"),
        chart: charted.then(|| anchor(i, true)),
        points: s.points.len(),
        median: last.map_or_else(
            || EMPTY.to_owned(),
            |p| format_duration_ns(p.time.median_ns),
        ),
        instructions: last
            .and_then(|p| p.instructions)
            .map_or_else(|| EMPTY.to_owned(), format_count),
        verdict: last
            .and_then(|p| p.verdict)
            .map_or(EMPTY, |v| crate::view::verdict_names(v).0),
        change_points: s.change_points.len(),
        last_change: last_change.map_or_else(
            || EMPTY.to_owned(),
            |c| format!("{} ({})", change_label(c), day(&c.date)),
        ),
        last_kind: match last_change {
            Some(c) if c.change > 0.0 => "up",
            Some(_) => "down",
            None => "none",
        },
    }
}

/// The analysis `trend` as JSON (`history --json`): its series and change points as they are,
/// and each skipped line or run with its file, number and why, in words.
pub fn render_history_json(trend: &Trend) -> Result<String, ReportError> {
    #[derive(Serialize)]
    struct Json<'a> {
        schema: &'a str,
        version: u32,
        platforms: &'a [PlatformTrend],
        skipped: Vec<Skipped<'a>>,
    }
    #[derive(Serialize)]
    struct Skipped<'a> {
        source: &'a str,
        line: usize,
        reason: String,
    }
    let json = Json {
        schema: &trend.schema,
        version: trend.version,
        platforms: &trend.platforms,
        skipped: trend
            .skipped
            .iter()
            .map(|b| Skipped {
                source: &b.source,
                line: b.place.number(),
                reason: b.reason(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&json).map_err(ReportError::Json)
}

/// The history of `trend` in GitHub Markdown, for a job summary: each platform's status and
/// newest commit, the `latest` newest change points of all platforms in a table (platform,
/// benchmark, signal, change, commit, date) and how many history lines were skipped; at most
/// [`MARKDOWN_LIMIT`] bytes (fewer change points are listed, saying so, when they would not
/// fit).
pub fn render_history_markdown(trend: &Trend, latest: usize) -> Result<String, ReportError> {
    #[derive(Debug, Serialize)]
    struct MdPlatform {
        platform: String,
        status: &'static str,
        commit: String,
        day: String,
        mode: &'static str,
        benchmarks: usize,
    }
    let env = environment()?;
    let all = newest_first(trend);
    let platforms: Vec<MdPlatform> = trend
        .platforms
        .iter()
        .map(|p| {
            let line = platform_line(p, "");
            MdPlatform {
                platform: shorten(&line.platform, 200),
                status: line.status,
                commit: line.commit,
                day: line.day,
                mode: line.mode,
                benchmarks: line.benchmarks,
            }
        })
        .collect();
    let rows: Vec<ChangeRow> = all
        .iter()
        .take(latest)
        .map(|&(k, i, c)| {
            let p = &trend.platforms[k];
            change_row(p, "", "", &p.series[i], c)
        })
        .collect();
    let mut shown = rows.len();
    loop {
        let ctx = context! {
            platforms => &platforms,
            changes => &rows[..shown],
            total_changes => all.len(),
            cut => rows.len() - shown,
            skipped_total => trend.skipped.len(),
        };
        let text = render(&env, MARKDOWN.0, ctx)?;
        if text.len() <= MARKDOWN_LIMIT {
            return Ok(text);
        }
        if shown == 0 {
            return Ok(hard_cut(&text, MARKDOWN_LIMIT));
        }
        // Rows are at most a few hundred bytes (ids are at most 256): one estimate, then halving.
        let over = text.len() - MARKDOWN_LIMIT;
        let per_row = (text.len() / (shown + 1)).max(1);
        shown = shown
            .saturating_sub(over.div_ceil(per_row) + 1)
            .min(shown / 2 + shown / 4);
    }
}

/// `platform`'s status badge as a standalone SVG file: `perf x86_64 | passing`, green when the
/// newest commit passed, red when it regressed, orange for a warning, grey when it was not
/// judged (`unjudged`) or there is no record (`no data`).
#[must_use]
pub fn render_badge(platform: &PlatformTrend) -> String {
    badge_svg(platform, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history_fixtures::{ARM, X86, change_point, commit, empty, large, sample, stepped};
    use perfmatrix_history::Signal;

    /// `history --json`: the trend's fields as serde writes them, and each skipped line as it
    /// was written when the history held it in words (`source`, `line`, `reason`).
    #[test]
    fn the_json_holds_the_trend_and_words_each_skipped_line() {
        let mut trend = sample();
        trend.skipped.push(perfmatrix_history::BadRecord {
            source: "history/x86_64-unknown-linux-gnu.pmh".to_owned(),
            place: perfmatrix_history::Place::Run {
                number: 4,
                byte: Some(512),
            },
            problem: perfmatrix_history::RecordProblem::NotAFrame,
        });
        let text = render_history_json(&trend).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            json["skipped"],
            serde_json::json!([
                {
                    "source": "history/x86_64-unknown-linux-gnu.jsonl",
                    "line": 3,
                    "reason": "expected value",
                },
                {
                    "source": "history/x86_64-unknown-linux-gnu.pmh",
                    "line": 4,
                    "reason": "run 4: at byte 512: not the start of a perfmatrix history frame \
                               (`PMH2`): the rest of the file cannot be read",
                },
            ])
        );
        assert_eq!(
            json["platforms"],
            serde_json::to_value(&trend.platforms).unwrap()
        );
        assert_eq!(
            (&json["schema"], &json["version"]),
            (
                &serde_json::json!(trend.schema),
                &serde_json::json!(trend.version)
            )
        );
        // The fields in the order serde wrote them before.
        let at = |key: &str| text.find(&format!("\n  \"{key}\":")).unwrap();
        assert!(at("schema") < at("version") && at("version") < at("platforms"));
        assert!(at("platforms") < at("skipped"), "{text}");
    }

    fn pages(trend: &Trend, options: &HistoryOptions) -> Vec<HistoryPage> {
        render_history_html(trend, options).unwrap()
    }

    fn page<'a>(pages: &'a [HistoryPage], name: &str) -> &'a str {
        &pages
            .iter()
            .find(|p| p.file_name == name)
            .unwrap_or_else(|| panic!("no page {name}"))
            .html
    }

    /// No script, nothing from the network, every chart number finite.
    fn assert_self_contained(html: &str) {
        assert!(!html.to_ascii_lowercase().contains("<script"), "script");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "link"
        );
        assert!(!html.contains("url(") && !html.contains("@import") && !html.contains("<img"));
        assert!(
            !html.contains("NaN") && !html.contains("inf\""),
            "non-finite number"
        );
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    }

    #[test]
    fn pages_are_self_contained() {
        let all = pages(&sample(), &HistoryOptions::default());
        let names: Vec<&str> = all.iter().map(|p| p.file_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "index.html",
                "aarch64-unknown-linux-gnu.html",
                "x86_64-unknown-linux-gnu.html"
            ]
        );
        for p in &all {
            assert_self_contained(&p.html);
        }
    }

    #[test]
    fn every_string_is_html_escaped() {
        let all = pages(&sample(), &HistoryOptions::default());
        let x86 = page(&all, "x86_64-unknown-linux-gnu.html");
        assert!(
            x86.contains("spread&#x2f;&lt;b&gt;&amp;&quot;q&#x27;"),
            "id not escaped"
        );
        assert!(!x86.contains("spread/<b>"));
        assert!(
            x86.contains("amd-&lt;epyc&gt;&amp;&quot;7763&quot;-2c"),
            "slug not escaped"
        );
        assert!(!x86.contains("<epyc>"));
        let index = page(&all, "index.html");
        assert!(index.contains("spread&#x2f;&lt;b&gt;") && !index.contains("<b>"));
        // A commit with markup is escaped (a platform is a triple: it holds none).
        let mut trend = sample();
        trend.platforms[1].runs[79].commit = "<img src=x>".to_owned();
        let all = pages(&trend, &HistoryOptions::default());
        for p in &all {
            assert!(!p.html.contains("<img"));
            assert_self_contained(&p.html);
        }
    }

    #[test]
    fn charts_mark_class_changes_and_change_points() {
        let all = pages(&sample(), &HistoryOptions::default());
        let x86 = page(&all, "x86_64-unknown-linux-gnu.html");
        // The class changes at point 60: a dashed marker labelled with the new class's slug.
        assert!(x86.contains("class=\"mark class\""));
        assert!(x86.contains(">amd-&lt;epyc&gt;&amp;&quot;7763&quot;-2c</text>"));
        // The change points at point 40, labelled with the change and the commit.
        let short = &commit(40)[..7];
        assert!(
            x86.contains(&format!(">+3.1% at {short}</text>")),
            "time label"
        );
        assert!(x86.contains(&format!(">+5.00% (instructions) at {short}</text>")));
        assert!(x86.contains(&format!(">-20.0% at {short}</text>")));
        assert!(x86.contains("class=\"cp up\"") && x86.contains("class=\"cp down\""));
        // Instructions get their own panel; the interval is a band.
        assert!(x86.contains(">instructions</text>") && x86.contains("class=\"band time\""));
        // The page's change points, newest first, link to their charts.
        assert!(x86.contains("<h2>Change points</h2>"));
        assert!(x86.contains("href=\"#chart-0\"") && x86.contains("id=\"chart-0\""));
        let arm = page(&all, "aarch64-unknown-linux-gnu.html");
        assert!(arm.contains("class=\"drift\"") && arm.contains("paired drift"));
    }

    #[test]
    fn the_index_links_to_platform_pages_and_change_points() {
        let all = pages(&sample(), &HistoryOptions::default());
        let index = page(&all, "index.html");
        assert!(index.contains("href=\"x86_64-unknown-linux-gnu.html\""));
        assert!(index.contains("href=\"aarch64-unknown-linux-gnu.html\""));
        assert!(index.contains("href=\"x86_64-unknown-linux-gnu.html#chart-0\""));
        assert!(index.contains("<svg class=\"badge\"") && index.contains(">regressed</text>"));
        assert!(index.contains("1 line of the history could not be read"));
        // Newest first: x86_64's change points (day 40) before aarch64's (day 10).
        let x86 = index.find("#chart-0\"><code>cosine").unwrap();
        let arm = index
            .find("aarch64-unknown-linux-gnu.html#chart-0")
            .unwrap();
        assert!(x86 < arm);
        // A limit on the index's change points is said.
        let limited = pages(
            &sample(),
            &HistoryOptions {
                index_change_points: 1,
                ..HistoryOptions::default()
            },
        );
        assert!(page(&limited, "index.html").contains("The 1 newest of 4 change points"));
    }

    #[test]
    fn at_most_max_charts_are_drawn_and_the_rest_is_counted() {
        let options = HistoryOptions {
            max_charts: 1,
            ..HistoryOptions::default()
        };
        let all = pages(&sample(), &options);
        let x86 = page(&all, "x86_64-unknown-linux-gnu.html");
        assert_eq!(x86.matches("<svg class=\"trend\"").count(), 1);
        assert!(
            x86.contains("1 of 3 benchmarks are charted (at most 1"),
            "limit message"
        );
        assert!(x86.contains("2 more are left out"));
        // Series with change points are preferred: the first (by id) with one is charted, and a
        // change point of an uncharted series links to its table row.
        assert!(x86.contains("id=\"chart-0\""));
        assert!(x86.contains("href=\"#row-2\""));
        let index = page(&all, "index.html");
        assert!(index.contains("x86_64-unknown-linux-gnu.html#row-2"));
    }

    #[test]
    fn an_empty_trend_says_there_is_no_history_yet() {
        let all = pages(&empty(), &HistoryOptions::default());
        assert_eq!(all.len(), 1);
        assert!(all[0].html.contains("There is no performance history yet"));
        assert_self_contained(&all[0].html);
        let md = render_history_markdown(&empty(), 10).unwrap();
        assert!(md.contains("There is no performance history yet."));
    }

    #[test]
    fn a_platform_of_thousands_of_benchmarks_renders_bounded() {
        let trend = large(2_000, 200);
        let options = HistoryOptions::default();
        let all = pages(&trend, &options);
        let x86 = page(&all, "x86_64-unknown-linux-gnu.html");
        assert_eq!(x86.matches("<tr id=\"row-").count(), 2_000);
        assert_eq!(
            x86.matches("<svg class=\"trend\"").count(),
            options.max_charts
        );
        assert!(x86.contains("100 of 2000 benchmarks are charted"));
        // The 200 with change points are preferred: every charted one has one.
        assert_eq!(x86.matches("class=\"cp up\"").count(), 100);
        assert_eq!(x86.matches("href=\"#chart-").count(), 100 + 100);
        assert_self_contained(x86);
        let index = page(&all, "index.html");
        assert!(index.contains("The 100 newest of 200 change points"));
        let md = render_history_markdown(&trend, 10_000).unwrap();
        assert!(md.len() <= MARKDOWN_LIMIT);
    }

    #[test]
    fn markdown_lists_the_newest_change_points_first() {
        let md = render_history_markdown(&sample(), 3).unwrap();
        assert!(md.contains("The 3 newest of 4 change points"), "{md}");
        let short40 = &commit(40)[..7];
        let rows: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with("| `") && l.contains(" | `") && l.matches('|').count() == 8)
            .filter(|l| !l.contains("newest commit"))
            .collect();
        // Two platform lines, then three change points (x86_64's, day 40, before aarch64's).
        let changes: Vec<&&str> = rows.iter().filter(|l| l.contains(short40)).collect();
        assert_eq!(changes.len(), 3, "{md}");
        assert!(!md.contains("paired drift"), "the oldest is left out: {md}");
        assert!(
            md.contains(
                "| `x86_64-unknown-linux-gnu` | `cosine/768x1000` | instructions | **+5.00%** |"
            ),
            "{md}"
        );
        assert!(md.contains("| `aarch64-unknown-linux-gnu` | **regressed** |"));
        assert!(md.contains("1 line of the history could not be read"));
        assert!(md.contains("`spread/<b>&\"q'`"), "ids are code spans: {md}");
        let all = render_history_markdown(&sample(), 10).unwrap();
        // Every table's separator has as many columns as its header.
        let lines: Vec<&str> = all.lines().collect();
        for (i, line) in lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with("| ---"))
        {
            let header = lines[i - 1];
            assert_eq!(
                header.matches(" | ").count(),
                line.matches(" | ").count(),
                "{header}"
            );
        }
        assert!(all.contains("All 4 change points") && all.contains("paired drift"));
        assert!(
            all.contains("instructions unchanged: another machine, or the same instructions running differently"),
            "a time step is read against the instructions: {all}"
        );
        assert!(all.contains(&format!("`{short40}`")));
        let none = render_history_markdown(&sample(), 0).unwrap();
        assert!(none.contains("4 change points found; the HTML dashboard lists them."));
    }

    #[test]
    fn markdown_keeps_the_size_limit() {
        let mut trend = sample();
        let id = format!("{}/x", "long|id".repeat(30));
        let mut s = stepped(&id, 3_000, 0.1, None, false);
        s.change_points = (0..3_000)
            .map(|i| change_point(&s, i, Signal::Time, 0.1))
            .collect();
        trend.platforms[1].series.push(s);
        let md = render_history_markdown(&trend, 3_000).unwrap();
        assert!(md.len() <= MARKDOWN_LIMIT, "{}", md.len());
        assert!(md.contains("more change points left out to stay within GitHub's size limit"));
        assert!(md.contains(ARM) && md.contains(X86));
    }

    #[test]
    fn a_page_is_named_after_its_triple() {
        assert_eq!(
            page_names(&sample()),
            [
                "aarch64-unknown-linux-gnu.html",
                "x86_64-unknown-linux-gnu.html"
            ]
        );
    }
}
