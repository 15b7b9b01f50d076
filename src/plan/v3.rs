//! Plan schema version 3 in its two encodings (compact, what a build writes; expanded, what `runsheet plan` prints), its JSON Schema, and the conversions between it and the [`Plan`] model.
//!
//! Version 3 has one schema and two encodings of it (`docs/procedures.md`,
//! section 8), chosen by [`Encoding`]. Both leave out a key whose value is
//! its documented default (`false`, `[]`, `{}`, absent for none, `kind`
//! `paragraph`), and in both a `substeps` block names its substeps by their
//! index in the step's `substeps`. Ids stay whole: they are what journals,
//! tickets and diffs refer to.
//!
//! - **Compact** (a build's plan files) says each thing once: the files the
//!   text comes from are listed once per plan (`files`, the page first) and
//!   every `source` is `[file index, line, column]`; a step's `markdown`
//!   (the join of its `content`) is left out, its `title` when it is its
//!   first paragraph's Markdown and its `text` when it is its title.
//! - **Expanded** (`runsheet plan`, run copies) spells out what the
//!   contract describes: no `files`, every `source` an object `{file, line,
//!   column, included_from}`, `page.source` written, every step with its
//!   `title`, `text` and `markdown`.
//!
//! One reader takes either (a source may be either form, as long as `files`
//! is there for every index) and gives back the full model, every derived
//! field filled in again.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Encoding, PageInfo, Plan};
use crate::procedure::{self, BlockKind, IncludedFrom, Link, Note, Source};

/// The version this module reads and writes.
pub(crate) const VERSION: u32 = 3;

/// A page's plan, in either encoding of version 3: compact (a build's plan
/// files: `files`, sources `[file, line, column]`, derived step fields left
/// out) or expanded (`runsheet plan`: sources spelled out as `{file, line,
/// column, included_from}`, every step with `title`, `text` and `markdown`).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "runsheet plan")]
pub(crate) struct PlanV3<'a> {
    /// Always 3 for this format, in either encoding (3 leaves out defaults;
    /// 2 spelled every field out).
    #[schemars(range(min = 3, max = 3))]
    schema_version: u32,
    /// The compact encoding's table of the files the plan's text comes
    /// from, each once per place it is included from: entry 0 is the page,
    /// and a `source` `[index in files, line, column]` names an entry. The
    /// same partial included at two places is two entries. Required when
    /// any `source` is such an index; absent in the expanded encoding,
    /// whose sources name their files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<File<'static>>", length(min = 1))]
    files: Option<Vec<File<'a>>>,
    page: Page<'a>,
    /// `sha256:` and the lowercase hex SHA-256 of the page's expanded source.
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    digest: Cow<'a, str>,
    /// Every procedure of the page, in page order.
    procedures: Vec<Procedure<'a>>,
}

/// A file the plan's text comes from, as included into the page.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct File<'a> {
    /// Path relative to the project folder, `/`-separated.
    path: Cow<'a, str>,
    /// The `!include` line that brought this file in: an earlier entry of
    /// `files` and the line there. Following it entry by entry leads to the
    /// page; absent for the page itself (entry 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "IncludeSite")]
    included_from: Option<IncludeSite>,
}

/// An `!include` line: the file holding it (an index in `files`) and its line.
#[derive(Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct IncludeSite {
    file: usize,
    #[schemars(range(min = 1))]
    line: usize,
}

/// Where text is written, in either encoding: `[file, line, column]`
/// (compact), `file` an index in the plan's `files`, or `{file, line,
/// column, included_from}` (expanded), `file` a path.
#[derive(Clone, Serialize, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "a source: `[file index, line, column]` or `{file, line, column, included_from}`"
)]
#[schemars(rename = "Source")]
enum Loc<'a> {
    Index(At),
    Spelled(Cow<'a, Source>),
}

/// A source in the compact encoding: `[file, line, column]`, `file` an
/// index in the plan's `files` (which also gives the chain of `!include`
/// lines that brought it in), `line` and `column` 1-based, columns counting
/// characters.
#[derive(Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "SourceIndex")]
struct At(
    usize,
    #[schemars(range(min = 1))] usize,
    #[schemars(range(min = 1))] usize,
);

/// The page a plan describes; its file is `source`, or `files[0]` when
/// that is left out (the compact encoding).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Page<'a> {
    /// `a/b` for `content/a/b.md`.
    name: Cow<'a, str>,
    title: Cow<'a, str>,
    /// Absent when the front matter has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    description: Option<Cow<'a, str>>,
    /// The page file at line 1, column 1. Written in the expanded encoding;
    /// the compact one leaves it out (it is `files[0]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Loc<'static>")]
    source: Option<Loc<'a>>,
    /// Front matter keys other than `title`, `description` and `position`,
    /// sorted at every depth.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    #[schemars(extend("default" = {}))]
    meta: Cow<'a, BTreeMap<String, Value>>,
}

/// One numbered procedure: a top-level ordered list and the headings above it.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Procedure<'a> {
    /// Slug of the heading path, `recommended-approach/overview`; unique
    /// among the procedures of the page (a step may have the same id).
    id: Cow<'a, str>,
    /// Text of the nearest heading above the list; absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    title: Option<Cow<'a, str>>,
    /// Texts of every enclosing heading, outermost first.
    #[serde(default, skip_serializing_if = "is_empty_slice")]
    #[schemars(extend("default" = []))]
    heading_path: Cow<'a, [String]>,
    /// Level (1 to 6) of the heading named by `title`; absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u8", range(min = 1, max = 6))]
    level: Option<u8>,
    /// Plain text of the paragraph right before the list, when that is a
    /// paragraph; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    intro: Option<Cow<'a, str>>,
    /// Callouts to read before step 1: those between the procedure's heading
    /// and its first step, and, for the page's first procedure, the warnings
    /// written earlier on the page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("default" = []))]
    notes: Vec<Block<'a>>,
    /// Callouts written right after the last step, before any other block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("default" = []))]
    closing_notes: Vec<Block<'a>>,
    /// Where the list's first item is written.
    source: Loc<'a>,
    steps: Vec<Step<'a>>,
}

/// One item of a procedure's list, or of a step's nested list.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Step<'a> {
    /// `<procedure id>/<slug of the title's first words>`; for a substep,
    /// `<step id>/<slug>`. Unique among the steps of the page (a procedure
    /// may have the same id).
    id: Cow<'a, str>,
    /// The number a reader sees: the list's start number plus the item's position.
    number: u64,
    /// The item's first paragraph as plain text, without an `Optional:`,
    /// `(Optional)` or `[Optional]` prefix. Always written in the expanded
    /// encoding; the compact one leaves it out when it is the `markdown` of
    /// the step's first `content` block, a paragraph (a first line without
    /// inline markup): read that then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    title: Option<Cow<'a, str>>,
    /// The item's first paragraph as plain text, prefix included. Always
    /// written in the expanded encoding; the compact one leaves it out when
    /// it is the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    text: Option<Cow<'a, str>>,
    /// Everything the step holds, in source order: the item's own blocks,
    /// then the blocks written after it that belong to it (`attached`).
    content: Vec<Block<'a>>,
    /// The step's Markdown: the `markdown` of its `content` blocks joined by
    /// blank lines, notes inside `:::kind` fences, `substeps` blocks left
    /// out. Always written in the expanded encoding; the compact one leaves
    /// it out (join `content` then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    markdown: Option<Cow<'a, str>>,
    /// The text starts with `Optional:`, `(Optional)` or `[Optional]`, in any case.
    #[serde(default, skip_serializing_if = "is_false")]
    #[schemars(extend("default" = false))]
    optional: bool,
    /// A hold point: the step holds a `:::hold` callout or its text starts
    /// with `Hold:`; a run stops here until a second person signs it.
    #[serde(default, skip_serializing_if = "is_false")]
    #[schemars(extend("default" = false))]
    hold: bool,
    /// Items of ordered lists nested in this step (`substeps` blocks of `content`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("default" = []))]
    substeps: Vec<Step<'a>>,
    /// Code blocks of the step, outside substeps and notes (inside its
    /// bullet lists and quotes too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("default" = []))]
    code: Vec<Code<'a>>,
    /// Callouts of the step, outside substeps and other callouts (inside its
    /// bullet lists and quotes too).
    #[serde(default, skip_serializing_if = "is_empty_slice")]
    #[schemars(extend("default" = []))]
    notes: Cow<'a, [Note]>,
    /// Links of the step (notes included), outside substeps.
    #[serde(default, skip_serializing_if = "is_empty_slice")]
    #[schemars(extend("default" = []))]
    links: Cow<'a, [Link]>,
    /// The later section of the page that carries this step out; absent
    /// when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Details<'static>")]
    details: Option<Details<'a>>,
    /// Where the item's list marker is written.
    source: Loc<'a>,
}

/// One block of a step: a paragraph, list, code block, callout, image,
/// table, quote or the step's nested numbered list.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Block<'a> {
    /// What the block is; absent for a paragraph.
    #[serde(default, skip_serializing_if = "is_paragraph")]
    #[schemars(extend("default" = "paragraph"))]
    kind: BlockKind,
    /// The block's Markdown as written, dedented; for a note, the Markdown
    /// between its fences. Absent (empty) for `substeps`, whose steps carry
    /// their own.
    #[serde(default, skip_serializing_if = "is_empty_str")]
    #[schemars(extend("default" = ""))]
    markdown: Cow<'a, str>,
    /// For `code`: the first word of the fence's info string, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    language: Option<Cow<'a, str>>,
    /// For `note`: the callout's kind (`hint`, `warning`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    callout: Option<Cow<'a, str>>,
    /// For `substeps`: the steps it holds, as indexes in the step's
    /// `substeps`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("default" = []))]
    steps: Vec<usize>,
    /// Written outside the item (not indented into it) and joined to the
    /// step by runsheet's reading rules.
    #[serde(default, skip_serializing_if = "is_false")]
    #[schemars(extend("default" = false))]
    attached: bool,
    /// Where the block starts.
    source: Loc<'a>,
}

/// A fenced or indented code block.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Code<'a> {
    /// First word of a fence's info string; absent for indented code or a bare fence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    language: Option<Cow<'a, str>>,
    /// The code, its indentation in the item removed.
    content: Cow<'a, str>,
}

/// Where a step's `details` point: a later section of the page.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Details<'a> {
    /// The section heading's anchor on the site page.
    anchor: Cow<'a, str>,
    /// The section heading's text.
    title: Cow<'a, str>,
    /// Ids of the procedures in that section (and its subsections), in
    /// order; absent when the section is prose only.
    #[serde(default, skip_serializing_if = "is_empty_slice")]
    #[schemars(extend("default" = []))]
    procedures: Cow<'a, [String]>,
    /// Plain text of the section's first paragraph, when it has no procedure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    summary: Option<Cow<'a, str>>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_paragraph(kind: &BlockKind) -> bool {
    *kind == BlockKind::Paragraph
}

// serde's `skip_serializing_if` passes a reference to the field
#[allow(clippy::ptr_arg)]
fn is_empty_str(s: &Cow<'_, str>) -> bool {
    s.is_empty()
}

// serde's `skip_serializing_if` passes a reference to the field
#[allow(clippy::ptr_arg)]
fn is_empty_slice<T: Clone>(s: &Cow<'_, [T]>) -> bool {
    s.is_empty()
}

// serde's `skip_serializing_if` passes a reference to the field
#[allow(clippy::ptr_arg)]
fn is_empty_map(m: &Cow<'_, BTreeMap<String, Value>>) -> bool {
    m.is_empty()
}

fn borrowed(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

/// The sources of a plan being written: in the compact encoding, the
/// `files` table being built, one entry per file and include chain, in the
/// order they are first met, each after the entry that includes it; in the
/// expanded encoding, nothing (each source is spelled out).
struct Files<'a> {
    encoding: Encoding,
    entries: Vec<File<'a>>,
    index: HashMap<(&'a str, &'a [IncludedFrom]), usize>,
}

impl<'a> Files<'a> {
    fn entry(&mut self, file: &'a str, chain: &'a [IncludedFrom]) -> usize {
        if let Some(&i) = self.index.get(&(file, chain)) {
            return i;
        }
        let included_from = chain.split_first().map(|(site, rest)| IncludeSite {
            file: self.entry(&site.file, rest),
            line: site.line,
        });
        let i = self.entries.len();
        self.entries.push(File {
            path: Cow::Borrowed(file),
            included_from,
        });
        self.index.insert((file, chain), i);
        i
    }

    fn loc(&mut self, source: &'a Source) -> Loc<'a> {
        match self.encoding {
            Encoding::Compact => Loc::Index(At(
                self.entry(&source.file, &source.included_from),
                source.line,
                source.column,
            )),
            Encoding::Expanded => Loc::Spelled(Cow::Borrowed(source)),
        }
    }
}

impl<'a> PlanV3<'a> {
    /// `plan` in version 3's `encoding`, borrowing its text.
    pub(crate) fn new(plan: &'a Plan, encoding: Encoding) -> Self {
        let mut files = Files {
            encoding,
            entries: Vec::new(),
            index: HashMap::new(),
        };
        let page_source = match encoding {
            Encoding::Compact => {
                // the page first, whether or not any text of the plan is its own
                files.entry(&plan.page.source.file, &plan.page.source.included_from);
                None
            }
            Encoding::Expanded => Some(files.loc(&plan.page.source)),
        };
        let procedures = plan
            .procedures
            .iter()
            .map(|p| procedure_out(p, &mut files))
            .collect();
        PlanV3 {
            schema_version: VERSION,
            files: (encoding == Encoding::Compact).then_some(files.entries),
            page: Page {
                name: Cow::Borrowed(&plan.page.name),
                title: Cow::Borrowed(&plan.page.title),
                description: borrowed(&plan.page.description),
                source: page_source,
                meta: Cow::Borrowed(&plan.page.meta),
            },
            digest: Cow::Borrowed(&plan.digest),
            procedures,
        }
    }
}

fn procedure_out<'a>(p: &'a procedure::Procedure, files: &mut Files<'a>) -> Procedure<'a> {
    Procedure {
        id: Cow::Borrowed(&p.id),
        title: borrowed(&p.title),
        heading_path: Cow::Borrowed(&p.heading_path),
        level: p.level,
        intro: borrowed(&p.intro),
        notes: p.notes.iter().map(|b| block_out(b, &[], files)).collect(),
        closing_notes: p
            .closing_notes
            .iter()
            .map(|b| block_out(b, &[], files))
            .collect(),
        source: files.loc(&p.source),
        steps: p.steps.iter().map(|s| step_out(s, files)).collect(),
    }
}

fn step_out<'a>(s: &'a procedure::Step, files: &mut Files<'a>) -> Step<'a> {
    // what the compact encoding leaves out, for a reader to derive
    let (title, text, markdown) = match files.encoding {
        Encoding::Compact => {
            let title_is_first_line = s
                .content
                .first()
                .is_some_and(|b| b.kind == BlockKind::Paragraph && b.markdown == s.title);
            (
                (!title_is_first_line).then_some(Cow::Borrowed(s.title.as_str())),
                (s.text != s.title).then_some(Cow::Borrowed(s.text.as_str())),
                None,
            )
        }
        Encoding::Expanded => (
            Some(Cow::Borrowed(s.title.as_str())),
            Some(Cow::Borrowed(s.text.as_str())),
            Some(Cow::Borrowed(s.markdown.as_str())),
        ),
    };
    let source = files.loc(&s.source);
    let content = s
        .content
        .iter()
        .map(|b| block_out(b, &s.substeps, files))
        .collect();
    Step {
        id: Cow::Borrowed(&s.id),
        number: s.number,
        title,
        text,
        content,
        markdown,
        optional: s.optional,
        hold: s.hold,
        substeps: s.substeps.iter().map(|sub| step_out(sub, files)).collect(),
        code: s
            .code
            .iter()
            .map(|c| Code {
                language: borrowed(&c.language),
                content: Cow::Borrowed(&c.content),
            })
            .collect(),
        notes: Cow::Borrowed(&s.notes),
        links: Cow::Borrowed(&s.links),
        details: s.details.as_ref().map(|d| Details {
            anchor: Cow::Borrowed(&d.anchor),
            title: Cow::Borrowed(&d.title),
            procedures: Cow::Borrowed(&d.procedures),
            summary: borrowed(&d.summary),
        }),
        source,
    }
}

/// `b` in version 3; `substeps` are the steps of the step it belongs to,
/// which a `substeps` block names by index.
fn block_out<'a>(
    b: &'a procedure::Block,
    substeps: &[procedure::Step],
    files: &mut Files<'a>,
) -> Block<'a> {
    let steps = if b.steps.is_empty() {
        Vec::new()
    } else {
        let at: HashMap<&str, usize> = substeps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        // a plan is made (or read: see `check_substeps_blocks`) with every
        // id of a `substeps` block among its step's substeps
        b.steps
            .iter()
            .filter_map(|id| at.get(id.as_str()).copied())
            .collect()
    };
    Block {
        kind: b.kind,
        markdown: Cow::Borrowed(&b.markdown),
        language: borrowed(&b.language),
        callout: borrowed(&b.callout),
        steps,
        attached: b.attached,
        source: files.loc(&b.source),
    }
}

/// The files of a version 3 plan with their include chains, to turn `[file,
/// line, column]` back into [`Source`]s; `None` for a plan without `files`
/// (the expanded encoding), whose sources are spelled out.
struct Resolved(Option<Vec<(String, Vec<IncludedFrom>)>>);

impl Resolved {
    fn new(files: Option<Vec<File<'_>>>) -> Result<Self, String> {
        let Some(files) = files else {
            return Ok(Resolved(None));
        };
        let mut out: Vec<(String, Vec<IncludedFrom>)> = Vec::with_capacity(files.len());
        for (i, f) in files.into_iter().enumerate() {
            let chain = match f.included_from {
                None => Vec::new(),
                Some(site) => {
                    let Some((path, chain)) = out.get(site.file) else {
                        return Err(format!(
                            "`files[{i}]` is included from `files[{}]`, which is not an earlier entry",
                            site.file
                        ));
                    };
                    let mut c = Vec::with_capacity(chain.len() + 1);
                    c.push(IncludedFrom {
                        file: path.clone(),
                        line: site.line,
                    });
                    c.extend(chain.iter().cloned());
                    c
                }
            };
            out.push((f.path.into_owned(), chain));
        }
        if out.is_empty() {
            return Err("`files` is empty: its first entry is the page".into());
        }
        Ok(Resolved(Some(out)))
    }

    fn source(&self, loc: Loc<'_>) -> Result<Source, String> {
        let At(file, line, column) = match loc {
            Loc::Spelled(source) => return Ok(source.into_owned()),
            Loc::Index(at) => at,
        };
        let Some(files) = &self.0 else {
            return Err(format!(
                "a source is `[{file}, {line}, {column}]`, an index in `files`, but the plan has \
                 no `files` (without it, write every source as `{{file, line, column, included_from}}`)"
            ));
        };
        let (path, chain) = files
            .get(file)
            .ok_or_else(|| format!("a source names `files[{file}]`, which does not exist"))?;
        Ok(Source {
            file: path.clone(),
            line,
            column,
            included_from: chain.clone(),
        })
    }
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

/// Why a plan with neither `files` nor `page.source` cannot be read.
const NO_PAGE_FILE: &str =
    "the plan has neither `files` nor `page.source`: nothing names the page's file";

impl PlanV3<'_> {
    /// The full plan model, every derived field filled in again.
    pub(crate) fn into_plan(self) -> Result<Plan, String> {
        let files = Resolved::new(self.files)?;
        let page_source = match (self.page.source, files.0.is_some()) {
            (Some(source), _) => files.source(source)?,
            (None, true) => files.source(Loc::Index(At(0, 1, 1)))?,
            (None, false) => return Err(NO_PAGE_FILE.into()),
        };
        let procedures = self
            .procedures
            .into_iter()
            .map(|p| procedure_in(p, &files))
            .collect::<Result<_, _>>()?;
        Ok(Plan {
            schema_version: super::SCHEMA_VERSION,
            page: PageInfo {
                name: self.page.name.into_owned(),
                title: self.page.title.into_owned(),
                description: owned(self.page.description),
                source: page_source,
                meta: self.page.meta.into_owned(),
            },
            digest: self.digest.into_owned(),
            procedures,
        })
    }
}

fn procedure_in(p: Procedure<'_>, files: &Resolved) -> Result<procedure::Procedure, String> {
    let blocks = |blocks: Vec<Block<'_>>| -> Result<Vec<procedure::Block>, String> {
        blocks
            .into_iter()
            .map(|b| block_in(b, &[], files))
            .collect()
    };
    Ok(procedure::Procedure {
        id: p.id.into_owned(),
        title: owned(p.title),
        heading_path: p.heading_path.into_owned(),
        level: p.level,
        intro: owned(p.intro),
        notes: blocks(p.notes)?,
        closing_notes: blocks(p.closing_notes)?,
        source: files.source(p.source)?,
        steps: p
            .steps
            .into_iter()
            .map(|s| step_in(s, files))
            .collect::<Result<_, _>>()?,
    })
}

fn step_in(s: Step<'_>, files: &Resolved) -> Result<procedure::Step, String> {
    let substeps: Vec<procedure::Step> = s
        .substeps
        .into_iter()
        .map(|sub| step_in(sub, files))
        .collect::<Result<_, _>>()?;
    let content: Vec<procedure::Block> = s
        .content
        .into_iter()
        .map(|b| block_in(b, &substeps, files))
        .collect::<Result<_, _>>()?;
    let title = match s.title {
        Some(title) => title.into_owned(),
        None => match content.first() {
            Some(first) if first.kind == BlockKind::Paragraph => first.markdown.clone(),
            _ => {
                return Err(format!(
                    "step `{}` has no `title` and its content does not start with a paragraph",
                    s.id
                ))
            }
        },
    };
    Ok(procedure::Step {
        text: s.text.map_or_else(|| title.clone(), Cow::into_owned),
        markdown: s
            .markdown
            .map_or_else(|| procedure::step_markdown(&content), Cow::into_owned),
        id: s.id.into_owned(),
        number: s.number,
        title,
        content,
        optional: s.optional,
        hold: s.hold,
        substeps,
        code: s
            .code
            .into_iter()
            .map(|c| procedure::Code {
                language: owned(c.language),
                content: c.content.into_owned(),
            })
            .collect(),
        notes: s.notes.into_owned(),
        links: s.links.into_owned(),
        details: s.details.map(|d| procedure::Details {
            anchor: d.anchor.into_owned(),
            title: d.title.into_owned(),
            procedures: d.procedures.into_owned(),
            summary: owned(d.summary),
        }),
        source: files.source(s.source)?,
    })
}

fn block_in(
    b: Block<'_>,
    substeps: &[procedure::Step],
    files: &Resolved,
) -> Result<procedure::Block, String> {
    let steps = b
        .steps
        .iter()
        .map(|&i| {
            substeps.get(i).map(|s| s.id.clone()).ok_or_else(|| {
                format!("a `substeps` block names substep {i}, which its step does not have")
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(procedure::Block {
        kind: b.kind,
        markdown: b.markdown.into_owned(),
        language: owned(b.language),
        callout: owned(b.callout),
        steps,
        attached: b.attached,
        source: files.source(b.source)?,
        view: Default::default(),
    })
}

/// Checks what version 3 relies on in a plan read from a version 2 file:
/// every id a `substeps` block names is a substep of its step.
pub(crate) fn check_substeps_blocks(plan: &Plan) -> Result<(), String> {
    fn check_steps(steps: &[procedure::Step]) -> Result<(), String> {
        for s in steps {
            let ids: HashSet<&str> = s.substeps.iter().map(|sub| sub.id.as_str()).collect();
            for b in &s.content {
                if let Some(id) = b.steps.iter().find(|id| !ids.contains(id.as_str())) {
                    return Err(format!(
                        "a `substeps` block of step `{}` names `{id}`, which is not one of its substeps",
                        s.id
                    ));
                }
            }
            check_steps(&s.substeps)?;
        }
        Ok(())
    }
    for p in &plan.procedures {
        if p.notes
            .iter()
            .chain(&p.closing_notes)
            .any(|b| !b.steps.is_empty())
        {
            return Err(format!("a note of procedure `{}` names substeps", p.id));
        }
        check_steps(&p.steps)?;
    }
    Ok(())
}
