//! Checklists: turns a page's plan into a printable run sheet (HTML for print, Markdown task list, plain text).
//!
//! The three forms render one view model through the templates
//! `checklist.html`, `checklist.md` and `checklist.txt`, which a project may
//! override. A step with `details` carries the procedures of the section it
//! links to (or that section's first paragraph), so an overview becomes a
//! complete run sheet; a procedure nested that way is not repeated on its own.

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::markdown::{self, Heading};
use crate::output::Files;
use crate::plan::PagePlan;
use crate::procedure::{self, Code, Note, Procedure, Step};
use crate::project::{Page, Project};
use crate::site::links::is_external;
use crate::slug::Unique;
use crate::templates::Templates;

/// The three forms of a checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Md,
    Text,
}

impl Format {
    /// The template that renders this form.
    pub fn template(self) -> &'static str {
        match self {
            Format::Html => "checklist.html",
            Format::Md => "checklist.md",
            Format::Text => "checklist.txt",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Text => "txt",
        }
    }
}

/// Path of a page's checklist in the output folder.
pub fn checklist_path(page: &str, format: Format) -> String {
    format!("checklists/{page}.{}", format.extension())
}

/// The revision shown in checklist headers: `RUNSHEET_REVISION` when set
/// (empty for none), else `git describe --always --dirty` of the project.
pub fn revision(root: &std::path::Path) -> Option<String> {
    if let Some(value) = std::env::var_os("RUNSHEET_REVISION") {
        let value = value.to_string_lossy().trim().to_owned();
        return (!value.is_empty()).then_some(value);
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["describe", "--always", "--dirty", "--abbrev=12"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Writes the three checklists of every page that has a procedure; returns
/// the names of those pages.
pub fn render(
    project: &Project,
    plans: &[PagePlan],
    templates: &Templates,
    files: &mut Files,
    diags: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let revision = revision(&project.config.root);
    let mut pages = BTreeSet::new();
    for (page, plan) in project.pages.iter().zip(plans) {
        if plan.plan.procedures.is_empty() {
            continue;
        }
        let view = view(project, page, plan, revision.clone());
        for format in [Format::Html, Format::Md, Format::Text] {
            match templates.render(format.template(), &view) {
                Ok(text) => files.add(checklist_path(&page.name, format), text),
                Err(d) => diags.push(d),
            }
        }
        pages.insert(page.name.clone());
    }
    pages
}

/// One checklist form of one page.
pub fn render_one(
    project: &Project,
    page: &Page,
    plan: &PagePlan,
    templates: &Templates,
    format: Format,
) -> Result<String, Diagnostic> {
    let view = view(project, page, plan, revision(&project.config.root));
    templates.render(format.template(), &view)
}

#[derive(Serialize)]
struct View {
    page: PageView,
    source: String,
    digest: String,
    revision: Option<String>,
    /// Key under which the HTML form keeps ticks in the browser's local storage.
    storage_key: String,
    procedures: Vec<ProcedureView>,
}

#[derive(Serialize)]
struct PageView {
    name: String,
    title: String,
    description: Option<String>,
}

#[derive(Serialize)]
struct ProcedureView {
    /// The procedure's id, unique among the element ids of the checklist.
    id: String,
    title: String,
    heading_path: Vec<String>,
    intro: Option<String>,
    steps: Vec<StepView>,
    /// The steps flattened in reading order with their depth, for the text forms.
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct StepView {
    /// Unique in the checklist (a step can appear under two details links).
    id: String,
    number: u64,
    title: String,
    /// The step's first paragraph as inline HTML.
    html: String,
    /// The step's first paragraph as one line of Markdown.
    md: String,
    optional: bool,
    /// Notes and code written before the substeps (all of them when there are none)…
    notes: Vec<NoteView>,
    code: Vec<Code>,
    substeps: Vec<StepView>,
    /// …and those written after the substeps, kept in that order.
    notes_after: Vec<NoteView>,
    code_after: Vec<Code>,
    details: Option<DetailsView>,
}

#[derive(Clone, Serialize)]
struct NoteView {
    kind: String,
    markdown: String,
    html: String,
    text: String,
}

#[derive(Serialize)]
struct DetailsView {
    anchor: String,
    title: String,
    /// The section's first paragraph, when it has no procedure.
    intro_html: Option<String>,
    intro_text: Option<String>,
    procedures: Vec<GroupView>,
}

#[derive(Serialize)]
struct GroupView {
    title: String,
    steps: Vec<StepView>,
}

/// One line of the Markdown and text forms: a step, or the heading of a
/// linked section (`heading` set, `text` its first paragraph if any).
#[derive(Serialize)]
struct Row {
    depth: usize,
    number: u64,
    title: String,
    md: String,
    optional: bool,
    notes: Vec<NoteView>,
    code: Vec<Code>,
    heading: Option<String>,
    text: String,
    /// Notes and code that follow the substeps of the step above.
    continuation: bool,
}

fn view(project: &Project, page: &Page, plan: &PagePlan, revision: Option<String>) -> View {
    let mut builder = Builder {
        page,
        plan,
        ids: Unique::default(),
    };
    let absorbed = builder.absorbed();
    let shown: Vec<&Procedure> = plan
        .plan
        .procedures
        .iter()
        .enumerate()
        .filter(|(i, _)| !absorbed.contains(i))
        .map(|(_, p)| p)
        .collect();
    // a procedure may have the id of a step (each is unique in its own
    // kind); in the HTML both are element ids, so sections claim theirs first
    let section_ids: Vec<String> = shown.iter().map(|p| builder.ids.claim(&p.id)).collect();
    let procedures = shown
        .into_iter()
        .zip(section_ids)
        .map(|(p, id)| {
            let steps: Vec<StepView> = p.steps.iter().map(|s| builder.step(s, true)).collect();
            let mut rows = Vec::new();
            flatten(&steps, 0, &mut rows);
            ProcedureView {
                id,
                title: p.title.clone().unwrap_or_else(|| page.front.title.clone()),
                heading_path: p.heading_path.clone(),
                intro: p.intro.clone(),
                steps,
                rows,
            }
        })
        .collect();
    View {
        page: PageView {
            name: page.name.clone(),
            title: page.front.title.clone(),
            description: page.front.description.clone(),
        },
        source: project.db.get(page.file).path.clone(),
        digest: plan.plan.digest.clone(),
        revision,
        storage_key: format!("runsheet:{}:{}", page.name, plan.plan.digest),
        procedures,
    }
}

struct Builder<'a> {
    page: &'a Page,
    plan: &'a PagePlan,
    ids: Unique,
}

/// A later section of the page that a step's `details` points at.
struct Section<'a> {
    heading: &'a Heading,
    range: Range<usize>,
    procedures: Vec<usize>,
}

impl Builder<'_> {
    fn section(&self, anchor: &str) -> Option<Section<'_>> {
        let headings = &self.page.doc.headings;
        let i = headings.iter().position(|h| h.anchor == anchor)?;
        let heading = &headings[i];
        let end = headings[i + 1..]
            .iter()
            .find(|h| h.level <= heading.level)
            .map_or(self.page.doc.text.len(), |h| h.range.start);
        let range = heading.range.end..end;
        let procedures = self
            .plan
            .spans
            .iter()
            .enumerate()
            .filter(|(_, span)| range.contains(&span.start))
            .map(|(i, _)| i)
            .collect();
        Some(Section {
            heading,
            range,
            procedures,
        })
    }

    /// Procedures that appear under some step's details.
    fn absorbed(&self) -> BTreeSet<usize> {
        let mut found = BTreeSet::new();
        let mut visit = |step: &Step| {
            if let Some(section) = step.details.as_deref().and_then(|a| self.section(a)) {
                found.extend(section.procedures);
            }
        };
        for p in &self.plan.plan.procedures {
            walk(&p.steps, &mut visit);
        }
        found
    }

    fn step(&mut self, step: &Step, with_details: bool) -> StepView {
        let chunk = first_chunk(&step.markdown);
        let (_, inline) = procedure::strip_optional(&chunk);
        let html = if inline.is_empty() {
            escape_html(&step.title)
        } else {
            inline_html(inline)
        };
        let (notes, notes_after) = split_after(step, &step.notes, |n| n.markdown.as_str());
        let (code, code_after) = split_after(step, &step.code, |c| c.content.as_str());
        let note_view = |n: &Note| NoteView {
            kind: n.kind.clone(),
            markdown: n.markdown.clone(),
            html: block_html(&n.markdown),
            text: plain_text(&n.markdown),
        };
        StepView {
            id: self.ids.claim(&step.id),
            number: step.number,
            title: step.title.clone(),
            html,
            md: if inline.is_empty() {
                step.title.clone()
            } else {
                inline.to_owned()
            },
            optional: step.optional,
            notes: notes.into_iter().map(note_view).collect(),
            code: code.into_iter().cloned().collect(),
            substeps: step
                .substeps
                .iter()
                .map(|s| self.step(s, with_details))
                .collect(),
            notes_after: notes_after.into_iter().map(note_view).collect(),
            code_after: code_after.into_iter().cloned().collect(),
            details: if with_details {
                step.details.as_deref().and_then(|a| self.details(a))
            } else {
                None
            },
        }
    }

    fn details(&mut self, anchor: &str) -> Option<DetailsView> {
        let section = self.section(anchor)?;
        let title = section.heading.text.clone();
        let procedures: Vec<(String, Vec<Step>)> = section
            .procedures
            .iter()
            .map(|&i| {
                let p = &self.plan.plan.procedures[i];
                (p.title.clone().unwrap_or_default(), p.steps.clone())
            })
            .collect();
        let intro = if procedures.is_empty() {
            first_paragraph(&self.page.doc.text[section.range.clone()])
        } else {
            None
        };
        Some(DetailsView {
            anchor: anchor.to_owned(),
            title,
            intro_html: intro.as_ref().map(|p| inline_html(p)),
            intro_text: intro.as_ref().map(|p| plain_text(p)),
            procedures: procedures
                .into_iter()
                .map(|(title, steps)| GroupView {
                    title,
                    steps: steps.iter().map(|s| self.step(s, false)).collect(),
                })
                .collect(),
        })
    }
}

/// Splits a step's notes or code blocks into those written before its
/// substeps and those written after them, by where their text first appears
/// in the step's Markdown.
fn split_after<'s, T>(
    step: &Step,
    items: &'s [T],
    text: impl Fn(&T) -> &str,
) -> (Vec<&'s T>, Vec<&'s T>) {
    let first_sub = step
        .substeps
        .first()
        .and_then(|s| s.markdown.lines().next())
        .and_then(|line| step.markdown.find(line.trim()));
    items.iter().partition(|item| {
        let at = text(item)
            .lines()
            .find(|l| !l.trim().is_empty())
            .and_then(|line| step.markdown.find(line.trim()));
        match (first_sub, at) {
            (Some(sub), Some(at)) => at < sub,
            _ => true,
        }
    })
}

fn walk(steps: &[Step], f: &mut impl FnMut(&Step)) {
    for s in steps {
        f(s);
        walk(&s.substeps, f);
    }
}

fn flatten(steps: &[StepView], depth: usize, rows: &mut Vec<Row>) {
    for s in steps {
        rows.push(Row {
            depth,
            number: s.number,
            title: s.title.clone(),
            md: s.md.clone(),
            optional: s.optional,
            notes: s.notes.clone(),
            code: s.code.clone(),
            heading: None,
            text: String::new(),
            continuation: false,
        });
        flatten(&s.substeps, depth + 1, rows);
        if !s.notes_after.is_empty() || !s.code_after.is_empty() {
            rows.push(Row {
                notes: s.notes_after.clone(),
                code: s.code_after.clone(),
                continuation: true,
                ..Row::empty(depth)
            });
        }
        let Some(details) = &s.details else { continue };
        let named = details.procedures.len() != 1;
        if named || details.intro_text.is_some() {
            rows.push(heading_row(
                depth + 1,
                &details.title,
                details.intro_text.clone().unwrap_or_default(),
            ));
        }
        for group in &details.procedures {
            if named && group.title != details.title {
                rows.push(heading_row(depth + 1, &group.title, String::new()));
            }
            flatten(&group.steps, depth + 1, rows);
        }
    }
}

impl Row {
    fn empty(depth: usize) -> Row {
        Row {
            depth,
            number: 0,
            title: String::new(),
            md: String::new(),
            optional: false,
            notes: Vec::new(),
            code: Vec::new(),
            heading: None,
            text: String::new(),
            continuation: false,
        }
    }
}

fn heading_row(depth: usize, heading: &str, text: String) -> Row {
    Row {
        heading: Some(heading.to_owned()),
        text,
        ..Row::empty(depth)
    }
}

/// The lines of a step's Markdown up to the end of its first paragraph: a
/// blank line, a callout fence, a code fence or a nested list item ends it.
/// Joined into one line.
fn first_chunk(markdown: &str) -> String {
    let mut lines = Vec::new();
    for (i, line) in markdown.lines().enumerate() {
        let t = line.trim();
        let ends = t.is_empty()
            || t.starts_with("```")
            || t.starts_with("~~~")
            || markdown::callout_open(t).is_some()
            || markdown::is_callout_close(t)
            || (i > 0 && starts_list_item(t));
        if ends {
            break;
        }
        lines.push(t);
    }
    lines.join(" ")
}

fn starts_list_item(t: &str) -> bool {
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let after = &t[digits..];
    (digits > 0 && (after.starts_with(". ") || after.starts_with(") ")))
        || t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with("+ ")
}

/// The first paragraph of a Markdown fragment, as its source text on one line.
fn first_paragraph(markdown: &str) -> Option<String> {
    let mut start = None;
    for (event, range) in Parser::new_ext(markdown, markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Paragraph) => start = Some(range.start),
            Event::End(TagEnd::Paragraph) => {
                let text = &markdown[start?..range.end];
                return Some(text.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            _ => {}
        }
    }
    None
}

/// Renders Markdown to HTML; links that point into the site become plain
/// text (the checklist lives in another folder and is often printed).
fn block_html(markdown: &str) -> String {
    let mut depth = 0usize;
    let events = Parser::new_ext(markdown, markdown::options()).filter(|e| match e {
        Event::Start(Tag::Link { dest_url, .. }) if !is_external(dest_url) => {
            depth += 1;
            false
        }
        Event::End(TagEnd::Link) if depth > 0 => {
            depth -= 1;
            false
        }
        _ => true,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Renders one paragraph of Markdown as inline HTML (no `<p>`).
fn inline_html(markdown: &str) -> String {
    let html = block_html(markdown);
    let trimmed = html.trim_end();
    trimmed
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
        .unwrap_or(trimmed)
        .to_owned()
}

/// Plain text of Markdown: inline markup dropped, blocks joined by spaces.
fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, markdown::options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Wraps `text` to `width` columns: `first` before the first line, `rest`
/// before the others (a hanging indent). Words longer than a line stay whole.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(first);
    let mut empty = true;
    for word in text.split_whitespace() {
        let len = line.chars().count() + usize::from(!empty) + word.chars().count();
        if !empty && len > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(rest);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out
}

/// A CSS string literal (with its quotes) holding `text`, safe inside `<style>`.
pub fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' | '>' | '&' | '\n' | '\r' => out.push_str(&format!("\\{:X} ", c as u32)),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes plain text for Markdown, so a title like `Rotate <TLS> *now*`
/// shows as written.
pub fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Puts `prefix` before every line of `text` (trimmed at the end for blank lines).
pub fn prefix_lines(text: &str, prefix: &str) -> String {
    text.trim_end_matches('\n')
        .split('\n')
        .map(|l| {
            if l.trim().is_empty() {
                prefix.trim_end().to_owned()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_table() {
        let cases = [
            ("short", 20, "[ ] 1. ", "       ", "[ ] 1. short"),
            (
                "one two three four five six",
                17,
                "[ ] 1. ",
                "       ",
                "[ ] 1. one two\n       three four\n       five six",
            ),
            (
                "averyveryverylongword x",
                10,
                "> ",
                "> ",
                "> averyveryverylongword\n> x",
            ),
            ("", 10, "- ", "  ", "-"),
        ];
        for (text, width, first, rest, expected) in cases {
            assert_eq!(wrap(text, width, first, rest), expected, "{text:?}");
        }
    }

    #[test]
    fn css_string_table() {
        let cases = [
            ("Plain", "\"Plain\""),
            ("a \"b\" \\ c", "\"a \\\"b\\\" \\\\ c\""),
            ("</style><script>", "\"\\3C /style\\3E \\3C script\\3E \""),
        ];
        for (text, expected) in cases {
            assert_eq!(css_string(text), expected, "{text:?}");
        }
    }

    #[test]
    fn md_escape_table() {
        let cases = [
            ("plain words", "plain words"),
            ("Rotate <TLS> *now*", "Rotate \\<TLS\\> \\*now\\*"),
            ("a_b [c] #1 `x` a|b", "a\\_b \\[c\\] \\#1 \\`x\\` a\\|b"),
        ];
        for (text, expected) in cases {
            assert_eq!(md_escape(text), expected, "{text:?}");
        }
    }

    #[test]
    fn prefix_lines_table() {
        let cases = [
            ("a\nb\n", "  > ", "  > a\n  > b"),
            ("a\n\nb", "> ", "> a\n>\n> b"),
            ("code\n", "  ", "  code"),
        ];
        for (text, prefix, expected) in cases {
            assert_eq!(prefix_lines(text, prefix), expected, "{text:?}");
        }
    }

    #[test]
    fn first_chunk_table() {
        let cases = [
            ("Stop the service.", "Stop the service."),
            (
                "Run **this**\ncommand:\n```sh\nx\n```",
                "Run **this** command:",
            ),
            ("Turn it on.\n:::hint\nNote\n:::", "Turn it on."),
            ("Copy folders:\n   1. Artifacts", "Copy folders:"),
            ("Para one.\n\nPara two.", "Para one."),
            ("```sh\ncode first\n```", ""),
        ];
        for (markdown, expected) in cases {
            assert_eq!(first_chunk(markdown), expected, "{markdown:?}");
        }
    }

    #[test]
    fn html_keeps_external_links_only() {
        let cases = [
            (
                "See [docs](https://example.com).",
                "See <a href=\"https://example.com\">docs</a>.",
            ),
            ("See [the guide](guide.md#x).", "See the guide."),
            (
                "Use `code` and **bold**.",
                "Use <code>code</code> and <strong>bold</strong>.",
            ),
        ];
        for (markdown, expected) in cases {
            assert_eq!(inline_html(markdown), expected, "{markdown:?}");
        }
    }
}
