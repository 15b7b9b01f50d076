//! Page bodies: a page's Markdown rendered to HTML with heading anchors, the `!toc` contents and rewritten links.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::markdown::{Heading, TOC_MARKER};
use crate::project::{Page, Project};

use super::links::{Link, SiteIndex};

/// A rendered page body and its plain text (for the search index).
#[derive(Debug, Default)]
pub(crate) struct Body {
    pub html: String,
    pub text: String,
}

/// Escapes text for HTML element content and double-quoted attribute
/// values (`&`, `<`, `>`, `"`), with pulldown-cmark's own escaper.
pub(crate) fn escape(text: &str) -> String {
    crate::text::escape_html(text)
}

/// The headings `!toc` lists: levels 2 and 3.
pub(crate) fn toc_headings(headings: &[Heading]) -> impl Iterator<Item = &Heading> {
    headings.iter().filter(|h| h.level == 2 || h.level == 3)
}

/// Prefix of the ids the layout and the renderer give their own elements
/// (`rs:main`, `rs:toc-1`): [`crate::slug::slugify`] never writes a `:`, so no
/// generated heading anchor can take one of them.
pub(crate) const LAYOUT_ID_PREFIX: &str = "rs:";

/// The id of the `n`th (from 1) `!toc` block of a page: `rs:toc-1`, `rs:toc-2` …
pub(crate) fn toc_id(n: usize) -> String {
    format!("{LAYOUT_ID_PREFIX}toc-{n}")
}

/// The table of contents: h2 entries, with their h3 entries nested below.
/// `id` names its title, which labels it; every block of a page needs its own.
pub(crate) fn toc_html(headings: &[Heading], id: &str) -> String {
    let mut out = String::new();
    let (mut open_item, mut open_sub) = (false, false);
    for h in toc_headings(headings) {
        let link = format!("<a href=\"#{}\">{}</a>", escape(&h.anchor), escape(&h.text));
        if h.level == 3 && open_item {
            if !open_sub {
                out.push_str("<ul>");
                open_sub = true;
            }
            out.push_str(&format!("<li>{link}</li>"));
            continue;
        }
        if open_sub {
            out.push_str("</ul>");
            open_sub = false;
        }
        if open_item {
            out.push_str("</li>\n");
        }
        out.push_str(&format!("<li>{link}"));
        open_item = true;
    }
    if !open_item {
        return String::new();
    }
    if open_sub {
        out.push_str("</ul>");
    }
    let id = escape(id);
    format!(
        "<nav class=\"toc\" aria-labelledby=\"{id}\">\n<p class=\"toc-title\" id=\"{id}\">Contents</p>\n<ul>\n{out}</li>\n</ul>\n</nav>\n"
    )
}

/// Renders the page body: heading ids from [`crate::markdown::Doc::headings`]
/// (`{#id}` wins), a `#` link in each heading, the table of contents where
/// `!toc` stood (the first titled `rs:toc-1`, the next `rs:toc-2` …), and
/// links resolved by `index` (broken ones reported): Markdown links and
/// images, and the `href` of `<a>` tags in raw HTML outside code.
pub(crate) fn render_body(
    page: &Page,
    project: &Project,
    index: &SiteIndex,
    diags: &mut Vec<Diagnostic>,
) -> Body {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut text = String::new();
    let mut heading = 0;
    let mut open_anchor: Option<String> = None;
    let mut tocs = 0;
    let mut block: Option<RawHtml> = None;
    let mut sized: Option<SizedImage<'_>> = None;
    let mut tree_events = Vec::new();
    for node in &page.doc.tree {
        node.offset_events(&mut tree_events);
    }
    for (event, range) in tree_events {
        let (at, len) = (range.start, range.len());
        let link = |href| Link {
            page,
            href,
            at,
            len,
        };
        let event = match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let anchor = page
                    .doc
                    .headings
                    .get(heading)
                    .map(|h| h.anchor.clone())
                    .or_else(|| id.map(|s| s.to_string()));
                heading += 1;
                open_anchor.clone_from(&anchor);
                Event::Start(Tag::Heading {
                    level,
                    id: anchor.map(CowStr::from),
                    classes,
                    attrs,
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(a) = open_anchor.take() {
                    events.push(Event::InlineHtml(
                        format!(
                            " <a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a>",
                            escape(&a)
                        )
                        .into(),
                    ));
                }
                text.push(' ');
                Event::End(TagEnd::Heading(level))
            }
            event @ Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                let href =
                    checked_href(&event).and_then(|h| index.rewrite(&link(h), project, diags));
                let event = retarget(event, href);
                match image_width(&event) {
                    Some(width) if sized.is_none() => {
                        sized = Some(SizedImage::new(width));
                        without_title(event)
                    }
                    _ => event,
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                block = Some(RawHtml::default());
                Event::Start(Tag::HtmlBlock)
            }
            // the lines of an HTML block are read together: a tag may span them
            Event::Html(html) => match block.as_mut() {
                Some(run) => {
                    run.push(&html, range);
                    continue;
                }
                None => {
                    let run = RawHtml::of(&html, range);
                    Event::Html(rewrite_raw_html(&run, page, project, index, diags).into())
                }
            },
            Event::End(TagEnd::HtmlBlock) => {
                let run = block.take().unwrap_or_default();
                let html = if run.text.trim() == TOC_MARKER {
                    tocs += 1;
                    toc_html(&page.doc.headings, &toc_id(tocs))
                } else {
                    rewrite_raw_html(&run, page, project, index, diags)
                };
                events.push(Event::Html(html.into()));
                Event::End(TagEnd::HtmlBlock)
            }
            Event::InlineHtml(html) => {
                let run = RawHtml::of(&html, range);
                Event::InlineHtml(rewrite_raw_html(&run, page, project, index, diags).into())
            }
            Event::Text(t) => {
                text.push_str(&t);
                Event::Text(t)
            }
            Event::Code(t) => {
                text.push_str(&t);
                Event::Code(t)
            }
            // a block starting or ending separates words in the search text
            e @ (Event::SoftBreak
            | Event::HardBreak
            | Event::Start(
                Tag::Paragraph | Tag::Item | Tag::List(_) | Tag::CodeBlock(_) | Tag::BlockQuote(_),
            )) => {
                text.push(' ');
                e
            }
            e @ Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => {
                text.push(' ');
                e
            }
            e => e,
        };
        match sized.as_mut() {
            None => events.push(event),
            Some(image) => {
                if image.push(event) {
                    events.extend(sized.take().map(|i| Event::InlineHtml(i.html().into())));
                }
            }
        }
    }
    let mut html = String::with_capacity(page.doc.text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Body { html, text }
}

/// Raw HTML as the page holds it: one HTML block (its lines joined) or one
/// inline tag, with where each of its pieces stands in the page's doc text.
#[derive(Debug, Default)]
pub(crate) struct RawHtml {
    pub text: String,
    /// `(offset in text, doc range)` of each event that made it up.
    pieces: Vec<(usize, Range<usize>)>,
}

impl RawHtml {
    fn of(text: &str, range: Range<usize>) -> RawHtml {
        let mut run = RawHtml::default();
        run.push(text, range);
        run
    }

    fn push(&mut self, text: &str, range: Range<usize>) {
        self.pieces.push((self.text.len(), range));
        self.text.push_str(text);
    }

    /// The doc offset of `self.text[range]`: exact when its piece is the
    /// page's text as written, otherwise where that text is found in the
    /// piece's lines (a container's `>` or indentation may be left out of
    /// the event), or the piece's start.
    pub(crate) fn doc_offset(&self, range: Range<usize>, doc: &str) -> usize {
        let k = self
            .pieces
            .partition_point(|(start, _)| *start <= range.start)
            .saturating_sub(1);
        let Some((start, piece)) = self.pieces.get(k) else {
            return 0;
        };
        let end = self.pieces.get(k + 1).map_or(self.text.len(), |p| p.0);
        let written = doc.get(piece.clone()).unwrap_or("");
        if written == &self.text[*start..end] {
            return piece.start + range.start - start;
        }
        written
            .find(&self.text[range])
            .map_or(piece.start, |i| piece.start + i)
    }
}

/// Every run of raw HTML in `page` outside code: each HTML block and each
/// inline HTML tag (text in code spans and code blocks is not HTML).
pub(crate) fn raw_html(page: &Page) -> Vec<RawHtml> {
    let mut runs = Vec::new();
    let mut block: Option<RawHtml> = None;
    let mut tree_events = Vec::new();
    for node in &page.doc.tree {
        node.offset_events(&mut tree_events);
    }
    for (event, range) in tree_events {
        match event {
            Event::Start(Tag::HtmlBlock) => block = Some(RawHtml::default()),
            Event::Html(text) => block
                .get_or_insert_with(RawHtml::default)
                .push(&text, range),
            Event::End(TagEnd::HtmlBlock) => runs.extend(block.take()),
            Event::InlineHtml(text) => runs.push(RawHtml::of(&text, range)),
            _ => {}
        }
    }
    runs.extend(block);
    runs
}

/// The `href` of every `<a>` tag of `run` that the site rewrites (a byte
/// range of `run.text` and the attribute value to write there, quoted when
/// it was not), reporting broken links and anchors like for Markdown links.
fn raw_links(
    run: &RawHtml,
    page: &Page,
    project: &Project,
    index: &SiteIndex,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Range<usize>, String)> {
    let mut edits = Vec::new();
    for tag in crate::markdown::attrs::start_tags(&run.text) {
        let Some(href) = tag
            .attr("href")
            .filter(|a| tag.is("a") && !a.value.is_empty())
        else {
            continue;
        };
        let written = crate::markdown::attrs::decode(href.value);
        let link = Link {
            page,
            href: &written,
            at: run.doc_offset(href.range.clone(), &page.doc.text),
            len: href.range.len(),
        };
        if let Some(new) = index.rewrite(&link, project, diags) {
            let value = match href.quote {
                Some(_) => escape(&new),
                None => format!("\"{}\"", escape(&new)),
            };
            edits.push((href.range.clone(), value));
        }
    }
    edits
}

/// `run`'s HTML with its links rewritten by [`raw_links`].
fn rewrite_raw_html(
    run: &RawHtml,
    page: &Page,
    project: &Project,
    index: &SiteIndex,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mut out = String::with_capacity(run.text.len());
    let mut last = 0;
    for (range, value) in raw_links(run, page, project, index, diags) {
        out.push_str(&run.text[last..range.start]);
        out.push_str(&value);
        last = range.end;
    }
    out.push_str(&run.text[last..]);
    out
}

/// A link or image event pointing at `href` instead, when there is one.
fn retarget(event: Event<'_>, href: Option<String>) -> Event<'_> {
    match (event, href) {
        (
            Event::Start(Tag::Link {
                link_type,
                title,
                id,
                ..
            }),
            Some(href),
        ) => Event::Start(Tag::Link {
            link_type,
            dest_url: href.into(),
            title,
            id,
        }),
        (
            Event::Start(Tag::Image {
                link_type,
                title,
                id,
                ..
            }),
            Some(href),
        ) => Event::Start(Tag::Image {
            link_type,
            dest_url: href.into(),
            title,
            id,
        }),
        (event, _) => event,
    }
}

/// The width an image's title asks for: `"width=500"` (the docs' sizing
/// convention; spaces around `=`, `px` and any case allowed). Any other
/// title is a title.
fn size_title(title: &str) -> Option<&str> {
    let (key, value) = title.split_once('=')?;
    let value = value.trim();
    let value = value.strip_suffix("px").unwrap_or(value);
    let number = !value.is_empty() && value.len() <= 6 && value.bytes().all(|b| b.is_ascii_digit());
    (key.trim().eq_ignore_ascii_case("width") && number).then_some(value)
}

fn image_width(event: &Event<'_>) -> Option<String> {
    match event {
        Event::Start(Tag::Image { title, .. }) => size_title(title).map(str::to_owned),
        _ => None,
    }
}

fn without_title(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            id,
            ..
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url,
            title: "".into(),
            id,
        }),
        event => event,
    }
}

/// The events of an image sized by its title, rendered as pulldown-cmark
/// renders images, plus `width="…"`.
struct SizedImage<'a> {
    width: String,
    events: Vec<Event<'a>>,
    depth: usize,
}

impl<'a> SizedImage<'a> {
    fn new(width: String) -> Self {
        SizedImage {
            width,
            events: Vec::new(),
            depth: 0,
        }
    }

    /// Takes the next event of the image; true once its end is in.
    fn push(&mut self, event: Event<'a>) -> bool {
        match event {
            Event::Start(_) => self.depth += 1,
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        self.events.push(event);
        self.depth == 0
    }

    fn html(self) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, self.events.into_iter());
        match html.strip_suffix(" />") {
            Some(img) => format!("{img} width=\"{}\" />", escape(&self.width)),
            None => html,
        }
    }
}

/// The target of a link or image event that the site resolves: `None` for
/// other events and for autolinks (`<https://…>`, `<ops@example.com>`),
/// which are external by nature.
fn checked_href<'a>(event: &'a Event<'_>) -> Option<&'a str> {
    match event {
        Event::Start(Tag::Link {
            link_type: LinkType::Autolink | LinkType::Email,
            ..
        }) => None,
        Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some(dest_url),
        _ => None,
    }
}

/// Reports what [`render_body`] reports about `page`'s links (`link-broken`,
/// `anchor-broken`), without rendering it.
pub(crate) fn check_links(
    page: &Page,
    project: &Project,
    index: &SiteIndex,
    diags: &mut Vec<Diagnostic>,
) {
    for run in raw_html(page) {
        raw_links(&run, page, project, index, diags);
    }
    let mut tree_events = Vec::new();
    for node in &page.doc.tree {
        node.offset_events(&mut tree_events);
    }
    for (event, range) in tree_events {
        if let Some(href) = checked_href(&event) {
            let link = Link {
                page,
                href,
                at: range.start,
                len: range.len(),
            };
            index.rewrite(&link, project, diags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(level: u8, text: &str) -> Heading {
        Heading {
            level,
            text: text.into(),
            anchor: crate::slug::slugify(text),
            range: 0..0,
        }
    }

    #[test]
    fn size_title_table() {
        let cases = [
            ("width=500", Some("500")),
            ("Width = 640px", Some("640")),
            (" width=20 ", Some("20")),
            ("width=50%", None),
            ("width=", None),
            ("height=500", None),
            ("A real title", None),
            ("width=500 height=300", None),
            ("", None),
        ];
        for (title, expected) in cases {
            assert_eq!(size_title(title), expected, "{title:?}");
        }
    }

    #[test]
    fn toc_nests_h3_under_h2() {
        let headings = [
            h(1, "Top"),
            h(3, "Early"),
            h(2, "A & B"),
            h(3, "A1"),
            h(4, "Deep"),
            h(3, "A2"),
            h(2, "C"),
        ];
        let got = toc_html(&headings, &toc_id(2));
        let expected = "<nav class=\"toc\" aria-labelledby=\"rs:toc-2\">\n<p class=\"toc-title\" id=\"rs:toc-2\">Contents</p>\n<ul>\n\
<li><a href=\"#early\">Early</a></li>\n\
<li><a href=\"#a-b\">A &amp; B</a><ul><li><a href=\"#a1\">A1</a></li><li><a href=\"#a2\">A2</a></li></ul></li>\n\
<li><a href=\"#c\">C</a></li>\n</ul>\n</nav>\n";
        assert_eq!(got, expected);
        assert_eq!(toc_html(&[h(1, "only")], "x"), "");
    }
}
