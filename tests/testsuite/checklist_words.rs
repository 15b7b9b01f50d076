//! Nothing lost, nothing reordered: every word of every step's content
//! reaches the text and HTML checklists, in the order the writer put it
//! there, for every fixture page and the sample guide.
//!
//! Words come from the plan (each content block's Markdown, read back with
//! pulldown-cmark); a step passes when its words appear in the checklist as
//! a subsequence whose gaps stay small (gutters like `|`, `!`, `>`, list
//! markers and `[image:` sit between them), starting at some occurrence of
//! its first word.

use crate::common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use pulldown_cmark::{Event, Options, Parser};
use serde_json::Value;

/// How many checklist words may stand between two words of a step.
const MAX_GAP: usize = 12;

fn projects() -> Vec<PathBuf> {
    let mut roots = vec![common::repo()];
    for kind in ["plans", "checklists"] {
        let dir = common::repo().join("tests/fixtures").join(kind);
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("content").is_dir())
            .collect();
        cases.sort();
        roots.extend(cases);
    }
    roots
}

fn run(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::cargo_bin("runsheet")
        .unwrap()
        .env("RUNSHEET_REVISION", "")
        .arg("--root")
        .arg(root)
        .args(args)
        .args(["-q", "--color", "never"])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap())
}

fn pages(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = e.path().strip_prefix(root.join("content")).unwrap();
            let name = rel.with_extension("").to_string_lossy().replace('\\', "/");
            name.strip_suffix("/index").unwrap_or(&name).to_owned()
        })
        .collect();
    names.sort();
    names
}

/// A token as compared: without punctuation around it, lowercased.
fn norm(token: &str) -> String {
    token
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// Tokens of `text`: split at whitespace and brackets, each wide (CJK)
/// character on its own (wrapping may break a line between two of them).
fn tokens(text: &str) -> Vec<String> {
    let mut spaced = String::with_capacity(text.len());
    for c in text.chars() {
        if unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > 1 {
            spaced.push(' ');
            spaced.push(c);
            spaced.push(' ');
        } else if c == '[' || c == ']' {
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    spaced
        .split_whitespace()
        .map(norm)
        .filter(|t| !t.is_empty())
        .collect()
}

/// The words of a block's Markdown: its text, code and image descriptions.
fn markdown_words(markdown: &str) -> Vec<String> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    // out of its page a block has no reference definitions: `[text][label]`
    // shows its text only (checklists resolve the link)
    let mut source = String::new();
    let mut rest = markdown;
    while let Some(i) = rest.find("][") {
        source.push_str(&rest[..=i]);
        let after = &rest[i + 2..];
        match after.find(']') {
            Some(j) if !after[..j].contains(char::is_whitespace) => rest = &after[j + 1..],
            _ => rest = &rest[i + 1..],
        }
    }
    source.push_str(rest);
    let mut text = String::new();
    for event in Parser::new_ext(&source, options) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::Start(_) | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    tokens(&text)
}

/// Each step of the plan (substeps too) with the words of each of its own
/// blocks, in order.
fn steps(plan: &Value) -> Vec<(String, Vec<Vec<String>>)> {
    fn walk(steps: &Value, out: &mut Vec<(String, Vec<Vec<String>>)>) {
        // `substeps` is left out of a plan file when there are none
        for step in steps.as_array().into_iter().flatten() {
            let words = step["content"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["kind"] != "substeps")
                // `markdown` is left out of a plan file when it is empty
                .map(|b| markdown_words(b["markdown"].as_str().unwrap_or("")))
                .filter(|w| !w.is_empty())
                .collect();
            out.push((step["id"].as_str().unwrap().to_owned(), words));
            walk(&step["substeps"], out);
        }
    }
    let mut out: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for procedure in plan["procedures"].as_array().unwrap() {
        walk(&procedure["steps"], &mut out);
    }
    out
}

/// Where `words` end in `hay` when they appear there in order, each within
/// [`MAX_GAP`] of the one before, from the first occurrence of the first
/// word at or after `from` that works.
fn find(hay: &[String], words: &[String], from: usize) -> Option<usize> {
    let first = words.first()?;
    (from..hay.len())
        .filter(|&i| &hay[i] == first)
        .find_map(|start| {
            let mut at = start;
            for w in &words[1..] {
                let end = (at + 1 + MAX_GAP).min(hay.len());
                at += 1 + hay[at + 1..end].iter().position(|h| h == w)?;
            }
            Some(at)
        })
}

/// The blocks' words appear in `hay`, each block's close together, the
/// blocks in order (substeps and linked sections may stand between them).
fn appears(hay: &[String], blocks: &[Vec<String>]) -> bool {
    (0..hay.len()).any(|start| {
        let mut at = start;
        for (i, words) in blocks.iter().enumerate() {
            let from = if i == 0 { at } else { at + 1 };
            match find(hay, words, from) {
                Some(end) if i > 0 || hay[start] == words[0] => at = end,
                _ => return false,
            }
        }
        true
    })
}

/// The visible text of an HTML checklist, image descriptions included.
fn html_text(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let body = body.split("<script").next().unwrap_or(body);
    // an image's description is text a reader sees when it does not load
    let body = body.replace(" alt=\"", ">");
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

#[test]
fn every_word_of_every_step_reaches_its_checklists_in_order() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for root in projects() {
        for page in pages(&root) {
            let Some(plan) = run(&root, &["plan", &page]) else {
                continue;
            };
            let plan: Value = serde_json::from_str(&plan).unwrap();
            if plan["procedures"].as_array().unwrap().is_empty() {
                continue;
            }
            let text = run(&root, &["checklist", &page, "--format", "text"]).unwrap();
            let html = run(&root, &["checklist", &page, "--format", "html"]).unwrap();
            let forms = [("text", tokens(&text)), ("html", tokens(&html_text(&html)))];
            for (id, words) in steps(&plan) {
                checked += 1;
                for (form, hay) in &forms {
                    if !appears(hay, &words) {
                        failures.push(format!(
                            "{}: {page}: step `{id}` is not whole, in order, in the {form} checklist: {words:?}",
                            root.display()
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} steps checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_reordered_step_fails_the_check() {
    // the check itself must fail when a block moves
    let hay = tokens("1. Stop the service. | cp new.pem /etc/app ! WARNING: Take it out first.");
    let blocks = |parts: &[&str]| -> Vec<Vec<String>> { parts.iter().map(|p| tokens(p)).collect() };
    assert!(appears(&hay, &blocks(&["Stop the service.", "cp new.pem"])));
    assert!(!appears(
        &hay,
        &blocks(&["Stop the service.", "Take it out first.", "cp new.pem"])
    ));
    assert!(!appears(&hay, &blocks(&["Stop the service. missing word"])));
}
