//! Front matter: splits the YAML block off a page and types it (`title`, `description`, `position`, `meta`).
//!
//! Keys of the MDX docs site that mean the same thing map onto these:
//! `navOrder` (an integer) orders the navigation like `position` (which wins
//! when both are given; `navOrder` then stays in `meta`).

use std::ops::Range;

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceFile};

/// A page's typed front matter. Unknown keys are kept in `meta`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrontMatter {
    pub title: String,
    pub description: Option<String>,
    pub position: Option<i64>,
    pub meta: Map<String, Value>,
}

/// Where the front matter and the body of a file are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Split {
    /// The YAML text between the two `---` lines, if the file opens with one.
    pub yaml: Option<Range<usize>>,
    /// Offset of the first byte after the front matter.
    pub body_start: usize,
    /// The file opens a front matter block that no `---` line closes.
    pub unclosed: bool,
}

fn is_fence(line: &str, closing: bool) -> bool {
    let line = line.trim_end_matches([' ', '\t']);
    line == "---" || (closing && line == "...")
}

/// Finds the front matter block: a first line `---` up to the next `---` line.
pub(crate) fn split(text: &str) -> Split {
    let first_end = text.find('\n').unwrap_or(text.len());
    if !is_fence(&text[..first_end], false) {
        return Split {
            yaml: None,
            body_start: 0,
            unclosed: false,
        };
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut pos = yaml_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if is_fence(&text[pos..end], true) {
            return Split {
                yaml: Some(yaml_start..pos),
                body_start: (end + 1).min(text.len()),
                unclosed: false,
            };
        }
        pos = end + 1;
    }
    Split {
        yaml: None,
        body_start: 0,
        unclosed: true,
    }
}

/// Deepest nesting of YAML flow collections (`[…]`, `{…}`) front matter may have.
pub(crate) const MAX_FLOW_DEPTH: usize = 64;

/// The offset in `yaml` of the first `[` or `{` nested deeper than
/// [`MAX_FLOW_DEPTH`], or `None`. A cheap scan that runs before the YAML
/// parser, which takes seconds to reject 100,000 nested brackets; quoted
/// scalars and comments are skipped.
pub(crate) fn too_deep(yaml: &str) -> Option<usize> {
    let bytes = yaml.as_bytes();
    let mut depth = 0usize;
    // the last byte that was not a space or tab, for what may start a scalar or comment
    let mut last = b'\n';
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                i = skip_to(bytes, i, |b| b == b'\n');
                last = b'\n';
                continue;
            }
            b'"' | b'\'' if matches!(last, b'\n' | b'[' | b'{' | b',' | b':' | b'-' | b'?') => {
                i = skip_quoted(bytes, i);
                last = b;
                continue;
            }
            _ => {}
        }
        if !matches!(b, b' ' | b'\t') {
            last = b;
        }
        i += 1;
    }
    None
}

/// The index of the first byte after `i` for which `stop` holds (or the end).
fn skip_to(bytes: &[u8], i: usize, stop: impl Fn(u8) -> bool) -> usize {
    bytes[i + 1..]
        .iter()
        .position(|&b| stop(b))
        .map_or(bytes.len(), |p| i + 1 + p)
}

/// The index just after the quoted scalar that opens at `i` (`"` with
/// backslash escapes, `'` with `''`), or the end when it is never closed.
fn skip_quoted(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' if quote == b'"' => j += 2,
            b'\'' if quote == b'\'' && bytes.get(j + 1) == Some(&b'\'') => j += 2,
            b if b == quote => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// The `front-matter-invalid` error for a collection nested too deep at `offset`.
pub(crate) fn too_deep_error(file: FileId, offset: usize) -> Diagnostic {
    Diagnostic::error(
        "front-matter-invalid",
        format!("lists or mappings are nested more than {MAX_FLOW_DEPTH} deep"),
    )
    .at(file, offset, offset + 1)
    .with_help("flatten the value: front matter holds plain values and shallow lists or mappings")
}

/// The title of a page written without front matter: its `# Title`
/// heading, when that is the first thing on the page (blank lines and
/// one-line HTML comments may come before it), and where the body starts
/// after it, so the heading is not repeated under the page's title.
fn heading_title(text: &str) -> Option<(String, usize)> {
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let next = pos + line.len();
        if t.is_empty() || (t.starts_with("<!--") && t.ends_with("-->")) {
            pos = next;
            continue;
        }
        let rest = t.strip_prefix("# ")?;
        let rest = rest.trim_end_matches('#').trim_end();
        // `# Title {#id}` (or the escaped `\{#id}`) keeps its text only
        let title = match rest.rfind('{') {
            Some(i) if rest.ends_with('}') && rest[i..].starts_with("{#") => {
                rest[..i].trim_end().trim_end_matches('\\').trim_end()
            }
            _ => rest,
        };
        return (!title.is_empty()).then(|| (title.to_owned(), next));
    }
    None
}

/// Parses and types a page's front matter, reporting every problem found.
pub fn parse_page(
    file_id: FileId,
    file: &SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> (Option<FrontMatter>, usize) {
    let text = &file.text;
    let split = split(text);
    let first_line = text.find('\n').unwrap_or(text.len());
    if split.unclosed {
        diags.push(
            Diagnostic::error(
                "front-matter-invalid",
                "front matter is opened but never closed",
            )
            .at(file_id, 0, first_line)
            .with_help("end the YAML block with a line containing only `---`"),
        );
        return (None, 0);
    }
    let Some(yaml) = split.yaml else {
        if let Some((title, body_start)) = heading_title(text) {
            let front = FrontMatter {
                title,
                ..FrontMatter::default()
            };
            return (Some(front), body_start);
        }
        diags.push(
            Diagnostic::error("front-matter-missing", "page has no front matter")
                .at(file_id, 0, first_line)
                .with_help(
                    "start the page with a `# Title` heading, or with a YAML block: a line `---`, `title: ...`, and a closing `---`",
                ),
        );
        return (None, 0);
    };
    if let Some(at) = too_deep(&text[yaml.clone()]) {
        let offset = yaml.start + at;
        diags.push(too_deep_error(file_id, offset));
        return (None, split.body_start);
    }
    let value: serde_norway::Value = match serde_norway::from_str(&text[yaml.clone()]) {
        Ok(v) => v,
        Err(e) => {
            let offset = yaml.start + e.location().map_or(0, |l| l.index());
            diags.push(
                Diagnostic::error("front-matter-invalid", format!("invalid YAML: {}", yaml_message(&e)))
                    .at(file_id, offset, offset + 1)
                    .with_help("front matter must be a YAML mapping such as `title: My page`; quote values that contain `: ` or start with a special character"),
            );
            return (None, split.body_start);
        }
    };
    let mapping = match value {
        serde_norway::Value::Mapping(m) => m,
        serde_norway::Value::Null => serde_norway::Mapping::new(),
        _ => {
            diags.push(
                Diagnostic::error("front-matter-invalid", "front matter is not a YAML mapping")
                    .at(file_id, yaml.start, yaml.end.max(yaml.start + 1))
                    .with_help("write `key: value` lines, for example `title: My page`"),
            );
            return (None, split.body_start);
        }
    };
    let key_at = |key: &str| -> Range<usize> {
        let mut pos = yaml.start;
        for line in text[yaml.clone()].split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix(key) {
                if rest.trim_start().starts_with(':') {
                    return pos..pos + key.len();
                }
            }
            pos += line.len();
        }
        0..first_line
    };
    let mut fm = FrontMatter::default();
    let before = diags.len();
    let mut title = None;
    let mut nav_order = None;
    for (key, value) in mapping {
        // `1: x` or `true: y` are keys too: kept by their text
        let Some(key) = scalar_text(&key) else {
            let r = 0..first_line;
            diags.push(
                Diagnostic::error(
                    "front-matter-invalid",
                    "front matter keys must be plain words, not lists or mappings",
                )
                .at(file_id, r.start, r.end)
                .with_help("write each key as `name: value`"),
            );
            continue;
        };
        let mut wrong = |expected: &str| {
            let r = key_at(&key);
            diags.push(
                Diagnostic::error(
                    "front-matter-invalid",
                    format!("`{key}` must be {expected}, found {}", yaml_kind(&value)),
                )
                .at(file_id, r.start, r.end)
                .with_help(format!("write `{key}:` followed by {expected}")),
            );
        };
        match key.as_str() {
            "title" => match &value {
                serde_norway::Value::String(s) => title = Some(s.clone()),
                // `title:` with nothing after it is an empty title
                serde_norway::Value::Null => title = Some(String::new()),
                _ => wrong("a string"),
            },
            "description" => match &value {
                serde_norway::Value::String(s) => fm.description = Some(s.clone()),
                serde_norway::Value::Null => {}
                _ => wrong("a string"),
            },
            "position" => match value.as_i64() {
                Some(n) => fm.position = Some(n),
                None if value.is_null() => {}
                None => wrong("an integer"),
            },
            "navOrder" if value.as_i64().is_some() => nav_order = Some((key, value)),
            _ => {
                fm.meta.insert(key, yaml_to_json(&value));
            }
        }
    }
    if let Some((key, value)) = nav_order {
        match fm.position {
            None => fm.position = value.as_i64(),
            Some(_) => {
                fm.meta.insert(key, yaml_to_json(&value));
            }
        }
    }
    match title {
        Some(t) if !t.trim().is_empty() => fm.title = t,
        Some(_) => {
            let r = key_at("title");
            diags.push(
                Diagnostic::error("title-missing", "the page's `title` is empty")
                    .at(file_id, r.start, r.end)
                    .with_help("give the page a title: `title: Upgrading the server`"),
            );
        }
        None if diags.len() == before => diags.push(
            Diagnostic::error("title-missing", "front matter has no `title`")
                .at(file_id, 0, first_line)
                .with_help("add a line `title: ...` to the front matter"),
        ),
        None => {}
    }
    let ok = diags.len() == before;
    (ok.then_some(fm), split.body_start)
}

/// The text of a scalar YAML value (a key such as `1` or `true`); `None` for
/// lists and mappings.
fn scalar_text(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        serde_norway::Value::Null => Some("null".to_owned()),
        serde_norway::Value::Tagged(t) => scalar_text(&t.value),
        _ => None,
    }
}

/// Any YAML value as JSON: numbers JSON cannot hold exactly (beyond 64 bits)
/// are kept as their text, tags are dropped, keys become text.
pub(crate) fn yaml_to_json(v: &serde_norway::Value) -> Value {
    match v {
        serde_norway::Value::Null => Value::Null,
        serde_norway::Value::Bool(b) => Value::Bool(*b),
        serde_norway::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(n.to_string()), Value::Number)
            }
        }
        serde_norway::Value::String(s) => Value::String(s.clone()),
        serde_norway::Value::Sequence(items) => {
            Value::Array(items.iter().map(yaml_to_json).collect())
        }
        serde_norway::Value::Mapping(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = scalar_text(k).unwrap_or_else(|| yaml_to_json(k).to_string());
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        serde_norway::Value::Tagged(t) => yaml_to_json(&t.value),
    }
}

fn yaml_message(e: &serde_norway::Error) -> String {
    // serde_yaml appends " at line N column M"; the location is shown separately.
    let msg = e.to_string();
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
    }
}

fn yaml_kind(v: &serde_norway::Value) -> &'static str {
    match v {
        serde_norway::Value::Null => "nothing",
        serde_norway::Value::Bool(_) => "a boolean",
        serde_norway::Value::Number(_) => "a number",
        serde_norway::Value::String(_) => "a string",
        serde_norway::Value::Sequence(_) => "a list",
        serde_norway::Value::Mapping(_) => "a mapping",
        serde_norway::Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceDb};

    #[test]
    fn split_table() {
        let cases = [
            ("---\ntitle: a\n---\nbody", Some(4..13), 17, false),
            ("---  \ntitle: a\n...\nbody", Some(6..15), 19, false),
            ("--- \n---\n", Some(5..5), 9, false),
            ("no front matter\n---\n", None, 0, false),
            ("---\ntitle: a\n", None, 0, true),
            ("", None, 0, false),
        ];
        for (text, yaml, body, unclosed) in cases {
            assert_eq!(
                split(text),
                Split {
                    yaml,
                    body_start: body,
                    unclosed
                },
                "{text:?}"
            );
        }
    }

    fn parse(text: &str) -> (Option<FrontMatter>, Vec<(String, usize, usize)>) {
        let mut db = SourceDb::default();
        let id = db.add(SourceFile::new(
            "p.md".into(),
            "p.md".into(),
            FileKind::Page,
            text.into(),
        ));
        let mut diags = Vec::new();
        let (fm, _) = parse_page(id, db.get(id), &mut diags);
        let found = diags
            .iter()
            .map(|d| {
                let (l, c) = db.get(id).line_col(d.label.unwrap().start);
                (d.code.to_owned(), l, c)
            })
            .collect();
        (fm, found)
    }

    #[test]
    fn heading_title_table() {
        let cases = [
            ("# Install\n\nText\n", Some(("Install", 10))),
            (
                "\n<!-- note -->\n# Install ##\nText\n",
                Some(("Install", 28)),
            ),
            ("# Install {#setup}\n", Some(("Install", 19))),
            ("## Install\n", None),
            ("Text\n# Install\n", None),
            ("#\n", None),
        ];
        for (text, expected) in cases {
            let found = heading_title(text);
            assert_eq!(
                found.as_ref().map(|(t, at)| (t.as_str(), *at)),
                expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn page_front_matter_table() {
        type Expected<'a> = &'a [(&'a str, usize, usize)];
        let cases: &[(&str, Expected)] = &[
            ("---\ntitle: Ok\nposition: 3\nx: [1]\n---\n", &[]),
            ("# A title instead\n\nText.\n", &[]),
            (
                "Text before any heading.\n\n# Late\n",
                &[("front-matter-missing", 1, 1)],
            ),
            ("", &[("front-matter-missing", 1, 1)]),
            ("---\ndescription: d\n---\n", &[("title-missing", 1, 1)]),
            ("---\ntitle: ''\n---\n", &[("title-missing", 2, 1)]),
            (
                "---\ntitle: a\nposition: two\n---\n",
                &[("front-matter-invalid", 3, 1)],
            ),
            ("---\ntitle: [a]\n---\n", &[("front-matter-invalid", 2, 1)]),
            (
                "---\ntitle: a\n  bad: : indent\n---\n",
                &[("front-matter-invalid", 3, 6)],
            ),
            ("---\ntitle: a\n", &[("front-matter-invalid", 1, 1)]),
            ("---\ntitle:\n---\n", &[("title-missing", 2, 1)]),
            ("---\ntitle: null\n---\n", &[("title-missing", 2, 1)]),
            ("---\ntitle: T\n1: x\ntrue: y\n---\n", &[]),
            ("---\n- a list\n---\n", &[("front-matter-invalid", 2, 1)]),
        ];
        for (text, expected) in cases {
            let (_, found) = parse(text);
            let expected: Vec<_> = expected
                .iter()
                .map(|(c, l, col)| (c.to_string(), *l, *col))
                .collect();
            assert_eq!(found, expected, "{text:?}");
        }
    }

    #[test]
    fn too_deep_table() {
        let deep = |n: usize| format!("x: {}1{}", "[".repeat(n), "]".repeat(n));
        let cases: Vec<(String, Option<usize>)> = vec![
            (deep(64), None),
            (deep(65), Some(3 + 64)),
            (deep(100_000), Some(3 + 64)),
            (format!("x: {}", "{a: ".repeat(65)), Some(3 + 64 * 4)),
            // brackets in quoted scalars and comments do not count
            (format!("x: '{}'\ny: 1", "[".repeat(100)), None),
            (format!("x: \"{}\\\" \"", "{".repeat(100)), None),
            (format!("x: 1 # {}", "[".repeat(100)), None),
            (format!("# {}\nx: 1", "[".repeat(100)), None),
            // an apostrophe inside a plain scalar is no quote
            (format!("x: it's {}", "[".repeat(65)), Some(8 + 64)),
            (format!("x: [{}]", "'a', ".repeat(100)), None),
            ("x: 'it''s [['\n".to_owned(), None),
            ("title: a [b] c\n".to_owned(), None),
        ];
        for (yaml, expected) in cases {
            assert_eq!(too_deep(&yaml), expected, "{:.80}", yaml);
        }
    }

    #[test]
    fn deeply_nested_front_matter_is_rejected_at_once() {
        let text = format!("---\ntitle: T\nx: {}\n---\n", "[".repeat(100_000));
        let started = std::time::Instant::now();
        let (fm, found) = parse(&text);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(fm.is_none());
        assert_eq!(found, [("front-matter-invalid".to_owned(), 3, 68)]);
    }

    #[test]
    fn meta_keeps_every_yaml_value() {
        let (fm, _) = parse("---\ntitle: T\nbig: 18446744073709551615\n1: one\nf: 1.5\nt: !custom x\nn: .nan\n---\n");
        assert_eq!(
            serde_json::to_string(&fm.unwrap().meta).unwrap(),
            r#"{"1":"one","big":18446744073709551615,"f":1.5,"n":".nan","t":"x"}"#
        );
    }

    #[test]
    fn nav_order_orders_like_position() {
        let cases = [
            ("navOrder: 3\n", Some(3), r#"{}"#),
            ("navOrder: 3\nposition: 1\n", Some(1), r#"{"navOrder":3}"#),
            ("position: 1\nnavOrder: 3\n", Some(1), r#"{"navOrder":3}"#),
            ("navOrder: first\n", None, r#"{"navOrder":"first"}"#),
            ("navorder: 3\n", None, r#"{"navorder":3}"#),
        ];
        for (keys, position, meta) in cases {
            let (fm, diags) = parse(&format!("---\ntitle: T\n{keys}---\n"));
            assert!(diags.is_empty(), "{keys:?}: {diags:?}");
            let fm = fm.unwrap();
            assert_eq!(fm.position, position, "{keys:?}");
            assert_eq!(serde_json::to_string(&fm.meta).unwrap(), meta, "{keys:?}");
        }
    }

    #[test]
    fn known_keys_are_typed_and_the_rest_kept() {
        let (fm, _) = parse(
            "---\ntitle: T\ndescription: D\nposition: 4\nlayout: x\npubDate: 2023-01-01\n---\n",
        );
        let fm = fm.unwrap();
        assert_eq!(fm.title, "T");
        assert_eq!(fm.description.as_deref(), Some("D"));
        assert_eq!(fm.position, Some(4));
        assert_eq!(
            serde_json::to_string(&fm.meta).unwrap(),
            r#"{"layout":"x","pubDate":"2023-01-01"}"#
        );
    }
}
