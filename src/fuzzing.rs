//! Entry points for the fuzz targets (`fuzz/`) and the property tests: each runs a stage of the pipeline on input held in memory and panics when something that must hold for every input does not.
//!
//! Hidden from the documentation and not a stable API. A page and its
//! partials come in one text ([`split_files`]): the page first, then each
//! partial after a line `=== <path below partials/>`. They are read the way
//! [`crate::project::Project::load`] reads files from disk, through the same
//! functions, only without the disk.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostic::{self, Diagnostic};
use crate::include::Limits;
use crate::loader::{PageFile, PartialIndex};
use crate::plan::{self, Plan};
use crate::procedure::{Reading, Step};
use crate::project::{self, Page};
use crate::source::{decode, FileId, FileKind, SourceDb, SourceFile};

/// Where the page of an in-memory project is, relative to the project folder.
pub const PAGE_PATH: &str = "content/page.md";

/// The start of a line that opens the next file of a multi-file input.
pub const FILE_MARKER: &str = "=== ";

/// Text as the loader decodes a file's bytes: BOM, CR and NUL handled;
/// invalid UTF-8 (an error for a real file) is replaced, then decoded.
pub fn text_of(bytes: &[u8]) -> String {
    decode(bytes).unwrap_or_else(|_| {
        let lossy = String::from_utf8_lossy(bytes);
        decode(lossy.as_bytes()).expect("lossy text is UTF-8")
    })
}

/// Splits `input` into the page's text and its partials, `(path below
/// partials/, text)`. A line `=== name` starts a partial; its path is made
/// one a folder can hold (no empty, `.` or `..` parts, no hidden files) and
/// ends in `.md`; a path given twice keeps its first file.
pub fn split_files(input: &str) -> (String, Vec<(String, String)>) {
    let mut page = String::new();
    let mut partials: Vec<(String, String)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut skipping = false;
    for line in input.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix(FILE_MARKER) {
            let path = partial_path(name.trim());
            skipping = path
                .as_ref()
                .is_none_or(|p| partials.iter().any(|(q, _)| q == p));
            if let (false, Some(path)) = (skipping, path) {
                partials.push((path, String::new()));
                current = Some(partials.len() - 1);
            }
            continue;
        }
        match (skipping, current) {
            (true, _) => {}
            (false, Some(i)) => partials[i].1.push_str(line),
            (false, None) => page.push_str(line),
        }
    }
    (page, partials)
}

/// A path below `partials/` that a folder can hold, or `None`.
fn partial_path(name: &str) -> Option<String> {
    let parts: Vec<&str> = name
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    if parts.is_empty() || parts.iter().any(|p| p.starts_with('.')) {
        return None;
    }
    let path = parts.join("/");
    Some(if path.ends_with(".md") {
        path
    } else {
        format!("{path}.md")
    })
}

/// Limits that keep one fuzz run fast while every bound can still be hit.
pub fn small_limits() -> Limits {
    Limits {
        max_depth: 32,
        max_bytes: 1 << 20,
        max_lines: 5_000,
        max_map_entries: 50_000,
        max_includes: 2_000,
    }
}

/// A one-page project read from memory.
#[derive(Debug)]
pub struct Loaded {
    pub db: SourceDb,
    pub partials: PartialIndex,
    pub page: Page,
    /// Every problem found while reading it.
    pub diags: Vec<Diagnostic>,
}

/// Reads the page `page` (at [`PAGE_PATH`], named `page`) with `partials`
/// as [`crate::project::Project::load`] reads a page from disk.
pub fn load(page: &str, partials: &[(String, String)], limits: Limits) -> Loaded {
    let mut db = SourceDb::default();
    let mut diags = Vec::new();
    let index = PartialIndex::in_memory(partials, &mut db, &mut diags);
    let file = db.add(SourceFile::new(
        PAGE_PATH.into(),
        PAGE_PATH.into(),
        FileKind::Page,
        page.to_owned(),
    ));
    let pf = PageFile {
        name: "page".into(),
        file,
    };
    let page = project::read_page(&db, &index, pf, limits, &mut diags);
    Loaded {
        db,
        partials: index,
        page,
        diags,
    }
}

/// The plan of a loaded page, lists read as `reading`; warnings go to `diags`.
pub fn plan_of(loaded: &Loaded, reading: Reading, diags: &mut Vec<Diagnostic>) -> Plan {
    plan::page_plan(&loaded.db, reading, &loaded.page, diags)
}

/// Fuzz target: front matter of any text, as a page's and as a partial's.
pub fn front_matter(text: &str) {
    let mut db = SourceDb::default();
    let id = db.add(SourceFile::new(
        PAGE_PATH.into(),
        PAGE_PATH.into(),
        FileKind::Page,
        text.to_owned(),
    ));
    let mut diags = Vec::new();
    let (front, body_start) = crate::frontmatter::parse_page(id, db.get(id), &mut diags);
    assert!(body_start <= text.len() && text.is_char_boundary(body_start));
    assert_eq!(front.is_some(), diags.is_empty(), "{diags:?}");
    if let Some(front) = front {
        assert!(!front.title.trim().is_empty());
        serde_json::to_string(&front.meta).expect("meta serialises");
    }
    let partial = [("p.md".to_owned(), text.to_owned())];
    let index = PartialIndex::in_memory(&partial, &mut db, &mut diags);
    let start = index.body_start(index.files[0]);
    assert!(start <= text.len() && text.is_char_boundary(start));
    check_diagnostics(&db, &mut diags);
}

/// Fuzz target: a page and its partials ([`split_files`]) expanded; the
/// source map must lead every line back to the text it was copied from.
pub fn expand(input: &str) {
    let (page, partials) = split_files(input);
    let mut loaded = load(&page, &partials, small_limits());
    check_expansion(&loaded);
    check_doc(&loaded);
    check_diagnostics(&loaded.db, &mut loaded.diags);
}

/// Fuzz target: a page and its partials ([`split_files`]) read into plans,
/// both ways of reading lists.
pub fn procedures(input: &str) {
    let (page, partials) = split_files(input);
    let mut loaded = load(&page, &partials, small_limits());
    let mut diags = std::mem::take(&mut loaded.diags);
    for reading in [Reading::Writer, Reading::Commonmark] {
        let plan = plan_of(&loaded, reading, &mut diags);
        check_plan(&loaded.db, &plan);
    }
    check_diagnostics(&loaded.db, &mut diags);
}

/// What the expansion of a page must be, whatever the input: text made of
/// whole lines, each traced back to a file of the project at the same
/// character, include sites at `!include` lines, and no change at all to a
/// page without a directive.
pub fn check_expansion(loaded: &Loaded) {
    let ex = &loaded.page.expansion;
    let text = ex.text.as_str();
    assert!(text.is_empty() || text.ends_with('\n'));
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        check_line_origin(loaded, start, line);
        start += line.len();
    }
    let partials: BTreeSet<FileId> = loaded.partials.files.iter().copied().collect();
    assert!(ex.used.is_subset(&partials));
    let file = loaded.db.get(loaded.page.file);
    let body = &file.text[crate::frontmatter::split(&file.text).body_start..];
    let too_large = loaded.diags.iter().any(|d| d.code == "include-too-large");
    if !body.contains("!include") && !too_large {
        check_identity(loaded, body);
    }
}

/// A page without a directive expands to its own body (a final newline
/// added when it has none), every byte mapped to the same byte of the page
/// by one source-map entry.
pub fn check_identity(loaded: &Loaded, body: &str) {
    let ex = &loaded.page.expansion;
    let mut expected = body.to_owned();
    if !expected.is_empty() && !expected.ends_with('\n') {
        expected.push('\n');
    }
    assert_eq!(
        ex.text, expected,
        "a page without includes is its own expansion"
    );
    assert_eq!(
        ex.map.entries(),
        usize::from(!body.is_empty()),
        "one source-map entry"
    );
    let body_start = loaded.db.get(loaded.page.file).text.len() - body.len();
    for offset in 0..body.len() {
        let origin = ex.map.lookup(offset).expect("mapped");
        assert_eq!(
            (origin.file, origin.offset),
            (loaded.page.file, body_start + offset)
        );
        assert!(origin.included_from.is_empty());
    }
}

/// The first character of an expanded line that is not a space comes from
/// the same character of the file the map names.
fn check_line_origin(loaded: &Loaded, start: usize, line: &str) {
    let ex = &loaded.page.expansion;
    let origin = ex
        .map
        .lookup(start)
        .expect("every expanded byte has an origin");
    assert!(origin.offset <= loaded.db.get(origin.file).text.len());
    for site in origin.included_from {
        let f = loaded.db.get(site.file);
        let at = f.text.get(site.offset..).unwrap_or_default();
        assert!(at.trim_start().starts_with("!include"), "include site");
    }
    let Some(lead) = line.find(|c: char| !c.is_whitespace()) else {
        return;
    };
    let origin = ex.map.lookup(start + lead).expect("mapped");
    let source = &loaded.db.get(origin.file).text;
    let expected = &line[lead..].chars().next();
    assert_eq!(
        &source.get(origin.offset..).and_then(|s| s.chars().next()),
        expected,
        "{line:?} maps to {}:{}",
        loaded.db.get(origin.file).path,
        origin.offset
    );
}

/// Every line of the prepared page maps into the expanded page, and every
/// heading back to where it is written.
fn check_doc(loaded: &Loaded) {
    let doc = &loaded.page.doc;
    let expanded = loaded.page.expansion.text.len();
    let mut start = 0;
    for line in doc.text.split_inclusive('\n') {
        for offset in [start, start + line.len() - 1] {
            assert!(doc.to_expanded(offset) <= expanded, "doc offset {offset}");
        }
        start += line.len();
    }
    for heading in &loaded.page.doc.headings {
        assert!(heading.range.start <= loaded.page.doc.text.len());
        assert!(loaded.page.origin(heading.range.start).is_some());
    }
}

/// What every plan must be: the same bytes after a trip through JSON in
/// either encoding, the same plan read back from both, ids unique within
/// their kind, sources at a list marker of a real line.
pub fn check_plan(db: &SourceDb, plan: &Plan) {
    for encoding in [plan::Encoding::Compact, plan::Encoding::Expanded] {
        let json = plan::to_pretty_json(plan, encoding);
        let back: Plan = serde_json::from_str(&json).expect("a plan reads back");
        assert_eq!(
            plan::to_pretty_json(&back, encoding),
            json,
            "plans round-trip through JSON ({encoding:?})"
        );
        // the compact encoding leaves derived fields out; reading fills
        // them in as made
        assert_eq!(
            plan::as_v2(&back),
            plan::as_v2(plan),
            "a plan reads back whole ({encoding:?})"
        );
    }
    let compact: Plan =
        serde_json::from_str(&plan::to_compact_json(plan)).expect("a plan file reads back");
    assert_eq!(plan::as_v2(&compact), plan::as_v2(plan));
    let mut procedures = BTreeSet::new();
    for p in &plan.procedures {
        assert!(
            procedures.insert(p.id.as_str()),
            "procedure id {} twice",
            p.id
        );
    }
    let mut steps = BTreeSet::new();
    for step in all_steps(plan) {
        assert!(steps.insert(step.id.as_str()), "step id {} twice", step.id);
        check_step_source(db, step);
    }
}

/// Every step of `plan`, substeps included, depth first.
pub fn all_steps(plan: &Plan) -> Vec<&Step> {
    fn walk<'a>(steps: &'a [Step], out: &mut Vec<&'a Step>) {
        for s in steps {
            out.push(s);
            walk(&s.substeps, out);
        }
    }
    let mut out = Vec::new();
    for p in &plan.procedures {
        walk(&p.steps, &mut out);
    }
    out
}

/// The text at a step's `source`: its file's line from the column on.
pub fn text_at<'a>(db: &'a SourceDb, source: &crate::procedure::Source) -> Option<&'a str> {
    let file = db
        .ids()
        .map(|id| db.get(id))
        .find(|f| f.path == source.file)?;
    let start = file.line_offset(source.line);
    let line = file.text[start..].split('\n').next()?;
    let at = line
        .char_indices()
        .nth(source.column.checked_sub(1)?)
        .map_or(line.len(), |(i, _)| i);
    Some(&line[at..])
}

/// A step's source is the list marker (`1.` or `1)`) of its item.
fn check_step_source(db: &SourceDb, step: &Step) {
    let at = text_at(db, &step.source)
        .unwrap_or_else(|| panic!("{}: no text at {:?}", step.id, step.source));
    let after = at.trim_start_matches(|c: char| c.is_ascii_digit());
    assert!(
        after.len() < at.len() && after.starts_with(['.', ')']),
        "{}: {:?} is not a list marker",
        step.id,
        at
    );
}

/// Sorts `diags` and renders each in every form: the JSON form is one line
/// that reads back, the GitHub form one line.
pub fn check_diagnostics(db: &SourceDb, diags: &mut Vec<Diagnostic>) {
    diagnostic::normalize(diags, db);
    for d in diags.iter() {
        let human = diagnostic::render_human(d, db, false);
        assert!(human.ends_with('\n'));
        if d.label.is_some() {
            assert!(human.contains("-->"), "{human}");
        }
        let _ = diagnostic::render_human(d, db, true);
        let json = diagnostic::render_json(d, db);
        assert_eq!(json.find('\n'), Some(json.len() - 1), "{json}");
        let value: Value = serde_json::from_str(&json).expect("JSON diagnostics read back");
        assert_eq!(value["code"], d.code);
        let github = diagnostic::render_github(d, db);
        assert_eq!(github.find('\n'), Some(github.len() - 1), "{github}");
    }
    let (errors, warnings) = diagnostic::summary(diags);
    assert_eq!(errors + warnings, diags.len());
}

/// A diagnostic to render, as a fuzz target makes it up.
#[derive(Clone, Debug, Default)]
pub struct DiagSpec {
    pub warning: bool,
    /// Picks one of [`CODES`].
    pub code: u8,
    pub message: String,
    /// `(file index, start, end)`; the index picks one of the files.
    pub label: Option<(u8, usize, usize)>,
    pub help: Option<String>,
    /// `(file index, offset)` of each include site, innermost first.
    pub chain: Vec<(u8, usize)>,
    pub also_via: u32,
}

/// Codes a made-up diagnostic may carry.
pub const CODES: &[&str] = &[
    "include-missing",
    "include-cycle",
    "front-matter-invalid",
    "callout-unclosed",
    "link-broken",
    "procedure-empty",
    "partial-unused",
    "x",
];

/// Fuzz target: made-up diagnostics on made-up files `(path, text)`,
/// rendered in every form.
pub fn diagnostics(files: &[(String, String)], specs: &[DiagSpec]) {
    let mut db = SourceDb::default();
    let ids: Vec<FileId> = files
        .iter()
        .map(|(path, text)| {
            db.add(SourceFile::new(
                path.clone(),
                path.into(),
                FileKind::Page,
                text.clone(),
            ))
        })
        .collect();
    let pick = |i: u8| (!ids.is_empty()).then(|| ids[usize::from(i) % ids.len()]);
    let mut diags: Vec<Diagnostic> = specs.iter().map(|s| made_up(s, &pick)).collect();
    check_diagnostics(&db, &mut diags);
}

fn made_up(spec: &DiagSpec, pick: &dyn Fn(u8) -> Option<FileId>) -> Diagnostic {
    let code = CODES[usize::from(spec.code) % CODES.len()];
    let mut d = match spec.warning {
        true => Diagnostic::warning(code, spec.message.clone()),
        false => Diagnostic::error(code, spec.message.clone()),
    };
    if let Some((file, start, end)) = spec.label {
        if let Some(file) = pick(file) {
            d = d.at(file, start, end);
        }
    }
    if let Some(help) = &spec.help {
        d = d.with_help(help.clone());
    }
    let chain: Vec<_> = spec
        .chain
        .iter()
        .filter_map(|&(file, offset)| {
            pick(file).map(|file| crate::sourcemap::IncludeSite { file, offset })
        })
        .collect();
    d.also_via = spec.also_via;
    d.included_from(&chain)
}

/// Fuzz target: [`diff`] of the two plan files of one input, split at its
/// first NUL byte (JSON text never holds a raw one). Plan files are read as
/// UTF-8, so a side that is not is refused before diffing, as `diff` does.
pub fn diff_bytes(data: &[u8]) {
    let mut sides = data.splitn(2, |&b| b == 0);
    let old = sides.next().unwrap_or_default();
    let new = sides.next().unwrap_or_default();
    if let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) {
        diff(old, new);
    }
}

/// Fuzz target: the step-level diff of two plan files' texts, both ways,
/// in both forms; a plan compared with itself has no change.
pub fn diff(old: &str, new: &str) {
    let (Ok(old), Ok(new)) = (
        crate::diff::parse_plan(old, "old"),
        crate::diff::parse_plan(new, "new"),
    ) else {
        return;
    };
    for (a, b) in [(&old, &new), (&new, &old)] {
        let changes = crate::diff::diff(a, b);
        let _ = crate::diff::render_human(&changes);
        let json = crate::diff::render_json(&changes);
        serde_json::from_str::<Value>(&json).expect("the JSON diff reads back");
    }
    for plans in [&old, &new] {
        if plans.values().all(ids_unique) {
            assert!(crate::diff::diff(plans, plans).is_empty());
        }
    }
}

/// True when a plan's procedure ids are unique, and so are the step ids of
/// every list of steps.
fn ids_unique(plan: &Value) -> bool {
    fn unique(list: Option<&Value>, nested: &str) -> bool {
        let Some(items) = list.and_then(Value::as_array) else {
            return true;
        };
        let ids: Vec<&str> = items.iter().filter_map(|v| v.get("id")?.as_str()).collect();
        let set: BTreeSet<&str> = ids.iter().copied().collect();
        set.len() == ids.len() && items.iter().all(|v| unique(v.get(nested), "substeps"))
    }
    unique(plan.get("procedures"), "steps")
}
