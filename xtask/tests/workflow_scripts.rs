//! Executes the `run:` scripts of the generated `.github/workflows/perf.yml` in a simulated
//! GitHub runner: the files behind `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `RUNNER_TEMP`, the
//! `GITHUB_*` variables, the step's `env:` with its `${{ }}` values given per case, artifacts laid
//! out as download-artifact v7 lays them out, and stand-ins on `PATH` for `cargo` (the real
//! `cargo xtask merge` runs behind it), `gh` (records its calls, can answer 403), `rustc` and `sudo`.
//! The shell is the one the workflow declares (`defaults: run: shell`), as GitHub runs it.

#![cfg(unix)]

mod common;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{history_records, judged, paired_leg, write_results};
use perfmatrix_model::RowVerdict;

const WORKFLOW: &str = include_str!("../../.github/workflows/perf.yml");
const COMMENT_WORKFLOW: &str = include_str!("../../.github/workflows/perf-comment.yml");
const JUDGE_WORKFLOW: &str = include_str!("../../.github/workflows/perf-judge.yml");
const X86: &str = "x86_64-unknown-linux-gnu";
const ARM: &str = "aarch64-unknown-linux-gnu";

/// One step of a job: its name, `env:` (values as written) and `run:` script.
#[derive(Debug, Clone)]
struct Step {
    job: String,
    name: String,
    condition: String,
    env: Vec<(String, String)>,
    run: String,
}

/// The steps with a `run:` script of the three generated workflows.
fn steps() -> Vec<Step> {
    let mut steps = steps_of(WORKFLOW);
    steps.extend(steps_of(COMMENT_WORKFLOW));
    steps.extend(steps_of(JUDGE_WORKFLOW));
    steps
}

/// The steps with a `run:` script, from a generated file's fixed layout (jobs at two spaces,
/// steps at six, their keys at eight, `env:` entries and script lines at ten).
fn steps_of(workflow: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut job = String::new();
    let mut in_jobs = false;
    let mut current: Option<Step> = None;
    let mut block: Option<&str> = None;
    let indent = |l: &str| l.len() - l.trim_start().len();
    for line in workflow.lines() {
        if line == "jobs:" {
            in_jobs = true;
            continue;
        }
        if !in_jobs {
            continue;
        }
        let i = indent(line);
        if block.is_some() && (line.trim().is_empty() || i >= 10) {
            let step = current.as_mut().expect("a block belongs to a step");
            let text = line.get(10..).unwrap_or("");
            match block {
                Some("run") => {
                    step.run.push_str(text);
                    step.run.push('\n');
                }
                Some("env") => {
                    if let Some((k, v)) = text.split_once(": ") {
                        step.env
                            .push((k.to_owned(), v.trim_matches('"').to_owned()));
                    }
                }
                _ => {}
            }
            continue;
        }
        block = None;
        if i == 2 && line.trim_end().ends_with(':') && !line.trim_start().starts_with('#') {
            line.trim().trim_end_matches(':').clone_into(&mut job);
            continue;
        }
        if i == 6 && line.trim_start().starts_with("- ") {
            if let Some(step) = current.take() {
                steps.push(step);
            }
            current = Some(Step {
                job: job.clone(),
                name: String::new(),
                condition: String::new(),
                env: Vec::new(),
                run: String::new(),
            });
        }
        let key = line.trim_start().trim_start_matches("- ");
        let Some(step) = current.as_mut() else {
            continue;
        };
        if let Some(name) = key.strip_prefix("name: ") {
            if i <= 8 {
                name.clone_into(&mut step.name);
            }
        } else if let Some(cond) = key.strip_prefix("if: ") {
            cond.clone_into(&mut step.condition);
        } else if key == "env:" {
            block = Some("env");
        } else if key == "run: |" {
            block = Some("run");
        } else if let Some(cmd) = key.strip_prefix("run: ") {
            step.run = format!("{cmd}\n");
        } else if i <= 4
            && let Some(step) = current.take()
        {
            steps.push(step);
        }
    }
    steps.extend(current);
    steps.retain(|s| !s.run.is_empty());
    steps
}

fn step(job: &str, name: &str) -> Step {
    steps()
        .into_iter()
        .find(|s| s.job == job && s.name == name)
        .unwrap_or_else(|| panic!("no step `{name}` in job `{job}`"))
}

/// The shell GitHub runs `run:` scripts with: the workflow's `defaults: run: shell` (`bash` is
/// `bash --noprofile --norc -eo pipefail {0}`); without one, `bash -e {0}` on Linux.
fn shell() -> Vec<&'static str> {
    let declared = "defaults:\n  run:\n    shell: bash\n";
    if [WORKFLOW, COMMENT_WORKFLOW, JUDGE_WORKFLOW]
        .iter()
        .all(|w| w.contains(declared))
    {
        vec!["--noprofile", "--norc", "-eo", "pipefail"]
    } else {
        vec!["-e"]
    }
}

/// The stand-ins on the runner's PATH.
const FAKE_CARGO: &str = r####"#!/bin/bash
echo "cargo $*" >> "$RUNNER_TEMP/cargo.log"
case "$1 $2" in
  "fetch --locked") exit 0 ;;
  "xtask bench")
    out=""
    prev=""
    for a in "$@"; do
      if [ "$prev" = "--out" ]; then out="$a"; fi
      prev="$a"
    done
    if [ -n "${FAKE_RESULTS:-}" ] && [ -n "$out" ]; then
      mkdir -p "$(dirname "$out")"
      cp "$FAKE_RESULTS" "$out"
    fi
    echo "### perfmatrix (fake leg)"
    exit "${FAKE_BENCH_EXIT:-0}" ;;
  "xtask update-baselines")
    if [ "${FAKE_RECORD_EXIT:-0}" != 0 ]; then echo "recording failed" >&2; exit "$FAKE_RECORD_EXIT"; fi
    mkdir -p "baselines/$4"
    echo '{"fresh": true}' > "baselines/$4/fresh-000000000000.json"
    echo "wrote baselines/$4/fresh-000000000000.json"
    exit 0 ;;
  "xtask merge")
    shift 2
    args=()
    for a in "$@"; do
      case "$a" in
        -*) args+=("$a") ;;
        *.json|*.md|*.html) args+=("$PWD/$a") ;;
        *) args+=("$a") ;;
      esac
    done
    exec "$XTASK" merge "${args[@]}" ;;
  "xtask history")
    shift 2
    if [ -n "${FAKE_RACE:-}" ] && [ ! -e "$RUNNER_TEMP/raced" ]; then
      # Another run pushes to the history branch between this job's fetch and its push.
      touch "$RUNNER_TEMP/raced"
      git clone -q "$FAKE_RACE" "$RUNNER_TEMP/other"
      git -C "$RUNNER_TEMP/other" checkout -q perfmatrix-history
      echo other > "$RUNNER_TEMP/other/other.txt"
      git -C "$RUNNER_TEMP/other" add other.txt
      git -C "$RUNNER_TEMP/other" -c user.name=o -c user.email=o@example.com commit -q -m other
      git -C "$RUNNER_TEMP/other" push -q origin perfmatrix-history
    fi
    exec "$XTASK" history "$@" ;;
esac
echo "fake cargo: unexpected call: $*" >&2
exit 99
"####;

const FAKE_GH: &str = r#"#!/bin/bash
printf '%s\n' "gh $*" >> "$RUNNER_TEMP/gh.log"
# The knobs refuse comment calls: reading a pull request needs no write permission.
case "$*" in
  *comments*)
    if [ -n "${FAKE_GH_403:-}" ]; then
      echo "gh: Resource not accessible by integration (HTTP 403)" >&2
      exit 1
    fi
    if [ -n "${FAKE_GH_FAIL:-}" ]; then
      echo "gh: Bad gateway (HTTP 502)" >&2
      exit 1
    fi ;;
esac
case "$*" in
  "run download "*)
    # `gh run download <id> --repo <r> --name <n> --dir <d>`: the artifact of the perf run.
    if [ -z "${FAKE_ARTIFACT:-}" ]; then
      echo "no valid artifacts found to download" >&2
      exit 1
    fi
    mkdir -p "$9"
    cp -R "$FAKE_ARTIFACT"/. "$9"/ ;;
  *--paginate*) printf '%s\n' "${FAKE_GH_EXISTING:-}" ;;
  "api repos/"*"/pulls/"*) printf '%s\n' "${FAKE_PR_HEAD:-}" ;;
esac
exit 0
"#;

const FAKE_RUSTC: &str = "#!/bin/sh\necho \"host: ${FAKE_HOST:-x86_64-unknown-linux-gnu}\"\n";
const FAKE_SUDO: &str = "#!/bin/sh\nexit 0\n";

/// A runner's workspace, temp folder and stand-ins.
struct Runner {
    work: tempfile::TempDir,
    temp: tempfile::TempDir,
    bin: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        let runner = Self {
            work: tempfile::tempdir().unwrap(),
            temp: tempfile::tempdir().unwrap(),
            bin: tempfile::tempdir().unwrap(),
        };
        for (name, text) in [
            ("cargo", FAKE_CARGO),
            ("gh", FAKE_GH),
            ("rustc", FAKE_RUSTC),
            ("sudo", FAKE_SUDO),
        ] {
            let path = runner.bin.path().join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        runner
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.work.path().join(rel)
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.temp.path().join(file)).unwrap_or_default()
    }

    /// Runs `step` with `values` for its `${{ … }}` expressions and `extra` variables (the
    /// stand-ins' knobs).
    fn run(&self, step: &Step, values: &[(&str, &str)], extra: &[(&str, &str)]) -> Output {
        let values: HashMap<&str, &str> = values.iter().copied().collect();
        let script = self.temp.path().join("step.sh");
        std::fs::write(&script, &step.run).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(shell()).arg(&script).current_dir(self.work.path());
        let path = format!(
            "{}:{}",
            self.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("PATH", path)
            .env("XTASK", env!("CARGO_BIN_EXE_xtask"))
            .env("NO_COLOR", "1")
            .env("RUNNER_TEMP", self.temp.path())
            .env("GITHUB_OUTPUT", self.temp.path().join("output"))
            .env("GITHUB_STEP_SUMMARY", self.temp.path().join("summary"))
            .env("GITHUB_SERVER_URL", "https://github.example")
            .env("GITHUB_REPOSITORY", "owner/repo")
            .env("GITHUB_RUN_ID", "4242");
        for (key, value) in &step.env {
            cmd.env(key, substitute(value, &values));
        }
        for (key, value) in extra {
            cmd.env(key, value);
        }
        cmd.output().unwrap()
    }
}

/// `value` with every `${{ expr }}` replaced by its value in `values` (unknown: empty, as GitHub
/// gives for a missing property).
fn substitute(value: &str, values: &HashMap<&str, &str>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .map_or(rest.len(), |e| start + e + 2);
        let expr = rest[start + 3..end - 2].trim();
        out.push_str(values.get(expr).copied().unwrap_or(""));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A git repository with one commit in the runner's workspace; its hash.
fn commit_in(dir: &Path) -> String {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    std::fs::write(dir.join("a"), "a").unwrap();
    git(&["add", "a"]);
    git(&["commit", "-q", "-m", "a"]);
    git(&["rev-parse", "HEAD"])
}

/// The legs' results as the report job downloads them: x86_64 unchanged, ARM64 regressed.
fn two_legs(runner: &Runner) -> PathBuf {
    let results = runner.path("results");
    std::fs::create_dir_all(&results).unwrap();
    write_results(
        &results,
        &format!("{X86}.json"),
        &judged(X86, &[("decay/10000", RowVerdict::Unchanged)]),
    );
    write_results(
        &results,
        &format!("{ARM}.json"),
        &judged(ARM, &[("decay/10000", RowVerdict::Regressed)]),
    );
    results
}

const LEG: &[(&str, &str)] = &[("matrix.triple", X86)];

fn leg(event: &str, more: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![("matrix.triple", X86)];
    v.push(("github.event_name", leak(event)));
    v.extend_from_slice(more);
    v
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

#[test]
fn every_run_script_is_found_and_the_shell_has_pipefail() {
    let names: Vec<(String, String)> = steps().into_iter().map(|s| (s.job, s.name)).collect();
    for (job, name) in [
        ("bench", "Benchmark"),
        (
            "bench",
            "Check that the runner is a ${{ matrix.triple }} machine",
        ),
        ("report", "Merge"),
        ("report", "Keep the report for the comment"),
        ("comment", "Download the report"),
        ("comment", "Comment on the pull request"),
        ("report", "Verdict"),
        ("record", "Record the baseline"),
        ("baselines", "List them"),
    ] {
        assert!(
            names.contains(&(job.to_owned(), name.to_owned())),
            "{job}/{name} in {names:?}"
        );
    }
    assert_eq!(shell(), ["--noprofile", "--norc", "-eo", "pipefail"]);
    // The bug the default shell had: `(exit 2) | tee` gives tee's 0 under plain `bash -e`.
    let plain = Command::new("bash")
        .args(["-e", "-c", "(exit 2) | tee /dev/null"])
        .status()
        .unwrap();
    assert_eq!(plain.code(), Some(0));
    let piped = Command::new("bash")
        .args(["-eo", "pipefail", "-c", "(exit 2) | tee /dev/null"])
        .status()
        .unwrap();
    assert_eq!(piped.code(), Some(2));
}

#[test]
fn a_pull_request_leg_measures_against_its_base_commit() {
    let runner = Runner::new();
    let out = runner.run(
        &step("bench", "Benchmark"),
        &leg(
            "pull_request",
            &[("github.event.pull_request.base.sha", "0123456789abcdef")],
        ),
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let log = runner.read("cargo.log");
    assert_eq!(
        log.trim(),
        format!(
            "cargo xtask bench --against 0123456789abcdef --out results/{X86}.json --format markdown"
        )
    );
    assert!(!log.contains("--committed"), "{log}");
    assert!(runner.read("summary").contains("### perfmatrix (fake leg)"));
}

/// Issue 24: a shard's leg measures its shard and writes its own results file, which its own
/// artifact uploads; a platform of one shard passes no `--shard`.
#[test]
fn a_shard_leg_measures_its_shard_into_its_own_file() {
    let runner = Runner::new();
    let out = runner.run(
        &step("bench", "Benchmark"),
        &leg(
            "pull_request",
            &[
                ("github.event.pull_request.base.sha", "0123456789abcdef"),
                ("matrix.shard", "2/4"),
                ("matrix.part", "-shard-2-of-4"),
            ],
        ),
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(
        runner.read("cargo.log").trim(),
        format!(
            "cargo xtask bench --against 0123456789abcdef --shard 2/4 --out \
             results/{X86}-shard-2-of-4.json --format markdown"
        )
    );
    // With the history commit the plan job pinned, every shard balances by its durations.
    let values = leg(
        "pull_request",
        &[
            ("github.event.pull_request.base.sha", "0123456789abcdef"),
            ("matrix.shard", "2/4"),
            ("matrix.part", "-shard-2-of-4"),
        ],
    );
    let runner = Runner::new();
    let history = commit_in(runner.work.path());
    let out = runner.run(
        &step("bench", "Benchmark"),
        &values,
        &[("HISTORY", &history)],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        runner
            .read("cargo.log")
            .contains(&format!("--shard 2/4 --durations-from {history} --out")),
        "{}",
        runner.read("cargo.log")
    );
    // A pinned commit the checkout lacks stops the leg: its shards could not plan alike.
    let runner = Runner::new();
    commit_in(runner.work.path());
    let missing = "0123456789012345678901234567890123456789";
    let out = runner.run(
        &step("bench", "Benchmark"),
        &values,
        &[("HISTORY", missing)],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("is not in this checkout"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_regression_is_left_to_the_report_but_an_error_fails_the_leg_through_tee() {
    let runner = Runner::new();
    let bench = step("bench", "Benchmark");
    let values = leg(
        "pull_request",
        &[("github.event.pull_request.base.sha", "abc")],
    );
    let out = runner.run(&bench, &values, &[("FAKE_BENCH_EXIT", "1")]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("::warning::a benchmark regressed"),
        "{}",
        text(&out)
    );
    let out = runner.run(&bench, &values, &[("FAKE_BENCH_EXIT", "2")]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("::error::cargo xtask bench failed"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_push_measures_against_the_previous_commit_or_says_why_not() {
    let runner = Runner::new();
    let before = commit_in(runner.work.path());
    let bench = step("bench", "Benchmark");
    let out = runner.run(
        &bench,
        &leg("push", &[("github.event.before", leak(&before))]),
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        runner
            .read("cargo.log")
            .contains(&format!("--against {before} ")),
        "{}",
        runner.read("cargo.log")
    );
    for missing in [
        "0000000000000000000000000000000000000000",
        "",
        "feedfacefeedface",
    ] {
        let runner = Runner::new();
        commit_in(runner.work.path());
        let out = runner.run(
            &bench,
            &leg("push", &[("github.event.before", leak(missing))]),
            &[],
        );
        assert_eq!(code(&out), 0, "{}", text(&out));
        assert!(
            runner.read("cargo.log").contains("bench --committed "),
            "{missing:?}"
        );
        assert!(
            text(&out).contains("::notice::no previous commit"),
            "{}",
            text(&out)
        );
    }
}

#[test]
fn the_runner_check_refuses_a_runner_of_another_platform() {
    let runner = Runner::new();
    let check = step(
        "bench",
        "Check that the runner is a ${{ matrix.triple }} machine",
    );
    assert_eq!(code(&runner.run(&check, LEG, &[])), 0);
    let out = runner.run(&check, LEG, &[("FAKE_HOST", ARM)]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out).contains("not x86_64-unknown-linux-gnu"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_merge_of_real_legs_reports_and_a_leg_with_no_results_is_said() {
    let runner = Runner::new();
    let merge = step("report", "Merge");
    // No leg produced anything.
    let out = runner.run(&merge, &[], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(runner.read("output").contains("status=no-results"));
    let report = std::fs::read_to_string(runner.path("report.md")).unwrap();
    assert!(report.contains("no leg produced results"), "{report}");
    let verdict = step("report", "Verdict");
    let out = runner.run(
        &verdict,
        &[("steps.merge.outputs.status", "no-results")],
        &[],
    );
    assert_eq!(code(&out), 1);

    // Both legs, one regressed: the real merge writes the reports and exits 1.
    two_legs(&runner);
    std::fs::remove_file(runner.temp.path().join("output")).unwrap();
    let out = runner.run(&merge, &[], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        runner.read("output").contains("status=1"),
        "{}",
        runner.read("output")
    );
    for file in ["report.md", "report.html", "report.json"] {
        assert!(runner.path(file).is_file(), "{file}: {}", text(&out));
    }
    let report = std::fs::read_to_string(runner.path("report.md")).unwrap();
    assert!(report.contains("FAIL"), "{report}");
    let out = runner.run(&verdict, &[("steps.merge.outputs.status", "1")], &[]);
    assert_eq!(code(&out), 1);
    let out = runner.run(&verdict, &[("steps.merge.outputs.status", "0")], &[]);
    assert_eq!(code(&out), 0);
}

/// The values of the comment workflow, after the perf run 777 of pull request 17 from a fork.
fn comment_values() -> Vec<(&'static str, &'static str)> {
    vec![
        ("github.token", "t0ken"),
        ("github.repository", "owner/repo"),
        ("github.event.workflow_run.id", "777"),
        ("github.event.workflow_run.head_sha", "feedc0de"),
        (
            "github.event.workflow_run.head_repository.full_name",
            "fork/repo",
        ),
        (
            "github.event.workflow_run.html_url",
            "https://github.example/owner/repo/actions/runs/777",
        ),
    ]
}

/// The pull request's run keeps the number and the report in `perf-comment`, as the report
/// job's step writes it; returns that folder.
fn keep_for_comment(runner: &Runner, number: &str, report: &str) -> PathBuf {
    std::fs::write(runner.path("report.md"), report).unwrap();
    let keep = step("report", "Keep the report for the comment");
    let out = runner.run(
        &keep,
        &[("github.event.pull_request.number", leak(number))],
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    runner.path("perf-comment")
}

/// Both steps of the comment workflow, as GitHub runs them one after the other.
fn comment(runner: &Runner, extra: &[(&str, &str)]) -> Output {
    let out = runner.run(
        &step("comment", "Download the report"),
        &comment_values(),
        extra,
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    runner.run(
        &step("comment", "Comment on the pull request"),
        &comment_values(),
        extra,
    )
}

/// A fork's pull request gets its comment (issue 22, item 12): its run's token cannot write,
/// so the report job only keeps the report, and the comment workflow, which can, posts it on
/// the pull request the artifact names once that pull request's head is the run's commit.
#[test]
fn a_forks_pull_request_is_commented_by_the_comment_workflow() {
    let runner = Runner::new();
    let artifact = keep_for_comment(&runner, "17", "**PASS**\n");
    assert_eq!(
        std::fs::read_to_string(artifact.join("number")).unwrap(),
        "17\n"
    );
    let artifact = artifact.to_str().unwrap();
    let out = comment(
        &runner,
        &[
            ("FAKE_ARTIFACT", artifact),
            ("FAKE_PR_HEAD", "feedc0de fork/repo"),
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let log = runner.read("gh.log");
    assert!(
        log.contains("gh run download 777 --repo owner/repo --name perf-comment"),
        "{log}"
    );
    assert!(
        log.contains("gh api repos/owner/repo/pulls/17 --jq"),
        "{log}"
    );
    assert!(
        log.contains("gh api --method POST repos/owner/repo/issues/17/comments"),
        "{log}"
    );
    let body = runner.read("comment.md");
    assert!(
        body.starts_with("<!-- perfmatrix-report -->\n**PASS**"),
        "{body}"
    );
    assert!(
        body.contains("https://github.example/owner/repo/actions/runs/777"),
        "{body}"
    );

    // A second run updates that comment in place.
    let runner = Runner::new();
    let out = comment(
        &runner,
        &[
            ("FAKE_ARTIFACT", artifact),
            ("FAKE_PR_HEAD", "feedc0de fork/repo"),
            ("FAKE_GH_EXISTING", "987"),
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let log = runner.read("gh.log");
    assert!(
        log.contains("gh api --method PATCH repos/owner/repo/issues/comments/987"),
        "{log}"
    );
    assert!(!log.contains("POST"), "{log}");
}

/// The artifact is the pull request's to write: a number that is not one, or one naming a pull
/// request of another repository (a fork aiming its report at someone else's pull request), is
/// refused and nothing is posted; a pull request that moved on since the run is left to its
/// newer run.
#[test]
fn the_comment_workflow_trusts_no_number_it_cannot_check() {
    for (number, head, status, said) in [
        ("17; rm -rf /", "", 1, "names no pull request number"),
        ("$(id)", "", 1, "names no pull request number"),
        ("0", "", 1, "names no pull request number"),
        ("18", "c0ffee other/repo", 1, "does not come from fork/repo"),
        ("17", "beef fork/repo", 0, "has moved past feedc0de"),
    ] {
        let runner = Runner::new();
        let artifact = keep_for_comment(&runner, number, "**PASS**\n");
        let out = comment(
            &runner,
            &[
                ("FAKE_ARTIFACT", artifact.to_str().unwrap()),
                ("FAKE_PR_HEAD", head),
            ],
        );
        assert_eq!(code(&out), status, "{number}: {}", text(&out));
        assert!(text(&out).contains(said), "{number}: {}", text(&out));
        let log = runner.read("gh.log");
        assert!(!log.contains("comments"), "{number}: {log}");
    }
}

/// No artifact (a run cancelled before its report, or a push): nothing to post, no failure.
/// A report longer than a comment may be is cut at a line and says so.
#[test]
fn no_report_posts_nothing_and_a_long_one_is_cut() {
    let runner = Runner::new();
    let out = comment(&runner, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("no report to post"), "{}", text(&out));
    assert!(!runner.read("gh.log").contains("comments"));

    let runner = Runner::new();
    let long = "| decay/10000 | unchanged | ±0.0% |\n".repeat(4000);
    let artifact = keep_for_comment(&runner, "17", &long);
    let out = comment(
        &runner,
        &[
            ("FAKE_ARTIFACT", artifact.to_str().unwrap()),
            ("FAKE_PR_HEAD", "feedc0de fork/repo"),
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let body = runner.read("comment.md");
    assert!(body.chars().count() < 65_536, "{}", body.len());
    assert!(body.contains("The report is cut here"), "{body}");
    let table: Vec<&str> = body.lines().filter(|l| l.starts_with('|')).collect();
    assert!(
        table.iter().all(|l| l.ends_with('|')),
        "a row was cut in half"
    );
}

#[test]
fn a_read_only_token_keeps_the_summary_but_another_failure_fails() {
    let runner = Runner::new();
    let artifact = keep_for_comment(&runner, "17", "x\n");
    let artifact = artifact.to_str().unwrap();
    let head = ("FAKE_PR_HEAD", "feedc0de fork/repo");
    let out = runner.run(
        &step("comment", "Download the report"),
        &comment_values(),
        &[("FAKE_ARTIFACT", artifact)],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let post = step("comment", "Comment on the pull request");
    let out = runner.run(&post, &comment_values(), &[head, ("FAKE_GH_403", "1")]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("::notice::this token cannot write"),
        "{}",
        text(&out)
    );
    let out = runner.run(&post, &comment_values(), &[head, ("FAKE_GH_FAIL", "1")]);
    assert_eq!(code(&out), 1, "{}", text(&out));
}

/// Only the comment workflow holds a token that can write to pull requests; it checks out
/// nothing and runs no code of the pull request.
#[test]
fn only_the_comment_workflow_may_write_to_pull_requests_and_it_runs_no_pull_request_code() {
    assert!(!WORKFLOW.contains("pull-requests: write"), "{WORKFLOW}");
    assert!(COMMENT_WORKFLOW.contains("pull-requests: write"));
    for forbidden in ["uses:", "checkout", "cargo", "git "] {
        let found: Vec<&str> = COMMENT_WORKFLOW
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.contains(forbidden))
            .collect();
        assert!(found.is_empty(), "{forbidden}: {found:?}");
    }
    assert!(
        COMMENT_WORKFLOW.contains("workflows: [\"perf\"]")
            && WORKFLOW.starts_with("# GENERATED")
            && WORKFLOW.contains("\nname: perf\n"),
        "the comment workflow must name the perf workflow"
    );
}

#[test]
fn only_the_baselines_this_run_wrote_are_collected() {
    let record = step("record", "Record the baseline");
    let runner = Runner::new();
    let committed = runner.path(&format!("baselines/{X86}/committed-111111111111.json"));
    std::fs::create_dir_all(committed.parent().unwrap()).unwrap();
    std::fs::write(&committed, "{}").unwrap();
    // The committed file is older than the recording.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&committed)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let out = runner.run(&record, LEG, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let recorded = common::files_in(&runner.path("recorded"));
    assert_eq!(
        recorded,
        [runner.path(&format!("recorded/{X86}/fresh-000000000000.json"))]
    );
    assert!(runner.read("summary").contains(&format!("### {X86}")));

    // A failed recording fails the step and collects nothing.
    let runner = Runner::new();
    std::fs::create_dir_all(runner.path(&format!("baselines/{X86}"))).unwrap();
    std::fs::write(
        runner.path(&format!("baselines/{X86}/committed.json")),
        "{}",
    )
    .unwrap();
    let out = runner.run(&record, LEG, &[("FAKE_RECORD_EXIT", "2")]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(common::files_in(&runner.path("recorded")).is_empty());
}

/// What download-artifact v7 with `merge-multiple: true` leaves in `path`: every artifact's
/// files (each `<triple>/<file>.json`, as uploaded from `recorded/`) in one folder, whether one
/// artifact matched or several.
fn download(runner: &Runner, triples: &[&str]) {
    for triple in triples {
        let dir = runner.path(&format!("baselines/{triple}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("fresh-000000000000.json"), "{}").unwrap();
    }
}

#[test]
fn one_or_two_recorded_baselines_are_listed_for_review() {
    let list = step("baselines", "List them");
    for triples in [&[X86][..], &[X86, ARM][..]] {
        let runner = Runner::new();
        download(&runner, triples);
        let out = runner.run(&list, &[], &[]);
        assert_eq!(code(&out), 0, "{}", text(&out));
        let summary = runner.read("summary");
        for triple in triples {
            assert!(
                summary.contains(&format!("- baselines/{triple}/fresh-000000000000.json")),
                "{summary}"
            );
        }
    }
    let runner = Runner::new();
    let out = runner.run(&list, &[], &[]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("no recorded baseline arrived"));
}

/// The history job's script against a bare repository standing in for GitHub's remote: the first
/// push starts the branch, a second run of the same commit writes nothing twice, and a push that
/// lost a race is retried on a fresh fetch.
#[test]
fn the_history_job_appends_once_and_retries_a_lost_push() {
    let runner = Runner::new();
    let origin_root = tempfile::tempdir().unwrap();
    let origin = origin_root.path().join("owner/repo.git");
    std::fs::create_dir_all(&origin).unwrap();
    let git = |dir: &Path, args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&origin, &["init", "-q", "--bare"]);
    // A commit of this repository, which the real `cargo xtask history append --commit` resolves.
    let sha = git(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["rev-parse", "HEAD"],
    );
    let results = two_legs(&runner);
    let append = step("history", "Append to the history branch");
    let server = format!("file://{}", origin_root.path().display());
    let values = [("github.sha", sha.as_str()), ("github.token", "t0ken")];
    let extra = [("GITHUB_SERVER_URL", server.as_str())];
    let out = runner.run(&append, &values, &extra);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("starts it"), "{}", text(&out));
    let check = tempfile::tempdir().unwrap();
    let clone = |into: &Path| {
        let _ = std::fs::remove_dir_all(into);
        git(
            origin_root.path(),
            &[
                "clone",
                "-q",
                "--branch",
                "perfmatrix-history",
                origin.to_str().unwrap(),
                into.to_str().unwrap(),
            ],
        );
    };
    let lines = |dir: &Path, triple: &str| {
        history_records(&dir.join("history"))
            .iter()
            .filter(|r| r.platform == triple)
            .count()
    };
    let first = check.path().join("first");
    clone(&first);
    assert_eq!(lines(&first, X86), 1);
    assert_eq!(lines(&first, ARM), 1);
    let badge = std::fs::read_to_string(first.join(format!("badges/{ARM}.svg"))).unwrap();
    assert!(badge.contains("<svg"), "{badge}");
    // The history cache, for the next push to read instead of the whole branch: one folder per
    // platform, where the workflow's cache step saves it from.
    let cached: Vec<_> = std::fs::read_dir(runner.temp.path().join("history-cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(cached.len(), 2, "{cached:?}");
    assert!(
        cached
            .iter()
            .all(|folder| folder.join("state.bin").is_file())
    );
    assert!(
        runner.read("summary").contains("perfmatrix"),
        "{}",
        runner.read("summary")
    );

    // The same commit again, while another writer pushes in between: retried, nothing doubled.
    let out = runner.run(
        &append,
        &values,
        &[
            ("GITHUB_SERVER_URL", server.as_str()),
            ("FAKE_RACE", origin.to_str().unwrap()),
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("retrying on a fresh fetch") || text(&out).contains("already"),
        "{}",
        text(&out)
    );
    let second = check.path().join("second");
    clone(&second);
    assert_eq!(
        lines(&second, X86),
        1,
        "a record for a commit already present is not written twice"
    );
    assert!(
        second.join("other.txt").is_file(),
        "the other writer's commit is kept"
    );
    let log = git(&second, &["log", "--format=%s"]);
    assert!(!log.contains("forced"), "{log}");

    // No results at all: nothing to write, not a failure.
    std::fs::remove_dir_all(&results).unwrap();
    let out = runner.run(&append, &values, &extra);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("nothing to add"), "{}", text(&out));
}

/// Issue 22: a pull request that loosens its own gate (here the legs were judged with `paired`
/// gates of 0.99, as a pull request's own settings or code could judge them) still fails: the
/// judge workflow judges the legs' pairs again with the default branch's perfmatrix and
/// settings, and sets the commit status `perfmatrix` of the pull request's head to failure.
#[test]
fn the_judge_workflow_judges_the_legs_again_and_sets_the_commit_status() {
    let values = || {
        let mut v = comment_values();
        v.push(("steps.judge.outputs.status", ""));
        v
    };
    let judge = |runner: &Runner, artifact: Option<&Path>| {
        let extra: Vec<(&str, &str)> = artifact
            .map(|a| vec![("FAKE_ARTIFACT", a.to_str().unwrap())])
            .unwrap_or_default();
        let out = runner.run(
            &step("judge", "Download the legs' results"),
            &values(),
            &extra,
        );
        assert_eq!(code(&out), 0, "{}", text(&out));
        let out = runner.run(&step("judge", "Judge"), &values(), &extra);
        assert_eq!(code(&out), 0, "{}", text(&out));
        let status = runner
            .read("output")
            .lines()
            .find_map(|l| l.strip_prefix("status=").map(str::to_owned))
            .unwrap();
        let mut v = values();
        v.retain(|(k, _)| *k != "steps.judge.outputs.status");
        v.push(("steps.judge.outputs.status", leak(&status)));
        let out = runner.run(&step("judge", "Set the commit status"), &v, &extra);
        assert_eq!(code(&out), 0, "{}", text(&out));
        (status, runner.read("gh.log"))
    };

    let loosened = serde_json::json!({"metadata": {"perfmatrix": {
        "paired": {"warn": 0.9, "fail": 0.99}
    }}});
    let runner = Runner::new();
    let artifact = runner.temp.path().join("artifact");
    for (triple, factor) in [(X86, 1.10), (ARM, 1.0)] {
        let folder = artifact.join(format!("perf-results-{triple}"));
        std::fs::create_dir_all(&folder).unwrap();
        let leg = paired_leg(triple, factor, &loosened);
        assert_eq!(leg.verdict.outcome(), perfmatrix_model::Outcome::Pass);
        write_results(&folder, &format!("{triple}.json"), &leg);
    }
    let (status, gh) = judge(&runner, Some(&artifact));
    assert_eq!(status, "1", "{gh}");
    assert!(
        gh.contains("gh run download 777 --repo owner/repo --pattern perf-results-* --dir legs"),
        "{gh}"
    );
    assert!(
        gh.contains(
            "gh api --method POST repos/owner/repo/statuses/feedc0de -f state=failure -f \
             context=perfmatrix"
        ),
        "{gh}"
    );
    let summary = runner.read("summary");
    assert!(summary.contains("FAIL"), "{summary}");

    // A run that left no results gets an error status, not a pass.
    let runner = Runner::new();
    let (status, gh) = judge(&runner, None);
    assert_eq!(status, "no-results");
    assert!(gh.contains("-f state=error"), "{gh}");
}

/// The judge workflow runs the default branch's code with a token that sets statuses and
/// nothing else: no checkout of another ref or repository, no write to pull requests or
/// contents.
#[test]
fn the_judge_workflow_checks_out_only_the_default_branch_and_writes_only_statuses() {
    assert!(JUDGE_WORKFLOW.contains(
        "    permissions:\n      actions: read\n      contents: read\n      statuses: write\n"
    ));
    for forbidden in [
        "ref:",
        "repository:",
        "pull-requests:",
        "contents: write",
        "${{ github.event.workflow_run.head_branch",
    ] {
        let found: Vec<&str> = JUDGE_WORKFLOW
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.contains(forbidden))
            .collect();
        assert!(found.is_empty(), "{forbidden}: {found:?}");
    }
    assert!(JUDGE_WORKFLOW.contains("workflows: [\"perf\"]"));
    assert!(JUDGE_WORKFLOW.contains("merge --rejudge"));
}
