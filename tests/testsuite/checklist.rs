//! Checklists from the real binary: golden files for the three forms (the
//! sample guide and fixture projects), the Markdown form read back by a
//! CommonMark + GFM parser, and the `checklist` command's exit codes.

use crate::common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    // a revision would change with every commit; goldens show none
    cmd.env("RUNSHEET_REVISION", "");
    cmd
}

fn build(root: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    runsheet()
        .arg("--root")
        .arg(root)
        .args(["build", "-q", "--out"])
        .arg(out.path().join("site"))
        .assert()
        .success();
    out
}

fn compare(root: &Path, expected: &Path, results: &mut Vec<Result<(), String>>) {
    let out = build(root);
    let got = common::read_tree(&out.path().join("site/checklists"));
    results.push(common::golden_tree(expected, &got));
}

#[test]
fn checklist_goldens() {
    let mut results = Vec::new();
    compare(
        &common::repo(),
        &common::repo().join("tests/golden/sample-checklists"),
        &mut results,
    );
    for case in common::cases("checklists") {
        compare(&case, &case.join("expected"), &mut results);
    }
    common::all_ok(results);
}

/// Every task item of a Markdown checklist with its nesting depth and text.
fn task_items(markdown: &str) -> Vec<(usize, String)> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut open: Vec<Option<usize>> = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TASKLISTS) {
        match event {
            Event::Start(Tag::Item) => {
                depth += 1;
                open.push(None);
            }
            Event::End(TagEnd::Item) => {
                depth -= 1;
                open.pop();
            }
            Event::TaskListMarker(false) => {
                items.push((depth, String::new()));
                *open.last_mut().unwrap() = Some(items.len() - 1);
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(Some(i)) = open.last() {
                    items[*i].1.push_str(&t);
                }
            }
            _ => {}
        }
    }
    items
}

#[test]
fn markdown_form_is_a_github_task_list_of_every_step() {
    let fixture = common::repo().join("tests/fixtures/checklists/features");
    let md = runsheet()
        .arg("--root")
        .arg(&fixture)
        .args(["checklist", "runbook", "--format", "md"])
        .output()
        .unwrap()
        .stdout;
    let items = task_items(&String::from_utf8(md).unwrap());
    let got: Vec<(usize, &str)> = items
        .iter()
        .map(|(d, t)| (*d, t.split('.').next().unwrap_or("")))
        .collect();
    // every step is a task item at its depth, numbered as the docs number it;
    // steps of the linked sections sit one level below the overview's step
    assert_eq!(
        got,
        [
            (1, "1"),
            (2, "1"),
            (2, "2"),
            (2, "3"),
            (1, "2"),
            (2, "1"),
            (2, "2"),
            (2, "3"),
            (3, "1"),
            (3, "2"),
            (1, "3"),
            (1, "3"),
            (1, "4"),
            (2, "1"),
            (2, "2"),
        ]
    );
    assert!(items[2].1.contains("(optional)") && items[2].1.contains("Ask security"));
    assert!(items[6].1.contains("Edit the https binding"));
}

#[test]
fn sample_markdown_has_a_task_item_for_every_step_of_the_plan() {
    let md = runsheet()
        .args([
            "checklist",
            "upgrading-major-releases",
            "--format",
            "md",
            "--root",
        ])
        .arg(common::repo())
        .output()
        .unwrap()
        .stdout;
    let items = task_items(&String::from_utf8(md).unwrap());
    let (project, _) = common::load(&common::repo());
    let page = project.page("upgrading-major-releases").unwrap();
    let plan = runsheet::plan::plan(&project, page, &mut Vec::new());
    for step in common::all_steps(&plan) {
        let words: String = step
            .title
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        let words = words.replace(['*', '`'], "");
        assert!(
            items.iter().any(|(_, text)| {
                let text = text.replace(['*', '`'], "");
                text.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(&words)
            }),
            "no task item for step {} ({words})",
            step.id
        );
    }
}

#[test]
fn checklist_command_forms_and_errors() {
    let fixture = common::repo().join("tests/fixtures/checklists/features");
    runsheet()
        .arg("--root")
        .arg(&fixture)
        .args(["checklist", "runbook"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "CHECKLIST: Rotate the <TLS> certificate\n",
        ))
        .stdout(predicate::str::contains(
            "[ ] 4. (optional) Delete the old certificate from the store.",
        ));
    runsheet()
        .arg("--root")
        .arg(&fixture)
        .args(["checklist", "content/runbook.md", "--format", "html"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "<h1>Rotate the &lt;TLS&gt; certificate</h1>",
        ));
    runsheet()
        .arg("--root")
        .arg(&fixture)
        .args(["checklist", "runbok", "--color", "never"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "error[page-unknown]: no page named `runbok`",
        ))
        .stderr(predicate::str::contains("did you mean `runbook`?"));
    runsheet()
        .args(["checklist", "index", "--color", "never", "--root"])
        .arg(common::repo())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[checklist-empty]"));
    runsheet()
        .args(["checklist", "runbook", "--format", "pdf"])
        .assert()
        .code(2);
}

#[test]
fn a_project_template_overrides_the_checklist() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(
        &common::repo().join("tests/fixtures/checklists/features"),
        dir.path(),
    );
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/checklist.txt"),
        "{% for p in procedures %}{% for row in p.rows %}{% if row.kind != \"blocks\" %}{{ row.number }}|{% endif %}{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    runsheet()
        .arg("--root")
        .arg(dir.path())
        .args(["checklist", "runbook"])
        .assert()
        .success()
        // trim_blocks: the newline right after `{% endfor %}` belongs to the tag
        .stdout("1|1|2|3|2|1|2|3|1|2|3|0|3|4|1|2|");
}
