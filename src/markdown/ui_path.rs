//! UI paths: `{{Infrastructure,Deployment Targets}}` (or `{{Library>Packages}}`), the docs' way to name a place in the product's menus, read as `Infrastructure › Deployment Targets`.
//!
//! A UI path is `{{`, two or more segments separated by `,` or `>`, and
//! `}}`, on one line, in the text of a page: never in code (spans or
//! blocks), raw HTML, link destinations or image descriptions. The braces
//! hold no whitespace right inside them, so template syntax such as
//! `{{ name }}` stays as written; so does a single segment (`{{name}}`).

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// What separates the segments once rendered.
pub(crate) const SEPARATOR: &str = " › ";

/// The class of the `<span>` a UI path becomes on the site.
pub(crate) const CLASS: &str = "ui-path";

/// The segments of a UI path's inner text (between `{{` and `}}`), trimmed.
fn segments(inner: &str) -> Option<Vec<&str>> {
    let framed = !inner.starts_with(char::is_whitespace) && !inner.ends_with(char::is_whitespace);
    let plain = !inner.contains(['{', '}', '\n', '\r']);
    if !framed || !plain || !inner.contains([',', '>']) {
        return None;
    }
    let parts: Vec<&str> = inner.split([',', '>']).map(str::trim).collect();
    parts.iter().all(|p| !p.is_empty()).then_some(parts)
}

/// Every UI path in `text`: its byte range (braces included) and segments.
pub(crate) fn find(text: &str) -> Vec<(Range<usize>, Vec<&str>)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find("{{") {
        let open = at + i;
        let inner_start = open + 2;
        let Some(len) = text[inner_start..].find("}}") else {
            break;
        };
        let end = inner_start + len + 2;
        match segments(&text[inner_start..inner_start + len]) {
            Some(parts) => {
                found.push((open..end, parts));
                at = end;
            }
            None => at = open + 1,
        }
    }
    found
}

/// Escapes the characters that would make a segment's text Markdown markup.
fn escape(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for c in segment.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The path as Markdown text: `Infrastructure › Deployment Targets`.
pub(crate) fn markdown(segments: &[&str]) -> String {
    let parts: Vec<String> = segments.iter().map(|s| escape(s)).collect();
    parts.join(SEPARATOR)
}

/// The path as Markdown with inline HTML, for the site:
/// `<span class="ui-path">Infrastructure › Deployment Targets</span>`. Its
/// text stays Markdown text, so plain-text readers see the path too.
pub(crate) fn html(segments: &[&str]) -> String {
    format!("<span class=\"{CLASS}\">{}</span>", markdown(segments))
}

/// Where a UI path may stand in a Markdown document, learnt from its
/// parser's events: a path must start and end in text, and cross no code
/// span, raw HTML, image or code block (inline markup such as `*` inside
/// the braces is taken as written).
#[derive(Debug, Default)]
pub(crate) struct Places {
    /// Text events outside code blocks and images, in document order.
    text: Vec<Range<usize>>,
    /// Code spans and blocks, raw HTML, images.
    opaque: Vec<Range<usize>>,
    /// Depth of code blocks and images around the current event.
    hidden: usize,
}

impl Places {
    /// Takes the next event of the document and where it stands.
    pub(crate) fn see(&mut self, event: &Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Image { .. }) => {
                if self.hidden == 0 {
                    self.opaque.push(range);
                }
                self.hidden += 1;
            }
            Event::End(TagEnd::CodeBlock | TagEnd::Image) => {
                self.hidden = self.hidden.saturating_sub(1);
            }
            Event::Text(_) if self.hidden == 0 => self.text.push(range),
            Event::Code(_) | Event::InlineHtml(_) | Event::Html(_) => self.opaque.push(range),
            _ => {}
        }
    }

    fn in_text(&self, at: usize) -> bool {
        let i = self.text.partition_point(|r| r.start <= at);
        i > 0 && self.text[i - 1].contains(&at)
    }

    /// The UI paths of `text` (the document the events came from).
    pub(crate) fn paths<'t>(&self, text: &'t str) -> Vec<(Range<usize>, Vec<&'t str>)> {
        find(text)
            .into_iter()
            .filter(|(r, _)| {
                self.in_text(r.start)
                    && self.in_text(r.end - 1)
                    && !self
                        .opaque
                        .iter()
                        .any(|o| o.start < r.end && o.end > r.start)
            })
            .collect()
    }
}

/// `markdown` with every UI path outside code written as text
/// (`Infrastructure › Deployment Targets`): for renderers that start from a
/// step's source Markdown rather than the prepared page (checklists).
pub(crate) fn as_text(markdown: &str) -> Cow<'_, str> {
    if !markdown.contains("{{") {
        return Cow::Borrowed(markdown);
    }
    let mut places = Places::default();
    for (event, range) in Parser::new_ext(markdown, super::options()).into_offset_iter() {
        places.see(&event, range);
    }
    let paths = places.paths(markdown);
    if paths.is_empty() {
        return Cow::Borrowed(markdown);
    }
    let mut out = String::with_capacity(markdown.len());
    let mut last = 0;
    for (range, parts) in paths {
        out.push_str(&markdown[last..range.start]);
        out.push_str(&self::markdown(&parts));
        last = range.end;
    }
    out.push_str(&markdown[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_table() {
        let cases: &[(&str, &[&str])] = &[
            ("go to {{Projects,Operations}}.", &["Projects|Operations"]),
            ("{{Configuration, Nodes}}", &["Configuration|Nodes"]),
            (
                "{{Library>Packages>Package Indexing}}",
                &["Library|Packages|Package Indexing"],
            ),
            ("{{A,B}} and {{C > D}}", &["A|B", "C|D"]),
            ("{{{A,B}}}", &["A|B"]),
            ("{{single}}", &[]),
            ("{{ template, var }}", &[]),
            ("{{A,,B}}", &[]),
            ("{{A,B", &[]),
            ("{{A,{B}}}", &[]),
            ("{{}}", &[]),
            ("{{é,ü}}", &["é|ü"]),
        ];
        for (text, expected) in cases {
            let got: Vec<String> = find(text).iter().map(|(_, p)| p.join("|")).collect();
            assert_eq!(got, *expected, "{text:?}");
        }
        assert_eq!(find("x {{A,B}} y")[0].0, 2..9);
    }

    #[test]
    fn renderings() {
        assert_eq!(
            html(&["Infrastructure", "Deployment Targets"]),
            "<span class=\"ui-path\">Infrastructure › Deployment Targets</span>"
        );
        assert_eq!(markdown(&["A *b*", "C_d|e"]), "A \\*b\\* › C\\_d\\|e");
    }

    #[test]
    fn as_text_table() {
        let cases = [
            ("Go to **{{A, B}}**.", "Go to **A › B**."),
            ("`{{A,B}}` {{A,B}}", "`{{A,B}}` A › B"),
            ("```\n{{A,B}}\n```\n", "```\n{{A,B}}\n```\n"),
            (
                "[{{A,B}}](x.md) ![{{A,B}}](a.png)",
                "[A › B](x.md) ![{{A,B}}](a.png)",
            ),
            ("<b title=\"{{A,B}}\">x</b>", "<b title=\"{{A,B}}\">x</b>"),
            (
                "1. Open {{L>P}}\n   and {{X,Y}}",
                "1. Open L › P\n   and X › Y",
            ),
            ("no paths {{x}}", "no paths {{x}}"),
        ];
        for (input, expected) in cases {
            assert_eq!(as_text(input), expected, "{input:?}");
        }
    }
}
