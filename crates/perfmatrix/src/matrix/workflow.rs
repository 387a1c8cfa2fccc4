//! `matrix workflow`: renders the CI workflow (the `workflow` setting, `.github/workflows/perf.yml`
//! by default) from `[workspace.metadata.perfmatrix]` in Cargo.toml (platforms, toolchain,
//! command, install, baselines) and `templates/perf.yml.j2`, and beside it the comment workflow
//! (`perf-comment.yml`, from `templates/perf-comment.yml.j2`) that posts a pull request's report
//! and the judge workflow (`perf-judge.yml`, from `templates/perf-judge.yml.j2`) that judges it
//! again with the default branch's perfmatrix; `--check` fails when a committed file differs
//! from the rendering.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use perfmatrix_model::{Config, write_all_atomically, write_atomically};

use crate::workspace::Invocation;

/// The template. Its delimiters are `[% %]`, `[[ ]]` and `[# #]`, so GitHub's `${{ }}` passes
/// through untouched (the template's opening comment says more).
const TEMPLATE: &str = include_str!("../../templates/perf.yml.j2");

/// The comment workflow's template, with the same delimiters.
const COMMENT_TEMPLATE: &str = include_str!("../../templates/perf-comment.yml.j2");

/// The judge workflow's template, with the same delimiters.
const JUDGE_TEMPLATE: &str = include_str!("../../templates/perf-judge.yml.j2");

/// The perf workflow's `name:`, which the comment workflow's `workflow_run` trigger names.
const WORKFLOW_NAME: &str = "perf";

/// Dependabot's configuration, written beside the workflows when the repository has none: it
/// proposes new commits of the pinned actions ([`ACTIONS`]) every week.
const DEPENDABOT: &str = "# Written by perfmatrix's `matrix workflow` when the repository had no Dependabot configuration:
# the workflow's actions are pinned to commits, and Dependabot proposes their new releases.
version: 2
updates:
  - package-ecosystem: \"github-actions\"
    directory: \"/\"
    schedule:
      interval: \"weekly\"
";

/// Where Dependabot reads its configuration, relative to the workspace root.
const DEPENDABOT_PATH: &str = ".github/dependabot.yml";

/// Where a platform's values come from, for error messages.
const PLATFORMS_KEY: &str = "workspace.metadata.perfmatrix.platforms";

#[derive(Debug, clap::Args)]
pub(crate) struct Workflow {
    /// Fail when the committed workflow differs from what would be rendered
    #[arg(long)]
    check: bool,
}

impl Workflow {
    pub(crate) fn run(self, at: &Invocation) -> anyhow::Result<ExitCode> {
        let ws = at.workspace()?;
        let path = &ws.config.workflow;
        let comment = comment_path(path);
        let judge = judge_path(path);
        let files = [
            (at.root.join(path), render(&ws.config)?),
            (at.root.join(&comment), render_comment(&ws.config)?),
            (at.root.join(&judge), render_judge(&ws.config)?),
        ];
        let dependabot = dependabot(&at.root.join(DEPENDABOT_PATH))?;
        if self.check {
            for (file, rendered) in &files {
                if !is_current(file, rendered)? {
                    eprintln!(
                        "error: {} is stale: run `{} matrix workflow` to update",
                        at.shown(file).display(),
                        at.invoked_as
                    );
                    return Ok(ExitCode::from(1));
                }
            }
            if dependabot != Dependabot::Updates {
                eprintln!(
                    "error: {DEPENDABOT_PATH} does not update the workflow's pinned actions \
                     (no `github-actions` entry): run `{} matrix workflow` to write one, or add \
                     the entry",
                    at.invoked_as
                );
                return Ok(ExitCode::from(1));
            }
            println!(
                "{}, {} and {} are up to date",
                path.display(),
                comment.display(),
                judge.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        let written: Vec<(&Path, &[u8])> = files
            .iter()
            .map(|(file, text)| (file.as_path(), text.as_bytes()))
            .collect();
        write_all_atomically(&written)?;
        match dependabot {
            Dependabot::Missing => {
                write_atomically(&at.root.join(DEPENDABOT_PATH), DEPENDABOT.as_bytes())?;
                println!(
                    "wrote {DEPENDABOT_PATH}: Dependabot proposes new releases of the actions"
                );
            }
            Dependabot::Other => eprintln!(
                "warning: {DEPENDABOT_PATH} has no `github-actions` entry: add one so that the \
                 workflow's pinned actions get updates"
            ),
            Dependabot::Updates => {}
        }
        let legs: Vec<String> = ws
            .config
            .platforms
            .iter()
            .map(|p| {
                let required = if p.required { "" } else { ", not required" };
                let shards = if p.shards > 1 {
                    format!(", in {} shards", p.shards)
                } else {
                    String::new()
                };
                format!("{} on {}{required}{shards}", p.triple, p.runner)
            })
            .collect();
        println!(
            "wrote {}: one leg per platform ({})",
            path.display(),
            legs.join("; ")
        );
        println!(
            "wrote {}: posts each pull request's report, a fork's included",
            comment.display()
        );
        println!(
            "wrote {}: judges each pull request's legs again with the default branch's perfmatrix \
             and sets the commit status `perfmatrix` (require it in branch protection)",
            judge.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// Every action the workflow uses, pinned to a full commit (a tag or a branch can be moved to
/// other code; a commit cannot), with the release that commit is as a comment, which Dependabot
/// reads and updates: (template name, action, commit, release). Bumped by hand here, or by
/// mirroring a Dependabot pull request (`matrix workflow --check` fails until they agree).
const ACTIONS: [(&str, &str, &str, &str); 7] = [
    (
        "checkout",
        "actions/checkout",
        "fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09",
        "v5.1.0",
    ),
    (
        "rust_cache",
        "Swatinem/rust-cache",
        "6323deb102c322ba6fcbdcafc7e3dddab59af2b6",
        "v2.9.2",
    ),
    (
        "cache",
        "actions/cache",
        "27d5ce7f107fe9357f9df03efb73ab90386fccae",
        "v5.0.5",
    ),
    (
        "download_artifact",
        "actions/download-artifact",
        "37930b1c2abaa49bbe596cd826c3c89aef350131",
        "v7.0.0",
    ),
    (
        "upload_artifact",
        "actions/upload-artifact",
        "b7c566a772e6b6bfb58ed0dc250532a479d7789f",
        "v6.0.0",
    ),
    // dtolnay/rust-toolchain publishes branches, not releases: `master` takes a `toolchain`
    // input, `stable` installs the current stable.
    (
        "rust_toolchain",
        "dtolnay/rust-toolchain",
        "3c5f7ea28cd621ae0bf5283f0e981fb97b8a7af9",
        "master",
    ),
    (
        "rust_toolchain_stable",
        "dtolnay/rust-toolchain",
        "29eef336d9b2848a0b548edc03f92a220660cdb8",
        "stable",
    ),
];

/// The workflow for `config`'s platforms, retention and toolchain. Every value that lands in the
/// YAML is checked first.
fn render(config: &Config) -> anyhow::Result<String> {
    let platforms = &config.platforms;
    if platforms.is_empty() {
        bail!(
            "{PLATFORMS_KEY} is empty: the workflow needs at least one platform in \
             [workspace.metadata.perfmatrix] platforms in Cargo.toml"
        );
    }
    for (i, platform) in platforms.iter().enumerate() {
        check_label(
            platform.triple.as_str(),
            &format!("{PLATFORMS_KEY}[{i}].triple"),
        )?;
        check_label(&platform.runner, &format!("{PLATFORMS_KEY}[{i}].runner"))?;
    }
    let comment = comment_path(&config.workflow);
    let comment_file = comment
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    check_label(&comment_file, "workspace.metadata.perfmatrix.workflow")?;
    let env = environment()?;
    let platforms: Vec<minijinja::Value> = platforms
        .iter()
        .map(|p| {
            let shards: Vec<minijinja::Value> = if p.shards == 1 {
                vec![context! { shard => "", part => "" }]
            } else {
                (1..=p.shards)
                    .map(|k| {
                        context! {
                            shard => format!("{k}/{}", p.shards),
                            part => format!("-shard-{k}-of-{}", p.shards),
                        }
                    })
                    .collect()
            };
            context! {
                triple => p.triple.as_str(),
                runner => p.runner.as_str(),
                required => p.required,
                counts => p.triple.valgrind_can_count(),
                timeout => config.leg_timeout_for(p),
                shards,
            }
        })
        .collect();
    let toolchain = config.toolchain.as_deref();
    if let Some(t) = toolchain {
        check_label(t, "workspace.metadata.perfmatrix.toolchain")?;
    }
    let baselines = config.baselines.to_string_lossy();
    for part in baselines.split('/') {
        check_label(part, "workspace.metadata.perfmatrix.baselines")?;
    }
    env.get_template("perf.yml.j2")?
        .render(context! {
            workflow_name => WORKFLOW_NAME,
            comment_file,
            sharded => config.platforms.iter().any(|p| p.shards > 1),
            platforms,
            retention_days => config.artifact_retention_days,
            toolchain,
            command => config.command.as_str(),
            install => config.install.as_deref(),
            baselines => baselines.as_ref(),
            uses => pinned_actions(),
        })
        .context("cannot render templates/perf.yml.j2")
}

/// Each action of [`ACTIONS`] by its template name, as a `uses:` value: the action at its
/// commit, its release in a comment.
fn pinned_actions() -> std::collections::BTreeMap<&'static str, String> {
    ACTIONS
        .iter()
        .map(|(name, action, commit, release)| (*name, format!("{action}@{commit} # {release}")))
        .collect()
}

/// The judge workflow for `config`: its command, install line and toolchain, as the perf
/// workflow's (checked there).
fn render_judge(config: &Config) -> anyhow::Result<String> {
    environment()?
        .get_template("perf-judge.yml.j2")?
        .render(context! {
            workflow_name => WORKFLOW_NAME,
            command => config.command.as_str(),
            install => config.install.as_deref(),
            toolchain => config.toolchain.as_deref(),
            uses => pinned_actions(),
        })
        .context("cannot render templates/perf-judge.yml.j2")
}

/// Where the judge workflow goes: beside the perf workflow, `<its name>-judge.yml`.
fn judge_path(workflow: &Path) -> PathBuf {
    companion(workflow, "judge")
}

/// The comment workflow for `config` (its command, for the header).
fn render_comment(config: &Config) -> anyhow::Result<String> {
    environment()?
        .get_template("perf-comment.yml.j2")?
        .render(context! {
            workflow_name => WORKFLOW_NAME,
            command => config.command.as_str(),
        })
        .context("cannot render templates/perf-comment.yml.j2")
}

/// Where the comment workflow goes: beside the perf workflow, `<its name>-comment.yml`.
fn comment_path(workflow: &Path) -> PathBuf {
    companion(workflow, "comment")
}

/// `<the workflow's name>-<role>.yml`, beside it.
fn companion(workflow: &Path, role: &str) -> PathBuf {
    let stem = workflow
        .file_stem()
        .map_or_else(|| "perf".into(), |s| s.to_string_lossy());
    workflow.with_file_name(format!("{stem}-{role}.yml"))
}

/// The templates, with delimiters that leave GitHub's `${{ }}` alone.
fn environment() -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .block_delimiters("[%", "%]")
            .variable_delimiters("[[", "]]")
            .comment_delimiters("[#", "#]")
            .build()
            .context("invalid template delimiters")?,
    );
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Values are checked above; escaping (HTML or JSON, picked by file name) would only corrupt them.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_template("perf.yml.j2", TEMPLATE)
        .context("templates/perf.yml.j2 does not parse")?;
    env.add_template("perf-comment.yml.j2", COMMENT_TEMPLATE)
        .context("templates/perf-comment.yml.j2 does not parse")?;
    env.add_template("perf-judge.yml.j2", JUDGE_TEMPLATE)
        .context("templates/perf-judge.yml.j2 does not parse")?;
    Ok(env)
}

/// A value inserted into the YAML must be a plain label (`^[A-Za-z0-9._-]+$`), so it can neither
/// break out of its quotes nor add keys.
fn check_label(value: &str, key: &str) -> anyhow::Result<()> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if value.is_empty() || !value.chars().all(plain) {
        bail!("{key} = {value:?} must be a plain label: letters, digits, `.`, `_` and `-` only");
    }
    Ok(())
}

/// What the repository's Dependabot configuration does for the workflow's actions.
#[derive(Debug, PartialEq, Eq)]
enum Dependabot {
    /// There is none.
    Missing,
    /// There is one, without a `github-actions` entry (left as the user wrote it).
    Other,
    /// It updates GitHub Actions.
    Updates,
}

fn dependabot(path: &Path) -> anyhow::Result<Dependabot> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.contains("github-actions") => Ok(Dependabot::Updates),
        Ok(_) => Ok(Dependabot::Other),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Dependabot::Missing),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Whether the file at `path` is exactly `rendered` (a missing file is not).
fn is_current(path: &Path, rendered: &str) -> anyhow::Result<bool> {
    match std::fs::read_to_string(path) {
        Ok(committed) => Ok(committed == rendered),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use perfmatrix_fingerprint::TargetTriple;

    use perfmatrix_model::Platform;

    use super::*;

    fn platform(triple: &str, runner: &str, required: bool) -> Platform {
        Platform {
            triple: TargetTriple::parse(triple).unwrap(),
            runner: runner.to_owned(),
            required,
            shards: 1,
            budget: None,
        }
    }

    fn two_platforms() -> Vec<Platform> {
        vec![
            platform("x86_64-unknown-linux-gnu", "ubuntu-24.04", true),
            platform("aarch64-unknown-linux-gnu", "ubuntu-24.04-arm", true),
        ]
    }

    /// The default settings with these platforms.
    fn with(platforms: Vec<Platform>) -> Config {
        Config {
            platforms,
            ..Config::default()
        }
    }

    /// The matrix row of a platform as the template writes it.
    fn leg(triple: &str, runner: &str, required: bool) -> String {
        let counts = triple.contains("-linux-");
        format!(
            "          - triple: \"{triple}\"\n            runner: \"{runner}\"\n            \
             required: {required}\n            counts: {counts}\n"
        )
    }

    #[test]
    fn committed_workflow_is_up_to_date() {
        let ws = Invocation::new(&crate::repo_root(), "cargo xtask")
            .unwrap()
            .workspace()
            .unwrap();
        let path = crate::repo_root().join(&ws.config.workflow);
        for (path, rendered) in [
            (path.clone(), render(&ws.config).unwrap()),
            (comment_path(&path), render_comment(&ws.config).unwrap()),
            (judge_path(&path), render_judge(&ws.config).unwrap()),
        ] {
            assert!(
                is_current(&path, &rendered).unwrap(),
                "{} is stale: run `cargo xtask matrix workflow` to update",
                path.display()
            );
        }
    }

    /// The comment workflow sits beside the perf workflow, names it, and takes the
    /// workspace's command.
    #[test]
    fn the_comment_workflow_sits_beside_the_perf_workflow_and_names_it() {
        assert_eq!(
            comment_path(Path::new(".github/workflows/perf.yml")),
            Path::new(".github/workflows/perf-comment.yml")
        );
        assert_eq!(
            comment_path(Path::new(".github/workflows/bench.yaml")),
            Path::new(".github/workflows/bench-comment.yml")
        );
        let config = Config {
            command: "cargo perfmatrix".to_owned(),
            workflow: ".github/workflows/bench.yaml".into(),
            ..with(two_platforms())
        };
        let perf = render(&config).unwrap();
        let comment = render_comment(&config).unwrap();
        assert!(
            perf.contains(&format!("\nname: {WORKFLOW_NAME}\n")),
            "{perf}"
        );
        assert!(
            perf.contains("the comment workflow (bench-comment.yml)"),
            "{perf}"
        );
        assert!(
            comment.contains(&format!("workflows: [\"{WORKFLOW_NAME}\"]")),
            "{comment}"
        );
        assert!(comment.contains("`cargo perfmatrix matrix workflow --check`"));
        assert!(!comment.contains("xtask"));
    }

    /// Another workspace's settings reach every job: its command, its install step and its
    /// baselines folder; nothing of this repository's `cargo xtask` is left.
    #[test]
    fn the_command_install_step_and_baselines_folder_are_settings() {
        let config = Config {
            command: "cargo perfmatrix".to_owned(),
            install: Some("cargo install --locked cargo-perfmatrix".to_owned()),
            baselines: "perf/baselines".into(),
            ..with(two_platforms())
        };
        let yaml = render(&config).unwrap();
        assert!(!yaml.contains("cargo xtask"), "{yaml}");
        for run in [
            "cargo perfmatrix bench ",
            "cargo perfmatrix merge ",
            "cargo perfmatrix history append ",
            "cargo perfmatrix update-baselines ",
        ] {
            assert!(yaml.contains(run), "{run}");
        }
        let install = "      - name: Install perfmatrix\n        run: |\n          \
                       cargo install --locked cargo-perfmatrix\n";
        assert_eq!(yaml.matches(install).count(), 4, "one per job that runs it");
        assert!(yaml.contains("find \"perf/baselines/$TRIPLE\""));
        assert!(
            !render(&with(two_platforms()))
                .unwrap()
                .contains("Install perfmatrix")
        );
        let bad = Config {
            baselines: "my baselines".into(),
            ..with(two_platforms())
        };
        assert!(
            render(&bad)
                .unwrap_err()
                .to_string()
                .contains("perfmatrix.baselines")
        );
    }

    #[test]
    fn a_third_platform_adds_a_leg_to_bench_and_record() {
        let mut platforms = two_platforms();
        platforms.push(platform("aarch64-apple-darwin", "macos-15", false));
        let rendered = render(&with(platforms)).unwrap();
        let new_leg = leg("aarch64-apple-darwin", "macos-15", false);
        assert_eq!(rendered.matches(&new_leg).count(), 2, "{rendered}");
        let old_leg = leg("x86_64-unknown-linux-gnu", "ubuntu-24.04", true);
        assert_eq!(rendered.matches(&old_leg).count(), 2);
        let without = render(&with(two_platforms())).unwrap();
        let bench_leg = format!(
            "{new_leg}            shard: \"\"\n            part: \"\"\n            timeout: 30\n"
        );
        assert_eq!(
            rendered
                .replacen(&bench_leg, "", 1)
                .replacen(&new_leg, "", 1),
            without
        );
    }

    /// Issue 24: a platform of four shards has four bench legs, each with its `--shard` and its
    /// own results file and artifact; baselines are still recorded in one job per platform.
    #[test]
    fn a_sharded_platform_has_a_leg_per_shard() {
        let mut platforms = two_platforms();
        platforms[0].shards = 4;
        let rendered = render(&with(platforms)).unwrap();
        let x86 = leg("x86_64-unknown-linux-gnu", "ubuntu-24.04", true);
        assert_eq!(rendered.matches(&x86).count(), 5, "{rendered}");
        for k in 1..=4 {
            assert!(
                rendered.contains(&format!(
                    "{x86}            shard: \"{k}/4\"\n            part: \"-shard-{k}-of-4\"\n"
                )),
                "{rendered}"
            );
        }
        assert!(rendered.contains("shard: \"\"\n            part: \"\"\n"));
        assert!(rendered.contains("name: perf-results-${{ matrix.triple }}${{ matrix.part }}"));
        assert!(rendered.contains("\"${shard[@]}\" --out \"results/$TRIPLE$PART.json\""));
        // The plan job pins the history commit every shard balances by.
        assert!(rendered.contains("\n  plan:\n"), "{rendered}");
        assert!(rendered.contains("    needs: plan\n"));
        assert!(rendered.contains("HISTORY: ${{ needs.plan.outputs.history }}"));
        let unsharded = render(&with(two_platforms())).unwrap();
        assert!(!unsharded.contains("plan:") && !unsharded.contains("needs.plan"));
    }

    /// Issue 21: valgrind is installed only where it can count (a macOS leg would fail on
    /// `apt-get`, and count nothing anyway).
    #[test]
    fn valgrind_is_installed_only_on_legs_that_can_count() {
        let mut platforms = two_platforms();
        platforms.push(platform("aarch64-apple-darwin", "macos-15", false));
        let rendered = render(&with(platforms)).unwrap();
        assert!(
            rendered.contains("            counts: false\n"),
            "{rendered}"
        );
        assert_eq!(rendered.matches("            counts: true\n").count(), 4);
        let installs: Vec<&str> = rendered
            .split("- name: ")
            .filter(|step| step.starts_with("Install valgrind"))
            .collect();
        assert_eq!(installs.len(), 2, "{rendered}");
        for step in installs {
            assert!(step.contains("\n        if: matrix.counts\n"), "{step}");
        }
    }

    /// Issue 22: every action is pinned to a full commit, with its release in a comment.
    #[test]
    fn every_action_is_pinned_to_a_commit() {
        let mut platforms = two_platforms();
        platforms.push(platform("aarch64-apple-darwin", "macos-15", false));
        for config in [
            with(platforms),
            Config {
                toolchain: Some("1.95.0".to_owned()),
                ..with(two_platforms())
            },
        ] {
            let rendered = render(&config).unwrap() + &render_judge(&config).unwrap();
            let uses: Vec<&str> = rendered
                .lines()
                .filter_map(|l| {
                    let l = l.trim_start().trim_start_matches("- ");
                    l.strip_prefix("uses: ")
                })
                .collect();
            assert!(uses.len() >= 18, "{rendered}");
            for u in uses {
                let (action, comment) = u.split_once(" # ").unwrap_or((u, ""));
                let (_, commit) = action.split_once('@').unwrap();
                assert!(
                    commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()),
                    "`{u}` is not pinned to a commit"
                );
                assert!(!comment.is_empty(), "`{u}` does not say its release");
            }
        }
    }

    #[test]
    fn rendering_is_deterministic() {
        let config = with(two_platforms());
        assert_eq!(render(&config).unwrap(), render(&config).unwrap());
    }

    #[test]
    fn the_file_says_it_is_generated_and_keeps_github_expressions() {
        let rendered = render(&with(two_platforms())).unwrap();
        assert!(rendered.starts_with("# GENERATED FILE, DO NOT EDIT BY HAND."));
        assert!(rendered.contains("runs-on: ${{ matrix.runner }}"));
        assert!(!rendered.contains("[[") && !rendered.contains("[%"));
        assert!(rendered.ends_with("retention-days: 30\n"), "{rendered}");
    }

    /// A repository whose default branch is `master` (or anything else) runs its push, history
    /// and cache paths: the workflow names no branch, it asks GitHub for the default one.
    #[test]
    fn the_workflow_names_no_branch() {
        let rendered = render(&with(two_platforms())).unwrap();
        assert!(!rendered.contains("refs/heads/main") && !rendered.contains("[main]"));
        assert!(!rendered.contains("branches:"), "{rendered}");
        let default =
            "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";
        assert_eq!(
            rendered.matches("github.ref ==").count(),
            rendered.matches(default).count()
        );
        // Pushes to other branches start the workflow, and the legs stop at once.
        let bench = rendered.split("\n  bench:\n").nth(1).unwrap();
        assert!(bench.contains(&format!("(github.event_name != 'push' || {default})")));
    }

    #[test]
    fn only_the_history_job_of_a_push_to_main_may_write() {
        let rendered = render(&with(two_platforms())).unwrap();
        assert_eq!(rendered.matches("contents: write").count(), 1);
        let job = rendered
            .split("\n  history:\n")
            .nth(1)
            .and_then(|rest| rest.split("\n  record:\n").next())
            .expect("a history job");
        assert!(job.contains("contents: write"));
        assert!(job.contains(
            "github.event_name == 'push' && github.ref == format('refs/heads/{0}', \
             github.event.repository.default_branch)"
        ));
        assert!(job.contains("persist-credentials: false"));
        assert!(!job.contains("pull-requests"));
    }

    #[test]
    fn scripts_run_with_pipefail_and_artifacts_are_kept_as_configured() {
        let mut config = with(two_platforms());
        let rendered = render(&config).unwrap();
        assert!(rendered.contains("defaults:\n  run:\n    shell: bash\n"));
        assert_eq!(rendered.matches("retention-days: 30\n").count(), 6);
        assert_eq!(rendered.matches("overwrite: true\n").count(), 6);
        assert_eq!(
            rendered
                .matches(
                    "uses: dtolnay/rust-toolchain@29eef336d9b2848a0b548edc03f92a220660cdb8 # stable"
                )
                .count(),
            4
        );
        assert_eq!(rendered.matches("run: cargo fetch --locked").count(), 4);
        config.leg_timeout_minutes = 90;
        let rendered = render(&config).unwrap();
        assert!(rendered.contains("    timeout-minutes: ${{ matrix.timeout }}\n"));
        assert_eq!(rendered.matches("            timeout: 90\n").count(), 2);
        // A platform with a budget: its legs get the budget and the setup's 10 minutes.
        config.platforms[1].budget = Some("45m".parse().unwrap());
        let rendered = render(&config).unwrap();
        assert_eq!(rendered.matches("            timeout: 90\n").count(), 1);
        assert_eq!(rendered.matches("            timeout: 55\n").count(), 1);
        config.artifact_retention_days = 7;
        config.toolchain = Some("1.95.0".to_owned());
        let rendered = render(&config).unwrap();
        assert_eq!(rendered.matches("retention-days: 7\n").count(), 6);
        assert_eq!(rendered.matches("toolchain: \"1.95.0\"").count(), 4);
        assert!(!rendered.contains("# stable"));
        config.toolchain = Some("1.95; evil".to_owned());
        let err = render(&config).unwrap_err().to_string();
        assert!(
            err.starts_with("workspace.metadata.perfmatrix.toolchain"),
            "{err}"
        );
    }

    #[test]
    fn no_expression_inside_a_run_script() {
        let config = with(two_platforms());
        let rendered = render(&config).unwrap() + &render_comment(&config).unwrap();
        let mut in_script = None;
        for (n, line) in rendered.lines().enumerate() {
            let indent = line.len() - line.trim_start().len();
            if let Some(script_indent) = in_script {
                if line.trim().is_empty() || indent > script_indent {
                    assert!(!line.contains("${{"), "line {}: {line}", n + 1);
                    continue;
                }
                in_script = None;
            }
            let key = line.trim_start().trim_start_matches("- ");
            if let Some(rest) = key.strip_prefix("run:") {
                assert!(!rest.contains("${{"), "line {}: {line}", n + 1);
                in_script = Some(indent);
            }
        }
    }

    #[test]
    fn a_runner_label_that_could_inject_yaml_is_refused() {
        for runner in [
            "ubuntu-24.04\"\n  evil: true",
            "ubuntu latest",
            "",
            "${{ x }}",
        ] {
            let mut platforms = two_platforms();
            platforms.push(platform("aarch64-apple-darwin", runner, false));
            let err = render(&with(platforms)).unwrap_err().to_string();
            assert!(
                err.starts_with("workspace.metadata.perfmatrix.platforms[2].runner"),
                "{err}"
            );
        }
    }

    #[test]
    fn no_platform_is_an_error() {
        let err = render(&with(Vec::new())).unwrap_err().to_string();
        assert!(
            err.contains("workspace.metadata.perfmatrix.platforms is empty"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_file_is_not_current() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_current(&dir.path().join("perf.yml"), "x").unwrap());
        std::fs::write(dir.path().join("perf.yml"), "x").unwrap();
        assert!(is_current(&dir.path().join("perf.yml"), "x").unwrap());
        assert!(!is_current(&dir.path().join("perf.yml"), "y").unwrap());
    }
}
