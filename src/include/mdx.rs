//! MDX files in the include stage: `import` lines left out, `<Partial />` lines expanded like `!include`, other components rewritten or left out.
//!
//! [`crate::mdx::scan`] finds what to change in an `.mdx` file; this module
//! resolves its imports and copies the file into the page with those changes
//! made. A line the scan left alone is copied as in Markdown (so `!include`
//! works in MDX too); a line with changes is copied in pieces, each piece
//! mapped to where it comes from in the file. A partial's tag is handed to
//! [`Expander::include`] under the partial's exact name, so indentation,
//! source map, include chain and every limit are those of `!include`.

use std::borrow::Cow;
use std::rc::Rc;

use super::{parse_directive, Directive, Expander, IndentOrigin};
use crate::diagnostic::Diagnostic;
use crate::loader::ImportError;
use crate::mdx::{self, Import, Item, ItemKind, Scan};
use crate::source::FileId;
use crate::sourcemap::ChainId;

/// A scanned MDX file with its imports resolved.
#[derive(Debug)]
pub(super) struct Reading {
    scan: Scan,
    /// For each import: the partial it names, when it names one that exists.
    targets: Vec<Option<FileId>>,
}

/// A piece of an output line and the file offset it comes from.
type Piece<'t> = (Cow<'t, str>, usize);

impl Expander<'_> {
    /// Copies the MDX file `file` from `start` into the page (see the module documentation).
    pub(super) fn expand_mdx(
        &mut self,
        file: FileId,
        start: usize,
        indent: &str,
        indent_origin: Option<IndentOrigin>,
        chain: ChainId,
    ) {
        let reading = self.mdx_reading(file, start, chain);
        let text = self.db.get(file).text.as_str();
        let items = reading.scan.items.as_slice();
        let mut k = 0;
        let mut pos = start;
        while pos < text.len() && !self.stopped() {
            while items.get(k).is_some_and(|it| it.range.end <= pos) {
                k += 1;
            }
            if let Some(item) = items
                .get(k)
                .filter(|it| it.whole_lines && it.range.start == pos)
            {
                if let ItemKind::Partial { import } = item.kind {
                    let target = reading.targets.get(import).copied().flatten();
                    self.place_partial(file, item, target, indent, chain);
                }
                pos = item.range.end;
                k += 1;
                continue;
            }
            let (pieces, end) = line_pieces(text, pos, items, &mut k);
            let line = LineAt { file, pos, end };
            self.mdx_line(line, &pieces, &reading.scan, indent, indent_origin, chain);
            pos = end + 1;
        }
    }

    /// The file's scan and import targets, made once per page; their
    /// problems are reported then, with the include chain that first reached it.
    fn mdx_reading(&mut self, file: FileId, start: usize, chain: ChainId) -> Rc<Reading> {
        if let Some(reading) = self.mdx_files.get(&file) {
            return Rc::clone(reading);
        }
        let scan = mdx::scan(file, &self.db.get(file).text, start);
        let mut diags = scan.diagnostics.clone();
        let targets = scan
            .imports
            .iter()
            .zip(&scan.used)
            .map(|(import, used)| self.resolve_import(file, import, *used, &mut diags))
            .collect();
        let sites = self.out.map.chain(chain);
        self.diags
            .extend(diags.into_iter().map(|d| d.included_from(sites)));
        let reading = Rc::new(Reading { scan, targets });
        self.mdx_files.insert(file, Rc::clone(&reading));
        reading
    }

    /// The partial a partial import names; its problem (missing, escaping,
    /// never used) goes to `diags`.
    fn resolve_import(
        &self,
        file: FileId,
        import: &Import,
        used: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<FileId> {
        import.is_partial().then_some(())?;
        let from = &self.db.get(file).abs;
        let at = import.path_range.clone();
        let problem = match self.partials.resolve_import(&import.path, from, self.db) {
            Ok(id) if used => return Some(id),
            Ok(id) => {
                diags.push(unused(file, import));
                return Some(id);
            }
            Err(ImportError::Missing {
                suggestions,
                not_partial,
            }) => Diagnostic::error(
                "include-missing",
                format!("no partial at `{}`", import.path),
            )
            .with_help(missing_help(&suggestions, not_partial.as_deref())),
            Err(ImportError::Escape(why)) => Diagnostic::error(
                "include-escape",
                format!("import escapes the project: {why}"),
            )
            .with_help("partials must live inside the partials folder; import them by a path inside the project"),
        };
        diags.push(problem.at(file, at.start, at.end));
        None
    }

    /// Places the partial of a `<Name />` line, as `!include` would.
    fn place_partial(
        &mut self,
        file: FileId,
        item: &Item,
        target: Option<FileId>,
        indent: &str,
        chain: ChainId,
    ) {
        // an import that names no partial has its own error
        let Some(name) = target.and_then(|t| self.partials.exact_name(t)) else {
            return;
        };
        let name = name.to_owned();
        let text = self.db.get(file).text.as_str();
        let pos = item.range.start;
        let line = &text[pos..text[pos..].find('\n').map_or(text.len(), |i| pos + i)];
        let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
        let directive = Directive {
            indent: &line[..lead],
            name: &name,
        };
        let next_blank = text[item.range.end..]
            .split('\n')
            .next()
            .is_none_or(|l| l.trim().is_empty());
        if self.count_include(file, pos, chain) {
            return;
        }
        self.include(file, pos, line, &directive, indent, chain, next_blank);
    }

    /// Writes one line of an MDX file: as in Markdown when nothing in it
    /// changed, else in pieces mapped to their sources.
    fn mdx_line(
        &mut self,
        at: LineAt,
        pieces: &[Piece<'_>],
        scan: &Scan,
        indent: &str,
        indent_origin: Option<IndentOrigin>,
        chain: ChainId,
    ) {
        let LineAt { file, pos, end } = at;
        if let [(line, _)] = pieces {
            let literal = scan.code.iter().any(|r| r.start <= end && r.end > pos);
            match parse_directive(line).filter(|_| !literal) {
                Some(Ok(d)) => {
                    let text = &self.db.get(file).text;
                    let next_blank = text[(end + 1).min(text.len())..]
                        .split('\n')
                        .next()
                        .is_none_or(|l| l.trim().is_empty());
                    if !self.count_include(file, pos, chain) {
                        self.include(file, pos, line, &d, indent, chain, next_blank);
                    }
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
            return;
        }
        let line: String = pieces.iter().map(|(p, _)| p.as_ref()).collect();
        self.emit_line(file, pos, &line, indent, indent_origin, chain);
        // emit_line mapped the line as one run from `pos`; map each piece
        let mut out = self.out.text.len().saturating_sub(line.len() + 1);
        for (piece, src) in pieces {
            if !piece.is_empty() {
                self.out.map.map(out, file, *src, chain);
            }
            out += piece.len();
        }
    }
}

/// Where a line of output starts in its file, and where its last source line ends.
#[derive(Clone, Copy)]
struct LineAt {
    file: FileId,
    pos: usize,
    end: usize,
}

/// The pieces of the output line that starts at `pos`: the file's text with
/// the inline items from `items[*k]` on applied. A line ends at the first
/// newline outside an item. Returns the pieces and that newline's offset.
fn line_pieces<'t>(
    text: &'t str,
    pos: usize,
    items: &'t [Item],
    k: &mut usize,
) -> (Vec<Piece<'t>>, usize) {
    let mut pieces = Vec::new();
    let mut at = pos;
    loop {
        let eol = text[at..].find('\n').map_or(text.len(), |i| at + i);
        match items.get(*k) {
            Some(item) if !item.whole_lines && (at..eol).contains(&item.range.start) => {
                pieces.push((Cow::Borrowed(&text[at..item.range.start]), at));
                if let ItemKind::Text(with) = &item.kind {
                    pieces.extend(
                        with.iter()
                            .map(|(t, src)| (Cow::Borrowed(t.as_str()), *src)),
                    );
                }
                at = item.range.end;
                *k += 1;
            }
            _ => {
                pieces.push((Cow::Borrowed(&text[at..eol]), at));
                return (pieces, eol);
            }
        }
    }
}

/// `import-unused`: a partial imported and never placed.
fn unused(file: FileId, import: &Import) -> Diagnostic {
    let name = import.partial_name().unwrap_or("?");
    let line = import.line.start..import.line.end.saturating_sub(1).max(import.line.start);
    Diagnostic::warning(
        "import-unused",
        format!(
            "`{name}` is imported from `{}` but never used: its text is not on the page",
            import.path
        ),
    )
    .at(file, line.start, line.end)
    .with_help(format!(
        "place it with `<{name} />` on a line of its own, or delete the import"
    ))
}

/// Help for an import path that names no partial.
fn missing_help(suggestions: &[String], not_partial: Option<&str>) -> String {
    if let Some(path) = not_partial {
        return format!(
            "`{path}` is not below the partials folder: imports place partials only; move it there"
        );
    }
    match suggestions {
        [] => "the path is read from the project folder, this file's folder or the partials folder"
            .to_owned(),
        [one] => format!("did you mean `{one}`?"),
        many => format!(
            "did you mean one of {}?",
            many.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
