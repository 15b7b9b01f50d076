//! Diagnostics: what went wrong and where, rendered for people (rustc style), JSON or GitHub Actions.

use std::fmt::Write as _;
use std::ops::Range;

use serde::{Deserialize, Serialize};

pub(crate) mod codes;

use crate::source::{FileId, SourceDb};
use crate::sourcemap::{IncludeSite, Origin};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The span a diagnostic points at: a byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

/// One problem found in the project.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, documented code such as `include-missing`.
    pub code: &'static str,
    pub message: String,
    pub label: Option<Label>,
    pub help: Option<Box<str>>,
    /// Include sites that brought the labelled text into a page, innermost first.
    pub included_from: Box<[IncludeSite]>,
    /// How many other include chains reach the same problem (a partial
    /// included by several pages is reported once).
    pub also_via: u32,
}

impl Diagnostic {
    /// An error with a code from [`codes::CODES`] (debug builds check it).
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning with a code from [`codes::CODES`] (debug builds check it).
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(
            cfg!(test) || codes::lookup(code).is_some(),
            "diagnostic code `{code}` is not registered in diagnostic::codes"
        );
        Diagnostic {
            severity,
            code,
            message: message.into(),
            label: None,
            help: None,
            included_from: Box::default(),
            also_via: 0,
        }
    }

    /// Points the diagnostic at `start..end` of `file`.
    pub fn at(mut self, file: FileId, start: usize, end: usize) -> Self {
        self.label = Some(Label { file, start, end });
        self
    }

    /// Points the diagnostic at a location in an expanded page, with its include chain.
    pub fn at_origin(mut self, origin: Origin<'_>, len: usize) -> Self {
        self.label = Some(Label {
            file: origin.file,
            start: origin.offset,
            end: origin.offset + len,
        });
        self.included_from = origin.included_from.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    pub fn included_from(mut self, chain: &[IncludeSite]) -> Self {
        self.included_from = chain.into();
        self
    }

    /// Sort key giving a stable order: file, position, code, message.
    fn sort_key<'a>(&'a self, db: &'a SourceDb) -> (&'a str, usize, &'static str, &'a str) {
        let (path, offset) = match self.label {
            Some(l) => (db.get(l.file).path.as_str(), l.start),
            None => ("", 0),
        };
        (path, offset, self.code, self.message.as_str())
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    Github,
}

/// Sorts diagnostics into a stable order and merges duplicates: a partial
/// included by several pages reports its own problem once, with the first
/// include chain, counting the others in `also_via`.
pub fn normalize(diags: &mut Vec<Diagnostic>, db: &SourceDb) {
    diags.sort_by(|a, b| a.sort_key(db).cmp(&b.sort_key(db)));
    diags.dedup_by(|later, kept| {
        let same = later.code == kept.code
            && later.message == kept.message
            && later.label == kept.label
            && later.help == kept.help;
        if same && later.included_from != kept.included_from {
            // saturating: counts are made up by callers such as the fuzz targets
            kept.also_via = kept
                .also_via
                .saturating_add(later.also_via.saturating_add(1));
        }
        same
    });
}

/// Turns every warning into an error (`--strict`).
pub(crate) fn promote_warnings(diags: &mut [Diagnostic]) {
    for d in diags {
        d.severity = Severity::Error;
    }
}

/// Renders one diagnostic in the human form: header, `--> file:line:col`,
/// the source line with a caret, include chain and help.
pub fn render_human(d: &Diagnostic, db: &SourceDb, color: bool) -> String {
    use annotate_snippets::{Level, Renderer, Snippet};
    let level = match d.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let source_line: String;
    let mut message = level.title(&d.message).id(d.code);
    let site = |s: &IncludeSite| {
        let f = db.get(s.file);
        format!("included from {}:{}", f.path, f.line_col(s.offset).0)
    };
    // A long chain shows its innermost and outermost sites; JSON has them all.
    let chain = &d.included_from;
    let included: Vec<String> = if chain.len() > 6 {
        let mut lines: Vec<String> = chain[..3].iter().map(site).collect();
        lines.push(format!("… {} more include sites …", chain.len() - 5));
        lines.extend(chain[chain.len() - 2..].iter().map(site));
        lines
    } else {
        chain.iter().map(site).collect()
    };
    if let Some(label) = d.label {
        let f = db.get(label.file);
        let start = floor_boundary(&f.text, label.start.min(f.text.len()));
        let (line, _) = f.line_col(start);
        let line_start = f.line_offset(line);
        let line_end = f.text[start..]
            .find('\n')
            .map_or(f.text.len(), |i| start + i);
        let mut end = label.end.clamp(start, line_end);
        while !f.text.is_char_boundary(end) {
            end += 1;
        }
        if end == start && end < line_end {
            end = next_char(&f.text, end);
        }
        // a tab is shown as one space: the caret stays under its text and
        // the column after `-->` stays the file's own (one per character)
        let shown = f.text[line_start..line_end].replace('\t', " ");
        let span;
        (source_line, span) = mark_indentation(&shown, start - line_start..end - line_start);
        message = message.snippet(
            Snippet::source(&source_line)
                .line_start(line)
                .origin(&f.path)
                .annotation(level.span(span)),
        );
    }
    let also = match d.also_via {
        0 => String::new(),
        1 => "also reached through 1 other include chain".to_owned(),
        n => format!("also reached through {n} other include chains"),
    };
    for note in included.iter().chain((d.also_via > 0).then_some(&also)) {
        message = message.footer(Level::Note.title(note));
    }
    if let Some(help) = &d.help {
        message = message.footer(Level::Help.title(help));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    format!("{}\n", renderer.render(message))
}

/// `line` and `span` as annotate-snippets should see them. It cuts a long
/// indentation off the line it shows, and 0.11 then draws a span that
/// starts in the cut part without its gutter, or subtracts with overflow (a
/// panic with debug assertions) when the span ends there too. A span that
/// starts in the indentation therefore shows its first character as `·`:
/// the line's text starts where the span does, and the column is the same.
fn mark_indentation(line: &str, span: Range<usize>) -> (String, Range<usize>) {
    let indent = line.len() - line.trim_start().len();
    let Some(c) = line[span.start..].chars().next() else {
        return (line.to_owned(), span);
    };
    if span.start >= indent || indent == line.len() {
        return (line.to_owned(), span);
    }
    let after = span.start + c.len_utf8();
    let marked = format!("{}\u{b7}{}", &line[..span.start], &line[after..]);
    let end = match span.end >= after {
        true => span.end - c.len_utf8() + '\u{b7}'.len_utf8(),
        false => span.end,
    };
    (marked, span.start..end)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn next_char(text: &str, i: usize) -> usize {
    text[i..].chars().next().map_or(i, |c| i + c.len_utf8())
}

#[derive(Serialize)]
struct JsonSite {
    file: String,
    line: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<&'a str>,
    included_from: Vec<JsonSite>,
}

/// Renders one diagnostic as a single line of JSON.
pub fn render_json(d: &Diagnostic, db: &SourceDb) -> String {
    let pos = d.label.map(|l| {
        let f = db.get(l.file);
        let (line, col) = f.line_col(l.start);
        (f.path.as_str(), line, col)
    });
    let json = JsonDiagnostic {
        severity: d.severity,
        code: d.code,
        message: &d.message,
        file: pos.map(|p| p.0),
        line: pos.map(|p| p.1),
        column: pos.map(|p| p.2),
        help: d.help.as_deref(),
        included_from: d
            .included_from
            .iter()
            .map(|s| {
                let f = db.get(s.file);
                JsonSite {
                    file: f.path.clone(),
                    line: f.line_col(s.offset).0,
                }
            })
            .collect(),
    };
    let mut line = serde_json::to_string(&json).expect("diagnostics serialise");
    line.push('\n');
    line
}

/// Renders one diagnostic as a GitHub Actions workflow command.
pub(crate) fn render_github(d: &Diagnostic, db: &SourceDb) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("::{kind} ");
    if let Some(l) = d.label {
        let f = db.get(l.file);
        let (line, col) = f.line_col(l.start);
        let _ = write!(
            out,
            "file={},line={line},col={col},",
            escape_property(&f.path)
        );
    }
    let _ = write!(out, "title={}", escape_property(d.code));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        let _ = write!(message, "\nhelp: {help}");
    }
    let _ = writeln!(out, "::{}", escape_data(&message));
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Counts of errors and warnings, for the closing summary line.
pub(crate) fn summary(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diags.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn db() -> (SourceDb, FileId) {
        let mut db = SourceDb::default();
        let id = db.add(SourceFile::new(
            "content/a.md".into(),
            "content/a.md".into(),
            FileKind::Page,
            "---\ntitle: A\n---\n!include <x>\n".into(),
        ));
        (db, id)
    }

    #[test]
    fn human_form_has_arrow_line_caret_and_help() {
        let (db, id) = db();
        let d = Diagnostic::error("include-missing", "no partial named `x`")
            .at(id, 17, 29)
            .with_help("did you mean `y`?");
        let text = render_human(&d, &db, false);
        let expected = "\
error[include-missing]: no partial named `x`
 --> content/a.md:4:1
  |
4 | !include <x>
  | ^^^^^^^^^^^^
  |
  = help: did you mean `y`?
";
        assert_eq!(text, expected);
    }

    #[test]
    fn human_form_survives_awkward_spans() {
        let texts = [
            "",
            "\t\tindented\n",
            "日本語のテキスト\n",
            "emoji 🎉 here",
            "a\n\n\n",
            "caf\u{fffd}",
        ];
        for text in texts {
            let mut db = SourceDb::default();
            let id = db.add(SourceFile::new(
                "f.md".into(),
                "f.md".into(),
                FileKind::Page,
                text.into(),
            ));
            for (start, end) in [
                (0, 0),
                (0, 1),
                (1, 2),
                (2, 5),
                (3, 4),
                (0, 999),
                (999, 1000),
            ] {
                let start = start.min(text.len());
                let d = Diagnostic::error("x", "m").at(id, start, end);
                let out = render_human(&d, &db, false);
                assert!(out.contains("--> f.md:"), "{text:?} {start}..{end}: {out}");
            }
        }
    }

    /// Found by the `front_matter` fuzz target: a YAML error at the start of
    /// a long tab-indented line made annotate-snippets subtract with overflow;
    /// short of that, a span in a long indentation lost its caret line's gutter.
    #[test]
    fn a_span_in_the_indentation_of_a_long_line_renders() {
        for indent in ["\t".repeat(15), " ".repeat(40), "\u{3000}".repeat(20)] {
            let line = format!("{indent}{}\n", "text ".repeat(40));
            let mut db = SourceDb::default();
            let id = db.add(SourceFile::new(
                "f.md".into(),
                "f.md".into(),
                FileKind::Page,
                format!("---\n{line}---\n"),
            ));
            let w = indent.chars().next().unwrap().len_utf8();
            for (start, end, column) in [(4, 4 + w, 1), (4 + w, 4 + w, 2), (4, 4 + indent.len(), 1)]
            {
                let d = Diagnostic::error("front-matter-invalid", "m").at(id, start, end);
                let out = render_human(&d, &db, false);
                assert!(out.contains(&format!("--> f.md:2:{column}\n")), "{out}");
                let carets = out.lines().find(|l| l.contains('^')).unwrap();
                assert!(
                    carets.starts_with("  | "),
                    "the caret line has its gutter: {out}"
                );
            }
        }
    }

    /// Found by the `diagnostics` fuzz target: merging duplicates whose
    /// `also_via` counts add up past `u32::MAX` overflowed.
    #[test]
    fn merged_counts_saturate() {
        let (db, id) = db();
        let d = |site: usize, also_via: u32| Diagnostic {
            also_via,
            ..Diagnostic::error("include-missing", "m")
                .at(id, 17, 29)
                .included_from(&[IncludeSite {
                    file: id,
                    offset: site,
                }])
        };
        let mut diags = vec![d(0, u32::MAX - 1), d(4, 7), d(9, 0)];
        normalize(&mut diags, &db);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].also_via, u32::MAX);
        let mut diags = vec![d(0, 0), d(4, 0), d(9, 2)];
        normalize(&mut diags, &db);
        assert_eq!(diags[0].also_via, 4);
    }

    #[test]
    fn caret_lines_up_under_tab_indented_text() {
        let mut db = SourceDb::default();
        let id = db.add(SourceFile::new(
            "f.md".into(),
            "f.md".into(),
            FileKind::Page,
            "- b\n\t!include <nope>\n".into(),
        ));
        let d = Diagnostic::error("include-missing", "m").at(id, 5, 19);
        let out = render_human(&d, &db, false);
        assert!(
            out.contains("2 |  !include <nope>\n  |  ^^^^^^^^^^^^^^\n"),
            "{out}"
        );
        assert!(out.contains("--> f.md:2:2"), "{out}");
    }

    #[test]
    fn machine_forms() {
        let (db, id) = db();
        let d = Diagnostic::warning("partial-unused", "50% done, a: b").at(id, 4, 9);
        let cases = [
            (
                render_json(&d, &db),
                "{\"severity\":\"warning\",\"code\":\"partial-unused\",\"message\":\"50% done, a: b\",\"file\":\"content/a.md\",\"line\":2,\"column\":1,\"help\":null,\"included_from\":[]}\n",
            ),
            (
                render_github(&d, &db),
                "::warning file=content/a.md,line=2,col=1,title=partial-unused::50%25 done, a: b\n",
            ),
        ];
        for (got, expected) in cases {
            assert_eq!(got, expected);
        }
    }
}
