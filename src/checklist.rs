//! Checklists: turns a page's plan into a printable run sheet (HTML for print, Markdown task list, plain text).
//!
//! The three forms render one view model through the templates
//! `checklist.html`, `checklist.md` and `checklist.txt`, which a project may
//! override. A step with `details` carries the procedures of the section it
//! links to (or that section's first paragraph), so an overview becomes a
//! complete run sheet; a procedure nested that way is not repeated on its own.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::markdown;
use crate::plan::Plan;
use crate::procedure::render::TextLine;
use crate::procedure::{self, Block, BlockKind, Details, Procedure, Step};
use crate::project::{Page, Project};
use crate::slug::Unique;
use crate::templates::Templates;
use crate::text::md_escape;

/// The three forms of a checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Html,
    Md,
    Text,
}

impl Format {
    /// The template that renders this form.
    pub(crate) fn template(self) -> &'static str {
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
pub(crate) fn checklist_path(page: &str, format: Format) -> String {
    crate::output::paths::checklist(page, format.extension())
}

/// The three checklists of `page` by output path, rendered from its plan;
/// none for a page without procedures.
pub fn forms(
    project: &Project,
    page: &Page,
    plan: &Plan,
) -> Vec<(String, Result<String, Diagnostic>)> {
    if plan.procedures.is_empty() {
        return Vec::new();
    }
    let templates = &project.templates;
    // converted for the templates once, not once per form
    let view = view(project, page, plan);
    let view = minijinja::Value::from_serialize(view);
    [Format::Html, Format::Md, Format::Text]
        .into_iter()
        .map(|format| {
            let path = checklist_path(&page.name, format);
            (path, templates.render(format.template(), &view))
        })
        .collect()
}

/// One checklist form of one page.
pub(crate) fn render_one(
    project: &Project,
    page: &Page,
    plan: &Plan,
    templates: &Templates,
    format: Format,
) -> Result<String, Diagnostic> {
    let view = view(project, page, plan);
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
    /// Callouts to read before step 1.
    notes: Vec<ItemView>,
    steps: Vec<StepView>,
    /// Callouts written right after the last step.
    closing_notes: Vec<ItemView>,
    /// The steps flattened in reading order with their depth, for the text forms.
    rows: Vec<Row>,
}

#[derive(Clone, Serialize)]
struct StepView {
    /// Unique in the checklist (a step can appear under two details links).
    id: String,
    number: u64,
    /// The step's own line as plain text (its first paragraph).
    title: String,
    /// The same line as inline HTML.
    html: String,
    /// The same line as one line of Markdown.
    md: String,
    optional: bool,
    /// A hold point: the forms print a two-signature box.
    hold: bool,
    /// Short fingerprint of the step's id and content (`runsheet verify`).
    fingerprint: String,
    /// The step's other blocks up to its first substeps, kept with its line…
    head: Vec<ItemView>,
    /// …and from its first substeps on, in source order.
    tail: Vec<ItemView>,
    details: Option<DetailsView>,
}

/// One block of a step in every form: `kind` is a [`BlockKind`] name;
/// a `substeps` item holds `steps`.
#[derive(Clone, Serialize)]
struct ItemView {
    kind: BlockKind,
    callout: Option<String>,
    html: String,
    md: String,
    lines: Vec<TextLine>,
    steps: Vec<StepView>,
}

#[derive(Clone, Serialize)]
struct DetailsView {
    anchor: String,
    title: String,
    /// The section's first paragraph, when it has no procedure.
    intro_html: Option<String>,
    intro_text: Option<String>,
    procedures: Vec<GroupView>,
}

#[derive(Clone, Serialize)]
struct GroupView {
    title: String,
    notes: Vec<ItemView>,
    steps: Vec<StepView>,
    closing_notes: Vec<ItemView>,
}

/// One entry of the Markdown and text forms: a step's line (`kind` `step`),
/// blocks under the step above (`blocks`), a linked procedure's own notes
/// (`notes`, level with its steps), or the heading of a linked section
/// (`heading`, `text` its first paragraph if any).
#[derive(Serialize)]
struct Row {
    kind: &'static str,
    depth: usize,
    number: u64,
    title: String,
    md: String,
    optional: bool,
    hold: bool,
    fingerprint: String,
    blocks: Vec<ItemView>,
    heading: Option<String>,
    text: String,
}

fn view(project: &Project, page: &Page, plan: &Plan) -> View {
    let mut builder = Builder {
        plan,
        ids: Unique::default(),
    };
    let absorbed = builder.absorbed();
    let shown: Vec<&Procedure> = plan
        .procedures
        .iter()
        .filter(|p| !absorbed.contains(p.id.as_str()))
        .collect();
    // a procedure may have the id of a step (each is unique in its own
    // kind); in the HTML both are element ids, so sections claim theirs first
    let section_ids: Vec<String> = shown.iter().map(|p| builder.ids.claim(&p.id)).collect();
    let procedures = shown
        .into_iter()
        .zip(section_ids)
        .map(|(p, id)| {
            let group = builder.group(p, true);
            let mut rows = Vec::new();
            flatten(&group.steps, 0, &mut rows);
            ProcedureView {
                id,
                title: p.title.clone().unwrap_or_else(|| page.front.title.clone()),
                heading_path: p.heading_path.clone(),
                intro: p.intro.clone(),
                notes: group.notes,
                steps: group.steps,
                closing_notes: group.closing_notes,
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
        digest: plan.digest.clone(),
        revision: project.revision().clone(),
        storage_key: format!("runsheet:{}:{}", page.name, plan.digest),
        procedures,
    }
}

struct Builder<'a> {
    plan: &'a Plan,
    ids: Unique,
}

impl Builder<'_> {
    /// Ids of the procedures that appear under some step's details.
    fn absorbed(&self) -> BTreeSet<&str> {
        let mut found = BTreeSet::new();
        for p in &self.plan.procedures {
            walk(&p.steps, &mut |step| {
                if let Some(d) = &step.details {
                    found.extend(d.procedures.iter().map(String::as_str));
                }
            });
        }
        found
    }

    fn group(&mut self, p: &Procedure, with_details: bool) -> GroupView {
        let no_links: &[procedure::Link] = &[];
        GroupView {
            title: p.title.clone().unwrap_or_default(),
            notes: p.notes.iter().map(|b| item(b, no_links)).collect(),
            steps: p.steps.iter().map(|s| self.step(s, with_details)).collect(),
            closing_notes: p.closing_notes.iter().map(|b| item(b, no_links)).collect(),
        }
    }

    fn step(&mut self, step: &Step, with_details: bool) -> StepView {
        let line = step_line(step);
        let id = self.ids.claim(&step.id);
        let mut head = Vec::new();
        let mut tail = Vec::new();
        for block in step.content.iter().skip(line.skip) {
            let mut view = item(block, &step.links);
            if block.kind == BlockKind::Substeps {
                view.steps = block
                    .steps
                    .iter()
                    .filter_map(|id| step.substeps.iter().find(|s| &s.id == id))
                    .map(|s| self.step(s, with_details))
                    .collect();
            }
            if view.kind == BlockKind::Substeps || !tail.is_empty() {
                tail.push(view);
            } else {
                head.push(view);
            }
        }
        StepView {
            id,
            number: step.number,
            title: line.title,
            html: line.html,
            md: line.md,
            optional: step.optional,
            hold: step.hold,
            fingerprint: crate::run::fingerprint(step),
            head,
            tail,
            details: if with_details {
                step.details.as_ref().map(|d| self.details(d))
            } else {
                None
            },
        }
    }

    fn details(&mut self, details: &Details) -> DetailsView {
        let procedures: Vec<GroupView> = details
            .procedures
            .iter()
            .filter_map(|id| self.plan.procedures.iter().find(|p| &p.id == id))
            .map(|p| self.group(p, false))
            .collect();
        DetailsView {
            anchor: details.anchor.clone(),
            title: details.title.clone(),
            intro_html: details.summary.as_deref().map(escape_html),
            intro_text: details.summary.clone(),
            procedures,
        }
    }
}

/// A block as the checklist forms show it.
fn item(block: &Block, links: &[procedure::Link]) -> ItemView {
    ItemView {
        kind: block.kind,
        callout: block.callout.clone(),
        html: block.view.html.clone(),
        md: inline_references(&markdown::ui_path::as_text(&block.markdown), links),
        lines: block.view.lines.clone(),
        steps: Vec::new(),
    }
}

fn walk<'s>(steps: &'s [Step], f: &mut impl FnMut(&'s Step)) {
    for s in steps {
        f(s);
        walk(&s.substeps, f);
    }
}

fn flatten(steps: &[StepView], depth: usize, rows: &mut Vec<Row>) {
    for s in steps {
        rows.push(Row {
            kind: "step",
            number: s.number,
            title: s.title.clone(),
            md: s.md.clone(),
            optional: s.optional,
            hold: s.hold,
            fingerprint: s.fingerprint.clone(),
            ..Row::empty(depth)
        });
        for item in s.head.iter().chain(&s.tail) {
            if item.kind == BlockKind::Substeps {
                flatten(&item.steps, depth + 1, rows);
            } else {
                push_block(rows, depth, item);
            }
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
            push_notes(rows, depth + 1, &group.notes);
            flatten(&group.steps, depth + 1, rows);
            push_notes(rows, depth + 1, &group.closing_notes);
        }
    }
}

/// A procedure's own notes, at the depth of its steps' boxes (not under a step).
fn push_notes(rows: &mut Vec<Row>, depth: usize, notes: &[ItemView]) {
    if !notes.is_empty() {
        rows.push(Row {
            kind: "notes",
            blocks: notes.to_vec(),
            ..Row::empty(depth)
        });
    }
}

/// Adds `item` to the blocks row at `depth` that ends `rows`, or starts one.
fn push_block(rows: &mut Vec<Row>, depth: usize, item: &ItemView) {
    match rows.last_mut() {
        Some(row) if row.kind == "blocks" && row.depth == depth => row.blocks.push(item.clone()),
        _ => rows.push(Row {
            kind: "blocks",
            blocks: vec![item.clone()],
            ..Row::empty(depth)
        }),
    }
}

impl Row {
    fn empty(depth: usize) -> Row {
        Row {
            kind: "blocks",
            depth,
            number: 0,
            title: String::new(),
            md: String::new(),
            optional: false,
            hold: false,
            fingerprint: String::new(),
            blocks: Vec::new(),
            heading: None,
            text: String::new(),
        }
    }
}

fn heading_row(depth: usize, heading: &str, text: String) -> Row {
    Row {
        kind: "heading",
        heading: Some(heading.to_owned()),
        text,
        ..Row::empty(depth)
    }
}

/// What a checklist shows on a step's own line, the one with its box.
struct StepLine {
    /// Plain text, every word of the first paragraph (image descriptions too).
    title: String,
    /// Inline HTML only, never a block element: it goes inside `<label>`.
    html: String,
    /// One line of Markdown.
    md: String,
    /// How many of the step's first blocks the line shows (0 or 1).
    skip: usize,
}

/// The step's first paragraph (without its optional prefix) as the step's
/// line; a step that starts with a heading or a quote shows its text there;
/// one that starts with another block (code, a list) shows that block under
/// an empty line.
fn step_line(step: &Step) -> StepLine {
    let first = step.content.first().filter(|b| !b.attached);
    let text = |b: &Block| {
        b.view
            .lines
            .first()
            .map(|l| l.text.clone())
            .unwrap_or_default()
    };
    match first {
        Some(b) if b.kind == BlockKind::Paragraph => {
            let source = one_line(&markdown::ui_path::as_text(&b.markdown));
            let md = if step.optional {
                procedure::strip_optional_markdown(&source).1.to_owned()
            } else {
                source
            };
            StepLine {
                title: text(b),
                html: b.view.inline.clone(),
                md: inline_references(&md, &step.links),
                skip: 1,
            }
        }
        Some(b) if matches!(b.kind, BlockKind::Heading | BlockKind::Quote) => StepLine {
            html: escape_html(&text(b)),
            md: md_escape(&text(b)),
            title: text(b),
            skip: 1,
        },
        // code, a list, a note…: the block shows under an empty line
        _ => StepLine {
            html: escape_html(&step.title),
            md: md_escape(&step.title),
            title: step.title.clone(),
            skip: 0,
        },
    }
}

/// A paragraph's Markdown on one line: lines trimmed, a hard break's
/// backslash dropped.
fn one_line(markdown: &str) -> String {
    markdown
        .lines()
        .map(|l| {
            let t = l.trim();
            t.strip_suffix('\\').map_or(t, str::trim_end)
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
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
        let plain = crate::markdown::blocks::fragment_plain_text(text);
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

fn escape_html(s: &str) -> String {
    crate::text::escape_html(s)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
