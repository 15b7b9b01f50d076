//! Procedure warnings (`procedure-split`, `procedure-empty`, `procedure-indent`, `procedure-too-deep`) from the order of blocks under each heading.

use pulldown_cmark::Event;

use super::content::{self, Group};
use crate::blocks::{Kind, Node};
use crate::diagnostic::Diagnostic;
use crate::project::Page;

/// The heading whose section is being read.
struct OpenHeading {
    level: u8,
    text: String,
    /// Offset of the heading in the page's doc text.
    at: usize,
    /// A block or a subsection has been seen under it.
    has_content: bool,
}

/// Watches the blocks of a page go by, in order, and collects warnings.
pub(super) struct Lint<'p> {
    page: &'p Page,
    /// Per container (the innermost callout's start, or `None` for the page
    /// itself): whether prose came after the last ordered list in it.
    lists: Vec<(Option<usize>, bool)>,
    open: Option<OpenHeading>,
    /// A paragraph ending in `:` that nothing has followed yet.
    announce: Option<usize>,
    /// The page is a section's index page (`…/index.md`).
    index_page: bool,
    pub(super) diags: Vec<Diagnostic>,
}

impl<'p> Lint<'p> {
    pub(super) fn new(page: &'p Page, index_page: bool) -> Self {
        Lint {
            page,
            lists: Vec::new(),
            open: None,
            announce: None,
            index_page,
            diags: Vec::new(),
        }
    }

    /// The innermost callout holding `offset`, by its start.
    fn container(&self, offset: usize) -> Option<usize> {
        self.page
            .doc
            .callouts
            .iter()
            .filter(|c| c.range.contains(&offset))
            .map(|c| c.range.start)
            .max()
    }

    pub(super) fn heading(&mut self, level: u8, text: &str, at: usize) {
        self.close_section(Some(level));
        self.announce = None;
        if let Some(open) = self.open.as_mut() {
            // a subsection is content of the heading above it
            open.has_content |= level > open.level;
        }
        self.open = Some(OpenHeading {
            level,
            text: text.to_owned(),
            at,
            has_content: false,
        });
        self.lists.clear();
    }

    /// The page ended.
    pub(super) fn finish(&mut self) {
        self.close_section(None);
    }

    /// Warns about the open section when the next heading (of `next` level,
    /// or the end of the page for `None`) closes it.
    fn close_section(&mut self, next: Option<u8>) {
        let Some(open) = &self.open else {
            self.announce = None;
            return;
        };
        let closes = next.is_none_or(|n| n <= open.level);
        if !closes {
            return;
        }
        let (text, at, empty) = (open.text.clone(), open.at, !open.has_content);
        if let Some(paragraph) = self.announce.take() {
            self.warn(
                "procedure-empty",
                paragraph,
                format!("this paragraph announces the steps of `{text}`, but none follow before the section ends"),
                "add the numbered steps after it, or check that the `!include` meant to bring them in is there",
            );
        } else if empty {
            self.warn(
                "procedure-empty",
                at,
                format!(
                    "section `{text}` is empty: nothing follows the heading before the next one"
                ),
                "write the section's steps or text under the heading, or remove the heading",
            );
        }
    }

    /// Any block that is not a heading or a paragraph.
    pub(super) fn block(&mut self, _node: &Node<'_>) {
        self.content();
        self.announce = None;
    }

    fn content(&mut self) {
        if let Some(open) = self.open.as_mut() {
            open.has_content = true;
        }
    }

    pub(super) fn paragraph(&mut self, node: &Node<'_>) {
        self.content();
        let text = node.plain_text();
        let container = self.container(node.range.start);
        let lists_pages = self.index_page && names_pages(&text);
        if container.is_none() && announces(node) && !lists_pages {
            self.announce = Some(node.range.start);
        } else {
            self.announce = None;
        }
        if !text.is_empty() {
            if let Some(entry) = self.lists.iter_mut().find(|(c, _)| *c == container) {
                entry.1 = true;
            }
        }
    }

    /// A top-level ordered list starting at `start`.
    pub(super) fn list(&mut self, list: &Node<'_>, start: u64) {
        self.block(list);
        let container = self.container(list.range.start);
        let previous = self.lists.iter().position(|(c, _)| *c == container);
        if let Some(i) = previous {
            let prose_between = self.lists[i].1;
            if start > 1 || !prose_between {
                self.warn_split(list.range.start, start);
            }
            self.lists[i].1 = false;
        } else {
            self.lists.push((container, false));
        }
    }

    fn warn_split(&mut self, at: usize, start: u64) {
        let why = if start > 1 {
            format!("it starts again at {start}")
        } else {
            "only a block that is not indented into the list stands between them".to_owned()
        };
        self.warn(
            "procedure-split",
            at,
            format!("a second numbered list under the same heading ({why}): it is read as a separate procedure"),
            "indent the code, image, callout or paragraph between the items by the width of the list \
             marker so it belongs to the step above; if this really is a separate procedure, give it \
             a heading or an introducing paragraph",
        );
    }

    /// Items of `list` indented further than its first item but not enough
    /// to nest: CommonMark reads them as further items of the same list;
    /// runsheet reads them as in `groups` (substeps of the step above when
    /// they start a new numbering there).
    pub(super) fn indent(&mut self, list: &Node<'_>, start: u64, groups: &[Group<'_>]) {
        let text = &self.page.doc.text;
        let column = |at: usize| {
            let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
            text[line..at].chars().count()
        };
        let Some(first) = list.children.first() else {
            return;
        };
        let base = column(content::marker_at(text, first.range.start));
        for (group, number) in groups.iter().zip(start..) {
            let items = std::iter::once((group.item, None)).chain(
                group
                    .subs
                    .iter()
                    .zip(content::written_number(text, group.subs.first().unwrap_or(&group.item))..)
                    .map(|(s, n)| (*s, Some(n))),
            );
            for (item, sub) in items {
                let marker = content::marker_at(text, item.range.start);
                let extra = column(marker).saturating_sub(base);
                if extra == 0 {
                    continue;
                }
                let spaces = if extra == 1 { "space" } else { "spaces" };
                let read_as = match sub {
                    Some(n) => format!("substep {n} of step {number}"),
                    None => format!("step {number} of the same list"),
                };
                self.warn(
                    "procedure-indent",
                    marker,
                    format!(
                        "this item is indented {extra} {spaces} more than the list's first item, \
                         too little to nest it in CommonMark (the site shows it as an item of the same list); \
                         runsheet reads it as {read_as}"
                    ),
                    "indent it to the text of the item above (the width of its marker, e.g. 3 spaces \
                     for `1. `) to make it a substep, or line it up with the other items",
                );
            }
        }
    }

    /// An ordered list nested in step `step`, of the deepest level read.
    pub(super) fn too_deep(&mut self, at: usize, step: &str, max: usize) {
        // the marker only: such a line can hold thousands of nested markers
        let rest = &self.page.doc.text[at..];
        let len = rest.find(['.', ')']).map_or(1, |i| i + 1);
        self.warn_len(
            "procedure-too-deep",
            at,
            len,
            format!(
                "steps are nested more than {max} levels deep: this list is not read as \
                 substeps, it stays part of step `{step}`"
            ),
            "flatten the procedure: move the deepest steps into a section of their own, \
             or write them as a bullet list",
        );
    }

    /// A warning underlining the rest of the line from `at`.
    fn warn(&mut self, code: &'static str, at: usize, message: String, help: &str) {
        let rest = &self.page.doc.text[at..];
        let len = rest.find('\n').unwrap_or(rest.len());
        self.warn_len(code, at, len, message, help);
    }

    fn warn_len(&mut self, code: &'static str, at: usize, len: usize, message: String, help: &str) {
        let Some(origin) = self.page.origin(at) else {
            return;
        };
        self.diags.push(
            Diagnostic::warning(code, message)
                .at_origin(origin, len)
                .with_help(help),
        );
    }
}

/// Words that make an announcing paragraph on an index page announce the
/// section's pages ("The following guides:"), which the site lists there.
const PAGE_WORDS: &[&str] = &[
    "guide",
    "guides",
    "page",
    "pages",
    "article",
    "articles",
    "topic",
    "topics",
    "section",
    "sections",
    "tutorial",
    "tutorials",
];

/// The paragraph's text names pages rather than steps.
fn names_pages(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| PAGE_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Endings (lowercase, after a final `.` or `:` is dropped) that announce
/// steps even without a colon: "Do the following.", "Follow the steps below."
const ANNOUNCING_ENDINGS: &[&str] = &[
    "the following",
    "as follows",
    "following steps",
    "steps below",
    "instructions below",
];

/// Whether a paragraph announces steps that should follow it: its own text
/// (not inline code, not an emoji shortcode like `:tada:`) ends with a
/// colon, or it ends with one of [`ANNOUNCING_ENDINGS`].
pub(super) fn announces(paragraph: &Node<'_>) -> bool {
    let text = trailing_text(paragraph);
    let tail = strip_shortcodes(&text);
    if tail.ends_with(':') {
        return true;
    }
    let words =
        crate::blocks::collapse_whitespace(tail.trim_end_matches(['.', ':'])).to_lowercase();
    ANNOUNCING_ENDINGS.iter().any(|e| {
        words
            .strip_suffix(e)
            .is_some_and(|before| before.is_empty() || before.ends_with(' '))
    })
}

/// The text of the paragraph's last run of text events: what comes after
/// its last piece of inline code or image (inline HTML is skipped).
fn trailing_text(paragraph: &Node<'_>) -> String {
    let mut leaves = Vec::new();
    let mut todo = vec![paragraph];
    while let Some(node) = todo.pop() {
        match &node.kind {
            Kind::Leaf(event) => leaves.push(event),
            // an image's description is not text the reader sees
            Kind::Container(pulldown_cmark::Tag::Image { .. }) => leaves.push(&Event::Rule),
            Kind::Container(_) | Kind::Callout(_) => todo.extend(node.children.iter().rev()),
        }
    }
    let mut parts = Vec::new();
    for event in leaves.iter().rev() {
        match event {
            Event::Text(t) => parts.push(t.as_ref()),
            Event::SoftBreak | Event::HardBreak => parts.push(" "),
            // left out of plain text too
            Event::InlineHtml(_) => {}
            _ if parts.iter().all(|p| p.trim().is_empty()) => return String::new(),
            _ => break,
        }
    }
    parts
        .iter()
        .rev()
        .copied()
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `text` without the emoji shortcodes (`:tada:`, `:+1:`) at its end.
fn strip_shortcodes(text: &str) -> &str {
    let mut text = text.trim_end();
    while let Some(inner) = text.strip_suffix(':') {
        let name_len = inner.len()
            - inner
                .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || "_+-".contains(c))
                .len();
        let before = &inner[..inner.len() - name_len];
        let Some(rest) = before.strip_suffix(':') else {
            break;
        };
        if name_len == 0 || !(rest.is_empty() || rest.ends_with(char::is_whitespace)) {
            break;
        }
        text = rest.trim_end();
    }
    text
}
