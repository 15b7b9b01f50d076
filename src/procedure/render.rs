//! Block views: renders a step's block nodes once, as HTML and as plain-text lines, for the checklists.
//!
//! Links into the site become their text (a checklist lives in another
//! folder and is often printed); external links stay links. The text form
//! keeps every word: image descriptions show as `[image: …]`, list items
//! keep their markers, code keeps its lines, tables line up their columns.

use pulldown_cmark::{Event, Tag, TagEnd};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::{BlockKind, BlockView};
use crate::markdown::blocks::{Kind, Node};
use crate::text::is_external;

/// One line of a block's text form, before wrapping: `first` goes before
/// its first wrapped line, `rest` before the others. Lines with `wrap`
/// false (code, tables) are printed as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TextLine {
    pub first: String,
    pub rest: String,
    pub text: String,
    pub wrap: bool,
}

/// The views of one block node.
pub(super) fn view(node: &Node<'_>, kind: BlockKind) -> BlockView {
    let mut lines = Vec::new();
    let nodes = std::slice::from_ref(node);
    text_lines(nodes, "", "", &mut lines);
    let html = match kind {
        BlockKind::Note => html(&node.children),
        _ => html(nodes),
    };
    let inline = match node.tag() {
        Some(Tag::Paragraph) => inline_html(&node.children),
        _ => String::new(),
    };
    BlockView {
        html,
        inline,
        lines,
    }
}

/// The views of a paragraph written as a run of inline nodes (a tight item).
pub(super) fn inline_view(nodes: &[Node<'_>]) -> BlockView {
    let inline = inline_html(nodes);
    BlockView {
        html: format!("<p>{inline}</p>\n"),
        inline,
        lines: vec![TextLine {
            text: inline_text(nodes),
            wrap: true,
            ..TextLine::default()
        }],
    }
}

/// HTML of block nodes; links into the site become text.
fn html(nodes: &[Node<'_>]) -> String {
    let mut events = Vec::new();
    for node in nodes {
        node.events(&mut events);
    }
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, without_site_links(events).into_iter());
    out
}

/// Inline HTML of inline nodes: links into the site become text and raw
/// HTML tags that are not phrasing content are left out, so the result never
/// holds a block element (it goes inside a `<label>`).
fn inline_html(nodes: &[Node<'_>]) -> String {
    let mut events = Vec::new();
    for node in nodes {
        node.events(&mut events);
    }
    let events: Vec<Event<'_>> = without_site_links(events)
        .into_iter()
        .filter(|e| match e {
            Event::InlineHtml(tag) | Event::Html(tag) => is_phrasing_html(tag),
            _ => true,
        })
        .collect();
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    out.trim_end().to_owned()
}

fn without_site_links(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut open: Vec<bool> = Vec::new();
    events
        .into_iter()
        .filter(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => {
                let keep = is_external(dest_url);
                open.push(keep);
                keep
            }
            Event::End(TagEnd::Link) => open.pop().unwrap_or(true),
            _ => true,
        })
        .collect()
}

/// HTML elements allowed inside a paragraph (phrasing content).
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
    "var", "wbr",
];

/// An inline HTML tag or comment that may stay inside a checklist's step line.
pub(crate) fn is_phrasing_html(tag: &str) -> bool {
    let Some(rest) = tag.trim().strip_prefix('<') else {
        return false;
    };
    if rest.starts_with("!--") {
        return true;
    }
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    PHRASING.contains(&name.as_str())
}

/// Plain text of inline nodes for the text form: markup dropped, images as
/// `[image: description]`, whitespace collapsed.
pub(crate) fn inline_text(nodes: &[Node<'_>]) -> String {
    let mut raw = String::new();
    for node in nodes {
        push_inline(node, &mut raw);
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn push_inline(node: &Node<'_>, out: &mut String) {
    match &node.kind {
        Kind::Leaf(Event::Text(t) | Event::Code(t)) => out.push_str(t),
        Kind::Leaf(Event::SoftBreak | Event::HardBreak) => out.push(' '),
        Kind::Leaf(Event::TaskListMarker(done)) => {
            out.push_str(if *done { "[x] " } else { "[ ] " })
        }
        Kind::Leaf(Event::FootnoteReference(name)) => {
            out.push_str("[^");
            out.push_str(name);
            out.push(']');
        }
        Kind::Container(Tag::Image { .. }) => {
            let alt = inline_text(&node.children);
            out.push_str(if alt.is_empty() {
                " [image] "
            } else {
                " [image: "
            });
            if !alt.is_empty() {
                out.push_str(&alt);
                out.push_str("] ");
            }
        }
        _ => {
            for child in &node.children {
                push_inline(child, out);
            }
        }
    }
}

/// Appends the text-form lines of block nodes (or of an inline run) to `out`.
fn text_lines(nodes: &[Node<'_>], first: &str, rest: &str, out: &mut Vec<TextLine>) {
    let mut prefix = first.to_owned();
    let mut k = 0;
    while k < nodes.len() {
        let node = &nodes[k];
        if !node.is_block() && node.callout().is_none() {
            let n = nodes[k..].iter().take_while(|n| !n.is_block()).count();
            push_wrapped(out, &prefix, rest, inline_text(&nodes[k..k + n]));
            k += n;
        } else {
            block_lines(node, &prefix, rest, out);
            k += 1;
        }
        prefix = rest.to_owned();
    }
}

fn push_wrapped(out: &mut Vec<TextLine>, first: &str, rest: &str, text: String) {
    if !text.is_empty() {
        out.push(TextLine {
            first: first.to_owned(),
            rest: rest.to_owned(),
            text,
            wrap: true,
        });
    }
}

fn push_raw(out: &mut Vec<TextLine>, prefix: &str, text: &str) {
    out.push(TextLine {
        first: prefix.to_owned(),
        rest: prefix.to_owned(),
        text: text.to_owned(),
        wrap: false,
    });
}

fn block_lines(node: &Node<'_>, first: &str, rest: &str, out: &mut Vec<TextLine>) {
    if let Some(kind) = node.callout() {
        let start = out.len();
        text_lines(
            &node.children,
            &format!("{first}! "),
            &format!("{rest}! "),
            out,
        );
        let label = kind.to_uppercase();
        match out.get_mut(start).filter(|l| l.wrap) {
            Some(line) => line.text = format!("{label}: {}", line.text),
            None => out.insert(start, wrapped(&format!("{first}! "), rest, label)),
        }
        return;
    }
    if let Some((_, code)) = node.code() {
        for line in code.trim_end_matches('\n').split('\n') {
            push_raw(out, &format!("{rest}| "), line);
        }
        return;
    }
    match node.tag() {
        Some(Tag::List(start)) => list_lines(node, *start, first, rest, out),
        Some(Tag::BlockQuote(_)) => text_lines(
            &node.children,
            &format!("{first}> "),
            &format!("{rest}> "),
            out,
        ),
        Some(Tag::Table(_)) => table_lines(node, rest, out),
        Some(Tag::HtmlBlock) => push_wrapped(out, first, rest, strip_tags(&node.children)),
        Some(_) => push_wrapped(out, first, rest, inline_text(&node.children)),
        None if matches!(node.kind, Kind::Leaf(Event::Rule)) => push_raw(out, rest, "----"),
        None => push_wrapped(out, first, rest, inline_text(std::slice::from_ref(node))),
    }
}

fn wrapped(first: &str, rest: &str, text: String) -> TextLine {
    TextLine {
        first: first.to_owned(),
        rest: format!("{rest}! "),
        text,
        wrap: true,
    }
}

fn list_lines(
    list: &Node<'_>,
    start: Option<u64>,
    first: &str,
    rest: &str,
    out: &mut Vec<TextLine>,
) {
    let mut lead = first.to_owned();
    for (i, item) in list.children.iter().enumerate() {
        let marker = match start {
            Some(n) => format!("{}. ", n + i as u64),
            None => "- ".to_owned(),
        };
        let hang = format!("{rest}{}", " ".repeat(marker.len()));
        text_lines(&item.children, &format!("{lead}{marker}"), &hang, out);
        lead = rest.to_owned();
    }
}

/// Text of raw HTML with its tags removed.
fn strip_tags(nodes: &[Node<'_>]) -> String {
    let mut html = String::new();
    for node in nodes {
        if let Kind::Leaf(Event::Html(t) | Event::Text(t)) = &node.kind {
            html.push_str(t);
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A table as aligned text: cells padded to their column's display width,
/// a rule under the header row.
fn table_lines(table: &Node<'_>, prefix: &str, out: &mut Vec<TextLine>) {
    // a table holds its head and its rows, each holding cells
    let rows: Vec<Vec<String>> = table
        .children
        .iter()
        .map(|row| {
            row.children
                .iter()
                .map(|c| inline_text(&c.children))
                .collect()
        })
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| UnicodeWidthStr::width(s.as_str()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                let cell = row.get(c).map_or("", String::as_str);
                let pad = w.saturating_sub(UnicodeWidthStr::width(cell));
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect();
        push_raw(out, prefix, cells.join(" | ").trim_end());
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat((*w).max(1))).collect();
            push_raw(out, prefix, &rule.join("-+-"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::blocks::parse_fragment;

    fn lines(md: &str) -> Vec<String> {
        let tree = parse_fragment(md);
        let mut out = Vec::new();
        text_lines(&tree, "", "", &mut out);
        out.into_iter()
            .map(|l| format!("{}{}", l.first, l.text))
            .collect()
    }

    #[test]
    fn text_lines_table() {
        let cases: [(&str, &[&str]); 6] = [
            ("Wait **now**.", &["Wait now."]),
            ("- a\n- b\n  - c\n", &["- a", "- b", "  - c"]),
            ("3. x\n4. y\n", &["3. x", "4. y"]),
            ("```sh\nls\npwd\n```\n", &["| ls", "| pwd"]),
            (
                "See ![the shot](a.png) here",
                &["See [image: the shot] here"],
            ),
            (
                "| a | bb |\n|---|---|\n| ccc | d |\n",
                &["a   | bb", "----+---", "ccc | d"],
            ),
        ];
        for (md, expected) in cases {
            assert_eq!(lines(md), expected, "{md:?}");
        }
    }

    #[test]
    fn inline_html_keeps_external_links_only() {
        let tree = parse_fragment("[in](other.md) and [out](https://x.org) <div>x</div>");
        let html = inline_html(&tree[0].children);
        assert_eq!(html, "in and <a href=\"https://x.org\">out</a> x");
    }
}
