//! Property tests: pages made from a small Markdown grammar (headings, numbered lists with substeps, bullets, code fences, callouts, paragraphs, images, includes) give plans whose step sources, ids and JSON hold up, and a page without directives expands to itself.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use runsheet::plan::{self, Plan};
use runsheet::Project;

/// Few cases and a fixed seed: the suite stays fast and gives the same cases every run.
fn config() -> Config {
    Config {
        cases: 40,
        rng_seed: RngSeed::Fixed(0x5275_6e73),
        failure_persistence: None,
        ..Config::default()
    }
}

const WORDS: &[&str] = &[
    "Open",
    "the",
    "console",
    "Run",
    "backup",
    "check",
    "server",
    "Install",
    "version",
    "Copy",
    "files",
    "Übung",
    "données",
    "日本語",
];
const CALLOUTS: &[&str] = &["hint", "warning", "info", "success"];
const CODE_LINES: &[&str] = &[
    "echo hi",
    "1. not a step",
    "!include <literal>",
    ":::hint",
    "",
];

/// A top-level block of a page (or of a partial).
#[derive(Clone, Debug)]
enum Block {
    Heading(u8, String, Option<&'static str>),
    Paragraph(String),
    Steps(List),
    Bullets(Vec<String>),
    Code(Vec<&'static str>),
    Callout(&'static str, String),
    Image(String),
    /// A partial holding these blocks, included on a line of its own.
    Include(Vec<Block>),
}

/// A numbered list: start number, delimiter, every item written with the start number or not.
#[derive(Clone, Debug)]
struct List {
    start: u64,
    delimiter: char,
    same_number: bool,
    items: Vec<Item>,
}

#[derive(Clone, Debug)]
struct Item {
    text: String,
    body: Vec<Inner>,
}

/// A block inside a list item, indented under its text.
#[derive(Clone, Debug)]
enum Inner {
    Substeps(List),
    Bullets(Vec<String>),
    Code(Vec<&'static str>),
    Callout(&'static str, String),
    Paragraph(String),
    Image(String),
    /// A partial holding a numbered list, included inside the item.
    Include(List),
}

fn sentence() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(WORDS), 1..6),
        prop::sample::select(&["", ".", ":"][..]),
    )
        .prop_map(|(words, end)| format!("{}{end}", words.join(" ")))
}

fn list(depth: u32, includes: bool) -> BoxedStrategy<List> {
    let item = (
        sentence(),
        prop::collection::vec(inner(depth, includes), 0..3),
    )
        .prop_map(|(text, body)| Item { text, body });
    (
        0u64..3,
        prop::sample::select(&['.', ')'][..]),
        any::<bool>(),
        prop::collection::vec(item, 1..5),
    )
        .prop_map(|(start, delimiter, same_number, items)| List {
            start,
            delimiter,
            same_number,
            items,
        })
        .boxed()
}

fn inner(depth: u32, includes: bool) -> BoxedStrategy<Inner> {
    let leaf = prop_oneof![
        prop::collection::vec(sentence(), 1..3).prop_map(Inner::Bullets),
        prop::collection::vec(prop::sample::select(CODE_LINES), 0..3).prop_map(Inner::Code),
        (prop::sample::select(CALLOUTS), sentence()).prop_map(|(k, t)| Inner::Callout(k, t)),
        sentence().prop_map(Inner::Paragraph),
        sentence().prop_map(Inner::Image),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    // a partial is a list here, included at the item's indentation
    let include_weight = u32::from(includes);
    prop_oneof![
        3 => leaf,
        1 => list(depth - 1, includes).prop_map(Inner::Substeps),
        include_weight => list(depth - 1, includes).prop_map(Inner::Include),
    ]
    .boxed()
}

fn block(includes: bool) -> BoxedStrategy<Block> {
    let plain = prop_oneof![
        1 => (1u8..5, sentence(), prop::option::of(prop::sample::select(&["setup", "steps"][..])))
            .prop_map(|(l, t, id)| Block::Heading(l, t, id)),
        1 => sentence().prop_map(Block::Paragraph),
        3 => list(2, includes).prop_map(Block::Steps),
        1 => prop::collection::vec(sentence(), 1..3).prop_map(Block::Bullets),
        1 => prop::collection::vec(prop::sample::select(CODE_LINES), 0..3).prop_map(Block::Code),
        1 => (prop::sample::select(CALLOUTS), sentence()).prop_map(|(k, t)| Block::Callout(k, t)),
        1 => sentence().prop_map(Block::Image),
    ];
    if !includes {
        return plain.boxed();
    }
    let plain = plain.boxed();
    prop_oneof![
        4 => plain.clone(),
        1 => prop::collection::vec(plain, 1..4).prop_map(Block::Include),
    ]
    .boxed()
}

fn page(includes: bool) -> impl Strategy<Value = Vec<Block>> {
    prop::collection::vec(block(includes), 1..8)
}

/// A page's Markdown and the partials it includes, `(path below partials/, text)`.
#[derive(Default)]
struct Written {
    text: String,
    partials: Vec<(String, String)>,
}

impl Written {
    fn line(&mut self, indent: &str, text: &str) {
        self.text.push_str(indent);
        self.text.push_str(text);
        self.text.push('\n');
    }

    fn partial(&mut self, text: String) -> String {
        let name = format!("part-{}", self.partials.len());
        self.partials.push((format!("{name}.md"), text));
        name
    }
}

fn write_blocks(blocks: &[Block], out: &mut Written) {
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.text.push('\n');
        }
        write_block(block, out);
    }
}

fn write_block(block: &Block, out: &mut Written) {
    match block {
        Block::Heading(level, text, id) => {
            let id = id.map_or(String::new(), |id| format!(" {{#{id}}}"));
            out.line(
                "",
                &format!("{} {text}{id}", "#".repeat(usize::from(*level))),
            );
        }
        Block::Paragraph(text) => out.line("", text),
        Block::Steps(list) => write_list(list, "", out),
        Block::Bullets(items) => write_bullets(items, "", out),
        Block::Code(lines) => write_code(lines, "", out),
        Block::Callout(kind, text) => write_callout(kind, text, "", out),
        Block::Image(alt) => out.line("", &format!("![{alt}](shot.png)")),
        Block::Include(blocks) => {
            let mut partial = Written {
                partials: std::mem::take(&mut out.partials),
                ..Written::default()
            };
            write_blocks(blocks, &mut partial);
            out.partials = partial.partials;
            let name = out.partial(partial.text);
            out.line("", &format!("!include <{name}>"));
        }
    }
}

fn write_list(list: &List, indent: &str, out: &mut Written) {
    for (i, item) in list.items.iter().enumerate() {
        let number = if list.same_number {
            list.start
        } else {
            list.start + i as u64
        };
        let marker = format!("{number}{}", list.delimiter);
        if i > 0 {
            out.text.push('\n');
        }
        out.line(indent, &format!("{marker} {}", item.text));
        let child = format!("{indent}{}", " ".repeat(marker.len() + 1));
        for inner in &item.body {
            out.text.push('\n');
            write_inner(inner, &child, out);
        }
    }
}

fn write_inner(inner: &Inner, indent: &str, out: &mut Written) {
    match inner {
        Inner::Substeps(list) => write_list(list, indent, out),
        Inner::Bullets(items) => write_bullets(items, indent, out),
        Inner::Code(lines) => write_code(lines, indent, out),
        Inner::Callout(kind, text) => write_callout(kind, text, indent, out),
        Inner::Paragraph(text) => out.line(indent, text),
        Inner::Image(alt) => out.line(indent, &format!("![{alt}](shot.png)")),
        Inner::Include(list) => {
            let mut partial = Written::default();
            write_list(list, "", &mut partial);
            let name = out.partial(partial.text);
            out.line(indent, &format!("!include <{name}>"));
        }
    }
}

fn write_bullets(items: &[String], indent: &str, out: &mut Written) {
    for item in items {
        out.line(indent, &format!("- {item}"));
    }
}

fn write_code(lines: &[&str], indent: &str, out: &mut Written) {
    out.line(indent, "```sh");
    for line in lines {
        out.line(indent, line);
    }
    out.line(indent, "```");
}

fn write_callout(kind: &str, text: &str, indent: &str, out: &mut Written) {
    out.line(indent, &format!(":::{kind}"));
    out.line(indent, text);
    out.line(indent, ":::");
}

const FRONT_MATTER: &str = "---\ntitle: Generated\n---\n";

/// Writes the page (with front matter) and its partials into a new project and loads it.
fn project(blocks: &[Block]) -> (tempfile::TempDir, Project, Written) {
    let mut written = Written::default();
    write_blocks(blocks, &mut written);
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "content/page.md",
        &format!("{FRONT_MATTER}{}", written.text),
    );
    fs::create_dir_all(dir.path().join("partials")).unwrap();
    for (rel, text) in &written.partials {
        write(&format!("partials/{rel}"), text);
    }
    let (project, _) = common::load(dir.path());
    (dir, project, written)
}

fn plan_of(project: &Project) -> Plan {
    plan::plan(project, &project.pages[0], &mut Vec::new())
}

/// The line `line` of `file` (below `root`), and its text from character `column` on.
fn read_back(root: &Path, file: &str, line: usize, column: usize) -> (String, String) {
    let text = fs::read_to_string(root.join(file)).unwrap();
    let line = text.lines().nth(line - 1).unwrap_or("").to_owned();
    let at = line.chars().skip(column - 1).collect();
    (line, at)
}

proptest! {
    #![proptest_config(config())]

    /// Every step's source, read back from its file, is a list marker on a
    /// line holding the step's first word; steps from a partial carry the
    /// `!include` lines that brought them in, and only they do.
    #[test]
    fn step_sources_point_at_their_first_words(blocks in page(true)) {
        let (dir, project, _) = project(&blocks);
        let plan = plan_of(&project);
        for step in common::all_steps(&plan) {
            let src = &step.source;
            let (line, at) = read_back(dir.path(), &src.file, src.line, src.column);
            let after = at.trim_start_matches(|c: char| c.is_ascii_digit());
            prop_assert!(after.len() < at.len() && after.starts_with(['.', ')']), "{}: {at:?}", step.id);
            let first = step.text.split_whitespace().next().unwrap_or_default();
            prop_assert!(line.contains(first), "{}: {line:?} lacks {first:?}", step.id);
            prop_assert_eq!(src.file.starts_with("partials/"), !src.included_from.is_empty());
            for site in &src.included_from {
                let (line, _) = read_back(dir.path(), &site.file, site.line, 1);
                prop_assert!(line.trim_start().starts_with("!include <"), "{line:?}");
            }
        }
    }

    /// Serialising a plan in either encoding, reading it back and
    /// serialising it again gives the same bytes; what the compact plan
    /// file leaves out (defaults, `title`, `text`, `markdown`, file paths)
    /// is read back as it was made, and both encodings read back into the
    /// same plan.
    #[test]
    fn plans_round_trip_through_json(blocks in page(true)) {
        let (_dir, project, _) = project(&blocks);
        let made = plan_of(&project);
        for encoding in [plan::Encoding::Compact, plan::Encoding::Expanded] {
            let json = plan::to_pretty_json(&made, encoding);
            let back: Plan = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(plan::to_pretty_json(&back, encoding), json);
            prop_assert_eq!(
                runsheet::internals::plan_as_v2(&back),
                runsheet::internals::plan_as_v2(&made)
            );
        }
    }

    /// Procedure ids are unique among the page's procedures, step ids
    /// (substeps included) among its steps.
    #[test]
    fn ids_are_unique_within_a_page(blocks in page(true)) {
        let (_dir, project, _) = project(&blocks);
        let plan = plan_of(&project);
        let procedures: Vec<&str> = plan.procedures.iter().map(|p| p.id.as_str()).collect();
        let steps: Vec<&str> = common::all_steps(&plan).iter().map(|s| s.id.as_str()).collect();
        for ids in [procedures, steps] {
            let unique: BTreeSet<&str> = ids.iter().copied().collect();
            prop_assert_eq!(unique.len(), ids.len(), "{:?}", ids);
        }
    }

    /// A page without directives expands to its own text, mapped back byte
    /// for byte to the page by one source-map entry.
    #[test]
    fn expansion_without_directives_is_the_identity(blocks in page(false)) {
        let (_dir, project, written) = project(&blocks);
        check_identity(&project, &written.text)?;
    }

    /// The same for any text without a `!` (so without a directive).
    #[test]
    fn expansion_of_any_plain_text_is_the_identity(body in "[a-z0-9 #*>`:.\\-\\[\\]()\t\n]{0,300}") {
        let (_dir, project, _) = project_with_body(&body);
        let mut expected = body.clone();
        if !expected.is_empty() && !expected.ends_with('\n') {
            expected.push('\n');
        }
        check_identity(&project, &expected)?;
    }
}

/// A project whose one page has `body` after its front matter.
fn project_with_body(body: &str) -> (tempfile::TempDir, Project, ()) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::write(
        dir.path().join("content/page.md"),
        format!("{FRONT_MATTER}{body}"),
    )
    .unwrap();
    let (project, _) = common::load(dir.path());
    (dir, project, ())
}

fn check_identity(project: &Project, body: &str) -> Result<(), TestCaseError> {
    let page = &project.pages[0];
    let ex = &page.expansion;
    prop_assert_eq!(ex.text.as_str(), body);
    prop_assert_eq!(ex.map.entries(), usize::from(!body.is_empty()));
    for offset in 0..body.len() {
        let origin = ex.map.lookup(offset).unwrap();
        prop_assert_eq!(origin.file, page.file);
        prop_assert_eq!(origin.offset, FRONT_MATTER.len() + offset);
        prop_assert!(origin.included_from.is_empty());
    }
    Ok(())
}
