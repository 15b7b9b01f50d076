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
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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

/// Writes the three checklists of every page that has a procedure; returns
/// the names of those pages.
pub fn render(
    project: &Project,
    plans: &[PagePlan],
    templates: &Templates,
    files: &mut Files,
    diags: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let revision = crate::revision::describe(&project.config);
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
    let view = view(
        project,
        page,
        plan,
        crate::revision::describe(&project.config),
    );
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
        let line = step_line(step);
        let (notes, notes_after) = split_after(step, &step.notes, |n| n.markdown.as_str());
        let (code, code_after) = split_after(step, &step.code, |c| c.content.as_str());
        let note_view = |n: &Note| {
            let md = markdown::ui_path::as_text(&n.markdown);
            NoteView {
                kind: n.kind.clone(),
                markdown: md.to_string(),
                html: block_html(&md),
                text: plain_text(&md),
            }
        };
        StepView {
            id: self.ids.claim(&step.id),
            number: step.number,
            title: line.title,
            html: line.html,
            md: line.md,
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
            intro_html: intro
                .as_ref()
                .map(|p| inline_html(p).unwrap_or_else(|| escape_html(&plain_text(p)))),
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

/// What a checklist shows on a step's own line, the one with its box.
struct StepLine {
    /// Plain text: the step's title, or the text of its first block when
    /// that is not a paragraph (a heading, a quote).
    title: String,
    /// Inline HTML only, never a block element: it goes inside `<label>`.
    html: String,
    /// One line of Markdown.
    md: String,
}

/// The step's first paragraph (without its optional prefix) as inline HTML
/// and one line of Markdown; when the step does not start with a paragraph,
/// its title, or else the plain text of its first block, escaped.
fn step_line(step: &Step) -> StepLine {
    let chunk = first_chunk(&markdown::ui_path::as_text(&step.markdown));
    if let Some(paragraph) = paragraph_source(&chunk) {
        let (_, inline) = if step.optional {
            procedure::strip_optional_markdown(&paragraph)
        } else {
            (false, paragraph.as_str())
        };
        // out of the page, reference links lose their definitions: inline them
        let inline = inline_references(inline, &step.links);
        if let Some(html) = inline_html(&inline).filter(|h| !h.trim().is_empty()) {
            let title = if step.title.is_empty() {
                plain_text(&inline)
            } else {
                step.title.clone()
            };
            return StepLine {
                title,
                html,
                md: inline,
            };
        }
    }
    let title = if step.title.is_empty() {
        plain_text(&chunk)
    } else {
        step.title.clone()
    };
    StepLine {
        html: escape_html(&title),
        md: md_escape(&title),
        title,
    }
}

/// Rewrites reference links (`[text][label]`, `[text][]`, `[text]`) as inline
/// links `[text](href)`, taking the destination from the step's `links` (the
/// plan resolves references against the whole page). Brackets that are not
/// one of the step's links stay as written.
fn inline_references(md: &str, links: &[procedure::Link]) -> String {
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(open) = rest.find('[') {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let escaped = before.ends_with('\\') || before.ends_with('!');
        let Some(close) = matching_bracket(from) else {
            out.push_str(from);
            return out;
        };
        let text = &from[1..close];
        let after = &from[close + 1..];
        let label_len = match after.strip_prefix('[') {
            Some(label) => label.find(']').map(|i| i + 2),
            None => Some(0),
        };
        let plain = plain_text(text);
        let link = links.iter().find(|l| l.text == plain);
        match (
            escaped || after.starts_with('(') || after.starts_with(':'),
            label_len,
            link,
        ) {
            (false, Some(len), Some(link)) => {
                out.push_str(&format!("[{text}]({})", link.href));
                rest = &after[len..];
            }
            _ => {
                out.push('[');
                rest = &from[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Index of the `]` that closes the `[` at the start of `s`.
fn matching_bracket(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The source of `markdown`'s first block when that is a paragraph, its
/// lines trimmed and joined into one.
fn paragraph_source(markdown: &str) -> Option<String> {
    let mut events = Parser::new_ext(markdown, markdown::options()).into_offset_iter();
    match events.next() {
        Some((Event::Start(Tag::Paragraph), range)) => Some(
            markdown[range]
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

/// The lines of a step's Markdown up to the end of its first paragraph: a
/// blank line, a callout fence, a code fence or a nested list item ends it.
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
        // a hard line break (`\` at the end) becomes a plain line break
        lines.push(t.strip_suffix('\\').map_or(t, str::trim_end));
    }
    lines.join("\n")
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

/// The content of the first block of `markdown` as inline HTML (no `<p>`),
/// when that block is a paragraph; `None` otherwise. Links into the site
/// become text as in [`block_html`], and raw HTML tags that are not
/// phrasing content (`<div>`, `<p>`, `<h1>` …) are left out, so the result
/// never holds a block element.
fn inline_html(markdown: &str) -> Option<String> {
    let mut events = Parser::new_ext(markdown, markdown::options());
    if !matches!(events.next(), Some(Event::Start(Tag::Paragraph))) {
        return None;
    }
    let mut links = 0usize;
    let inner = events
        .take_while(|e| !matches!(e, Event::End(TagEnd::Paragraph)))
        .filter(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) if !is_external(dest_url) => {
                links += 1;
                false
            }
            Event::End(TagEnd::Link) if links > 0 => {
                links -= 1;
                false
            }
            Event::InlineHtml(tag) => is_phrasing_html(tag),
            _ => true,
        });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, inner);
    Some(html.trim_end().to_owned())
}

/// HTML elements allowed inside a paragraph (phrasing content).
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
    "var", "wbr",
];

/// An inline HTML tag or comment that may stay inside a checklist's step line.
fn is_phrasing_html(tag: &str) -> bool {
    let Some(rest) = tag.strip_prefix('<') else {
        return false;
    };
    if rest.starts_with("!--") {
        return true;
    }
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    PHRASING.contains(&name.as_str())
}

/// Plain text of Markdown: inline markup dropped, blocks separated by
/// spaces (`Be **careful**.` is `Be careful.`).
fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, markdown::options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::Rule => out.push(' '),
            Event::End(end) if ends_block(end) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True for the end of a block; false for the end of inline markup.
fn ends_block(end: TagEnd) -> bool {
    !matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Wraps `text` to `width` columns of display width (a CJK character takes
/// two): `first` before the first line, `rest` before the others (a hanging
/// indent). Lines break at spaces; a word longer than the room left also
/// breaks next to its wide characters (CJK text has no spaces), while other
/// words longer than a line stay whole.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(first);
    let mut used = UnicodeWidthStr::width(first);
    let mut empty = true;
    let mut new_line = |line: &mut String, used: &mut usize, empty: &mut bool| {
        out.push_str(line.trim_end());
        out.push('\n');
        *line = String::from(rest);
        *used = UnicodeWidthStr::width(rest);
        *empty = true;
    };
    for word in text.split_whitespace() {
        let w = UnicodeWidthStr::width(word);
        let space = usize::from(!empty);
        if used + space + w <= width || (empty && !has_wide(word)) {
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            used += space + w;
            empty = false;
            continue;
        }
        if !has_wide(word) {
            new_line(&mut line, &mut used, &mut empty);
            line.push_str(word);
            used += w;
            empty = false;
            continue;
        }
        // too long for the room left, and breakable next to wide characters
        let mut space = !empty;
        for piece in pieces(word) {
            let pw = UnicodeWidthStr::width(piece);
            if !empty && used + usize::from(space) + pw > width {
                new_line(&mut line, &mut used, &mut empty);
                space = false;
            }
            if space {
                line.push(' ');
                used += 1;
                space = false;
            }
            line.push_str(piece);
            used += pw;
            empty = false;
        }
    }
    out.push_str(line.trim_end());
    out
}

/// A character that takes two columns.
fn is_wide(c: char) -> bool {
    UnicodeWidthChar::width(c).unwrap_or(0) > 1
}

fn has_wide(word: &str) -> bool {
    word.chars().any(is_wide)
}

/// The pieces a word may break between: each wide character on its own,
/// runs of other characters whole.
fn pieces(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if is_wide(c) {
            if start < i {
                out.push(&word[start..i]);
            }
            out.push(&word[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
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

/// A backtick fence longer than any run of backticks in `code`, so the code
/// cannot close it early.
pub fn fence_for(code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
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
            // wide characters take two columns and break between them
            ("一二三四五六七八", 10, "> ", "> ", "> 一二三四\n> 五六七八"),
            ("ab 一二三四五", 10, "", "", "ab 一二三\n四五"),
            ("一二 x", 6, "", "", "一二 x"),
            ("一二 xy", 6, "", "", "一二\nxy"),
            ("一abcdefghij二", 6, "", "", "一\nabcdefghij\n二"),
            ("日本語。テスト", 8, "", "", "日本語。\nテスト"),
            ("é x", 3, "", "", "é x"),
        ];
        for (text, width, first, rest, expected) in cases {
            assert_eq!(wrap(text, width, first, rest), expected, "{text:?}");
        }
        // every line of a long CJK step fits in 80 columns
        let text = "在这里输入很长的中文步骤文本".repeat(5);
        let wrapped = wrap(&text, 80, "[ ] 5. ", "       ");
        assert!(wrapped.lines().count() > 1);
        for line in wrapped.lines() {
            assert!(UnicodeWidthStr::width(line) <= 80, "{line}");
        }
        assert_eq!(wrapped.replace(['\n', ' '], ""), format!("[]5.{text}"));
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
    fn reference_links_become_inline() {
        let links = vec![procedure::Link {
            text: "the docs".into(),
            href: "https://example.com/ref".into(),
        }];
        let cases = [
            (
                "See [the docs][ref].",
                "See [the docs](https://example.com/ref).",
            ),
            (
                "See [the docs][].",
                "See [the docs](https://example.com/ref).",
            ),
            (
                "See [the docs].",
                "See [the docs](https://example.com/ref).",
            ),
            ("See [the docs](x.md).", "See [the docs](x.md)."),
            (
                "Keep [other] and ![the docs][ref].",
                "Keep [other] and ![the docs][ref].",
            ),
            ("Unclosed [the docs", "Unclosed [the docs"),
        ];
        for (md, expected) in cases {
            assert_eq!(inline_references(md, &links), expected, "{md:?}");
        }
    }

    #[test]
    fn fence_table() {
        let cases = [
            ("plain", "```"),
            ("a ``` b", "````"),
            ("``````", "```````"),
            ("`x`", "```"),
        ];
        for (code, fence) in cases {
            assert_eq!(fence_for(code), fence, "{code:?}");
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
                "Run **this**\ncommand:",
            ),
            ("Turn it on.\n:::hint\nNote\n:::", "Turn it on."),
            ("Copy folders:\n   1. Artifacts", "Copy folders:"),
            ("Para one.\n\nPara two.", "Para one."),
            ("Broken\\\nline", "Broken\nline"),
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
            assert_eq!(inline_html(markdown).unwrap(), expected, "{markdown:?}");
        }
    }

    #[test]
    fn inline_html_never_holds_blocks() {
        let cases = [
            ("# Heading", None),
            ("> quoted", None),
            ("1. listed", None),
            ("```sh\nls\n```", None),
            ("<div>raw</div>", None),
            ("Text\n# Heading", Some("Text")),
            ("Text\n> quoted", Some("Text")),
            ("Text\n---", None),
            (
                "Press <kbd>Enter</kbd> <div>now</div>",
                Some("Press <kbd>Enter</kbd> now"),
            ),
            ("a <!-- c --> b", Some("a <!-- c --> b")),
        ];
        for (markdown, expected) in cases {
            assert_eq!(inline_html(markdown).as_deref(), expected, "{markdown:?}");
        }
    }

    #[test]
    fn plain_text_separates_blocks_only() {
        let cases = [
            ("Be **careful**.", "Be careful."),
            ("*a*b [link](x)!", "ab link!"),
            ("One.\n\nTwo.", "One. Two."),
            ("- a\n- b", "a b"),
            ("# Title\ntext", "Title text"),
            ("| a | b |\n|---|---|\n| c | d |", "a b c d"),
        ];
        for (markdown, expected) in cases {
            assert_eq!(plain_text(markdown), expected, "{markdown:?}");
        }
    }
}
