//! Block directives in expanded pages: `:::kind` callouts (balanced, never inside code) and `!toc`.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::include::Expansion;

/// The kind named by a callout's opening line: `:::hint` or `:::div{.hint}`.
pub fn callout_open(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix(":::")?;
    let kind = match rest.strip_prefix("div{.") {
        Some(inner) => inner.strip_suffix('}')?,
        None => rest,
    };
    let valid = !kind.is_empty()
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then_some(kind)
}

/// True for a line that closes a callout: `:::` alone.
pub fn is_callout_close(line: &str) -> bool {
    line.trim() == ":::"
}

/// True for a `!toc` line.
pub fn is_toc(line: &str) -> bool {
    line.trim() == "!toc"
}

/// Byte ranges of code blocks in `text`, where directives are literal.
pub fn code_ranges(text: &str) -> Vec<Range<usize>> {
    use pulldown_cmark::{Event, Parser, Tag};
    Parser::new(text)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_)) => Some(range),
            _ => None,
        })
        .collect()
}

/// Reports callouts that no `:::` line closes.
pub fn check(expansion: &Expansion, diags: &mut Vec<Diagnostic>) {
    let text = &expansion.text;
    if !text.contains(":::") {
        return;
    }
    let code = code_ranges(text);
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        if code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        if is_callout_close(line) {
            open.pop();
        } else if callout_open(line).is_some() {
            let lead = line.len() - line.trim_start().len();
            open.push((start + lead, line.trim().len()));
        }
    }
    for (at, len) in open {
        if let Some(origin) = expansion.map.lookup(at) {
            diags.push(
                Diagnostic::error("callout-unclosed", "callout is never closed")
                    .at_origin(origin, len)
                    .with_help("end the callout with a line `:::` at the same indentation"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callout_open_table() {
        let cases = [
            (":::hint", Some("hint")),
            ("   :::warning  ", Some("warning")),
            (":::div{.success}", Some("success")),
            (":::div{.hint} ", Some("hint")),
            (":::", None),
            (":::div{hint}", None),
            ("::: hint", None),
            ("text :::hint", None),
        ];
        for (line, kind) in cases {
            assert_eq!(callout_open(line), kind, "{line:?}");
        }
    }
}
