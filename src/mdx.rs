//! MDX: reads the MDX form of pages and partials (`import` lines, `<Component />` tags, `{/* comments */}`) into edits for the include stage.
//!
//! An `.mdx` file is Markdown plus a little JavaScript syntax. runsheet reads
//! the part that carries text and leaves the rest out, never showing it:
//!
//! - `import Name from 'path'` lines (any quotes, optional `;`) declare
//!   components; they are never text. A path ending in `.md` or `.mdx` names
//!   a partial.
//! - `<Name />` of an imported partial, alone on its line(s), is replaced by
//!   the partial's text exactly like `!include` (the include stage does that,
//!   see `include::mdx`).
//! - `<Image src=… alt=… />` becomes Markdown `![alt](src)`.
//! - Any other component is left out (its tags; the text between an opening
//!   and a closing tag stays), with a `component-dropped` warning, or a
//!   `component-unknown` error when it was never imported.
//! - `{/* comments */}` are left out.
//!
//! None of this happens inside code (fenced, indented or a code span). The
//! scan is pure: [`scan`] returns [`Item`]s (byte ranges of the file and what
//! to put there) and the diagnostics it found; resolving import paths needs
//! the project and is the loader's (`PartialIndex::resolve_import`).

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;

pub use crate::config::PageFormat;

/// True when the file at `path` (as shown to users) is MDX.
pub(crate) fn is_mdx(path: &str) -> bool {
    path.ends_with(".mdx")
}

/// How an import binds one name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Binding {
    /// `import Name from …`
    Default,
    /// `import { Name } from …` or `import { Imported as Name } from …`
    Named(String),
    /// `import * as Name from …`
    Namespace,
}

/// One `import … from 'path'` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Import {
    /// The local names it binds, and how.
    pub names: Vec<(String, Binding)>,
    /// The module path as written, without quotes.
    pub path: String,
    /// Byte range of the path (inside the quotes) in the file.
    pub path_range: Range<usize>,
    /// Byte range of the line, its newline included.
    pub line: Range<usize>,
}

impl Import {
    /// True when the path names a partial (`*.md`, `*.mdx`).
    pub(crate) fn is_partial(&self) -> bool {
        let path = self.path.split(['?', '#']).next().unwrap_or("");
        path.ends_with(".md") || path.ends_with(".mdx")
    }

    /// The component name under which the partial's text is placed: the
    /// default import, or Astro's named export `Content`.
    pub(crate) fn partial_name(&self) -> Option<&str> {
        if !self.is_partial() {
            return None;
        }
        self.names
            .iter()
            .find(|(_, b)| match b {
                Binding::Default => true,
                Binding::Named(n) => n == "Content",
                Binding::Namespace => false,
            })
            .map(|(n, _)| n.as_str())
    }
}

/// What to put in place of an [`Item`]'s range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ItemKind {
    /// Nothing: the bytes are left out.
    Drop,
    /// The text of the partial imported by `imports[import]` (a whole line).
    Partial { import: usize },
    /// Markdown written instead, as pieces with the file offset each comes from.
    Text(Vec<(String, usize)>),
}

/// A range of the file that is not copied as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    /// Byte range in the file. A `whole_lines` item starts at a line's start
    /// and ends after a newline (or at the end of the file).
    pub range: Range<usize>,
    /// The construct stands alone on its lines: they are removed whole (for
    /// a partial: replaced by its text, indented like the tag).
    pub whole_lines: bool,
    pub kind: ItemKind,
}

/// Everything runsheet reads out of one MDX file.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scan {
    pub imports: Vec<Import>,
    /// In file order, never overlapping.
    pub items: Vec<Item>,
    /// For each import, whether a tag outside code uses one of its names.
    pub used: Vec<bool>,
    /// Byte ranges of code (blocks and spans), where nothing is read.
    pub code: Vec<Range<usize>>,
    /// Problems found (no include chain yet).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the MDX constructs of `text` (the file `file`) from `start`, the
/// first byte after its front matter.
pub(crate) fn scan(file: FileId, text: &str, start: usize) -> Scan {
    let mut s = Scan {
        code: code_ranges(text, start),
        ..Scan::default()
    };
    read_imports(file, text, start, &mut s);
    s.used = vec![false; s.imports.len()];
    let mut skip: Vec<Range<usize>> = s.code.clone();
    skip.extend(s.items.iter().map(|i| i.range.clone()));
    skip.sort_by_key(|r| r.start);
    let mut found = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut k = 0;
    let mut i = start;
    while let Some(off) = text.get(i..).and_then(|t| t.find(['<', '{'])) {
        i += off;
        while skip.get(k).is_some_and(|r| r.end <= i) {
            k += 1;
        }
        if let Some(r) = skip.get(k).filter(|r| r.start <= i) {
            i = r.end;
            continue;
        }
        let rest = &text[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
        } else if rest.starts_with("{/*") {
            match rest.find("*/}") {
                Some(e) => {
                    found.push(place(text, i..i + e + 3, ItemKind::Drop));
                    i += e + 3;
                }
                None => i += 3,
            }
        } else if let Some(tag) = parse_tag(text, i) {
            i = tag.range.end;
            found.extend(read_tag(file, text, &tag, &mut s, &mut open));
        } else {
            i += 1;
        }
    }
    s.items.extend(found);
    s.items.sort_by_key(|it| it.range.start);
    s
}

/// Byte ranges of code blocks and code spans of `text[start..]`.
fn code_ranges(text: &str, start: usize) -> Vec<Range<usize>> {
    let body = &text[start.min(text.len())..];
    if !body.contains(['<', '{']) {
        return Vec::new();
    }
    crate::markdown::code_and_span_ranges(body)
        .into_iter()
        .map(|r| r.start + start..r.end + start)
        .collect()
}

/// Byte range of the line holding `at`, without its newline.
fn line_around(text: &str, at: usize) -> Range<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    start..end
}

/// An item for `range`: the whole lines when nothing but spaces stands
/// beside the construct on its first and last line.
fn place(text: &str, range: Range<usize>, kind: ItemKind) -> Item {
    let first = line_around(text, range.start);
    let last = line_around(text, range.end.saturating_sub(1).max(range.start));
    let blank = |s: &str| s.trim_matches([' ', '\t']).is_empty();
    let before = text.get(first.start..range.start).unwrap_or("");
    let after = text.get(range.end..last.end).unwrap_or("");
    let alone = blank(before) && blank(after);
    if alone {
        let end = (last.end + 1).min(text.len());
        Item {
            range: first.start..end,
            whole_lines: true,
            kind,
        }
    } else {
        Item {
            range,
            whole_lines: false,
            kind,
        }
    }
}

/// Reads the import lines: at the start of a line, outside code, where a
/// block may start (after the front matter, a blank line or another import).
fn read_imports(file: FileId, text: &str, start: usize, s: &mut Scan) {
    let mut pos = start;
    let mut block_start = true;
    while pos < text.len() {
        let end = line_around(text, pos).end;
        let line = &text[pos..end];
        let in_code = s.code.iter().any(|r| r.start <= pos && pos < r.end);
        if !in_code && block_start && is_import_line(line) {
            let (import, stop) = read_import(text, pos);
            match import {
                Some(import) => s.imports.push(import),
                None => s.diagnostics.push(
                    Diagnostic::warning(
                        "import-invalid",
                        "runsheet cannot read this import; the line is left out",
                    )
                    .at(file, pos, end)
                    .with_help("write `import Name from 'path';`"),
                ),
            }
            s.items.push(Item {
                range: pos..stop,
                whole_lines: true,
                kind: ItemKind::Drop,
            });
            pos = stop;
            continue;
        }
        block_start = line.trim().is_empty();
        pos = (end + 1).min(text.len());
    }
}

/// The most lines one import may span (`import {` … `} from 'x'`).
const MAX_IMPORT_LINES: usize = 32;

/// Reads the import starting at `pos`, on one line or on the lines up to
/// the one that ends it; returns it and where the next line starts (after
/// the first line alone when it does not read as an import).
fn read_import(text: &str, pos: usize) -> (Option<Import>, usize) {
    let after = |end: usize| (end + 1).min(text.len());
    let first_end = line_around(text, pos).end;
    let mut end = first_end;
    for _ in 0..MAX_IMPORT_LINES {
        if let Some(mut import) = parse_import(&text[pos..end], pos) {
            import.line = pos..after(end);
            return (Some(import), after(end));
        }
        let next = end + 1;
        if next >= text.len() {
            break;
        }
        let next_end = line_around(text, next).end;
        if text[next..next_end].trim().is_empty() {
            break;
        }
        end = next_end;
    }
    (None, after(first_end))
}

/// True for a line that MDX reads as an ESM import.
fn is_import_line(line: &str) -> bool {
    line.strip_prefix("import")
        .is_some_and(|r| r.starts_with([' ', '\t', '{', '*', '\'', '"']))
}

/// A JavaScript identifier at the start of `s`: its length.
fn ident_len(s: &str) -> usize {
    let mut len = 0;
    for (i, c) in s.char_indices() {
        let ok = c.is_alphabetic() || c == '_' || c == '$' || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

/// Splits an identifier off the start of `s` (after spaces).
fn take_ident(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start();
    let len = ident_len(s);
    (len > 0).then(|| (&s[..len], &s[len..]))
}

/// Parses `import … from 'path';` (the line starts at `offset` in the file).
pub(crate) fn parse_import(line: &str, offset: usize) -> Option<Import> {
    let rest = line.strip_prefix("import")?.trim_end();
    let rest = rest.strip_suffix(';').unwrap_or(rest).trim_end();
    let (names, from) = if rest.trim_start().starts_with(['\'', '"']) {
        (Vec::new(), rest)
    } else {
        let (names, after) = import_clause(rest)?;
        (names, after.trim_start().strip_prefix("from")?)
    };
    let quoted = from.trim();
    let quote = quoted.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let inner = quoted[1..].strip_suffix(quote)?;
    if inner.is_empty() || inner.contains(quote) {
        return None;
    }
    let at = offset + line.rfind(inner)?;
    Some(Import {
        names,
        path: inner.to_owned(),
        path_range: at..at + inner.len(),
        line: offset..offset + line.len(),
    })
}

/// `Name`, `Name, { A, B as C }`, `{ … }` or `* as N`: the bindings and the text after them.
fn import_clause(s: &str) -> Option<(Vec<(String, Binding)>, &str)> {
    let mut names = Vec::new();
    let mut rest = s.trim_start();
    if let Some((name, after)) = take_ident(rest) {
        if name == "from" && after.trim_start().starts_with(['\'', '"']) {
            return None;
        }
        names.push((name.to_owned(), Binding::Default));
        rest = after.trim_start();
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start(),
            None => return Some((names, rest)),
        }
    }
    if let Some(after) = rest.strip_prefix('*') {
        let after = after.trim_start().strip_prefix("as")?;
        let (name, after) = take_ident(after)?;
        names.push((name.to_owned(), Binding::Namespace));
        return Some((names, after));
    }
    let inner_end = rest.find('}')?;
    let inner = rest.strip_prefix('{')?.get(..inner_end - 1)?;
    for spec in inner.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (imported, after) = take_ident(spec)?;
        let local = match after.trim_start().strip_prefix("as") {
            Some(alias) => take_ident(alias)?.0,
            None if after.trim().is_empty() => imported,
            None => return None,
        };
        names.push((local.to_owned(), Binding::Named(imported.to_owned())));
    }
    (!names.is_empty()).then(|| (names, &rest[inner_end + 1..]))
}

/// An attribute value of a tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// A string (`"…"`, `'…'`, or `{"…"}`): its text and where it is.
    Str(String, usize),
    /// Another expression, `{…}`: its text, braces excluded.
    Expr(String, usize),
}

/// A JSX tag: `<Name attr="v" />`, `<Name>` or `</Name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsxTag {
    pub name: String,
    pub attrs: Vec<(String, Option<Value>)>,
    pub closing: bool,
    pub self_closing: bool,
    pub range: Range<usize>,
}

impl JsxTag {
    fn attr(&self, name: &str) -> Option<&Value> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_ref())
    }
}

/// Parses a component tag starting at `at` (`<` then a capital letter, or
/// `</` then one). `None` when the text there is not such a tag: then it is
/// left as text. A tag never spans a blank line.
pub(crate) fn parse_tag(text: &str, at: usize) -> Option<JsxTag> {
    let mut p = Cursor { text, at };
    p.eat("<").then_some(())?;
    let closing = p.eat("/");
    if !p.peek().is_some_and(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let name = p.take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '$'));
    let name = name.to_owned();
    let mut attrs = Vec::new();
    let mut spaced_before = false;
    loop {
        let spaced = p.skip_space()? || spaced_before;
        spaced_before = false;
        if p.eat("/>") {
            return (!closing).then_some(JsxTag {
                name,
                attrs,
                closing,
                self_closing: true,
                range: at..p.at,
            });
        }
        if p.eat(">") {
            return Some(JsxTag {
                name,
                attrs,
                closing,
                self_closing: false,
                range: at..p.at,
            });
        }
        if closing || !spaced {
            return None;
        }
        if p.peek() == Some('{') {
            // a spread: `{...props}`
            p.braced()?;
            continue;
        }
        let attr = p.take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
        if attr.is_empty() {
            return None;
        }
        let attr = attr.to_owned();
        let space_after_name = p.skip_space()?;
        let value = if p.eat("=") {
            p.skip_space()?;
            Some(p.value()?)
        } else {
            spaced_before = space_after_name;
            None
        };
        attrs.push((attr, value));
    }
}

/// A position in the text being read as a tag.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        let found = self.text[self.at..].starts_with(s);
        if found {
            self.at += s.len();
        }
        found
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let rest = &self.text[self.at..];
        let len = rest.find(|c: char| !f(c)).unwrap_or(rest.len());
        self.at += len;
        &rest[..len]
    }

    /// Skips spaces and newlines; `None` at a blank line. True when it moved.
    fn skip_space(&mut self) -> Option<bool> {
        let space = self.take_while(char::is_whitespace);
        let blank_line = space.matches('\n').count() > 1;
        (!blank_line).then_some(!space.is_empty())
    }

    /// `{…}` with nested braces and quoted strings: the text inside.
    fn braced(&mut self) -> Option<(String, usize)> {
        let start = self.at + 1;
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut quote: Option<u8> = None;
        let mut i = self.at;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(_) if b == b'\\' => i += 1,
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
                None if b == b'{' => depth += 1,
                None if b == b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.at = i + 1;
                        return Some((self.text[start..i].to_owned(), start));
                    }
                }
                None => {}
            }
            i += 1;
        }
        None
    }

    /// An attribute value: a quoted string or a braced expression.
    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            q @ ('"' | '\'') => {
                let start = self.at + 1;
                let len = self.text[start..].find(q)?;
                self.at = start + len + 1;
                Some(Value::Str(self.text[start..start + len].to_owned(), start))
            }
            '{' => {
                let (inner, start) = self.braced()?;
                let trimmed = inner.trim();
                let lead = inner.len() - inner.trim_start().len();
                let literal = trimmed.len() >= 2
                    && matches!(trimmed.as_bytes()[0], b'"' | b'\'' | b'`')
                    && trimmed.ends_with(trimmed.chars().next().unwrap_or(' '))
                    && !trimmed.contains("${");
                Some(if literal {
                    let text = trimmed[1..trimmed.len() - 1].to_owned();
                    Value::Str(text, start + lead + 1)
                } else {
                    Value::Expr(trimmed.to_owned(), start + lead)
                })
            }
            _ => None,
        }
    }
}

/// What a tag turns into, and its diagnostics.
fn read_tag(
    file: FileId,
    text: &str,
    tag: &JsxTag,
    s: &mut Scan,
    open: &mut Vec<String>,
) -> Option<Item> {
    if tag.closing {
        if let Some(i) = open.iter().rposition(|n| *n == tag.name) {
            open.remove(i);
        }
        return Some(place(text, tag.range.clone(), ItemKind::Drop));
    }
    let import = s
        .imports
        .iter()
        .position(|imp| imp.names.iter().any(|(n, _)| *n == tag.name));
    if let Some(i) = import {
        s.used[i] = true;
    }
    if !tag.self_closing {
        open.push(tag.name.clone());
    }
    let at = |d: Diagnostic| d.at(file, tag.range.start, tag_label_end(text, tag));
    let drop = place(text, tag.range.clone(), ItemKind::Drop);
    let Some(i) = import else {
        s.diagnostics.push(at(unknown(tag, &s.imports)));
        return Some(drop);
    };
    let imp = &s.imports[i];
    if imp.partial_name() == Some(tag.name.as_str()) {
        let item = place(text, tag.range.clone(), ItemKind::Partial { import: i });
        if item.whole_lines && tag.self_closing {
            return Some(item);
        }
        let why = if tag.self_closing {
            format!("the partial `<{} />` stands inside a line of text: runsheet places a partial only on a line of its own, so its text is left out", tag.name)
        } else {
            format!("the partial `<{}>` has children: runsheet places a partial only as `<{} />` on a line of its own, so it is left out (the text between its tags is kept)", tag.name, tag.name)
        };
        s.diagnostics
            .push(at(Diagnostic::warning("component-dropped", why).with_help(
                format!("write `<{} />` alone on its line", tag.name),
            )));
        return Some(drop);
    }
    if tag.name == "Image" && tag.self_closing {
        if let Some(pieces) = image_markdown(tag, &s.imports) {
            return Some(Item {
                range: tag.range.clone(),
                whole_lines: false,
                kind: ItemKind::Text(pieces),
            });
        }
        s.diagnostics.push(at(Diagnostic::warning(
            "component-dropped",
            "`<Image>` has no `src` runsheet can read (a string, or a name imported from a file); the image is left out",
        )
        .with_help("write `<Image src=\"/path/to/image.png\" alt=\"What it shows\" />`")));
        return Some(drop);
    }
    s.diagnostics.push(at(dropped(tag, imp)));
    Some(drop)
}

/// The end of the tag's first line (or of the tag, when shorter): what a diagnostic underlines.
fn tag_label_end(text: &str, tag: &JsxTag) -> usize {
    line_around(text, tag.range.start).end.min(tag.range.end)
}

/// `component-unknown`: a tag whose name no import declares.
fn unknown(tag: &JsxTag, imports: &[Import]) -> Diagnostic {
    let names: Vec<&str> = imports
        .iter()
        .flat_map(|i| i.names.iter().map(|(n, _)| n.as_str()))
        .collect();
    let help = match similar::get_close_matches(tag.name.as_str(), &names, 1, 0.7).first() {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!(
            "import it after the front matter: `import {} from 'path/to/partial.include.md';`",
            tag.name
        ),
    };
    Diagnostic::error(
        "component-unknown",
        format!(
            "`<{}>` is never imported: its text is missing from the page",
            tag.name
        ),
    )
    .with_help(help)
}

/// `component-dropped`: an imported component that is not a partial.
fn dropped(tag: &JsxTag, imp: &Import) -> Diagnostic {
    let kept = if tag.self_closing {
        ""
    } else {
        " (the text between its tags is kept)"
    };
    Diagnostic::warning(
        "component-dropped",
        format!(
            "`<{}>` (from `{}`) is not a partial: runsheet leaves it out{kept}",
            tag.name, imp.path
        ),
    )
    .with_help(
        "runsheet places partials (imports of `.md` and `.mdx` files) and `<Image>`; write the text as Markdown to keep it",
    )
}

/// `![alt](src "width=N")` for an `<Image>` tag, as pieces mapped to the
/// tag; `None` without a usable `src`.
fn image_markdown(tag: &JsxTag, imports: &[Import]) -> Option<Vec<(String, usize)>> {
    let (src, src_at) = match tag.attr("src")? {
        Value::Str(s, at) => (s.clone(), *at),
        Value::Expr(e, at) => {
            let imp = imports.iter().find(|i| {
                i.names
                    .iter()
                    .any(|(n, b)| n == e && *b == Binding::Default)
            })?;
            (imp.path.clone(), *at)
        }
    };
    if src.trim().is_empty() {
        return None;
    }
    let (alt, alt_at) = match tag.attr("alt") {
        Some(Value::Str(s, at)) => (s.clone(), *at),
        _ => (String::new(), tag.range.start),
    };
    let title = match tag.attr("width") {
        Some(Value::Str(w, _)) | Some(Value::Expr(w, _))
            if w.chars().all(|c| c.is_ascii_digit()) && !w.is_empty() =>
        {
            format!(" \"width={w}\"")
        }
        _ => String::new(),
    };
    let start = tag.range.start;
    Some(vec![
        ("![".to_owned(), start),
        (escape_alt(&alt), alt_at),
        ("](".to_owned(), start),
        (destination(src.trim()), src_at),
        (format!("{title})"), tag.range.end - 1),
    ])
}

/// Alt text as Markdown link text: one line, brackets and backslashes escaped.
fn escape_alt(alt: &str) -> String {
    let mut out = String::with_capacity(alt.len());
    for c in alt.split_whitespace().collect::<Vec<_>>().join(" ").chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A link destination: in `<…>` when it holds spaces or parentheses.
fn destination(src: &str) -> String {
    if src.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", src.replace('<', "%3C").replace('>', "%3E"))
    } else {
        src.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An import as a table expects it: its bindings and its path.
    type Expected<'a> = Option<(&'a [(&'a str, Binding)], &'a str)>;

    /// A tag as a table expects it: name, closing, self-closing, end.
    type TagShape<'a> = Option<(&'a str, bool, bool, usize)>;

    #[test]
    fn import_table() {
        let named = |n: &str| Binding::Named(n.into());
        let cases: &[(&str, Expected)] = &[
            (
                "import A from 'src/a.include.md';",
                Some((&[("A", Binding::Default)], "src/a.include.md")),
            ),
            (
                "import Image from \"src/components/Image.astro\"",
                Some((&[("Image", Binding::Default)], "src/components/Image.astro")),
            ),
            (
                "import   B   from   'b.mdx'  ;  ",
                Some((&[("B", Binding::Default)], "b.mdx")),
            ),
            (
                "import { Content as C, X } from './c.md'",
                Some((&[("C", named("Content")), ("X", named("X"))], "./c.md")),
            ),
            (
                "import D, { E } from 'd.js'",
                Some((&[("D", Binding::Default), ("E", named("E"))], "d.js")),
            ),
            (
                "import * as N from 'n.js'",
                Some((&[("N", Binding::Namespace)], "n.js")),
            ),
            ("import './style.css';", Some((&[], "./style.css"))),
            ("import A from a.md", None),
            ("import A from 'a.md\"", None),
            ("import from 'x'", None),
            ("import { A B } from 'x'", None),
            ("import A", None),
        ];
        for (line, expected) in cases {
            let got = parse_import(line, 0);
            let got = got.as_ref().map(|i| (i.names.clone(), i.path.as_str()));
            let expected = expected.map(|(names, path)| {
                let names: Vec<(String, Binding)> = names
                    .iter()
                    .map(|(n, b)| ((*n).to_owned(), b.clone()))
                    .collect();
                (names, path)
            });
            assert_eq!(got, expected, "{line:?}");
        }
        let imp = parse_import("import A from 'p/a.md';", 10).unwrap();
        assert_eq!(imp.path_range, 25..31);
        assert_eq!(imp.partial_name(), Some("A"));
    }

    #[test]
    fn tag_table() {
        let cases: &[(&str, TagShape)] = &[
            ("<A />", Some(("A", false, true, 5))),
            ("<A/>rest", Some(("A", false, true, 4))),
            ("<Tabs>", Some(("Tabs", false, false, 6))),
            ("</Tabs>", Some(("Tabs", true, false, 7))),
            (
                "<Image\n  src=\"/a.png\"\n  alt=\"x\"\n/>",
                Some(("Image", false, true, 34)),
            ),
            (
                "<Foo.Bar x={1} {...p} y />",
                Some(("Foo.Bar", false, true, 26)),
            ),
            ("<a href=\"x\">", None),
            ("<Https://x.org>", None),
            ("<A\n\nb=\"1\" />", None),
            ("< A />", None),
            ("<A x=\"unclosed />", None),
            ("</A />", None),
        ];
        for (text, expected) in cases {
            let got = parse_tag(text, 0)
                .map(|t| (t.name.clone(), t.closing, t.self_closing, t.range.end));
            let expected = expected.map(|(n, c, s, e)| (n.to_owned(), c, s, e));
            assert_eq!(got, expected, "{text:?}");
        }
        let t = parse_tag("<Image src={\"/b.png\"} alt='Two' width={500} />", 0).unwrap();
        assert_eq!(t.attr("src"), Some(&Value::Str("/b.png".into(), 13)));
        assert_eq!(t.attr("alt"), Some(&Value::Str("Two".into(), 27)));
        assert_eq!(t.attr("width"), Some(&Value::Expr("500".into(), 39)));
    }

    /// The file text with every item applied, `[P:i]` for a partial.
    fn applied(text: &str) -> (String, Vec<String>) {
        let s = scan(FileId(0), text, 0);
        let mut out = String::new();
        let mut at = 0;
        for item in &s.items {
            out.push_str(&text[at..item.range.start]);
            match &item.kind {
                ItemKind::Drop => {}
                ItemKind::Partial { import } => out.push_str(&format!("[P:{import}]\n")),
                ItemKind::Text(pieces) => {
                    out.extend(pieces.iter().map(|(t, _)| t.as_str()));
                }
            }
            at = item.range.end;
        }
        out.push_str(&text[at..]);
        let diags = s
            .diagnostics
            .iter()
            .map(|d| format!("{}@{}", d.code, d.label.unwrap().start))
            .collect();
        (out, diags)
    }

    #[test]
    fn scan_table() {
        let imports = "import P from 'p.md';\nimport Image from 'Image.astro';\nimport Tabs from 'Tabs.astro';\n";
        let cases: &[(&str, &str, &[&str])] = &[
            ("\n<P />\n", "\n[P:0]\n", &[]),
            ("1. Step\n\n   <P />\n", "1. Step\n\n[P:0]\n", &[]),
            (
                "<Image\n  src=\"/a b.png\"\n  alt=\"A [x]\"\n/>\n",
                "![A \\[x\\]](</a b.png>)\n",
                &[],
            ),
            (
                "  <Image src='/i.png' alt=\"i\" width=\"300\" />\n",
                "  ![i](/i.png \"width=300\")\n",
                &[],
            ),
            ("a {/* c */} b\n", "a  b\n", &[]),
            ("x\n{/* one\ntwo */}\ny\n", "x\ny\n", &[]),
            ("Use `<P />` here\n", "Use `<P />` here\n", &[]),
            (
                "```\n<P />\n{/* c */}\n```\n",
                "```\n<P />\n{/* c */}\n```\n",
                &[],
            ),
            ("<!-- <P /> -->\n", "<!-- <P /> -->\n", &[]),
            (
                "Text <P /> inline\n",
                "Text  inline\n",
                &["component-dropped@92"],
            ),
            (
                "<Tabs>\nInside\n</Tabs>\n",
                "Inside\n",
                &["component-dropped@87"],
            ),
            ("<Missing />\n", "", &["component-unknown@87"]),
            ("<Image alt=\"no src\" />\n", "", &["component-dropped@87"]),
            ("a < B and <b>bold</b>\n", "a < B and <b>bold</b>\n", &[]),
        ];
        for (body, expected, diags) in cases {
            let text = format!("{imports}\n{body}");
            let (out, found) = applied(&text);
            assert_eq!(out, format!("\n{expected}"), "{body:?}");
            assert_eq!(found, *diags, "{body:?}");
        }
    }

    #[test]
    fn imports_only_where_a_block_starts() {
        let text = "import A from 'a.md'\nimport B from 'b.md'\n\nText\nimport C from 'c.md'\n\n```\nimport D from 'd.md'\n```\n\nimport E from 'e.md'\nimport bad\n";
        let s = scan(FileId(0), text, 0);
        let paths: Vec<&str> = s.imports.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["a.md", "b.md", "e.md"]);
        let codes: Vec<&str> = s.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["import-invalid"]);
        assert_eq!(s.used, [false, false, false]);
    }

    #[test]
    fn image_pieces_map_to_the_attributes() {
        let text = "import Image from 'I.astro'\n<Image src=\"/a.png\" alt=\"Alt\" />";
        let s = scan(FileId(0), text, 0);
        let Some(ItemKind::Text(pieces)) = s.items.last().map(|i| &i.kind) else {
            panic!("{:?}", s.items);
        };
        let at = |t: &str| pieces.iter().find(|(p, _)| p == t).map(|(_, o)| *o);
        assert_eq!(at("Alt"), text.find("Alt"));
        assert_eq!(at("/a.png"), text.find("/a.png"));
    }

    #[test]
    fn image_src_may_name_an_imported_file() {
        let (out, diags) = applied("import shot from './shot.png';\nimport Image from 'I.astro'\n\n<Image src={shot} alt=\"S\" />\n");
        assert_eq!(out, "\n![S](./shot.png)\n");
        assert!(diags.is_empty());
    }

    #[test]
    fn any_text_scans_into_sorted_disjoint_items_on_char_boundaries() {
        const TOKENS: &[&str] = &[
            "import A from 'a.md';",
            "import {",
            "} from 'b.mdx'",
            "import ",
            "<A />",
            "<A",
            "/>",
            "<Image",
            " src=\"/x.png\"",
            " alt='é'",
            "{/*",
            "*/}",
            "{",
            "}",
            "</A>",
            "<B>",
            "```",
            "`",
            "\n",
            "\n\n",
            "   ",
            "é",
            "—",
            "1. ",
            "<!--",
            "-->",
            "\"",
            "'",
            "\\",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2_000 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(TOKENS[(seed >> 33) as usize % TOKENS.len()]);
            }
            let s = scan(FileId(0), &text, 0);
            let mut end = 0;
            for item in &s.items {
                assert!(item.range.start >= end, "{text:?}: {:?}", s.items);
                assert!(item.range.start < item.range.end && item.range.end <= text.len());
                assert!(
                    text.is_char_boundary(item.range.start)
                        && text.is_char_boundary(item.range.end)
                );
                end = item.range.end;
            }
            assert_eq!(s.used.len(), s.imports.len());
        }
    }

    #[test]
    fn page_format_of_a_path() {
        let cases = [
            ("a/b.md", Some(PageFormat::Md)),
            ("a/b.mdx", Some(PageFormat::Mdx)),
            ("a/b.markdown", None),
            ("a/mdx", None),
        ];
        for (path, expected) in cases {
            assert_eq!(
                PageFormat::of(std::path::Path::new(path)),
                expected,
                "{path}"
            );
        }
    }
}
