//! `runsheet run`, `report` and `verify` against the real binary: a scripted run of the sample guide's Overview (done, skipped, failed, notes, a refused self-approval, a hold signed by a second name), kill and resume, a cut journal line, a resume across a changed page, report goldens in three forms, the journal against its schema, and `verify` on current and stale digests.

use crate::common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

const START: &str = "2024-05-01T10:00:00Z";
const RUN_ID: &str = "20240501-100000-upgrading-major-releases";
const PAGE: &str = "upgrading-major-releases";
const MAIN_PARTIAL: &str = "partials/upgrade/upgrade-main-instance-after-test-instance.md";

/// A copy of the sample project in a temporary folder.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["content", "partials"] {
        common::copy_tree(&common::repo().join(sub), &dir.path().join(sub));
    }
    dir
}

/// The binary with a fixed clock starting at `start`, a minute a reading.
fn runsheet(root: &Path, start: &str) -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.env("RUNSHEET_NOW", start)
        .env("RUNSHEET_NOW_STEP", "60")
        .env("RUNSHEET_REVISION", "")
        .arg("--root")
        .arg(root)
        .arg("--color")
        .arg("never");
    cmd
}

fn write_answers(root: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let path = root.join(name);
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Runs the Overview's "upgrade the main instance" procedure as Ada at
/// `START`, with the scripted `answers` written to the file `name`.
fn start_main_run(root: &Path, name: &str, answers: &[&str]) -> assert_cmd::assert::Assert {
    let answers = write_answers(root, name, answers);
    runsheet(root, START)
        .args([
            "run",
            PAGE,
            "upgrade-the-main-instance",
            "--operator",
            "Ada",
            "--answers",
        ])
        .arg(&answers)
        .assert()
}

/// `runsheet report RUN_ID --format json`.
fn report_json(root: &Path) -> Value {
    let out = runsheet(root, START)
        .args(["report", RUN_ID, "--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// Rewords step 2 of "upgrade the main instance" in its partial.
fn reword_maintenance_step(root: &Path) {
    let partial = root.join(MAIN_PARTIAL);
    let text = fs::read_to_string(&partial).unwrap().replace(
        "wait for running tasks to finish.",
        "wait for every running task to finish.",
    );
    fs::write(&partial, text).unwrap();
}

/// Resumes `RUN_ID` across a changed page and declines to go on; returns stdout.
fn resume_declined(root: &Path) -> String {
    let no = write_answers(root, "no.txt", &["no"]);
    let out = runsheet(root, "2024-05-01T11:00:00Z")
        .args(["run", "--resume", RUN_ID, "--operator", "Ada", "--answers"])
        .arg(&no)
        .assert()
        .code(4);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn journal_path(root: &Path, id: &str) -> PathBuf {
    root.join("runs").join(format!("{id}.jsonl"))
}

fn journal_lines(root: &Path, id: &str) -> Vec<Value> {
    fs::read_to_string(journal_path(root, id))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn kinds(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["type"].as_str().unwrap().to_owned())
        .collect()
}

/// Validates every line of a journal against `runsheet schema --run`.
fn validate_journal(root: &Path, id: &str) {
    let out = Command::cargo_bin("runsheet")
        .unwrap()
        .args(["schema", "--run"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let schema: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (i, line) in journal_lines(root, id).iter().enumerate() {
        let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "line {}: {errors:?}\n{line}", i + 1);
    }
    // a line with a key missing or an unknown key does not validate
    let mut broken = journal_lines(root, id)[1].clone();
    broken.as_object_mut().unwrap().remove("time");
    assert!(!validator.is_valid(&broken));
    broken["time"] = "x".into();
    broken["extra"] = 1.into();
    assert!(!validator.is_valid(&broken));
}

/// Answers for the whole Overview: the first three steps done, skipped and
/// failed, a note, a refused self-approval and a second name at the hold
/// point (step 9.4), `done` everywhere else.
fn overview_answers() -> Vec<&'static str> {
    let mut a = vec![
        "# step 1.1 to 1.3",
        "done",
        "skip we already keep that MSI",
        "fail the version in the file name did not match",
        "note the MSI was re-downloaded at 10:20",
        "done",
    ];
    // steps 2.2 to 9.3: 34 steps
    a.extend(std::iter::repeat_n("done", 34));
    a.extend([
        "approve Ada Lovelace",
        "approve Grace Hopper",
        "done backups checked by Grace",
        "done",
        "done",
        "skip",
    ]);
    a
}

fn run_overview(root: &Path) -> assert_cmd::assert::Assert {
    let answers = write_answers(root, "answers.txt", &overview_answers());
    runsheet(root, START)
        .args([
            "run",
            PAGE,
            "overview",
            "--operator",
            "Ada Lovelace",
            "--no-input",
            "--answers",
        ])
        .arg(&answers)
        .assert()
}

#[test]
fn scripted_run_of_the_overview_records_every_answer() {
    let dir = project();
    let root = dir.path();
    let out = run_overview(root).success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(
            "`Ada Lovelace` is the operator of this run; a hold point needs a second person"
        ),
        "{stderr}"
    );
    assert!(stdout.contains("HOLD POINT: step 9.4 needs a second person's signature"));
    assert!(stdout.contains("signed by Grace Hopper"));
    assert!(stdout.contains(&format!("run `{RUN_ID}` is complete")));
    // every step's whole content is shown: code, notes and substeps
    assert!(
        stdout.contains("| BACKUP DATABASE [OctopusDeploy_Test]"),
        "code"
    );
    assert!(stdout.contains("! HOLD: A second person checks"), "note");
    assert!(
        stdout.contains("  1. Choose to create a new database"),
        "substeps"
    );

    let lines = journal_lines(root, RUN_ID);
    let head = &lines[0];
    assert_eq!(head["type"], "run");
    assert_eq!(head["run"], RUN_ID);
    assert_eq!(head["page"], PAGE);
    assert_eq!(head["procedure"], "recommended-approach/overview");
    assert_eq!(head["operator"], "Ada Lovelace");
    assert_eq!(head["time"], START);
    assert_eq!(head["runsheet"], env!("CARGO_PKG_VERSION"));
    assert!(head["digest"].as_str().unwrap().starts_with("sha256:"));
    let k = kinds(&lines);
    assert_eq!(&k[1..5], ["done", "skipped", "failed", "note"]);
    assert_eq!(lines[2]["note"], "we already keep that MSI");
    assert_eq!(lines[3]["label"], "1.3");
    assert_eq!(lines[3]["number"], 3);
    let refused = lines.iter().position(|l| l["type"] == "refused").unwrap();
    assert_eq!(lines[refused]["approver"], "Ada Lovelace");
    assert_eq!(lines[refused + 1]["type"], "approved");
    assert_eq!(lines[refused + 1]["approver"], "Grace Hopper");
    assert_eq!(lines[refused + 1]["label"], "9.4");
    assert_eq!(lines[refused + 2]["type"], "done");
    assert_eq!(k.last().unwrap(), "completed");
    // the optional last step was skipped without a reason
    assert_eq!(lines[lines.len() - 2]["note"], "optional step");
    // one minute a reading: times are in order and UTC
    assert_eq!(lines[1]["time"], "2024-05-01T10:01:00Z");
    validate_journal(root, RUN_ID);

    // the report, in three forms
    let golden = common::repo().join("tests/golden/run");
    let mut results = Vec::new();
    for (format, file) in [
        ("md", "report.md"),
        ("html", "report.html"),
        ("json", "report.json"),
    ] {
        let out = runsheet(root, START)
            .args(["report", RUN_ID, "--format", format])
            .assert()
            .success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        results.push(common::golden(&golden.join(file), &text));
    }
    common::all_ok(results);
}

#[test]
fn the_sample_plan_marks_the_hold_point() {
    let (project, _) = common::load(&common::repo());
    let page = project.page(PAGE).unwrap();
    let plan = runsheet::plan::plan(&project, page, &mut Vec::new());
    let holds: Vec<&str> = common::all_steps(&plan)
        .into_iter()
        .filter(|s| s.hold)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        holds,
        ["recommended-approach/upgrade-the-main-instance/run-the-tested-msi-and"]
    );
}

/// Waits until the journal has `n` lines (a minute at most).
fn wait_for_lines(path: &Path, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let count = fs::read_to_string(path).map_or(0, |t| t.lines().count());
        if count >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the journal never reached {n} lines"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_killed_run_loses_nothing_and_resumes() {
    let dir = project();
    let root = dir.path();
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("runsheet"))
        .env("RUNSHEET_NOW", START)
        .env("RUNSHEET_NOW_STEP", "60")
        .arg("--root")
        .arg(root)
        .args([
            "run",
            PAGE,
            "Upgrade the main instance",
            "--operator",
            "Ada",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = root.join("runs").join(format!("{RUN_ID}.jsonl"));
    let mut stdin = child.stdin.take().unwrap();
    for (answer, lines) in [("done", 2), ("done all quiet", 3)] {
        writeln!(stdin, "{answer}").unwrap();
        stdin.flush().unwrap();
        wait_for_lines(&journal, lines);
    }
    // killed while waiting for the third answer
    child.kill().unwrap();
    child.wait().unwrap();
    let lines = journal_lines(root, RUN_ID);
    assert_eq!(kinds(&lines), ["run", "done", "done"]);
    assert_eq!(lines[2]["note"], "all quiet");
    validate_journal(root, RUN_ID);
    let report = report_json(root);
    assert_eq!(report["status"], "in progress");
    assert_eq!(report["counts"]["done"], 2);
    assert_eq!(report["counts"]["open"], 5);

    // resumed by a unique start of its id: it goes on at step 3
    let answers = write_answers(
        root,
        "rest.txt",
        &["done", "approve Bob", "done", "done", "done", "done"],
    );
    let out = runsheet(root, "2024-05-01T11:00:00Z")
        .args([
            "run",
            "--resume",
            "20240501",
            "--operator",
            "Ada",
            "--answers",
        ])
        .arg(&answers)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("-- step 3 (3 of 7)"), "{stdout}");
    let lines = journal_lines(root, RUN_ID);
    assert_eq!(
        kinds(&lines),
        [
            "run",
            "done",
            "done",
            "resumed",
            "done",
            "approved",
            "done",
            "done",
            "done",
            "done",
            "completed"
        ]
    );
    assert_eq!(lines[3]["digest"], lines[0]["digest"]);
    assert_eq!(lines[3]["time"], "2024-05-01T11:00:00Z");
    validate_journal(root, RUN_ID);
    // a complete run is not resumed again
    runsheet(root, START)
        .args(["run", "--resume", RUN_ID, "--operator", "Ada", "--answers"])
        .arg(&answers)
        .assert()
        .success()
        .stderr(predicates::str::contains("already complete"));
}

#[test]
fn a_cut_last_line_is_ignored_and_dropped_on_resume() {
    let dir = project();
    let root = dir.path();
    start_main_run(root, "a.txt", &["done", "skip not needed", "quit"]).code(4);
    let path = journal_path(root, RUN_ID);
    let whole = fs::read_to_string(&path).unwrap();
    // the process died halfway through writing an event
    let last = whole.lines().last().unwrap().to_owned();
    let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(&last.as_bytes()[..last.len() / 2]).unwrap();
    drop(file);
    let cut_lines = whole.lines().count() + 1;
    runsheet(root, START)
        .args(["report", RUN_ID])
        .assert()
        .success()
        .stderr(predicates::str::contains(format!(
            "{RUN_ID}.jsonl:{cut_lines}: the last line is cut short"
        )));
    let answers = write_answers(root, "b.txt", &["quit"]);
    runsheet(root, "2024-05-01T11:00:00Z")
        .args(["run", "--resume", RUN_ID, "--operator", "Ada", "--answers"])
        .arg(&answers)
        .assert()
        .code(4);
    let lines = journal_lines(root, RUN_ID);
    assert_eq!(
        kinds(&lines),
        ["run", "done", "skipped", "paused", "resumed", "paused"]
    );
    assert_eq!(
        lines[4]["note"],
        "a cut last line of the journal was dropped"
    );
    validate_journal(root, RUN_ID);
    // a bad line that is not the last one is an error naming file, line and column
    let text = fs::read_to_string(&path).unwrap();
    let broken = text.replacen("\"type\":\"done\"", "\"type\":\"finished\"", 1);
    fs::write(&path, broken).unwrap();
    runsheet(root, START)
        .args(["report", RUN_ID])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!("{RUN_ID}.jsonl:2:")));
}

#[test]
fn resume_across_a_changed_page_lists_the_changes_and_asks() {
    let dir = project();
    let root = dir.path();
    start_main_run(root, "a.txt", &["done", "done", "quit"]).code(4);
    let partial = root.join(MAIN_PARTIAL);
    let text = fs::read_to_string(&partial).unwrap();
    let text = text
        .replace(
            "wait for running tasks to finish.",
            "wait for every running task to finish.",
        )
        .replace(
            "1. Turn maintenance mode off",
            "1. Check the Octopus Server log for errors.\n1. Turn maintenance mode off",
        );
    fs::write(&partial, text).unwrap();
    let before = fs::read_to_string(journal_path(root, RUN_ID)).unwrap();

    // declined: nothing is written
    let stdout = resume_declined(root);
    assert!(
        stdout.contains("The page has changed since this run's plan"),
        "{stdout}"
    );
    assert!(stdout.contains(
        "~ step recommended-approach/upgrade-the-main-instance/turn-on-maintenance-mode-on 2.: title, text, markdown changed"
    ));
    assert!(stdout.contains(
        "+ step recommended-approach/upgrade-the-main-instance/check-the-octopus-server-log 6. Check the Octopus Server log for errors."
    ));
    assert!(stdout.contains("Already answered before the change: `recommended-approach/upgrade-the-main-instance/turn-on-maintenance-mode-on` (done)"));
    assert_eq!(
        fs::read_to_string(journal_path(root, RUN_ID)).unwrap(),
        before
    );

    // --yes goes on, with the new step in its place
    let rest = write_answers(
        root,
        "rest.txt",
        &[
            "done",
            "approve Bob",
            "done",
            "done",
            "done",
            "done",
            "done",
        ],
    );
    let out = runsheet(root, "2024-05-01T12:00:00Z")
        .args([
            "run",
            "--resume",
            RUN_ID,
            "--operator",
            "Ada",
            "--yes",
            "--answers",
        ])
        .arg(&rest)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("-- step 6 (6 of 8)"));
    assert!(stdout.contains("Check the Octopus Server log for errors."));
    let lines = journal_lines(root, RUN_ID);
    let resumed = lines.iter().find(|l| l["type"] == "resumed").unwrap();
    assert_ne!(resumed["digest"], lines[0]["digest"]);
    assert_eq!(
        resumed["note"],
        "page changed: 1 step(s) changed, 1 added, 0 removed, 2 renumbered"
    );
    validate_journal(root, RUN_ID);
    let report = report_json(root);
    assert_eq!(report["status"], "completed");
    assert_eq!(report["later_digests"][0], resumed["digest"]);
    assert_eq!(report["counts"]["open"], 0);
    assert_eq!(report["counts"]["done"], 8);
}

#[test]
fn a_run_whose_plan_copy_is_version_2_resumes_reports_and_verifies() {
    // a run started before plan schema version 3 kept its copy in version 2
    let dir = project();
    let root = dir.path();
    start_main_run(root, "a.txt", &["done", "done", "quit"]).code(4);
    let copy = journal_path(root, RUN_ID).with_extension("plan.json");
    // a run keeps its copy as `runsheet plan` prints it: version 3, expanded
    let text = fs::read_to_string(&copy).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["schema_version"], 3);
    assert!(value.get("files").is_none());
    assert!(value["procedures"][0]["steps"][0]["source"]["file"].is_string());
    assert!(value["procedures"][0]["steps"][0]["markdown"].is_string());
    let plan: runsheet::plan::Plan = serde_json::from_str(&text).unwrap();
    let v2 = runsheet::internals::plan_as_v2(&plan);
    assert_eq!(v2["schema_version"], 2);
    fs::write(&copy, serde_json::to_string_pretty(&v2).unwrap() + "\n").unwrap();
    let old = plan.digest.clone();

    // the report reads the version 2 copy
    let report = report_json(root);
    assert_eq!(report["steps_from"], "plan copy");
    assert_eq!(report["counts"]["done"], 2);

    // the page changes; resuming compares the version 2 copy with the new plan
    reword_maintenance_step(root);
    let stdout = resume_declined(root);
    assert!(stdout.contains(
        "~ step recommended-approach/upgrade-the-main-instance/turn-on-maintenance-mode-on 2.: title, text, markdown changed"
    ), "{stdout}");
    assert!(!stdout.contains("cannot be listed"), "{stdout}");

    // verify finds the old digest in the version 2 copy and lists the change
    let out = runsheet(root, START)
        .args(["verify", &old])
        .assert()
        .code(3);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains(&copy.display().to_string()), "{stdout}");
    assert!(stdout.contains(
        "~ step recommended-approach/upgrade-the-main-instance/turn-on-maintenance-mode-on 2.: title, text, markdown changed"
    ), "{stdout}");
}

#[test]
fn verify_tells_a_current_copy_from_a_stale_one() {
    let dir = project();
    let root = dir.path();
    runsheet(root, START)
        .args(["build", "-q"])
        .assert()
        .success();
    let plan: Value = serde_json::from_str(
        &fs::read_to_string(root.join("site/plans/upgrading-major-releases.json")).unwrap(),
    )
    .unwrap();
    let old = plan["digest"].as_str().unwrap().to_owned();
    let short = &old["sha256:".len().."sha256:".len() + 8];
    runsheet(root, START)
        .args(["verify", short])
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with(
            "current: this copy of `upgrading-major-releases` matches the current build",
        ));
    // the page changes after the copy was printed
    reword_maintenance_step(root);
    let out = runsheet(root, START)
        .args(["verify", &old])
        .assert()
        .code(3);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.starts_with(&format!(
        "stale: this copy of `upgrading-major-releases` was made from plan {old}"
    )));
    assert!(stdout.contains(
        "~ step recommended-approach/upgrade-the-main-instance/turn-on-maintenance-mode-on 2.: title, text, markdown changed"
    ));
    assert!(stdout.contains("#9084f09f → #"), "{stdout}");
    runsheet(root, START)
        .args(["verify", "00000000"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error[digest-unknown]"));
    runsheet(root, START)
        .args(["verify", "abc"])
        .assert()
        .code(2);
}

#[test]
fn hold_missing_warns_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("content")).unwrap();
    fs::write(
        root.join("content/db.md"),
        "---\ntitle: Retire the database\n---\n\n## Retire\n\n1. Back up the database.\n1. Drop the old database.\n",
    )
    .unwrap();
    let check = |root: &Path| {
        let out = runsheet(root, START)
            .args(["check", "--format", "json"])
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    assert!(!check(root).contains("hold-missing"));
    fs::write(root.join("runsheet.toml"), "hold_warnings = true\n").unwrap();
    let json = check(root);
    let d: Value =
        serde_json::from_str(json.lines().find(|l| l.contains("hold-missing")).unwrap()).unwrap();
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["file"], "content/db.md");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(8), Some(1))
    );
    assert!(d["message"].as_str().unwrap().contains("`drop`"));
    // a hold point at or before the step silences it
    fs::write(
        root.join("content/db.md"),
        "---\ntitle: Retire the database\n---\n\n## Retire\n\n1. Hold: a DBA confirms the backup.\n1. Drop the old database.\n",
    )
    .unwrap();
    assert!(!check(root).contains("hold-missing"));
}

#[test]
fn run_usage_errors() {
    let dir = project();
    let root = dir.path();
    runsheet(root, START).args(["run"]).assert().code(2);
    runsheet(root, START)
        .args(["run", PAGE, "--no-input"])
        .assert()
        .code(2);
    runsheet(root, START)
        .args(["run", PAGE, "no-such-procedure", "--operator", "Ada"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error[procedure-unknown]"))
        .stderr(predicates::str::contains("`recommended-approach/overview`"));
    runsheet(root, START)
        .args(["run", "upgrading", "--operator", "Ada"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "did you mean `upgrading-major-releases`?",
        ));
    runsheet(root, START)
        .args(["report", "nothing-here"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error[run-invalid]"));
    // a scripted answer that does not fit stops the run, with its line
    start_main_run(root, "bad.txt", &["done", "maybe"])
        .code(1)
        .stderr(predicates::str::contains(
            "bad.txt:2: `maybe` is not an answer here",
        ));
    assert_eq!(kinds(&journal_lines(root, RUN_ID)), ["run", "done"]);
}
