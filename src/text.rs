//! Small text helpers every renderer shares, depending on no other stage: HTML escaping, telling external links, wrapping by display width, Markdown escaping, code fences, line prefixes and CSS strings.

use textwrap::core::Word;
use textwrap::WordSeparator;
use unicode_width::UnicodeWidthChar;

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
/// indent). Runs of whitespace count as one space.
///
/// textwrap fills the lines (first fit; words are never hyphenated or cut
/// to fit). Lines break at spaces and, inside a word holding wide
/// characters (CJK text has no spaces), at its Unicode line-break
/// opportunities (UAX #14) next to a wide character, so `。`, `、` or `」`
/// never start a line and `「` never ends one. Other words longer than a
/// line stay whole: UAX #14 alone would split `C:\Octopus\Logs\x.txt`
/// after `C:` and a URL after each `/` or `?`, and a printed step must show
/// a path or a URL as it is typed.
pub(crate) fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return first.trim_end().to_owned();
    }
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(rest)
        .word_separator(WordSeparator::Custom(words))
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .break_words(false);
    textwrap::fill(&text, &options)
}

/// The words [`wrap`] may break between: the runs between spaces, a run
/// holding wide characters cut further at its Unicode line-break
/// opportunities that touch a wide character.
fn words(line: &str) -> Box<dyn Iterator<Item = Word<'_>> + '_> {
    let mut out = Vec::new();
    for word in WordSeparator::AsciiSpace.find_words(line) {
        let run = word.word;
        if !run.chars().any(is_wide) {
            out.push(word);
            continue;
        }
        let (mut start, mut at) = (0, 0);
        for piece in WordSeparator::UnicodeBreakProperties.find_words(run) {
            at += piece.word.len() + piece.whitespace.len();
            let next_to_wide = run[..at].chars().next_back().is_some_and(is_wide)
                || run[at..].chars().next().is_some_and(is_wide);
            if at < run.len() && next_to_wide {
                out.push(Word::from(&run[start..at]));
                start = at;
            }
        }
        out.push(Word {
            whitespace: word.whitespace,
            ..Word::from(&run[start..])
        });
    }
    Box::new(out.into_iter())
}

/// A character that takes two columns.
fn is_wide(c: char) -> bool {
    UnicodeWidthChar::width(c).unwrap_or(0) > 1
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
            // no line starts with closing punctuation or ends with opening
            ("日本語。テスト", 7, "", "", "日本\n語。テ\nスト"),
            ("一二「三四」", 4, "", "", "一二\n「三\n四」"),
            // whitespace runs are one space; an empty text is the bare mark
            ("a \n\t b", 10, "", "", "a b"),
            ("  ", 10, "[ ] 1. ", "       ", "[ ] 1."),
            // URLs, paths and hyphenated words are never cut
            (
                "see https://example.com/a-very/long-path?x=1 now",
                20,
                "- ",
                "  ",
                "- see\n  https://example.com/a-very/long-path?x=1\n  now",
            ),
            (
                "in C:\\Octopus\\Logs\\OctopusServer.txt",
                20,
                "",
                "",
                "in\nC:\\Octopus\\Logs\\OctopusServer.txt",
            ),
            (
                "run rotate-the-keys-now today",
                12,
                "",
                "",
                "run\nrotate-the-keys-now\ntoday",
            ),
            // a URL inside CJK text stays whole too
            (
                "参见https://example.com/a/b页面",
                12,
                "",
                "",
                "参见\nhttps://example.com/a/b\n页面",
            ),
        ];
        for (text, width, first, rest, expected) in cases {
            assert_eq!(wrap(text, width, first, rest), expected, "{text:?}");
        }
        // every line of a long CJK step fits in 80 columns
        let text = "在这里输入很长的中文步骤文本".repeat(5);
        let wrapped = wrap(&text, 80, "[ ] 5. ", "       ");
        assert!(wrapped.lines().count() > 1);
        for line in wrapped.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
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
