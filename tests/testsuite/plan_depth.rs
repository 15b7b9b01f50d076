//! Deeply nested lists: steps are read 16 levels deep, deeper lists stay in
//! the deepest step's Markdown with one `procedure-too-deep` warning per
//! procedure, and nothing overflows the stack, hits the template recursion
//! limit or grows quadratically.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use runsheet::internals::Step;
use runsheet::plan::Plan;
use serde_json::Value;

/// Levels of steps a plan reads (`runsheet::internals::MAX_STEP_DEPTH`).
const MAX: usize = runsheet::internals::MAX_STEP_DEPTH;

fn runsheet(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.env("RUNSHEET_REVISION", "").arg("--root").arg(root);
    cmd
}

/// A project with one page `p` holding `body`.
fn project(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::write(
        dir.path().join("content/p.md"),
        format!("---\ntitle: Deep\n---\n\n{body}"),
    )
    .unwrap();
    dir
}

/// `levels` items, each nested in the one before: `'   ' * i + '1. level i'`.
fn staircase(levels: usize) -> String {
    (0..levels)
        .map(|i| format!("{}1. level {i}\n", "   ".repeat(i)))
        .collect()
}

/// The plan `runsheet plan` prints (expanded), read back, and its size in bytes.
fn plan(root: &Path) -> (Plan, usize) {
    let out = runsheet(root).args(["plan", "p"]).assert().success();
    let out = out.get_output();
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    (serde_json::from_str(&text).unwrap(), text.len())
}

/// The size in bytes of the compact plan `runsheet plan --compact` prints
/// (a build's plan file, indented).
fn compact_size(root: &Path) -> usize {
    let out = runsheet(root)
        .args(["plan", "p", "--compact"])
        .assert()
        .success();
    out.get_output().stdout.len()
}

/// Levels of steps below `steps` (1 for steps without substeps).
fn depth(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| 1 + depth(&s.substeps))
        .max()
        .unwrap_or(0)
}

/// The `procedure-too-deep` warnings of `check --format json`, as `(line, column)`.
fn too_deep(root: &Path) -> Vec<(u64, u64)> {
    let out = runsheet(root)
        .args(["check", "--format", "json"])
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|d| d["code"] == "procedure-too-deep")
        .map(|d| {
            assert_eq!(d["severity"], "warning");
            assert_eq!(d["file"], "content/p.md");
            (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap())
        })
        .collect()
}

#[test]
fn three_thousand_markers_on_one_line() {
    let dir = project(&format!("{}x\n", "1. ".repeat(3000)));
    let (plan, _) = plan(dir.path());
    let steps = &plan.procedures[0].steps;
    assert_eq!(depth(steps), MAX);
    // the deepest step keeps the rest of the line as its Markdown
    let mut deepest = &steps[0];
    while let Some(next) = deepest.substeps.first() {
        deepest = next;
    }
    let markdown = deepest.markdown.as_str();
    assert!(markdown.starts_with("1. 1. ") && markdown.ends_with(" x"));
    assert_eq!(markdown.matches("1.").count(), 3000 - MAX);
    // the warning points at the first marker not read: line 5, after 16 markers
    assert_eq!(too_deep(dir.path()), [(5, 3 * MAX as u64 + 1)]);
    for format in ["html", "md", "text"] {
        runsheet(dir.path())
            .args(["checklist", "p", "--format", format])
            .assert()
            .success();
    }
    runsheet(dir.path())
        .args(["build", "-q", "--out"])
        .arg(dir.path().join("site"))
        .assert()
        .success();
}

#[test]
fn staircases_render_every_checklist_form() {
    for levels in [17, 40, 80] {
        let dir = project(&staircase(levels));
        let (plan, _) = plan(dir.path());
        assert_eq!(depth(&plan.procedures[0].steps), MAX, "{levels}");
        assert_eq!(too_deep(dir.path()), [(5 + MAX as u64, 3 * MAX as u64 + 1)]);
        let html = runsheet(dir.path())
            .args(["checklist", "p", "--format", "html"])
            .assert()
            .success();
        let html = String::from_utf8(html.get_output().stdout.clone()).unwrap();
        assert_eq!(html.matches("type=\"checkbox\"").count(), MAX, "{levels}");
        for format in ["md", "text"] {
            runsheet(dir.path())
                .args(["checklist", "p", "--format", format])
                .assert()
                .success();
        }
    }
}

#[test]
fn sixteen_levels_are_read_without_a_warning() {
    let dir = project(&staircase(MAX));
    let (plan, _) = plan(dir.path());
    assert_eq!(depth(&plan.procedures[0].steps), MAX);
    assert_eq!(too_deep(dir.path()), []);
}

#[test]
fn deep_procedures_under_details_links_render() {
    // the overview step links to the section, whose 40-level procedure the
    // HTML checklist nests under it: 1 + 16 levels of the step macro
    let body = format!(
        "## Overview\n\n1. Prepare the server.\n2. Install the software.\n\n\
         ## Install the software\n\n{}",
        staircase(40)
    );
    let dir = project(&body);
    let (plan, _) = plan(dir.path());
    assert_eq!(
        plan.procedures[0].steps[1]
            .details
            .as_ref()
            .unwrap()
            .procedures,
        ["install-the-software"]
    );
    let html = runsheet(dir.path())
        .args(["checklist", "p", "--format", "html"])
        .assert()
        .success();
    let html = String::from_utf8(html.get_output().stdout.clone()).unwrap();
    assert_eq!(html.matches("type=\"checkbox\"").count(), 2 + MAX);
}

#[test]
fn one_warning_per_procedure() {
    // two branches too deep in the first procedure, one in the second
    let deep = staircase(MAX + 2);
    let body = format!("## A\n\n{deep}1. again\n{}\n## B\n\n{deep}", indent(&deep));
    let dir = project(&body);
    let warnings = too_deep(dir.path());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0], (7 + MAX as u64, 3 * MAX as u64 + 1));
}

/// `text` nested one level deeper (under a `1. ` item).
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("   {l}\n")).collect()
}

#[test]
fn two_thousand_levels_stay_small() {
    // 6 MB of input, most of it indentation; a step's Markdown holds its own
    // blocks, not its substeps' (they carry theirs), so the plan stays a small
    // multiple of the page
    let page = staircase(2000);
    let dir = project(&page);
    let (plan, expanded) = plan(dir.path());
    assert_eq!(depth(&plan.procedures[0].steps), MAX);
    // the deepest step's Markdown is in its content and, expanded, in its
    // `markdown` too: about 2x the page expanded, 1x compact
    for (form, size) in [
        ("expanded", expanded),
        ("compact", compact_size(dir.path())),
    ] {
        assert!(
            size < 3 * page.len(),
            "{form} plan of {size} bytes for a page of {}",
            page.len()
        );
    }
}
