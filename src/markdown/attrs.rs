//! A small HTML start-tag scanner: the tags and attributes of raw HTML in Markdown (for anchors and links), with byte ranges; not a full HTML parser.
//!
//! It reads what a browser would read as start tags: `<name` followed by
//! attributes (double-quoted, single-quoted, unquoted or bare, separated by
//! any whitespace, names in any case) up to `>` or `/>`. Comments,
//! declarations (`<!doctype>`), processing instructions and end tags are
//! skipped, and so is the text of `<script>` and `<style>` elements. A tag
//! left open at the end of the text (or with an unclosed quote) is not a tag.

use std::borrow::Cow;
use std::ops::Range;

/// A start tag: its name as written and its attributes in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StartTag<'a> {
    pub name: &'a str,
    pub attrs: Vec<Attr<'a>>,
}

/// One attribute of a start tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Attr<'a> {
    /// As written (compare with [`str::eq_ignore_ascii_case`]).
    pub name: &'a str,
    /// The value as written, without quotes, entities not decoded; empty for a bare attribute.
    pub value: &'a str,
    /// Byte range of `value` in the scanned text.
    pub range: Range<usize>,
    /// `"` or `'` around the value; `None` for an unquoted or bare one.
    pub quote: Option<char>,
}

impl<'a> StartTag<'a> {
    /// True when the tag is `<name …>`, in any case.
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The first attribute called `name`, in any case (later ones are ignored, as browsers do).
    pub(crate) fn attr(&self, name: &str) -> Option<&Attr<'a>> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// Every start tag of `html`, in order.
/// The anchors raw HTML sets: the `id` of any element, the `name` of an `<a>`.
pub(crate) fn html_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for tag in start_tags(html) {
        let id = tag.attr("id");
        let name = tag.is("a").then(|| tag.attr("name")).flatten();
        for attr in id.into_iter().chain(name) {
            let value = decode(attr.value);
            if !value.is_empty() {
                ids.push(value.into_owned());
            }
        }
    }
    ids
}

pub(crate) fn start_tags(html: &str) -> Vec<StartTag<'_>> {
    let mut tags = Vec::new();
    let mut at = 0;
    while let Some(found) = html[at..].find('<') {
        let open = at + found;
        let rest = &html[open..];
        at = if let Some(comment) = rest.strip_prefix("<!--") {
            comment
                .find("-->")
                .map_or(html.len(), |end| open + 4 + end + 3)
        } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            rest.find('>').map_or(html.len(), |end| open + end + 1)
        } else {
            match start_tag(html, open) {
                Some((tag, end)) => {
                    let end = skip_raw_text(html, &tag, end);
                    tags.push(tag);
                    end
                }
                None => open + 1,
            }
        };
    }
    tags
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The start tag whose `<` is at `open`, and the offset just after its `>`.
fn start_tag(html: &str, open: usize) -> Option<(StartTag<'_>, usize)> {
    let bytes = html.as_bytes();
    let name_start = open + 1;
    if !bytes.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let mut pos = name_start;
    while pos < bytes.len() && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'-') {
        pos += 1;
    }
    let name = &html[name_start..pos];
    let mut attrs = Vec::new();
    loop {
        while pos < bytes.len() && is_space(bytes[pos]) {
            pos += 1;
        }
        match bytes.get(pos)? {
            b'>' => return Some((StartTag { name, attrs }, pos + 1)),
            b'/' => pos += 1,
            _ => {
                let (attr, end) = attribute(html, pos)?;
                attrs.push(attr);
                pos = end;
            }
        }
    }
}

/// The attribute starting at `start` (not whitespace, `/` or `>`), and where it ends.
fn attribute(html: &str, start: usize) -> Option<(Attr<'_>, usize)> {
    let bytes = html.as_bytes();
    // a name runs to whitespace, `/`, `>` or `=` (a leading `=` belongs to it)
    let mut pos = start + 1;
    while pos < bytes.len() && !is_space(bytes[pos]) && !matches!(bytes[pos], b'/' | b'>' | b'=') {
        pos += 1;
    }
    let name = &html[start..pos];
    let mut after = pos;
    while after < bytes.len() && is_space(bytes[after]) {
        after += 1;
    }
    let bare = |end: usize| Attr {
        name,
        value: "",
        range: end..end,
        quote: None,
    };
    if bytes.get(after) != Some(&b'=') {
        return Some((bare(pos), pos));
    }
    let mut value_start = after + 1;
    while value_start < bytes.len() && is_space(bytes[value_start]) {
        value_start += 1;
    }
    let (range, quote, end) = match *bytes.get(value_start)? {
        q @ (b'"' | b'\'') => {
            let close = value_start + 1 + html[value_start + 1..].find(q as char)?;
            (value_start + 1..close, Some(q as char), close + 1)
        }
        b'>' => return Some((bare(value_start), value_start)),
        _ => {
            let mut end = value_start;
            while end < bytes.len() && !is_space(bytes[end]) && bytes[end] != b'>' {
                end += 1;
            }
            (value_start..end, None, end)
        }
    };
    let attr = Attr {
        name,
        value: &html[range.clone()],
        range,
        quote,
    };
    Some((attr, end))
}

/// After `<script>` or `<style>`, the offset of its end tag (the text between is not HTML).
fn skip_raw_text(html: &str, tag: &StartTag<'_>, end: usize) -> usize {
    let Some(raw) = ["script", "style"].into_iter().find(|n| tag.is(n)) else {
        return end;
    };
    let closing = format!("</{raw}");
    html[end..]
        .to_ascii_lowercase()
        .find(&closing)
        .map_or(html.len(), |i| end + i)
}

/// An attribute value with the character references that matter in URLs
/// and ids decoded: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, and
/// numeric ones (`&#39;`, `&#x27;`). Others stay as written.
pub(crate) fn decode(value: &str) -> Cow<'_, str> {
    if !value.contains('&') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character a reference at the start of `s` stands for, and its length.
fn reference(s: &str) -> Option<(char, usize)> {
    let end = s.find(';')?;
    let body = &s[1..end];
    let c = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let number = body.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')?
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_elements_and_names_of_anchors() {
        let mut ids = html_ids(
            "<a name=\"x\"></a><div id='y' class=\"z\"><A\nNAME=w><input name=n><b ID=\"a&amp;b\">",
        );
        ids.sort();
        assert_eq!(ids, ["a&b", "w", "x", "y"]);
    }

    /// `name attr=value …` for each tag, values as written.
    fn show(html: &str) -> Vec<String> {
        start_tags(html)
            .iter()
            .map(|t| {
                let mut s = t.name.to_owned();
                for a in &t.attrs {
                    assert_eq!(&html[a.range.clone()], a.value);
                    let q = a.quote.map(String::from).unwrap_or_default();
                    s.push_str(&format!(" {}={q}{}{q}", a.name, a.value));
                }
                s
            })
            .collect()
    }

    #[test]
    fn start_tag_table() {
        let cases: &[(&str, &[&str])] = &[
            ("<a href=\"x.md\">x</a>", &["a href=\"x.md\""]),
            (
                "<A CLASS='btn' HREF='/docs/a?x=1#k' target=_blank>",
                &["A CLASS='btn' HREF='/docs/a?x=1#k' target=_blank"],
            ),
            (
                "<a\n   class=\"x\"\n   href = \"y.md\" >",
                &["a class=\"x\" href=\"y.md\""],
            ),
            (
                "<input disabled value=\"a > b\">",
                &["input disabled= value=\"a > b\""],
            ),
            ("<img src=a.png/>", &["img src=a.png/"]),
            ("<br/><hr />", &["br", "hr"]),
            (
                "<a title=\"it's\" href='say \"hi\"'>",
                &["a title=\"it's\" href='say \"hi\"'"],
            ),
            ("<!-- <a href=\"c.md\"> --><b id=x>", &["b id=x"]),
            ("<!doctype html></a><?php x ?>", &[]),
            (
                "<script>var a = '<a href=\"s.md\">';</script><i>",
                &["script", "i"],
            ),
            ("<STYLE>a{}</style><em>", &["STYLE", "em"]),
            ("a < b and 1<2, <3", &[]),
            ("<a href=\"unclosed>", &[]),
            ("<a href=", &[]),
            ("<span id=\"é\">", &["span id=\"é\""]),
        ];
        for (html, expected) in cases {
            assert_eq!(show(html), *expected, "{html:?}");
        }
    }

    #[test]
    fn attr_lookup_ignores_case() {
        let tags = start_tags("<A HREF=\"x\" href=\"y\" Id='z'>");
        assert!(tags[0].is("a"));
        assert_eq!(tags[0].attr("href").unwrap().value, "x");
        assert_eq!(tags[0].attr("id").unwrap().quote, Some('\''));
        assert_eq!(tags[0].attr("name"), None);
    }

    #[test]
    fn decode_table() {
        let cases = [
            ("a.md?x=1&amp;y=2", "a.md?x=1&y=2"),
            ("&quot;&#39;&#x27;&apos;&lt;&gt;", "\"'''<>"),
            ("a&b", "a&b"),
            ("&nbsp;&unknown;", "&nbsp;&unknown;"),
            ("&#0;&#xZZ;", "&#0;&#xZZ;"),
            ("plain", "plain"),
        ];
        for (value, expected) in cases {
            assert_eq!(decode(value), expected, "{value:?}");
        }
    }
}
