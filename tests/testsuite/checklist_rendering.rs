//! What a checklist puts on a step's own line: steps that start with a
//! heading or a quote, notes with inline markup, CJK text, `[Optional]`, and
//! HTML that must stay inline inside the step's `<label>`.

use crate::common;

use std::path::PathBuf;

use assert_cmd::Command;
use unicode_width::UnicodeWidthStr;

fn fixture() -> PathBuf {
    common::repo().join("tests/fixtures/checklists/rendering")
}

fn checklist(format: &str) -> String {
    let out = Command::cargo_bin("runsheet")
        .unwrap()
        .env("RUNSHEET_REVISION", "")
        .arg("--root")
        .arg(fixture())
        .args(["checklist", "odd-steps", "--format", format])
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// The text and Markdown forms without the step fingerprints that end each
/// step's line (` #1a2b3c4d`, `` `#1a2b3c4d` ``).
fn without_fingerprints(text: &str) -> String {
    let is_fp = |s: &str| {
        s.len() == 9 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
    };
    text.split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches('\n');
            let end = &line[body.len()..];
            match body.rsplit_once(' ') {
                Some((head, fp)) if is_fp(fp.trim_matches('`')) => format!("{head}{end}"),
                _ => line.to_owned(),
            }
        })
        .collect()
}

#[test]
fn text_form_shows_every_step_and_fits_80_columns() {
    let text = without_fingerprints(&checklist("text"));
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        "[ ] 1. Open the console.",
        "[ ] 2. Heading step",
        "[ ] 3. Quoted step",
        "[ ] 4. Check the values:",
        "       ! WARNING: Be careful with prod, really.",
        "[ ] 6. (optional) Take a snapshot of the VM.",
        "[ ] 7. (optional) Tell the team.",
        "[ ] 8. Press Enter here.",
        "[ ] 9. Type the text",
        "[ ] 10.",
    ] {
        assert!(lines.contains(&expected), "no line {expected:?} in\n{text}");
    }
    // the header's digest line is one word of 84 columns
    for line in lines.iter().filter(|l| !l.starts_with("Plan digest:")) {
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
    }
    // the CJK step is wrapped, not cut
    let cjk: String = lines
        .iter()
        .skip_while(|l| !l.starts_with("[ ] 5."))
        .take_while(|l| !l.starts_with("[ ] 6."))
        .map(|l| l.trim_start_matches("[ ] 5.").trim())
        .collect();
    assert_eq!(cjk, "在这里输入很长的中文步骤文本".repeat(5));
}

#[test]
fn markdown_form_shows_the_text_of_headings_and_quotes() {
    let md = without_fingerprints(&checklist("md"));
    for expected in [
        "- [ ] 2. Heading step\n",
        "- [ ] 3. Quoted step\n",
        "- [ ] 6. _(optional)_ Take a snapshot of the VM.\n",
        "- [ ] 7. _(optional)_ Tell the team.\n",
        "- [ ] 9. Type the text\n",
        "  > **Warning:** Be **careful** with `prod`, *really*.\n",
    ] {
        assert!(md.contains(expected), "no {expected:?} in\n{md}");
    }
}

#[test]
fn html_step_lines_hold_inline_html_only() {
    let html = checklist("html");
    let labels: Vec<&str> = html
        .split("<label class=\"line\">")
        .skip(1)
        .map(|rest| &rest[..rest.find("</label>").unwrap()])
        .collect();
    assert_eq!(labels.len(), 10);
    for label in &labels {
        for block in [
            "<h1",
            "<h2",
            "<blockquote",
            "<p>",
            "<div",
            "<ol",
            "<ul",
            "<pre",
        ] {
            assert!(!label.contains(block), "{block} in a step line: {label}");
        }
    }
    assert!(labels[1].contains("<span class=\"text\">Heading step</span>"));
    assert!(labels[2].contains("<span class=\"text\">Quoted step</span>"));
    assert!(labels[5]
        .contains("<span class=\"optional\">optional</span>Take a snapshot of the VM.</span>"));
    assert!(labels[7].contains("Press <kbd>Enter</kbd> here."));
}

#[test]
fn bracketed_optional_marks_the_step_optional() {
    let (project, mut diags) = common::load(&fixture());
    let plans = common::plans(&project, &mut diags);
    let steps = &plans[0].1.procedures[0].steps;
    assert!(steps[5].optional && steps[6].optional);
    assert_eq!(steps[5].title, "Take a snapshot of the VM.");
    assert_eq!(steps[5].text, "[Optional] Take a snapshot of the VM.");
    assert_eq!(steps[6].title, "Tell the team.");
    assert!(!steps[0].optional);
}
