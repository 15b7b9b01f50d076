//! The printed checklist, in a real browser: headless Chromium prints the
//! sample guide's checklist to PDF (Letter and A4), `pdftotext` reads it back.
//!
//! Checks that every step's text is there in reading order, that each note
//! sits on the same page as its step, and that the footer's "page i of N"
//! agrees with the PDF's page count. Skipped when `chromium` or `pdftotext`
//! is missing, unless `RUNSHEET_REQUIRE_BROWSER=1`.

use crate::common;

use std::path::Path;
use std::process::Command;

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("-v").output().is_ok();
    if !found && std::env::var_os("RUNSHEET_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
        panic!("RUNSHEET_REQUIRE_BROWSER=1 but `{name}` is missing (Debian: poppler-utils)");
    }
    found
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `n` words of `text`, whitespace-normalised.
fn words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A step of the text form and the notes that belong to it directly.
struct Entry {
    text: String,
    notes: Vec<String>,
}

/// Reads the text checklist: `[ ] N. text` lines start steps; `! KIND: text`
/// lines are notes of the step line they are indented under.
fn entries(txt: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut step_indent = None;
    for line in txt.lines() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("[ ] ") {
            let text = rest.split_once(". ").map_or(rest, |(_, r)| r);
            let text = text.strip_prefix("(optional) ").unwrap_or(text);
            out.push(Entry {
                text: text.to_owned(),
                notes: Vec::new(),
            });
            step_indent = Some(indent);
        } else if let Some(note) = t.strip_prefix("! ") {
            // a note opens with its kind (`! WARNING: …`); its further lines
            // carry the same `! ` gutter
            let direct = step_indent.is_some_and(|i| i + 7 == indent);
            let label = note.split_once(": ").filter(|(kind, _)| {
                !kind.is_empty() && kind.chars().all(|c| c.is_ascii_uppercase())
            });
            match (direct, label, out.last_mut()) {
                (true, Some((_, body)), Some(last)) => last.notes.push(body.to_owned()),
                (true, None, Some(last)) => {
                    if let Some(open) = last.notes.last_mut() {
                        open.push(' ');
                        open.push_str(note);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn print(browser: &Path, html: &Path, pdf: &Path) -> Vec<String> {
    let args = [
        "--no-pdf-header-footer".to_owned(),
        format!("--print-to-pdf={}", pdf.display()),
        format!("file://{}", html.display()),
    ];
    common::run_chromium(browser, &args, None);
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(normalize).collect();
    if pages.last().is_some_and(String::is_empty) {
        pages.pop();
    }
    pages
}

fn pdf_pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .expect("pdfinfo reports Pages")
}

/// Finds `needle` in the pages at or after `(page, offset)`.
fn find(pages: &[String], from: (usize, usize), needle: &str) -> Option<(usize, usize)> {
    let (mut page, mut offset) = from;
    while page < pages.len() {
        if let Some(i) = pages[page][offset.min(pages[page].len())..].find(needle) {
            return Some((page, offset + i + needle.len()));
        }
        page += 1;
        offset = 0;
    }
    None
}

#[test]
fn printed_checklist_keeps_steps_in_order_with_their_notes() {
    let Some(browser) = common::chromium() else {
        return;
    };
    if !tool("pdftotext") || !tool("pdfinfo") {
        common::skip_note("the print test: poppler-utils (pdftotext) is not installed");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("runsheet")
        .unwrap()
        .env("RUNSHEET_REVISION", "")
        .arg("--root")
        .arg(common::repo())
        .args(["build", "-q", "--out"])
        .arg(out.path().join("site"))
        .assert()
        .success();
    let checklists = out.path().join("site/checklists");
    let html = std::fs::read_to_string(checklists.join("upgrading-major-releases.html")).unwrap();
    let txt = std::fs::read_to_string(checklists.join("upgrading-major-releases.txt")).unwrap();
    let steps = entries(&txt);
    assert!(
        steps.len() > 60,
        "the sample run sheet has its nested steps"
    );
    let notes: usize = steps.iter().map(|s| s.notes.len()).sum();
    assert!(
        notes >= 3,
        "the sample has notes kept with their steps ({notes})"
    );

    // Letter is Chromium's default paper; A4 is asked for by the page's own CSS
    let a4 = html.replace("</style>", "@page { size: A4; }\n</style>");
    std::fs::write(checklists.join("a4.html"), a4).unwrap();
    let mut counts = Vec::new();
    for (name, file) in [
        ("Letter", "upgrading-major-releases.html"),
        ("A4", "a4.html"),
    ] {
        let pdf = out.path().join(format!("{name}.pdf"));
        let pages = print(&browser, &checklists.join(file), &pdf);
        let total = pdf_pages(&pdf);
        assert_eq!(pages.len(), total, "{name}: one text page per PDF page");
        for (i, page) in pages.iter().enumerate() {
            let footer = format!("page {} of {total}", i + 1);
            assert!(
                page.contains(&footer),
                "{name}: page {} has no `{footer}`",
                i + 1
            );
        }
        let mut at = (0, 0);
        for step in &steps {
            let needle = words(&step.text, 4);
            let Some(found) = find(&pages, at, &needle) else {
                panic!(
                    "{name}: step `{needle}` missing or out of order (after page {})",
                    at.0 + 1
                );
            };
            for note in &step.notes {
                let note_words = words(note, 4);
                let note_at = find(&pages, found, &note_words)
                    .unwrap_or_else(|| panic!("{name}: note `{note_words}` missing"));
                assert_eq!(
                    note_at.0,
                    found.0,
                    "{name}: note `{note_words}` is on page {}, its step `{needle}` on page {}",
                    note_at.0 + 1,
                    found.0 + 1
                );
            }
            at = found;
        }
        // the last page carries the final sign-off
        assert!(
            pages.last().unwrap().contains("Sign-off"),
            "{name}: sign-off on the last page"
        );
        counts.push(total);
    }
    // the same run sheet on either paper: a handful of pages, within one or two of each other
    let (letter, a4) = (counts[0], counts[1]);
    assert!((4..=12).contains(&letter), "Letter: {letter} pages");
    assert!(
        letter.abs_diff(a4) <= 2,
        "Letter {letter} pages, A4 {a4} pages"
    );
}
