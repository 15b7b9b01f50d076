//! The `!include` engine: expands partials into a page and records a source map as it goes.
//!
//! MDX files (`.mdx` pages and partials) go through [`mdx`], which places
//! imported partials through the same [`Expander::include`].

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::rc::Rc;

use crate::diagnostic::Diagnostic;
use crate::loader::{PartialIndex, ResolveError};
use crate::source::{FileId, SourceDb};
use crate::sourcemap::{ChainId, IncludeSite, SourceMap};

mod mdx;

/// How far expansion may go before it is stopped with an error.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest allowed nesting of includes.
    pub max_depth: usize,
    /// Largest allowed expanded page, in bytes.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 32,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// A page with every include replaced, and the map back to its sources.
#[derive(Debug, Default)]
pub struct Expansion {
    pub text: String,
    pub map: SourceMap,
    /// Partials this page reached, directly or through other partials.
    pub used: BTreeSet<FileId>,
}

/// A line that asks for an include.
#[derive(Debug, PartialEq, Eq)]
pub struct Directive<'a> {
    /// Leading spaces and tabs, given to every included line.
    pub indent: &'a str,
    pub name: &'a str,
}

/// Recognises `!include <name>` on a line of its own. `None` for ordinary
/// text, `Some(Err(help))` for a line that starts like a directive but is malformed.
pub fn parse_directive(line: &str) -> Option<Result<Directive<'_>, &'static str>> {
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
/// directives are literal text.
fn code_ranges(text: &str, start: usize) -> Vec<Range<usize>> {
    let body = &text[start..];
    if !body.contains("!include") {
        return Vec::new();
    }
    crate::markdown::code_ranges(body)
        .into_iter()
        .map(|r| r.start + start..r.end + start)
        .collect()
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
        overflow: false,
    };
    ex.expand_file(page, body_start, "", None, ChainId::ROOT);
    ex.out
}

struct Expander<'a> {
    db: &'a SourceDb,
    partials: &'a PartialIndex,
    limits: Limits,
    out: Expansion,
    /// Files being expanded, outermost first: the page, then each partial.
    stack: Vec<FileId>,
    code: HashMap<FileId, Vec<Range<usize>>>,
    /// MDX files met so far, read once per page.
    mdx_files: HashMap<FileId, Rc<mdx::Reading>>,
    diags: &'a mut Vec<Diagnostic>,
    overflow: bool,
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
        let code = self
            .code
            .entry(file)
            .or_insert_with(|| code_ranges(text, start))
            .clone();
        let mut pos = start;
        while pos < text.len() && !self.overflow {
            let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
            let line = &text[pos..end];
            // pulldown-cmark starts an indented code block after its indentation,
            // so test for overlap with the line, not for its first byte
            let literal = code.iter().any(|r| r.start <= end && r.end > pos);
            match parse_directive(line).filter(|_| !literal) {
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
        self.overflow
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
        if out.text.len() > self.limits.max_bytes {
            self.overflow = true;
            let outermost = self.out.map.chain(chain).last().copied();
            let (f, o) = outermost.map_or((file, pos), |s| (s.file, s.offset));
            let len = self.db.get(f).text[o..].find('\n').unwrap_or(0);
            self.diags.push(
                Diagnostic::error(
                    "include-too-large",
                    format!(
                        "expanding this include makes the page larger than {} MiB",
                        self.limits.max_bytes / (1024 * 1024)
                    ),
                )
                .at(f, o, o + len)
                .with_help("a partial is probably included many times over through nested includes; include it once or split the page"),
            );
        }
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
                    [] => format!("add `{}.md` (or `{}.include.md`) under the partials folder, or fix the name", d.name, d.name),
                    [one] => format!("did you mean `{one}`?"),
                    many => format!(
                        "did you mean one of {}?",
                        many.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
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
        if self.overflow {
            if self.stack.len() == 1 {
                // drop the runaway text: the page is in error, and later
                // stages need not wade through 64 MiB of it
                self.out.text.truncate(before);
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
