//! The real binary, a newcomer's first commands: `init`, `completions`, `man`
//! and the examples at the end of every `--help`.

use std::fs;

use assert_cmd::Command;
use predicates::prelude::*;

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.env_remove("NO_COLOR").env("RUNSHEET_REVISION", "");
    cmd
}

const INIT_FILES: [&str; 5] = [
    "runsheet.toml",
    ".gitignore",
    "content/index.md",
    "content/restart-a-web-node.md",
    "partials/health-check.md",
];

#[test]
fn init_writes_a_project_that_checks_strict_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("handbook");
    runsheet()
        .arg("init")
        .arg(&dir)
        .assert()
        .success()
        .stdout("")
        .stderr(
            predicate::str::contains("created runsheet.toml")
                .and(predicate::str::contains("runsheet serve --open")),
        );
    for file in INIT_FILES {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    let gitignore = fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(gitignore.contains("/site/") && gitignore.contains("/runs/"));
    runsheet()
        .current_dir(&dir)
        .args(["check", "--strict"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicates::str::starts_with(
            "Checked 2 pages, 1 procedure in ",
        ))
        .stderr(predicates::str::ends_with(" ms (0 warnings)\n"));
    // from a subfolder, as `cd x/content && runsheet build`: the project is found
    runsheet()
        .current_dir(dir.join("content"))
        .args(["build", "--strict"])
        .assert()
        .success()
        .stderr(predicates::str::starts_with(
            "Built 2 pages, 1 procedure, 1 checklist → ",
        ));
    let page = fs::read_to_string(dir.join("site/restart-a-web-node.html")).unwrap();
    assert!(page.contains("class=\"callout callout-warning\""));
    assert!(
        page.contains("curl --max-time 2"),
        "the partial is included"
    );
    assert!(dir
        .join("site/checklists/restart-a-web-node.html")
        .is_file());
    // and `init` in the current folder names the files without a folder
    let here = tempfile::tempdir().unwrap();
    runsheet()
        .current_dir(here.path())
        .arg("init")
        .assert()
        .success();
    runsheet()
        .current_dir(here.path())
        .arg("init")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`runsheet.toml`, `.gitignore`"));
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("content")).unwrap();
    fs::write(tmp.path().join("content/index.md"), "mine\n").unwrap();
    runsheet()
        .arg("init")
        .arg(tmp.path())
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("error[init-refused]")
                .and(predicate::str::contains("content/index.md` already exists"))
                .and(predicate::str::contains("nothing written")),
        );
    assert_eq!(
        fs::read_to_string(tmp.path().join("content/index.md")).unwrap(),
        "mine\n"
    );
    for file in INIT_FILES.iter().filter(|f| **f != "content/index.md") {
        assert!(!tmp.path().join(file).exists(), "{file} was written");
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = runsheet().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("runsheet") && text.contains("checklist") && text.contains("strict"),
            "{shell} completion lacks commands or flags"
        );
    }
    runsheet()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

#[test]
fn man_page_has_every_command_and_its_examples() {
    let out = runsheet().arg("man").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(".ie") || text.starts_with(".TH"),
        "{}",
        &text[..80]
    );
    assert!(text.contains(".TH runsheet 1"));
    for command in [
        "BUILD",
        "CHECK",
        "SERVE",
        "PLAN",
        "CHECKLIST",
        "DIFF",
        "SCHEMA",
        "RUN",
        "REPORT",
        "VERIFY",
        "INIT",
        "COMPLETIONS",
        "MAN",
    ] {
        assert!(
            text.contains(&format!(".SH \"RUNSHEET {command}\"")),
            "no section for {command}"
        );
    }
    assert!(text.contains(".SS EXAMPLES\n.nf\n  runsheet build"));
    // deterministic: no date
    let again = runsheet().arg("man").output().unwrap();
    assert_eq!(again.stdout, text.as_bytes());
}

#[test]
fn every_help_ends_with_examples() {
    let commands = [
        "build",
        "check",
        "serve",
        "plan",
        "checklist",
        "diff",
        "schema",
        "run",
        "report",
        "verify",
        "init",
        "completions",
        "man",
    ];
    let top = runsheet().arg("--help").output().unwrap();
    let mut helps = vec![("runsheet".to_owned(), top.stdout)];
    for c in commands {
        for flag in ["-h", "--help"] {
            let out = runsheet().args([c, flag]).output().unwrap();
            assert!(out.status.success(), "{c} {flag}");
            helps.push((format!("{c} {flag}"), out.stdout));
        }
    }
    for (name, stdout) in helps {
        let text = String::from_utf8(stdout).unwrap();
        let tail = text.rsplit("Examples:\n").next().unwrap();
        assert!(text.contains("Examples:\n"), "{name}: no examples\n{text}");
        let examples = tail.lines().filter(|l| l.starts_with("  runsheet")).count();
        assert!(
            (2..=3).contains(&examples) && tail.lines().all(|l| l.starts_with("  ")),
            "{name}: examples are not the end of the help:\n{tail}"
        );
    }
}
