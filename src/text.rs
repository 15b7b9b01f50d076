//! Small text helpers every renderer shares, depending on no other stage: HTML escaping, telling external links, wrapping by display width, Markdown escaping, code fences, line prefixes and CSS strings.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Escapes text for HTML element content and double-quoted attribute
/// values, with pulldown-cmark's own escaper.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// True for `https:`, `mailto:`, `//host` and other links that leave the site.
pub(crate) fn is_external(href: &str) -> bool {
    if href.starts_with("//") {
        return true;
    }
    let scheme_end = href.find(':');
    let path_start = href.find(['/', '?', '#']).unwrap_or(href.len());
    match scheme_end {
        Some(i) if i > 0 && i < path_start => {
            let scheme = &href[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        _ => false,
    }
}

/// Wraps `text` to `width` columns of display width (a CJK character takes
/// two): `first` before the first line, `rest` before the others (a hanging
/// indent). Lines break at spaces; a word longer than the room left also
/// breaks next to its wide characters (CJK text has no spaces), while other
/// words longer than a line stay whole.
pub(crate) fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(first);
    let mut used = UnicodeWidthStr::width(first);
    let mut empty = true;
    let mut new_line = |line: &mut String, used: &mut usize, empty: &mut bool| {
        out.push_str(line.trim_end());
        out.push('\n');
        *line = String::from(rest);
        *used = UnicodeWidthStr::width(rest);
        *empty = true;
    };
    for word in text.split_whitespace() {
        let w = UnicodeWidthStr::width(word);
        let space = usize::from(!empty);
        if used + space + w <= width || (empty && !has_wide(word)) {
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            used += space + w;
            empty = false;
            continue;
        }
        if !has_wide(word) {
            new_line(&mut line, &mut used, &mut empty);
            line.push_str(word);
            used += w;
            empty = false;
            continue;
        }
        // too long for the room left, and breakable next to wide characters
        let mut space = !empty;
        for piece in pieces(word) {
            let pw = UnicodeWidthStr::width(piece);
            if !empty && used + usize::from(space) + pw > width {
                new_line(&mut line, &mut used, &mut empty);
                space = false;
            }
            if space {
                line.push(' ');
                used += 1;
                space = false;
            }
            line.push_str(piece);
            used += pw;
            empty = false;
        }
    }
    out.push_str(line.trim_end());
    out
}

/// A character that takes two columns.
fn is_wide(c: char) -> bool {
    UnicodeWidthChar::width(c).unwrap_or(0) > 1
}

fn has_wide(word: &str) -> bool {
    word.chars().any(is_wide)
}

/// The pieces a word may break between: each wide character on its own,
/// runs of other characters whole.
fn pieces(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if is_wide(c) {
            if start < i {
                out.push(&word[start..i]);
            }
            out.push(&word[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

/// A CSS string literal (with its quotes) holding `text`, safe inside `<style>`.
pub(crate) fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' | '>' | '&' | '\n' | '\r' => out.push_str(&format!("\\{:X} ", c as u32)),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A backtick fence longer than any run of backticks in `code`, so the code
/// cannot close it early.
pub(crate) fn fence_for(code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Escapes plain text for Markdown, so a title like `Rotate <TLS> *now*`
/// shows as written.
pub(crate) fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Puts `prefix` before every line of `text` (trimmed at the end for blank lines).
pub(crate) fn prefix_lines(text: &str, prefix: &str) -> String {
    text.trim_end_matches('\n')
        .split('\n')
        .map(|l| {
            if l.trim().is_empty() {
                prefix.trim_end().to_owned()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_table() {
        let cases = [
            ("short", 20, "[ ] 1. ", "       ", "[ ] 1. short"),
            (
                "one two three four five six",
                17,
                "[ ] 1. ",
                "       ",
                "[ ] 1. one two\n       three four\n       five six",
            ),
            (
                "averyveryverylongword x",
                10,
                "> ",
                "> ",
                "> averyveryverylongword\n> x",
            ),
            ("", 10, "- ", "  ", "-"),
            // wide characters take two columns and break between them
            ("一二三四五六七八", 10, "> ", "> ", "> 一二三四\n> 五六七八"),
            ("ab 一二三四五", 10, "", "", "ab 一二三\n四五"),
            ("一二 x", 6, "", "", "一二 x"),
            ("一二 xy", 6, "", "", "一二\nxy"),
            ("一abcdefghij二", 6, "", "", "一\nabcdefghij\n二"),
            ("日本語。テスト", 8, "", "", "日本語。\nテスト"),
            ("é x", 3, "", "", "é x"),
        ];
        for (text, width, first, rest, expected) in cases {
            assert_eq!(wrap(text, width, first, rest), expected, "{text:?}");
        }
        // every line of a long CJK step fits in 80 columns
        let text = "在这里输入很长的中文步骤文本".repeat(5);
        let wrapped = wrap(&text, 80, "[ ] 5. ", "       ");
        assert!(wrapped.lines().count() > 1);
        for line in wrapped.lines() {
            assert!(UnicodeWidthStr::width(line) <= 80, "{line}");
        }
        assert_eq!(wrapped.replace(['\n', ' '], ""), format!("[]5.{text}"));
    }
    #[test]
    fn css_string_table() {
        let cases = [
            ("Plain", "\"Plain\""),
            ("a \"b\" \\ c", "\"a \\\"b\\\" \\\\ c\""),
            ("</style><script>", "\"\\3C /style\\3E \\3C script\\3E \""),
        ];
        for (text, expected) in cases {
            assert_eq!(css_string(text), expected, "{text:?}");
        }
    }
    #[test]
    fn fence_table() {
        let cases = [
            ("plain", "```"),
            ("a ``` b", "````"),
            ("``````", "```````"),
            ("`x`", "```"),
        ];
        for (code, fence) in cases {
            assert_eq!(fence_for(code), fence, "{code:?}");
        }
    }
    #[test]
    fn md_escape_table() {
        let cases = [
            ("plain words", "plain words"),
            ("Rotate <TLS> *now*", "Rotate \\<TLS\\> \\*now\\*"),
            ("a_b [c] #1 `x` a|b", "a\\_b \\[c\\] \\#1 \\`x\\` a\\|b"),
        ];
        for (text, expected) in cases {
            assert_eq!(md_escape(text), expected, "{text:?}");
        }
    }
    #[test]
    fn prefix_lines_table() {
        let cases = [
            ("a\nb\n", "  > ", "  > a\n  > b"),
            ("a\n\nb", "> ", "> a\n>\n> b"),
            ("code\n", "  ", "  code"),
        ];
        for (text, prefix, expected) in cases {
            assert_eq!(prefix_lines(text, prefix), expected, "{text:?}");
        }
    }
}
