//! Odd or hostile input gets a clear answer: NUL bytes, lone-CR line
//! endings, unusable partials, misspelt include names, thousands of unused
//! partials, templates that never stop.

use crate::common::{self, project};

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.env_remove("NO_COLOR").args(["--color", "never"]);
    cmd.timeout(Duration::from_secs(60));
    cmd
}

#[test]
fn nul_bytes_become_replacement_characters() {
    let dir = project(&[(
        "content/a.md",
        b"---\ntitle: A\0B\n---\n\nText\0here.\n\n1. Step\0one.\n",
    )]);
    runsheet()
        .args(["build", "-q", "--root"])
        .arg(dir.path())
        .assert()
        .success();
    let site = dir.path().join("site");
    for (path, bytes) in common::read_tree(&site) {
        assert!(!bytes.contains(&0), "{path} holds a NUL byte");
    }
    let page = fs::read_to_string(site.join("a.html")).unwrap();
    assert!(page.contains("Text\u{FFFD}here."), "{page}");
    let text = fs::read_to_string(site.join("checklists/a.txt")).unwrap();
    assert!(text.contains("Step\u{FFFD}one."), "{text}");
}

#[test]
fn a_lone_cr_ends_a_line() {
    let dir = project(&[
        (
            "content/a.md",
            b"---\rtitle: A\r---\r\rText.\r\r!include <missing>\r\r1. Step.\r",
        ),
        ("partials/p.md", b"One.\rTwo.\r!include <gone>\r"),
        (
            "content/b.md",
            b"---\r\ntitle: B\r\n---\r\n!include <p>\r\n",
        ),
    ]);
    runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("front-matter").not())
        .stderr(predicate::str::contains("--> content/a.md:7:1"))
        .stderr(predicate::str::contains("--> partials/p.md:3:1"))
        .stderr(predicate::str::contains("error: 2 errors found"));
}

#[test]
fn an_unusable_partial_reports_only_its_own_problem() {
    let dir = project(&[
        (
            "content/a.md",
            b"---\ntitle: A\n---\n\n!include <bad>\n\n!include <dir>\n",
        ),
        ("partials/bad.md", b"ok \xff\n"),
        ("partials/dir.md/inside.md", b"Inside.\n"),
        (
            "content/b.md",
            b"---\ntitle: B\n---\n\n!include <dir.md/inside>\n",
        ),
    ]);
    runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error[not-utf8]: `partials/bad.md` is not valid UTF-8 (invalid byte at offset 3)",
        ))
        .stderr(predicate::str::contains(
            "error[include-missing]: no partial named `dir`: `partials/dir.md` is a folder, not a file",
        ))
        .stderr(predicate::str::contains("no partial named `bad`").not())
        .stderr(predicate::str::contains("add `").not())
        .stderr(predicate::str::contains("error: 2 errors found"));
}

#[test]
fn a_name_given_with_md_is_told_the_right_file_name() {
    let dir = project(&[(
        "content/a.md",
        b"---\ntitle: A\n---\n\n!include <steps.md>\n",
    )]);
    runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "help: add `steps.md` (or `steps.include.md`) under the partials folder, and write `!include <steps>`",
        ))
        .stderr(predicate::str::contains("steps.md.md").not());
}

#[test]
fn thousands_of_unused_partials_are_summarised() {
    let dir = project(&[("content/a.md", b"---\ntitle: A\n---\n\n!include <p00000>\n")]);
    fs::create_dir(dir.path().join("partials")).unwrap();
    for i in 0..10_000 {
        fs::write(
            dir.path().join(format!("partials/p{i:05}.md")),
            format!("Level {i}.\n\n!include <p{:05}>\n", i + 1),
        )
        .unwrap();
    }
    let out = runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.matches("error[include-depth]").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("warning[partial-unused]").count(),
        11,
        "{stderr:.3000}"
    );
    // the chain reaches p00031; p09999 includes the missing p10000
    assert!(stderr.contains(
        "warning[partial-unused]: no page includes `partials/p00042.md`, nor 9957 more partials after it"
    ), "{stderr:.3000}");
    assert!(stderr.contains("= help: 9958 partials are unused beyond the 10 listed above"));
}

#[test]
fn a_template_that_loops_for_ever_is_stopped() {
    let dir = project(&[
        ("content/a.md", b"---\ntitle: A\n---\n\nText.\n"),
        ("content/b.md", b"---\ntitle: B\n---\n\nText.\n"),
        ("content/c.md", b"---\ntitle: C\n---\n\nText.\n"),
        (
            "templates/page.html",
            b"<p>Page</p>\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        ),
    ]);
    let started = std::time::Instant::now();
    let out = runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[template-error]: `page.html` ran more than 20000000 instructions and was stopped: does it loop for ever?")
            && stderr.contains("--> templates/page.html:2:"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("error[template-error]").count(),
        1,
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(40));
}

#[test]
fn crate_roots_forbid_unsafe_code() {
    for root in ["src/lib.rs", "src/main.rs"] {
        let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(root)).unwrap();
        assert!(
            text.lines().any(|l| l.trim() == "#![forbid(unsafe_code)]"),
            "{root} must forbid unsafe code"
        );
    }
}
