//! The real binary: exit codes, output streams and flags of `runsheet check` and `build`.

use crate::common::project;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

fn fixture(case: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case)
}

#[test]
fn sample_project_checks_clean() {
    runsheet()
        .args(["check", "--root", env!("CARGO_MANIFEST_DIR")])
        .assert()
        .success()
        .stdout("")
        .stderr(clean_summary("Checked 2 pages, 15 procedures"));
    // -q leaves nothing on a clean project
    runsheet()
        .args(["check", "-q", "--root", env!("CARGO_MANIFEST_DIR")])
        .assert()
        .success()
        .stderr("");
}

/// Stderr holding only the summary line of a run without problems.
fn clean_summary(what: &'static str) -> impl predicates::Predicate<str> {
    predicate::function(move |err: &str| {
        err.starts_with(what) && err.ends_with(" ms (0 warnings)\n") && err.lines().count() == 1
    })
}

#[test]
fn help_explains_the_commands() {
    runsheet()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("check").and(predicate::str::contains("build")));
}

#[test]
fn usage_errors_exit_2() {
    runsheet().arg("frobnicate").assert().code(2);
    runsheet()
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
}

#[test]
fn errors_exit_1_and_go_to_stderr() {
    runsheet()
        .args(["check", "--color", "never", "--root"])
        .arg(fixture("diagnostics/include-errors"))
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "error[include-missing]: no partial named `upgrade-bakup`",
        ))
        .stderr(predicate::str::contains(
            "error: 7 errors and 4 warnings found",
        ));
}

#[test]
fn github_annotations_on_stdout() {
    let out = runsheet()
        .args(["check", "--format", "github", "--root"])
        .arg(fixture("diagnostics/include-errors"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with(
        "::error file=content/guide/upgrade.md,line=7,col=1,title=include-missing::no partial named `upgrade-bakup`%0Ahelp: did you mean `upgrade-backup`?\n"
    ), "{out}");
    assert!(out
        .lines()
        .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")));
}

#[test]
fn warnings_alone_pass_unless_strict() {
    let dir = project(&[
        ("content/a.md", b"---\ntitle: A\n---\nText.\n"),
        ("partials/spare.md", b"Unused.\n"),
    ]);
    runsheet()
        .args(["check", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[partial-unused]"));
    runsheet()
        .args(["check", "--strict", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[partial-unused]"));
    runsheet()
        .args(["check", "-q", "--root"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr("");
    fs::write(dir.path().join("runsheet.toml"), "strict = true\n").unwrap();
    runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .assert()
        .code(1);
}

#[test]
fn config_file_sets_folders_and_bad_keys_are_reported() {
    let dir = project(&[
        ("docs/a.md", b"---\ntitle: A\n---\n!include <x>\n"),
        ("shared/x.include.md", b"From x.\n"),
        (
            "runsheet.toml",
            b"content = \"docs\"\npartials = \"shared\"\n",
        ),
    ]);
    runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(clean_summary("Checked 1 page"));
    fs::write(
        dir.path().join("runsheet.toml"),
        "content = \"docs\"\noutput = \"x\"\n",
    )
    .unwrap();
    runsheet()
        .args(["check", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[config-invalid]"))
        .stderr(predicate::str::contains("--> runsheet.toml:2:1"));
}

#[test]
fn not_utf8_names_file_and_offset() {
    let dir = project(&[("content/bad.md", b"---\ntitle: Bad\n---\ncaf\xE9\n")]);
    runsheet()
        .args(["check", "--format", "json", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            r#""code":"not-utf8","message":"`content/bad.md` is not valid UTF-8 (invalid byte at offset 22)","file":"content/bad.md","line":4,"column":4"#,
        ));
}

#[cfg(unix)]
#[test]
fn symlink_out_of_partials_is_an_escape() {
    let outside = project(&[("secret.md", b"top secret\n")]);
    let dir = project(&[("content/a.md", b"---\ntitle: A\n---\n\n!include <evil>\n")]);
    fs::create_dir_all(dir.path().join("partials")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        dir.path().join("partials/evil.md"),
    )
    .unwrap();
    runsheet()
        .args(["check", "--format", "json", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(r#""code":"include-escape""#))
        .stdout(predicate::str::contains(
            r#""file":"content/a.md","line":5,"column":1"#,
        ))
        .stdout(predicate::str::contains("top secret").not());

    std::os::unix::fs::symlink(outside.path(), dir.path().join("partials/elsewhere")).unwrap();
    fs::write(
        dir.path().join("content/a.md"),
        "---\ntitle: A\n---\n\n!include <elsewhere/secret>\n",
    )
    .unwrap();
    runsheet()
        .args(["check", "--format", "json", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "`elsewhere` is a symlink to a folder outside the partials folder",
        ));
}

#[test]
fn missing_content_folder_is_explained() {
    let dir = project(&[("README.md", b"not a project\n")]);
    runsheet()
        .args(["check", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error[project-invalid]: no content folder",
        ))
        .stderr(predicate::str::contains("--root DIR"))
        .stderr(predicate::str::contains("`runsheet init`"));
}

#[test]
fn color_always_and_never() {
    let root = fixture("diagnostics/callouts");
    runsheet()
        .args(["check", "--color", "always", "--root"])
        .arg(&root)
        .assert()
        .stderr(predicate::str::contains("\u{1b}["));
    runsheet()
        .args(["check", "--color", "never", "--root"])
        .arg(&root)
        .assert()
        .stderr(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn failed_build_writes_nothing_and_keeps_previous_output() {
    let dir = project(&[("content/a.md", b"---\ntitle: A\n---\nText.\n")]);
    runsheet()
        .args(["build", "-q", "--root"])
        .arg(dir.path())
        .assert()
        .success();
    let site = dir.path().join("site");
    assert!(site.join(".runsheet-output").is_file());
    let before: Vec<_> = walk(&site);
    fs::write(
        dir.path().join("content/b.md"),
        "---\ntitle: B\n---\n!include <missing>\n",
    )
    .unwrap();
    runsheet()
        .args(["build", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing written"));
    assert_eq!(walk(&site), before);
}

#[test]
fn build_refuses_a_foreign_folder() {
    let dir = project(&[
        ("content/a.md", b"---\ntitle: A\n---\nText.\n"),
        ("site/keep.txt", b"mine"),
    ]);
    runsheet()
        .args(["build", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[output-refused]"));
    assert_eq!(
        fs::read_to_string(dir.path().join("site/keep.txt")).unwrap(),
        "mine"
    );
}

fn walk(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().display().to_string(), fs::read(e.path()).unwrap()))
        .collect();
    found.sort();
    found
}

#[test]
fn a_partial_problem_is_reported_once_with_its_include_chains() {
    let dir = project(&[
        ("partials/p.md", b"Text.\n\n:::hint\nnever closed\n"),
        (
            "content/a.md",
            b"---\ntitle: A\n---\n\n1. step\n\n   !include <p>\n",
        ),
        (
            "content/b.md",
            b"---\ntitle: B\n---\n\n1. step\n   !include <p>\n",
        ),
    ]);
    runsheet()
        .args(["check", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "= note: included from content/a.md:7",
        ))
        .stderr(predicate::str::contains(
            "= note: also reached through 1 other include chain",
        ))
        .stderr(predicate::str::contains("error: 1 error found"));
    // for page b, the chain is b's own
    runsheet()
        .args(["plan", "b", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "= note: included from content/b.md:6",
        ))
        .stderr(predicate::str::contains("content/a.md").not());
}

#[test]
fn outputs_that_collide_are_an_error() {
    let dir = project(&[
        ("content/a.md", b"---\ntitle: A\n---\n\n1. real step\n"),
        ("content/checklists/a.md", b"---\ntitle: Fake\n---\nfake\n"),
    ]);
    runsheet()
        .args(["build", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error[output-collision]: two products would be written to `checklists/a.html`",
        ));
    assert!(!dir.path().join("site").exists());
}

#[test]
fn top_level_partial_reachable_when_names_clash() {
    let dir = project(&[
        ("partials/w.md", b"Top.\n"),
        ("partials/deep/w.md", b"Deep.\n"),
        (
            "content/a.md",
            b"---\ntitle: A\n---\n\n!include <./w>\n\n!include <deep/w>\n",
        ),
    ]);
    runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(clean_summary("Checked 1 page"));
}

#[test]
fn plan_and_checklist_honour_strict() {
    let dir = project(&[(
        "content/a.md",
        b"---\ntitle: A\n---\n## Steps\n\n1. Read [the guide](gone.md).\n2. Done.\n",
    )]);
    let run = |args: &[&str]| {
        let mut cmd = runsheet();
        cmd.args(["--color", "never", "--root"])
            .arg(dir.path())
            .args(args);
        cmd.assert()
    };
    for command in [&["plan", "a"][..], &["checklist", "a"]] {
        // warnings alone: printed, and the product too
        run(command)
            .success()
            .stdout(predicate::str::is_empty().not())
            .stderr(predicate::str::contains("warning[link-broken]"));
        let strict = [command, &["--strict"]].concat();
        run(&strict)
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("error[link-broken]"));
    }
    fs::write(dir.path().join("runsheet.toml"), "strict = true\n").unwrap();
    for command in [&["plan", "a"][..], &["checklist", "a"]] {
        run(command)
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("error[link-broken]"));
        let lenient = [command, &["--no-strict"]].concat();
        run(&lenient)
            .success()
            .stderr(predicate::str::contains("warning[link-broken]"));
    }
}

#[test]
fn plain_markdown_without_front_matter_builds() {
    let dir = project(&[
        (
            "content/install.md",
            b"# Install the agent\n\n1. Download it.\n2. Run it.\n",
        ),
        (
            "content/notes/faq.md",
            b"<!-- kept -->\n# FAQ\n\nAnswers.\n",
        ),
    ]);
    runsheet()
        .args(["build", "-q", "--root"])
        .arg(dir.path())
        .assert()
        .success();
    let page = fs::read_to_string(dir.path().join("site/install.html")).unwrap();
    assert!(page.contains("<title>Install the agent"));
    // the heading became the title: it is not repeated in the body
    assert_eq!(page.matches("Install the agent</h1>").count(), 1, "{page}");
    let plan = fs::read_to_string(dir.path().join("site/plans/install.json")).unwrap();
    assert!(plan.contains("\"title\":\"Install the agent\""), "{plan}");
    // a page with neither front matter nor a title heading is reported, with the others still checked
    fs::write(dir.path().join("content/bare.md"), "Just text.\n").unwrap();
    fs::write(dir.path().join("content/bad.md"), "---\ntitle: [\n---\n").unwrap();
    runsheet()
        .args(["check", "--color", "never", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[front-matter-missing]"))
        .stderr(predicate::str::contains("--> content/bare.md:1:1"))
        .stderr(predicate::str::contains("error[front-matter-invalid]"));
}
