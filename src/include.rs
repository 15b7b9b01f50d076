//! The `!include` engine: expands partials into a page and records a source map as it goes.
//!
//! MDX files (`.mdx` pages and partials) go through [`mdx`], which places
//! imported partials through the same [`Expander::include`].

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use crate::diagnostic::Diagnostic;
use crate::loader::{PartialIndex, ResolveError};
use crate::source::{FileId, SourceDb};
use crate::sourcemap::{ChainId, IncludeSite, SourceMap};

mod mdx;

/// How far expansion may go before it is stopped with an error. Together
/// they bound the work and memory one page can take, whatever the shape of
/// its includes: a partial with tiny lines included over and over stops at
/// the line, map or include bound long before the byte bound.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest allowed nesting of includes.
    pub max_depth: usize,
    /// Largest allowed expanded page, in bytes.
    pub max_bytes: usize,
    /// Most lines an expanded page may have. Later stages spend about 15 µs
    /// and 4 KiB on a line that is a step, so this keeps a page to about a
    /// second and 200 MiB; real pages are far smaller (a few hundred lines).
    pub max_lines: usize,
    /// Most source-map entries (pieces of text from one place, and include
    /// sites of their chains) an expanded page may need.
    pub max_map_entries: usize,
    /// Most `!include` directives one page may carry out, nested ones included.
    pub max_includes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 32,
            max_bytes: 64 * 1024 * 1024,
            max_lines: 50_000,
            max_map_entries: 1_000_000,
            max_includes: 50_000,
        }
    }
}

/// The bound of [`Limits`] an expansion ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exceeded {
    Bytes,
    Lines,
    MapEntries,
    Includes,
}

/// What an `include-too-large` error blames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Blame {
    /// The page's include line through which the bound was crossed.
    Include,
    /// The page's own text: it has no include.
    Page,
    /// The page's own text, after includes added theirs.
    PageWithIncludes,
}

impl Exceeded {
    /// The error message: what went over which bound, and through what.
    fn message(self, limits: &Limits, blame: Blame) -> String {
        let subject = match blame {
            Blame::Include => "expanding this include makes the page",
            Blame::Page => "the page itself is",
            Blame::PageWithIncludes => "the page with its includes is",
        };
        match self {
            Exceeded::Bytes => format!("{subject} larger than {}", size(limits.max_bytes)),
            Exceeded::Lines => format!("{subject} longer than {} lines", limits.max_lines),
            Exceeded::MapEntries => format!(
                "{subject} made of more than {} separate pieces of source text (source-map entries)",
                limits.max_map_entries
            ),
            Exceeded::Includes if blame == Blame::Include => format!(
                "expanding this include takes more than {} includes",
                limits.max_includes
            ),
            Exceeded::Includes => format!(
                "the page takes more than {} includes",
                limits.max_includes
            ),
        }
    }
}

/// `64 MiB` for whole mebibytes, `1000 bytes` otherwise.
fn size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

impl Blame {
    fn help(self) -> &'static str {
        match self {
            Blame::Include => "a partial is probably included many times over through nested includes; include it once or split the page",
            Blame::Page => "split the page into smaller pages",
            Blame::PageWithIncludes => "include fewer or smaller partials, or split the page into smaller pages",
        }
    }
}

pub(crate) use crate::sourcemap::Expansion;

/// A line that asks for an include.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Directive<'a> {
    /// Leading spaces and tabs, given to every included line.
    pub indent: &'a str,
    pub name: &'a str,
}

/// Recognises `!include <name>` on a line of its own. `None` for ordinary
/// text, `Some(Err(help))` for a line that starts like a directive but is malformed.
pub(crate) fn parse_directive(line: &str) -> Option<Result<Directive<'_>, &'static str>> {
    let rest = line.trim_start_matches([' ', '\t']);
    let indent = &line[..line.len() - rest.len()];
    let after = rest.strip_prefix("!include")?;
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_') {
        return None;
    }
    let after = after.trim_start_matches([' ', '\t']).trim_end();
    let Some(name) = after.strip_prefix('<').and_then(|a| a.strip_suffix('>')) else {
        return Some(Err(
            "write the directive alone on its line as `!include <partial-name>`",
        ));
    };
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if !valid && !crate::loader::escapes(name) {
        return Some(Err(
            "partial names use letters, digits, `-`, `_`, `.` and `/` only",
        ));
    }
    Some(Ok(Directive { indent, name }))
}

/// Byte ranges of fenced and indented code blocks in `text[start..]`, where
/// directives are literal text. In order, and never overlapping.
fn code_ranges(text: &str, start: usize) -> Rc<[Range<usize>]> {
    let body = &text[start..];
    if !body.contains("!include") {
        return Rc::from([]);
    }
    crate::markdown::code_ranges(body)
        .into_iter()
        .map(|r| r.start + start..r.end + start)
        .collect()
}

/// True when a code range overlaps `start..=end`; `ranges` as [`code_ranges`] gives them.
fn in_code(ranges: &[Range<usize>], start: usize, end: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= start);
    ranges.get(i).is_some_and(|r| r.start <= end)
}

/// Help for a name no partial has: the files that would provide it. A name
/// given with its `.md` (or `.include.md`) is told the file name it means,
/// not `x.md.md`.
fn missing_help(name: &str) -> String {
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let stem = stem.strip_suffix(".include").unwrap_or(stem);
    let add = format!("add `{stem}.md` (or `{stem}.include.md`) under the partials folder");
    if stem == name {
        format!("{add}, or fix the name")
    } else {
        format!("{add}, and write `!include <{stem}>`: names leave out `.md`")
    }
}

/// Expands every include of the page `page`, whose own text starts at `body_start`.
pub fn expand(
    db: &SourceDb,
    partials: &PartialIndex,
    page: FileId,
    body_start: usize,
    limits: Limits,
    diags: &mut Vec<Diagnostic>,
) -> Expansion {
    let mut ex = Expander {
        db,
        partials,
        limits,
        out: Expansion::default(),
        stack: vec![page],
        code: HashMap::new(),
        mdx_files: HashMap::new(),
        diags,
        lines: 0,
        includes: 0,
        overflow: None,
    };
    let own = &db.get(page).text[body_start.min(db.get(page).text.len())..];
    let own_lines = own.bytes().filter(|&b| b == b'\n').count();
    if own.len() > limits.max_bytes || own_lines > limits.max_lines {
        // not even copied: the page alone is over a bound
        let exceeded = if own.len() > limits.max_bytes {
            Exceeded::Bytes
        } else {
            Exceeded::Lines
        };
        ex.stop(exceeded, page, body_start, ChainId::ROOT);
        return ex.out;
    }
    ex.expand_file(page, body_start, "", None, ChainId::ROOT);
    if ex.overflow.is_some_and(|b| b != Blame::Include) {
        // the page's own text went over a bound: later stages get none of it
        ex.out.text = String::new();
        ex.out.map = SourceMap::default();
    }
    ex.out
}

struct Expander<'a> {
    db: &'a SourceDb,
    partials: &'a PartialIndex,
    limits: Limits,
    out: Expansion,
    /// Files being expanded, outermost first: the page, then each partial.
    stack: Vec<FileId>,
    code: HashMap<FileId, Rc<[Range<usize>]>>,
    /// MDX files met so far, read once per page.
    mdx_files: HashMap<FileId, Rc<mdx::Reading>>,
    diags: &'a mut Vec<Diagnostic>,
    /// Lines written to the expanded text so far.
    lines: usize,
    /// `!include` directives met so far, carried out or not.
    includes: usize,
    /// Set once a bound of [`Limits`] is exceeded: expansion stops.
    overflow: Option<Blame>,
}

/// Where the indentation of included lines comes from: the include site.
#[derive(Clone, Copy)]
struct IndentOrigin {
    file: FileId,
    offset: usize,
    chain: ChainId,
}

impl Expander<'_> {
    fn expand_file(
        &mut self,
        file: FileId,
        start: usize,
        indent: &str,
        indent_origin: Option<IndentOrigin>,
        chain: ChainId,
    ) {
        if crate::mdx::is_mdx(&self.db.get(file).path) {
            self.expand_mdx(file, start, indent, indent_origin, chain);
            return;
        }
        let db = self.db;
        let text = db.get(file).text.as_str();
        let code = Rc::clone(
            self.code
                .entry(file)
                .or_insert_with(|| code_ranges(text, start)),
        );
        let mut pos = start;
        while pos < text.len() && self.overflow.is_none() {
            let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
            let line = &text[pos..end];
            // pulldown-cmark starts an indented code block after its indentation,
            // so test for overlap with the line, not for its first byte
            let literal = in_code(&code, pos, end);
            let directive = parse_directive(line).filter(|_| !literal);
            if directive.is_some() && self.count_include(file, pos, chain) {
                break;
            }
            match directive {
                Some(Ok(d)) => {
                    let next_blank = text[(end + 1).min(text.len())..]
                        .split('\n')
                        .next()
                        .is_none_or(|l| l.trim().is_empty());
                    self.include(file, pos, line, &d, indent, chain, next_blank);
                }
                Some(Err(help)) => {
                    let lead = line.len() - line.trim_start().len();
                    self.diags.push(
                        Diagnostic::error("include-syntax", "malformed `!include` directive")
                            .at(file, pos + lead, end)
                            .with_help(help)
                            .included_from(self.out.map.chain(chain)),
                    );
                }
                None => self.emit_line(file, pos, line, indent, indent_origin, chain),
            }
            pos = end + 1;
        }
    }

    /// True once a limit stopped the expansion.
    fn stopped(&self) -> bool {
        self.overflow.is_some()
    }

    fn emit_line(
        &mut self,
        file: FileId,
        pos: usize,
        line: &str,
        indent: &str,
        indent_origin: Option<IndentOrigin>,
        chain: ChainId,
    ) {
        let out = &mut self.out;
        if let (false, Some(o)) = (indent.is_empty() || line.trim().is_empty(), indent_origin) {
            out.map.map(out.text.len(), o.file, o.offset, o.chain);
            out.text.push_str(indent);
        }
        out.map.map(out.text.len(), file, pos, chain);
        out.text.push_str(line);
        out.text.push('\n');
        self.lines += 1;
        if let Some(exceeded) = self.exceeded() {
            self.stop(exceeded, file, pos, chain);
        }
    }

    /// The first bound of [`Limits`] the expansion so far has gone over.
    fn exceeded(&self) -> Option<Exceeded> {
        let l = &self.limits;
        if self.out.text.len() > l.max_bytes {
            Some(Exceeded::Bytes)
        } else if self.lines > l.max_lines {
            Some(Exceeded::Lines)
        } else if self.out.map.entries() > l.max_map_entries {
            Some(Exceeded::MapEntries)
        } else if self.includes > l.max_includes {
            Some(Exceeded::Includes)
        } else {
            None
        }
    }

    /// Counts a directive at `pos` of `file` towards [`Limits::max_includes`];
    /// true when that was one too many and expansion stops.
    pub(super) fn count_include(&mut self, file: FileId, pos: usize, chain: ChainId) -> bool {
        self.includes += 1;
        if self.includes > self.limits.max_includes {
            self.stop(Exceeded::Includes, file, pos, chain);
        }
        self.overflow.is_some()
    }

    /// Stops the expansion with one `include-too-large` error, at the page's
    /// outermost include line that led to `file` (or at the page itself).
    fn stop(&mut self, exceeded: Exceeded, file: FileId, pos: usize, chain: ChainId) {
        let outermost = self.out.map.chain(chain).last().copied();
        let blame = match outermost {
            Some(_) => Blame::Include,
            None if self.includes == 0 => Blame::Page,
            None => Blame::PageWithIncludes,
        };
        self.overflow = Some(blame);
        let (f, o) = outermost.map_or((file, pos), |s| (s.file, s.offset));
        let text = &self.db.get(f).text;
        let o = o.min(text.len());
        let len = text[o..].find('\n').unwrap_or(text.len() - o);
        self.diags.push(
            Diagnostic::error("include-too-large", exceeded.message(&self.limits, blame))
                .at(f, o, o + len)
                .with_help(blame.help()),
        );
    }

    /// Ends the block before included text, so a partial never merges into
    /// the paragraph above or below it.
    fn separate(&mut self, site: IncludeSite, chain: ChainId) {
        let text = &self.out.text;
        let last_line = text
            .strip_suffix('\n')
            .map(|t| t.rsplit('\n').next().unwrap_or(t));
        if last_line.is_some_and(|l| !l.trim().is_empty()) {
            self.out
                .map
                .map(self.out.text.len(), site.file, site.offset, chain);
            self.out.text.push('\n');
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn include(
        &mut self,
        file: FileId,
        pos: usize,
        line: &str,
        d: &Directive<'_>,
        indent: &str,
        chain: ChainId,
        next_blank: bool,
    ) {
        let start = pos + d.indent.len();
        let end = pos + line.trim_end().len();
        let site = IncludeSite {
            file,
            offset: start,
        };
        let here = |code, msg: String| {
            Diagnostic::error(code, msg)
                .at(file, start, end)
                .included_from(self.out.map.chain(chain))
        };
        let target = match self.partials.resolve(d.name, self.db) {
            Ok(t) => t,
            Err(ResolveError::Missing { suggestions }) => {
                let help = match suggestions.as_slice() {
                    [] => missing_help(d.name),
                    [one] => format!("did you mean `{one}`?"),
                    many => format!(
                        "did you mean one of {}?",
                        many.iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let diag = here("include-missing", format!("no partial named `{}`", d.name));
                self.diags.push(diag.with_help(help));
                return;
            }
            Err(ResolveError::Ambiguous(paths)) => {
                let diag = here(
                    "include-ambiguous",
                    format!(
                        "`{}` names more than one partial: {}",
                        d.name,
                        paths
                            .iter()
                            .map(|(p, _)| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                let names: Vec<String> = paths
                    .iter()
                    .map(|(_, name)| format!("`!include <{name}>`"))
                    .collect();
                self.diags.push(diag.with_help(format!(
                    "name the partial by its path below the partials folder: {}",
                    names.join(" or ")
                )));
                return;
            }
            // reading the file already reported the real problem (`not-utf8`)
            Err(ResolveError::Unusable(_, None)) => return,
            Err(ResolveError::Unusable(path, Some(why))) => {
                let diag = here(
                    "include-missing",
                    format!("no partial named `{}`: `{path}` {why}", d.name),
                );
                self.diags.push(diag.with_help(
                    "a partial is a Markdown file below the partials folder; rename what is in the way, or include a file inside that folder by its path",
                ));
                return;
            }
            Err(ResolveError::Escape(why)) => {
                let diag = here(
                    "include-escape",
                    format!("include escapes the partials folder: {why}"),
                );
                self.diags.push(diag.with_help(
                    "partials must live inside the partials folder; name them relative to it",
                ));
                return;
            }
        };
        if self.stack.contains(&target) {
            let cycle = self.cycle_chain(chain, site, target);
            let diag = here("include-cycle", format!("include cycle: {cycle}"));
            self.diags.push(
                diag.with_help("a partial cannot include itself, directly or through others; remove one include of the loop"),
            );
            return;
        }
        if self.stack.len() > self.limits.max_depth {
            let diag = here(
                "include-depth",
                format!(
                    "includes are nested more than {} deep",
                    self.limits.max_depth
                ),
            );
            self.diags
                .push(diag.with_help("flatten the chain of partials that include partials"));
            return;
        }
        self.out.used.insert(target);
        self.separate(site, chain);
        let inner = self.out.map.push_chain(site, chain);
        if let Some(exceeded) = self.exceeded() {
            self.stop(exceeded, file, pos, chain);
            return;
        }
        let indent = format!("{indent}{}", d.indent);
        let origin = IndentOrigin {
            file,
            offset: start,
            chain,
        };
        let before = self.out.text.len();
        self.stack.push(target);
        let body = self.partials.body_start(target);
        self.expand_file(target, body, &indent, Some(origin), inner);
        self.stack.pop();
        if self.overflow.is_some() {
            if self.stack.len() == 1 {
                // drop the runaway text: the page is in error, and later
                // stages need not wade through 64 MiB of it
                self.out.text.truncate(before);
                self.out.text.shrink_to_fit();
                self.out.map.truncate(before);
            }
            return;
        }
        if !next_blank {
            self.separate(site, chain);
        }
    }

    /// `a.md:3 → b.include.md:7 → a.md`: the loop, from the page down to the repeat.
    fn cycle_chain(&self, chain: ChainId, site: IncludeSite, target: FileId) -> String {
        let mut sites: Vec<IncludeSite> = self.out.map.chain(chain).iter().rev().copied().collect();
        sites.push(site);
        let mut parts: Vec<String> = sites
            .iter()
            .map(|s| {
                let f = self.db.get(s.file);
                format!("{}:{}", f.path, f.line_col(s.offset).0)
            })
            .collect();
        parts.push(self.db.get(target).path.clone());
        parts.join(" → ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::{self, Layout};

    /// Expands the one page of a project made of `files`, with `limits`;
    /// returns the expansion and every diagnostic as `code file:line message`.
    fn expand_project(files: &[(String, String)], limits: Limits) -> (Expansion, Vec<String>) {
        let tmp = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = tmp.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let layout = Layout {
            root: tmp.path().to_owned(),
            content: tmp.path().join("content"),
            partials: tmp.path().join("partials"),
            out: tmp.path().join("site"),
            formats: None,
        };
        let mut db = SourceDb::default();
        let mut diags = Vec::new();
        let loaded = loader::load(&layout, &mut db, &mut diags);
        let page = loaded.pages[0].file;
        let body = crate::frontmatter::split(&db.get(page).text).body_start;
        let ex = expand(&db, &loaded.partials, page, body, limits, &mut diags);
        crate::diagnostic::normalize(&mut diags, &db);
        let found = diags
            .iter()
            .map(|d| {
                let l = d.label.unwrap();
                let f = db.get(l.file);
                format!(
                    "{} {}:{} {}",
                    d.code,
                    f.path,
                    f.line_col(l.start).0,
                    d.message
                )
            })
            .collect();
        (ex, found)
    }

    /// A page including `p0` on its line 5; `p<i>` includes `p<i+1>` `fan`
    /// times (indented by `indent`) for `levels` levels; the last is `leaf`.
    fn bomb(fan: usize, levels: usize, leaf: &str, indent: &str) -> Vec<(String, String)> {
        let mut files = vec![(
            "content/page.md".to_owned(),
            format!("---\ntitle: Bomb\n---\nBefore.\n{indent}!include <p0>\nAfter.\n"),
        )];
        for i in 0..levels {
            let line = format!("{indent}!include <p{}>\n", i + 1);
            files.push((format!("partials/p{i}.md"), line.repeat(fan)));
        }
        files.push((format!("partials/p{levels}.md"), leaf.to_owned()));
        files
    }

    #[test]
    fn every_bound_stops_expansion_with_one_error_at_the_page_include() {
        let small = Limits {
            max_depth: 32,
            max_bytes: 10_000,
            max_lines: 1_000,
            max_map_entries: 100_000,
            max_includes: 500,
        };
        let few_entries = Limits {
            max_map_entries: 1_000,
            ..small
        };
        let big_leaf = format!("{}\n", "y".repeat(999));
        let lines = "z\n".repeat(300);
        let cases = [
            ("tiny leaves", small, bomb(2, 20, "x\n", ""), "takes more than 500 includes"),
            ("three a level", small, bomb(3, 12, "x", ""), "takes more than 500 includes"),
            ("deeper than allowed", small, bomb(2, 40, "x", ""), "takes more than 500 includes"),
            ("big leaf", small, bomb(2, 6, &big_leaf, ""), "makes the page larger than 10000 bytes"),
            ("many lines", small, bomb(2, 6, &lines, ""), "makes the page longer than 1000 lines"),
            (
                "deep chains",
                few_entries,
                bomb(2, 20, "x\n", ""),
                "makes the page made of more than 1000 separate pieces of source text (source-map entries)",
            ),
            (
                "many indented lines",
                few_entries,
                bomb(2, 6, &lines, "  "),
                "makes the page made of more than 1000 separate pieces of source text (source-map entries)",
            ),
        ];
        for (what, limits, files, expected) in cases {
            let (ex, found) = expand_project(&files, limits);
            let too_large: Vec<&String> = found
                .iter()
                .filter(|f| f.starts_with("include-too-large"))
                .collect();
            assert_eq!(
                too_large,
                [&format!(
                    "include-too-large content/page.md:5 expanding this include {expected}"
                )],
                "{what}: {found:?}"
            );
            assert_eq!(ex.text, "Before.\n\n", "{what}: runaway text dropped");
        }
    }

    #[test]
    fn a_page_over_a_bound_by_itself_is_blamed_on_itself() {
        let small = Limits {
            max_bytes: 1_000,
            max_lines: 100,
            ..Limits::default()
        };
        let page = |body: &str| {
            (
                "content/page.md".to_owned(),
                format!("---\ntitle: P\n---\n{body}"),
            )
        };
        let cases = [
            (
                vec![page(&"w".repeat(2_000))],
                "content/page.md:4 the page itself is larger than 1000 bytes",
            ),
            (
                vec![page(&"w\n".repeat(200))],
                "content/page.md:4 the page itself is longer than 100 lines",
            ),
            (
                vec![
                    page(&format!("!include <p>\n{}", "w\n".repeat(20))),
                    ("partials/p.md".to_owned(), "v\n".repeat(90)),
                ],
                "content/page.md:15 the page with its includes is longer than 100 lines",
            ),
        ];
        for (files, expected) in cases {
            let (ex, found) = expand_project(&files, small);
            assert_eq!(found, [format!("include-too-large {expected}")]);
            assert!(ex.text.is_empty(), "{expected}");
        }
    }

    #[test]
    fn missing_help_table() {
        let cases = [
            ("x", "add `x.md` (or `x.include.md`) under the partials folder, or fix the name"),
            ("x.md", "add `x.md` (or `x.include.md`) under the partials folder, and write `!include <x>`: names leave out `.md`"),
            ("a/x.include.md", "add `a/x.md` (or `a/x.include.md`) under the partials folder, and write `!include <a/x>`: names leave out `.md`"),
            ("x.include", "add `x.md` (or `x.include.md`) under the partials folder, and write `!include <x>`: names leave out `.md`"),
        ];
        for (name, help) in cases {
            assert_eq!(missing_help(name), help, "{name}");
        }
    }

    #[test]
    fn directive_table() {
        let ok = |indent, name| Some(Ok(Directive { indent, name }));
        let cases = [
            ("!include <a>", ok("", "a")),
            ("   !include <sub/b-c_d.e>  ", ok("   ", "sub/b-c_d.e")),
            ("\t!include   <x>", ok("\t", "x")),
            ("!include <../up>", ok("", "../up")),
            ("text !include <a>", None),
            ("!includes are great", None),
            (
                "!include a",
                Some(Err(
                    "write the directive alone on its line as `!include <partial-name>`",
                )),
            ),
            (
                "!include <a> trailing",
                Some(Err(
                    "write the directive alone on its line as `!include <partial-name>`",
                )),
            ),
            (
                "!include <a b>",
                Some(Err(
                    "partial names use letters, digits, `-`, `_`, `.` and `/` only",
                )),
            ),
            (
                "!include <>",
                Some(Err(
                    "partial names use letters, digits, `-`, `_`, `.` and `/` only",
                )),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_directive(line), expected, "{line:?}");
        }
    }

    #[test]
    fn code_ranges_cover_fences_and_indented_code() {
        let text =
            "a\n\n```\n!include <x>\n```\n\n    !include <y>\n\n- item\n\n    !include <z>\n";
        let ranges = code_ranges(text, 0);
        let literal = |needle: &str| {
            let at = text.find(needle).unwrap();
            ranges.iter().any(|r| r.contains(&at))
        };
        assert!(literal("!include <x>"));
        assert!(literal("!include <y>"));
        assert!(
            !literal("!include <z>"),
            "inside a list item it is a paragraph"
        );
    }
}
