//! `runsheet diff` against the real binary: project folders, plan files,
//! built output folders and git revisions, human and JSON forms, exit codes.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;

const BEFORE: &str = "---\ntitle: Restore\n---\n\n## Restore the database\n\n1. Stop the service.\n1. Restore the backup.\n1. Start the service.\n";
const AFTER: &str = "---\ntitle: Restore\n---\n\n## Restore the database\n\n1. Tell the users.\n1. Stop the service.\n1. Restore the latest full backup.\n1. Start the service.\n";

const EXPECTED: &str = "\
restore
  + step restore-the-database/tell-the-users 1. Tell the users.
  # step restore-the-database/stop-the-service renumbered 1. → 2.
  ~ step restore-the-database/restore-the-latest-full-backup 2. → 3.: id, title, text, markdown, number changed
      - Restore the backup.
      + Restore the latest full backup.
  # step restore-the-database/start-the-service renumbered 3. → 4.
";

fn project(dir: &Path, page: &str) {
    fs::create_dir_all(dir.join("content")).unwrap();
    fs::write(dir.join("content/restore.md"), page).unwrap();
}

fn runsheet() -> Command {
    Command::cargo_bin("runsheet").unwrap()
}

#[test]
fn project_folders_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    project(&old, BEFORE);
    project(&new, AFTER);
    runsheet()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .assert()
        .success()
        .stdout(EXPECTED);
    runsheet()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--exit-code")
        .assert()
        .code(3);
    runsheet()
        .arg("diff")
        .arg(&old)
        .arg(&old)
        .arg("--exit-code")
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("no step-level changes"));
}

#[test]
fn plan_files_and_output_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    project(&old, BEFORE);
    project(&new, AFTER);
    for dir in [&old, &new] {
        runsheet()
            .arg("--root")
            .arg(dir)
            .args(["build", "-q"])
            .assert()
            .success();
    }
    runsheet()
        .arg("diff")
        .arg(old.join("site/plans/restore.json"))
        .arg(new.join("site/plans/restore.json"))
        .assert()
        .success()
        .stdout(EXPECTED);
    let json = runsheet()
        .arg("diff")
        .arg(old.join("site"))
        .arg(new.join("site"))
        .args(["--format", "json"])
        .output()
        .unwrap()
        .stdout;
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let kinds: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["added", "renumbered", "changed", "renumbered"]);
    assert_eq!(v["changes"][2]["old"]["source"]["line"], 8);
}

#[test]
fn git_revisions() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    let git = |args: &[&str]| {
        let ok = Process::new("git")
            .arg("-C")
            .arg(repo)
            .args(["-c", "user.email=ci@example.invalid", "-c", "user.name=ci"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    project(repo, BEFORE);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "one"]);
    project(repo, AFTER);
    git(&["commit", "-qam", "two"]);
    runsheet()
        .arg("--root")
        .arg(repo)
        .args(["diff", "HEAD~1", "HEAD"])
        .assert()
        .success()
        .stdout(EXPECTED);
    runsheet()
        .arg("--root")
        .arg(repo)
        .args(["diff", "HEAD~5", "HEAD", "--color", "never"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error[diff-input]: `HEAD~5` is not a plan file",
        ));
}

#[test]
fn unreadable_side_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.json");
    fs::write(&bad, "{\"not\": \"a plan\"}").unwrap();
    runsheet()
        .arg("diff")
        .arg(&bad)
        .arg(&bad)
        .args(["--color", "never"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a runsheet plan"));
}

#[test]
fn git_revisions_of_a_project_in_a_subfolder() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    let git = |args: &[&str]| {
        let ok = Process::new("git")
            .arg("-C")
            .arg(repo)
            .args(["-c", "user.email=ci@example.invalid", "-c", "user.name=ci"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    fs::write(repo.join("README"), "before the docs\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-qm", "zero"]);
    project(&repo.join("docs"), BEFORE);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "one"]);
    project(&repo.join("docs"), AFTER);
    git(&["commit", "-qam", "two"]);
    runsheet()
        .arg("--root")
        .arg(repo.join("docs"))
        .args(["diff", "HEAD~1", "HEAD"])
        .assert()
        .success()
        .stdout(EXPECTED);
    // before the project existed, every page is new
    runsheet()
        .arg("--root")
        .arg(repo.join("docs"))
        .args(["diff", "HEAD~2", "HEAD"])
        .assert()
        .success()
        .stdout("restore\n  + page restore Restore\n");
}
