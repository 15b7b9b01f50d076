//! Procedures: reads every top-level ordered list of a page into a [`Procedure`] of [`Step`]s with stable ids, sources and `details` links.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::align;
use crate::diagnostic::Diagnostic;
use crate::markdown::Heading;
use crate::project::Page;
use crate::slug::slugify_words;
use crate::source::SourceDb;
use crate::sourcemap::Location;

mod content;
pub(crate) mod hold;
mod lint;
mod read;
pub(crate) mod render;

/// How many words of a step's title go into its id.
pub(crate) const ID_WORDS: usize = 5;

/// How many levels of steps are read: top-level steps are level 1, their
/// substeps level 2, … An ordered list nested in a step of this level is
/// not read as substeps; it stays in that step's `markdown` (and its code
/// and links count as the step's), and `procedure-too-deep` warns once per
/// procedure.
pub const MAX_STEP_DEPTH: usize = 16;

pub(crate) use crate::config::Reading;

/// One numbered procedure: a top-level ordered list (or several, when the
/// writer continued one after an interruption) and the headings above it.
///
/// This is the step model shared by plans ([`crate::plan`]) and checklists;
/// the reading rules are in `docs/procedures.md`. Its serde form spells
/// every field out (plan schema version 2, which `runsheet diff` and run
/// copies still read); plans are written in version 3 (`plan::v3`), compact
/// in a build's plan files and expanded where `runsheet plan` prints them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// Slug of the heading path, `recommended-approach/overview`; unique
    /// among the procedures of the page (a step may have the same id).
    pub id: String,
    /// Text of the nearest heading above the list; null when there is none.
    pub title: Option<String>,
    /// Texts of every enclosing heading, outermost first.
    pub heading_path: Vec<String>,
    /// Level (1 to 6) of the heading named by `title`; null when there is none.
    pub level: Option<u8>,
    /// Plain text of the paragraph right before the list, if that is a paragraph.
    pub intro: Option<String>,
    /// Callouts to read before step 1: those between the procedure's heading
    /// and its first step, and, for the page's first procedure, the warnings
    /// written earlier on the page.
    pub notes: Vec<Block>,
    /// Callouts written right after the last step, before any other block.
    pub closing_notes: Vec<Block>,
    /// Where the list's first item is written.
    pub source: Source,
    pub steps: Vec<Step>,
}

/// One item of a procedure's list, or of a step's nested list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `<procedure id>/<slug of the title's first words>`; for a substep,
    /// `<step id>/<slug>`. Unique among the steps of the page (a procedure
    /// may have the same id).
    pub id: String,
    /// The number a reader sees: the list's start number plus the item's position.
    pub number: u64,
    /// `text` without an `Optional:`, `(Optional)` or `[Optional]` prefix.
    pub title: String,
    /// The item's first paragraph as plain text.
    pub text: String,
    /// Everything the step holds, in source order: the item's own blocks,
    /// then the blocks written after it that belong to it (`attached`).
    pub content: Vec<Block>,
    /// The Markdown of `content` as written (partials expanded, callouts as
    /// `:::` fences), without the list marker and dedented.
    pub markdown: String,
    /// The text starts with `Optional:`, `(Optional)` or `[Optional]`, in any case.
    pub optional: bool,
    /// A hold point: the step holds a `:::hold` callout or its text starts
    /// with `Hold:`; a run stops here until a second person signs it.
    #[serde(default)]
    pub hold: bool,
    /// Items of ordered lists nested in this step (`substeps` blocks of `content`).
    pub substeps: Vec<Step>,
    /// Code blocks of `content`, outside substeps and notes.
    pub code: Vec<Code>,
    /// Callouts of `content`, outside substeps.
    pub notes: Vec<Note>,
    /// Links of `content` (notes included), outside substeps.
    pub links: Vec<Link>,
    /// The later section of the page that carries this step out.
    pub details: Option<Details>,
    /// Where the item's list marker is written.
    pub source: Source,
}

/// One block of a step: a paragraph, list, code block, callout, image,
/// table, quote or the step's nested numbered list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub kind: BlockKind,
    /// The block's Markdown as written, dedented; for a note, the Markdown
    /// between its fences.
    pub markdown: String,
    /// For `code`: the first word of the fence's info string, if any.
    pub language: Option<String>,
    /// For `note`: the callout's kind (`hint`, `warning`, …).
    pub callout: Option<String>,
    /// For `substeps`: the ids of the steps it holds, in order.
    pub steps: Vec<String>,
    /// Written outside the item (not indented into it) and joined to the
    /// step by runsheet's reading rules.
    pub attached: bool,
    pub source: Source,
    /// Rendered forms for the checklists; not part of the plan.
    #[serde(skip)]
    pub view: BlockView,
}

/// What a block is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    #[default]
    Paragraph,
    /// A bullet list, or a numbered list not read as substeps.
    List,
    Code,
    /// A callout (`:::hint` … `:::`).
    Note,
    /// A paragraph holding only images (a figure).
    Image,
    Table,
    Quote,
    Heading,
    Html,
    Rule,
    /// A nested numbered list read as substeps.
    Substeps,
}

/// A block rendered once, when it is read, for every checklist form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BlockView {
    /// HTML (for a note, of its content; for a paragraph that starts a
    /// step, inline HTML only in `inline`).
    pub html: String,
    /// Inline HTML of a paragraph (no `<p>`), for a step's own line.
    pub inline: String,
    /// Lines of the plain-text form, before wrapping.
    pub lines: Vec<render::TextLine>,
}

/// Where a step's `details` point: a later section of the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Details {
    /// The section heading's anchor on the site page.
    pub anchor: String,
    /// The section heading's text.
    pub title: String,
    /// Ids of the procedures in that section (and its subsections), in order;
    /// empty when the section is prose only.
    pub procedures: Vec<String>,
    /// Plain text of the section's first paragraph, when it has no procedure.
    pub summary: Option<String>,
}

/// A fenced or indented code block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// First word of a fence's info string; null for indented code or a bare fence.
    pub language: Option<String>,
    pub content: String,
}

/// A callout (`:::hint` … `:::`) inside a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// `hint`, `warning`, …: the word after `:::`.
    pub kind: String,
    /// The Markdown between the fences, dedented.
    pub markdown: String,
}

/// A link: its plain text and its destination as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub text: String,
    pub href: String,
}

/// Where text is written: the file it really comes from and the include
/// sites that brought it into the page.
/// Its serde form is how plan schema version 2 and the expanded encoding of
/// version 3 write a source (`SourceSpelledOut` in the plan's JSON Schema).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "SourceSpelledOut",
    description = "A source in the expanded encoding: the file the text is really written in (the partial, not the page), its line and column, and the `!include` lines that brought it into the page."
)]
pub struct Source {
    /// Path relative to the project folder, `/`-separated.
    pub file: String,
    /// 1-based.
    #[schemars(range(min = 1))]
    pub line: usize,
    /// 1-based, in characters.
    #[schemars(range(min = 1))]
    pub column: usize,
    /// Each `!include` line on the way, innermost first, outermost (the
    /// page's) last; `[]` for text written in the page itself.
    pub included_from: Vec<IncludedFrom>,
}

/// One `!include` line that brought text into the page: the file holding
/// it (a path, `/`-separated) and its line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncludedFrom {
    pub file: String,
    #[schemars(range(min = 1))]
    pub line: usize,
}

impl From<Location> for Source {
    fn from(l: Location) -> Self {
        Source {
            file: l.file,
            line: l.line,
            column: l.column,
            included_from: l
                .included_from
                .into_iter()
                .map(|(file, line)| IncludedFrom { file, line })
                .collect(),
        }
    }
}

/// Every procedure of the page, in page order, with `details` filled in.
/// `procedure-split` and `procedure-empty` warnings go to `diags`.
pub fn extract(
    page: &Page,
    db: &SourceDb,
    reading: Reading,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Procedure> {
    let mut ex = read::Extractor::new(page, db, reading);
    ex.walk(&page.doc.tree, true);
    let (mut found, lint_diags) = ex.finish();
    diags.extend(lint_diags);
    let headings = &page.doc.headings;
    let spans: Vec<(String, usize)> = found
        .iter()
        .map(|f| (f.procedure.id.clone(), f.span.start))
        .collect();
    for f in &mut found {
        link_details(f, headings, &spans, page);
    }
    found.into_iter().map(|f| f.procedure).collect()
}

/// `(true, rest)` when `text` starts with `Optional:`, `(Optional)` or
/// `[Optional]` in any case; `rest` is the text after it and after any `:`,
/// `-`, dashes and spaces that follow.
pub(crate) fn strip_optional(text: &str) -> (bool, &str) {
    optional_prefix(text, false)
}

/// [`strip_optional`] for a line of Markdown, where the prefix may be
/// emphasised with it: `**Optional:** x`, `**Optional**: x`,
/// `**[Optional]** x`, `_(Optional)_ x` all give `x`. When the emphasis goes
/// on past the prefix (`**Optional: x**`), the line is kept whole.
pub(crate) fn strip_optional_markdown(line: &str) -> (bool, &str) {
    optional_prefix(line, true)
}

fn optional_prefix(text: &str, markdown: bool) -> (bool, &str) {
    let is_marker = |c: char| markdown && (c == '*' || c == '_');
    let open = text.len() - text.trim_start_matches(is_marker).len();
    if open > 3 {
        return (false, text);
    }
    let s = &text[open..];
    for (prefix, needs_colon) in [
        ("optional", true),
        ("(optional)", false),
        ("[optional]", false),
    ] {
        let Some(head) = s.get(..prefix.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(prefix) {
            continue;
        }
        let mut rest = &s[prefix.len()..];
        if markdown && prefix.starts_with('[') && rest.starts_with(['(', '[']) {
            // `[Optional](url)`: a link, not a prefix
            continue;
        }
        let mut closed = 0;
        let closing = |rest: &mut &str, closed: &mut usize| {
            while *closed < open && rest.starts_with(is_marker) {
                *rest = &rest[1..];
                *closed += 1;
            }
        };
        closing(&mut rest, &mut closed);
        if needs_colon && !rest.starts_with(':') {
            continue;
        }
        loop {
            closing(&mut rest, &mut closed);
            let trimmed = rest.trim_start_matches([' ', ':', '-', '–', '—']);
            if trimmed.len() == rest.len() {
                break;
            }
            rest = trimmed;
        }
        if closed != open {
            return (true, text);
        }
        return (true, rest);
    }
    (false, text)
}

/// A step's Markdown, derived from its content: its blocks' Markdown in
/// order, blank-line separated, notes inside `:::kind` fences; `substeps`
/// blocks left out (each substep carries its own). Plan files leave it out
/// for this reason (schema version 3), and readers derive it again.
pub(crate) fn step_markdown(content: &[Block]) -> String {
    let parts: Vec<String> = content
        .iter()
        .filter(|b| b.kind != BlockKind::Substeps)
        .map(|b| match (&b.callout, b.kind) {
            (Some(kind), BlockKind::Note) => format!(":::{kind}\n{}\n:::", b.markdown),
            _ => b.markdown.clone(),
        })
        .collect();
    parts.join("\n\n")
}

/// The id segment for a step title: its first [`ID_WORDS`] words, slugged.
pub(crate) fn step_slug(title: &str) -> String {
    let slug = slugify_words(title, ID_WORDS);
    if slug.is_empty() {
        "step".into()
    } else {
        slug
    }
}

/// The headings a procedure's steps may link to: the subsections of its own
/// heading after the list when there are any, otherwise the later sections of
/// its parent section (its later siblings and their subsections).
fn candidates<'h>(f: &read::Found, headings: &'h [Heading]) -> Vec<&'h Heading> {
    let after: Vec<&Heading> = headings
        .iter()
        .filter(|h| h.range.start >= f.span.end)
        .collect();
    let own: Vec<&Heading> = after
        .iter()
        .take_while(|h| h.level > f.level)
        .copied()
        .collect();
    if !own.is_empty() {
        return own;
    }
    after
        .into_iter()
        .take_while(|h| h.level > f.parent_level)
        .collect()
}

fn link_details(f: &mut read::Found, headings: &[Heading], spans: &[(String, usize)], page: &Page) {
    let candidates = candidates(f, headings);
    let texts: Vec<&str> = candidates.iter().map(|h| h.text.as_str()).collect();
    let titles: Vec<&str> = f.procedure.steps.iter().map(|s| s.title.as_str()).collect();
    let links = align::align(&titles, &texts);
    for (step, link) in f.procedure.steps.iter_mut().zip(links) {
        step.details = link.map(|i| details(candidates[i], headings, spans, page));
    }
}

/// The section under `heading`: its procedures, or its first paragraph.
fn details(
    heading: &Heading,
    headings: &[Heading],
    spans: &[(String, usize)],
    page: &Page,
) -> Details {
    let end = headings
        .iter()
        .find(|h| h.range.start > heading.range.start && h.level <= heading.level)
        .map_or(page.doc.text.len(), |h| h.range.start);
    let section = heading.range.end..end;
    let procedures: Vec<String> = spans
        .iter()
        .filter(|(_, start)| section.contains(start))
        .map(|(id, _)| id.clone())
        .collect();
    let summary = if procedures.is_empty() {
        read::first_paragraph_in(&page.doc.tree, section)
    } else {
        None
    };
    Details {
        anchor: heading.anchor.clone(),
        title: heading.text.clone(),
        procedures,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::FrontMatter;
    use crate::include::Expansion;
    use crate::markdown::Doc;
    use crate::source::{FileKind, SourceFile};
    use crate::sourcemap::{ChainId, SourceMap};

    /// The procedures of a one-file page, and the codes of its warnings.
    fn extract_text(text: &str) -> (Vec<Procedure>, Vec<&'static str>) {
        let mut db = SourceDb::default();
        let file = db.add(SourceFile::new(
            "content/t.md".into(),
            "content/t.md".into(),
            FileKind::Page,
            text.into(),
        ));
        let mut map = SourceMap::default();
        map.map(0, file, 0, ChainId::ROOT);
        let expansion = Expansion {
            text: text.into(),
            map,
            used: Default::default(),
        };
        let mut diags = Vec::new();
        let doc = Doc::parse(&expansion, &mut diags);
        let page = Page {
            name: "t".into(),
            file,
            front: FrontMatter::default(),
            expansion,
            doc,
            cached: None,
        };
        let procedures = extract(&page, &db, Reading::Writer, &mut diags);
        (procedures, diags.iter().map(|d| d.code).collect())
    }

    #[test]
    fn number_table() {
        let cases: [(&str, &[&[u64]]); 7] = [
            ("1. a\n2. b\n3. c\n", &[&[1, 2, 3]]),
            ("1. a\n1. b\n1. c\n", &[&[1, 2, 3]]),
            ("3. a\n1. b\n", &[&[3, 4]]),
            ("0. a\n0. b\n", &[&[0, 1]]),
            ("1) a\n2) b\n", &[&[1, 2]]),
            // a change of delimiter starts a new list, which continues the numbering
            ("1. a\n2) b\n", &[&[1, 2]]),
            ("1. a\n1) b\n", &[&[1], &[1]]),
        ];
        for (text, expected) in cases {
            let (procedures, _) = extract_text(text);
            let numbers: Vec<Vec<u64>> = procedures
                .iter()
                .map(|p| p.steps.iter().map(|s| s.number).collect())
                .collect();
            assert_eq!(numbers, expected, "{text:?}");
        }
    }

    #[test]
    fn id_table() {
        let cases: [(&str, &[&str]); 8] = [
            ("## A\n\n1. Do it\n", &["a", "a/do-it"]),
            ("## A {#x}\n\n### B\n\n1. Do it\n", &["x/b", "x/b/do-it"]),
            ("1. Do it\n", &["procedure", "procedure/do-it"]),
            (
                "## A\n\n1. Do it\n1. Do it\n",
                &["a", "a/do-it", "a/do-it-2"],
            ),
            (
                "## A\n\n1. Optional: Take one two three four five six\n",
                &["a", "a/take-one-two-three-four"],
            ),
            (
                "## A\n\n1. Step\n   1. Sub step\n",
                &["a", "a/step", "a/step/sub-step"],
            ),
            // procedure ids and step ids are unique each in their own kind
            (
                "## A\n\n1. B\n\n### B\n\n1. C\n",
                &["a", "a/b", "a/b", "a/b/c"],
            ),
            (
                "## A\n\n1. A\n\n## A\n\n1. A\n",
                &["a", "a/a", "a-2", "a-2/a"],
            ),
        ];
        for (text, expected) in cases {
            let (procedures, _) = extract_text(text);
            let mut ids = Vec::new();
            fn walk<'a>(steps: &'a [Step], ids: &mut Vec<&'a str>) {
                for s in steps {
                    ids.push(s.id.as_str());
                    walk(&s.substeps, ids);
                }
            }
            for p in &procedures {
                ids.push(p.id.as_str());
                walk(&p.steps, &mut ids);
            }
            assert_eq!(ids, expected, "{text:?}");
        }
    }

    #[test]
    fn procedure_empty_table() {
        // (page, warns)
        let cases = [
            ("## Steps\n\nThe steps are:\n", true),
            ("## Steps\n\nThe steps are:\n\n## Next\n\nText.\n", true),
            ("## Steps\n\nDo this: :point_down:\n", true),
            ("## Steps\n\nDo the following.\n", true),
            ("## Steps\n\nFollow the steps below\n", true),
            ("## Steps\n\nProceed as follows\n", true),
            ("## Steps\n\nRun **these**:\n", true),
            ("## Empty\n\n## Next\n\nText.\n", true),
            ("## Done\n\nYou are finished :tada:\n", false),
            ("## Done\n\n:tada: :+1:\n", false),
            ("## Done\n\nWell done :white_check_mark: :tada:\n", false),
            ("## Drive\n\nSet the drive to `C:`\n", false),
            ("## Note\n\nNote: this is done.\n", false),
            ("## Time\n\nIt ran at 10:30\n", false),
            ("## Done\n\nYou did the following steps already.\n", false),
            ("## Done\n\nNothing else follows\n", false),
            ("## Steps\n\nThe steps are:\n\n1. One\n", false),
            ("## Steps\n\nRun:\n\n```sh\nx\n```\n", false),
            (
                "## Steps\n\nThe steps are:\n\n### 1. Back up\n\nText.\n",
                false,
            ),
            ("## Steps\n\n:::hint\nThe steps are:\n:::\n", false),
            ("## Shot\n\nLike this: ![shot](a.png)\n", false),
        ];
        for (text, warns) in cases {
            let (_, codes) = extract_text(text);
            let empty = codes.iter().filter(|c| **c == "procedure-empty").count();
            assert_eq!(empty, usize::from(warns), "{text:?}: {codes:?}");
        }
    }

    #[test]
    fn optional_prefix_table() {
        let cases = [
            ("Optional: Snapshot the VM", true, "Snapshot the VM"),
            ("optional:Snapshot", true, "Snapshot"),
            ("OPTIONAL:  Snapshot", true, "Snapshot"),
            ("(Optional) Disable targets", true, "Disable targets"),
            ("(optional): Disable targets", true, "Disable targets"),
            (
                "Optionally snapshot the VM",
                false,
                "Optionally snapshot the VM",
            ),
            ("Snapshot (optional)", false, "Snapshot (optional)"),
            ("Optional", false, "Optional"),
            ("Ö", false, "Ö"),
            ("[Optional] Clone the instance", true, "Clone the instance"),
            ("[OPTIONAL]: Clone", true, "Clone"),
            ("[optional] - Clone", true, "Clone"),
            ("[Optionally] clone", false, "[Optionally] clone"),
        ];
        for (text, optional, title) in cases {
            assert_eq!(strip_optional(text), (optional, title), "{text:?}");
        }
    }

    #[test]
    fn optional_markdown_prefix_table() {
        let cases = [
            ("Optional: x", true, "x"),
            ("**Optional:** x", true, "x"),
            ("**Optional**: x", true, "x"),
            ("*Optional:* **x**", true, "**x**"),
            ("**[Optional]** Clone it", true, "Clone it"),
            ("_(Optional)_ Clone it", true, "Clone it"),
            ("[optional] Clone it", true, "Clone it"),
            ("**Optional: clone it**", true, "**Optional: clone it**"),
            (
                "[Optional](x.md) reading",
                false,
                "[Optional](x.md) reading",
            ),
            ("**Optionally** clone", false, "**Optionally** clone"),
            ("**Note:** x", false, "**Note:** x"),
            ("****Optional:** x", false, "****Optional:** x"),
        ];
        for (text, optional, rest) in cases {
            assert_eq!(strip_optional_markdown(text), (optional, rest), "{text:?}");
        }
    }

    #[test]
    fn step_slug_table() {
        let cases = [
            (
                "Download the same version of Octopus Deploy as your main instance.",
                "download-the-same-version-of",
            ),
            ("Test cloned instance.", "test-cloned-instance"),
            ("Run `Octopus.Server.exe`", "run-octopusserverexe"),
            ("", "step"),
            ("!!!", "step"),
        ];
        for (title, slug) in cases {
            assert_eq!(step_slug(title), slug, "{title:?}");
        }
    }
}
