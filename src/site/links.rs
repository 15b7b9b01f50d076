//! Site links: resolves a page's link targets into the content, rewrites them to the built files and reports broken ones.
//!
//! A link is a Markdown link or image, or the `href` of an `<a>` tag in raw
//! HTML outside code (HTML blocks and inline HTML, read by [`super::attrs`];
//! its character references such as `&amp;` are decoded first, and the new
//! value is written back escaped, in the quotes it had).
//!
//! Rules, for a link written in page `P` (also when it stands in a partial
//! that `P` includes, since the partial's text becomes part of `P`):
//! - a link with a scheme (`https:`, `mailto:` …) or starting with `//` is
//!   external: left alone, never checked;
//! - `#frag` alone points into `P` itself;
//! - a relative path is resolved against the folder of `P`'s own file below
//!   `content/`; `x.md`, `x.mdx`, `x/index.md` and `x/` name pages, any
//!   other path a file copied from `content/`;
//! - an absolute path under `base_path` (`/docs/a/b`, `/docs/a/b/`,
//!   `/docs/a/b.md`) names the page `a/b` or the content file `a/b`; other
//!   absolute paths lie outside the docs and are left alone;
//! - a resolved link becomes a relative URL to the built file, keeping its
//!   `?query` as written and its `#fragment`, which must be an anchor of the
//!   target page.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::project::{Page, Project};

/// What the link checker knows about the site: its pages, their anchors and the copied content files.
#[derive(Debug, Default)]
pub(crate) struct SiteIndex {
    /// Page name → anchors (heading ids, and `id` attributes and `<a name>` in
    /// raw HTML outside code).
    pub anchors: BTreeMap<String, BTreeSet<String>>,
    /// Files copied from `content/`, by path relative to it.
    pub files: BTreeSet<String>,
    /// Page name → the folder of its source file below `content/` (`a` for `a/b.md` and `a/index.md`).
    pub dirs: BTreeMap<String, String>,
    pub base_path: String,
}

/// Where a link points, once resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// Left as written: external, outside `base_path`, or nothing to rewrite.
    Keep,
    /// A page of the site, with the query as written (`?x=1`, or empty) and an optional fragment.
    Page {
        name: String,
        query: String,
        fragment: Option<String>,
    },
    /// A file copied from `content/`, with whatever followed the path.
    File { path: String, suffix: String },
    /// Points into the content but at nothing there.
    Broken { wanted: String },
}

/// The built file of a page: `a/b` → `a/b.html`, `index` → `index.html`.
pub fn page_path(name: &str) -> String {
    crate::output::paths::page(name)
}

/// A relative URL from the file `from` to the file `to`, both relative to the site root.
pub(crate) fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len() - 1);
    let mut out = "../".repeat(from_dir.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

/// `../` once per folder level of `path` (relative to the site root): the way back to the root.
pub(crate) fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// What [`encode_path`] percent-encodes: controls and the characters that
/// would break an `href` (space, `"`, `#`, `?`, `%`, `<`, `>`, `\`).
const HREF_BREAKING: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'?')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'\\');

/// Percent-encodes a site path for an `href` (non-ASCII text as UTF-8 escapes).
pub(crate) fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, HREF_BREAKING).to_string()
}

/// Decodes `%XX` escapes; text that does not decode to UTF-8 is returned as it was.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_owned(), |d| d.into_owned())
}

/// True for `https:`, `mailto:`, `//host` and other links that leave the site.
pub(crate) fn is_external(href: &str) -> bool {
    crate::text::is_external(href)
}

/// Joins `rel` onto `dir` (both `/`-separated, relative to `content/`), folding `.` and `..`.
/// `None` when the path climbs out of `content/`.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

impl SiteIndex {
    /// Indexes the project's pages and the files copied from `content/`.
    pub(crate) fn new(project: &Project, files: BTreeSet<String>) -> SiteIndex {
        let mut index = SiteIndex {
            files,
            base_path: project.config.base_path.clone(),
            ..SiteIndex::default()
        };
        for page in &project.pages {
            let headings = page.doc.headings.iter().map(|h| h.anchor.clone());
            let anchors: BTreeSet<String> =
                headings.chain(page.doc.html_ids.iter().cloned()).collect();
            index.anchors.insert(page.name.clone(), anchors);
            let abs = &project.db.get(page.file).abs;
            let rel = abs.strip_prefix(&project.config.content).unwrap_or(abs);
            let rel = rel.to_string_lossy().replace('\\', "/");
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
            index.dirs.insert(page.name.clone(), dir);
        }
        index
    }

    /// Resolves `href` written in page `from`.
    pub(crate) fn resolve(&self, from: &str, href: &str) -> Target {
        let href = href.trim();
        if href.is_empty() || is_external(href) {
            return Target::Keep;
        }
        let (before_frag, fragment) = match href.split_once('#') {
            Some((p, f)) => (p, Some(f.to_owned())),
            None => (href, None),
        };
        let (path, query) = match before_frag.split_once('?') {
            Some((p, q)) => (p, format!("?{q}")),
            None => (before_frag, String::new()),
        };
        if path.is_empty() {
            if query.is_empty() {
                return Target::Page {
                    name: from.to_owned(),
                    query,
                    fragment,
                };
            }
            return Target::Keep;
        }
        let path = percent_decode(path);
        let (joined, absolute) = if let Some(abs) = path.strip_prefix('/') {
            let under = if self.base_path.is_empty() {
                Some(abs)
            } else {
                let base = &self.base_path[1..];
                match abs.strip_prefix(base) {
                    Some("") => Some(""),
                    Some(rest) if rest.starts_with('/') => Some(&rest[1..]),
                    _ => None,
                }
            };
            match under {
                None => return Target::Keep,
                Some(rest) => (join("", rest), true),
            }
        } else {
            let dir = self.dirs.get(from).map(String::as_str).unwrap_or("");
            (join(dir, &path), false)
        };
        let Some(joined) = joined else {
            return Target::Broken { wanted: path };
        };
        if self.files.contains(&joined) {
            let suffix = match &fragment {
                Some(f) => format!("{query}#{f}"),
                None => query,
            };
            return Target::File {
                path: joined,
                suffix,
            };
        }
        let name = page_name(&joined);
        if self.anchors.contains_key(&name) {
            return Target::Page {
                name,
                query,
                fragment,
            };
        }
        Target::Broken {
            wanted: if absolute
                || joined.ends_with(".md")
                || joined.ends_with(".mdx")
                || !joined.contains('.')
            {
                name
            } else {
                joined
            },
        }
    }
}

/// The page a resolved content path names: `a/b.md`, `a/b.mdx`, `a/b.html`, `a/b`, `a/b/index.md` → `a/b`; `` → `index`.
fn page_name(joined: &str) -> String {
    let stem = joined
        .strip_suffix(".md")
        .or_else(|| joined.strip_suffix(".mdx"))
        .or_else(|| joined.strip_suffix(".html"))
        .unwrap_or(joined);
    let stem = if stem == "index" {
        ""
    } else {
        stem.strip_suffix("/index").unwrap_or(stem)
    };
    if stem.is_empty() {
        "index".to_owned()
    } else {
        stem.to_owned()
    }
}

/// A link found in a page: its target as written, and where it stands in the page's `doc.text` (start, length).
pub(crate) struct Link<'a> {
    pub page: &'a Page,
    pub href: &'a str,
    pub at: usize,
    pub len: usize,
}

/// The `href` to write in page `from` for a link resolved to `target`
/// (`None`: keep the one written): a relative URL to the built file, with the
/// query and fragment as written. A fragment into the page itself stays `#frag`
/// alone, unless a query asks for the page again.
fn rewritten(from: &str, target: &Target) -> Option<String> {
    let from_path = page_path(from);
    match target {
        Target::Keep | Target::Broken { .. } => None,
        Target::File { path, suffix } => Some(format!(
            "{}{suffix}",
            encode_path(&relative(&from_path, path))
        )),
        Target::Page {
            name,
            query,
            fragment,
        } => {
            let mut href = if name == from && query.is_empty() && fragment.is_some() {
                String::new()
            } else {
                encode_path(&relative(&from_path, &page_path(name)))
            };
            href.push_str(query);
            if let Some(f) = fragment {
                href.push('#');
                href.push_str(f);
            }
            Some(href)
        }
    }
}

impl SiteIndex {
    /// The `href` to write instead of the one written (`None`: keep it), reporting broken links and anchors.
    pub(crate) fn rewrite(
        &self,
        link: &Link<'_>,
        project: &Project,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let from = &link.page.name;
        let target = self.resolve(from, link.href);
        match &target {
            Target::Keep | Target::File { .. } => {}
            Target::Page { name, fragment, .. } => {
                if let Some(f) = fragment {
                    let anchors = &self.anchors[name];
                    if !f.is_empty() && !anchors.contains(f) {
                        self.report_anchor(link, name, f, anchors, diags);
                    }
                }
            }
            Target::Broken { wanted } => {
                let is_file = wanted
                    .rsplit('/')
                    .next()
                    .and_then(|last| last.rsplit_once('.'))
                    .is_some_and(|(_, ext)| ext.chars().all(|c| c.is_ascii_alphabetic()));
                let suggestions = if is_file {
                    Vec::new()
                } else {
                    project.suggest_pages(wanted)
                };
                let help = match suggestions.first() {
                    Some(s) => format!("did you mean the page `{s}`?"),
                    None if is_file => "put the file in the content folder, or link to it with a full URL".to_owned(),
                    None => "link to a page of the content folder, or use a full URL for an external page".to_owned(),
                };
                self.report(
                    link,
                    Diagnostic::warning(
                        "link-broken",
                        format!(
                            "link `{}` goes nowhere: no page or file `{wanted}` in the content",
                            link.href
                        ),
                    )
                    .with_help(help),
                    diags,
                );
            }
        }
        rewritten(from, &target)
    }

    fn report_anchor(
        &self,
        link: &Link<'_>,
        name: &str,
        fragment: &str,
        anchors: &BTreeSet<String>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let known: Vec<&str> = anchors.iter().map(String::as_str).collect();
        let close = similar::get_close_matches(fragment, &known, 1, 0.6);
        let help = match close.first() {
            Some(c) => format!("did you mean `#{c}`?"),
            None => format!(
                "the anchors of `{name}` come from its headings (`## Title {{#id}}` sets one)"
            ),
        };
        self.report(
            link,
            Diagnostic::warning(
                "anchor-broken",
                format!(
                    "link `{}`: page `{name}` has no anchor `#{fragment}`",
                    link.href
                ),
            )
            .with_help(help),
            diags,
        );
    }

    fn report(&self, link: &Link<'_>, d: Diagnostic, diags: &mut Vec<Diagnostic>) {
        match link.page.origin(link.at) {
            Some(origin) => diags.push(d.at_origin(origin, link.len)),
            None => diags.push(d.at(link.page.file, 0, 0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_table() {
        let cases = [
            ("index.html", "a/b.html", "a/b.html"),
            ("a/b.html", "index.html", "../index.html"),
            ("a/b.html", "a/c.html", "c.html"),
            ("a/b.html", "a.html", "../a.html"),
            ("a.html", "a/c.html", "a/c.html"),
            ("a/b/c.html", "a/x/y.html", "../x/y.html"),
            ("a/b.html", "a/b.html", "b.html"),
            ("a/b.html", "plans/a/b.json", "../plans/a/b.json"),
        ];
        for (from, to, expected) in cases {
            assert_eq!(relative(from, to), expected, "{from} → {to}");
        }
        assert_eq!(root_prefix("a/b/c.html"), "../../");
        assert_eq!(root_prefix("index.html"), "");
    }

    #[test]
    fn external_table() {
        let cases = [
            ("https://x.org/a", true),
            ("mailto:a@b.c", true),
            ("//cdn.x/y", true),
            ("tel:123", true),
            ("a.md", false),
            ("/docs/a", false),
            ("a/b:c.md", false),
            ("#x", false),
            ("C:x", true),
        ];
        for (href, expected) in cases {
            assert_eq!(is_external(href), expected, "{href}");
        }
    }

    fn index() -> SiteIndex {
        let mut s = SiteIndex {
            base_path: "/docs".into(),
            ..SiteIndex::default()
        };
        for (name, dir, anchors) in [
            ("index", "", vec!["intro"]),
            ("guide", "guide", vec!["steps"]),
            ("guide/install", "guide", vec!["step-two"]),
            ("notes", "", vec![]),
        ] {
            s.anchors.insert(
                name.into(),
                anchors.into_iter().map(str::to_owned).collect(),
            );
            s.dirs.insert(name.into(), dir.into());
        }
        s.files.insert("guide/diagram.svg".into());
        s
    }

    #[test]
    fn resolve_table() {
        let s = index();
        let page = |n: &str, f: Option<&str>| Target::Page {
            name: n.into(),
            query: String::new(),
            fragment: f.map(str::to_owned),
        };
        let query = |n: &str, q: &str, f: Option<&str>| Target::Page {
            name: n.into(),
            query: q.into(),
            fragment: f.map(str::to_owned),
        };
        let cases = [
            ("guide/install", "https://x.org", Target::Keep),
            ("guide/install", "/blog/post", Target::Keep),
            (
                "guide/install",
                "#step-two",
                page("guide/install", Some("step-two")),
            ),
            (
                "guide/install",
                "../index.md#intro",
                page("index", Some("intro")),
            ),
            ("guide/install", "index.md", page("guide", None)),
            ("guide", "install.md", page("guide/install", None)),
            ("guide", "install.mdx", page("guide/install", None)),
            ("index", "guide/index.md", page("guide", None)),
            ("index", "guide/index.mdx#x", page("guide", Some("x"))),
            ("index", "guide/", page("guide", None)),
            (
                "index",
                "/docs/guide/install#step-two",
                page("guide/install", Some("step-two")),
            ),
            ("index", "/docs/guide/install/", page("guide/install", None)),
            ("index", "/docs/", page("index", None)),
            ("index", "/docs", page("index", None)),
            ("index", "/docsy/x", Target::Keep),
            (
                "index",
                "guide/install.md?x=1#step-two",
                query("guide/install", "?x=1", Some("step-two")),
            ),
            (
                "index",
                "guide/install.md?x",
                query("guide/install", "?x", None),
            ),
            (
                "index",
                "/docs/guide/install?x=1#step-two",
                query("guide/install", "?x=1", Some("step-two")),
            ),
            ("guide/install", "?x=1#step-two", Target::Keep),
            (
                "guide/install",
                "diagram.svg?v=2",
                Target::File {
                    path: "guide/diagram.svg".into(),
                    suffix: "?v=2".into(),
                },
            ),
            (
                "index",
                "/docs/missing/page",
                Target::Broken {
                    wanted: "missing/page".into(),
                },
            ),
            (
                "index",
                "nope.md",
                Target::Broken {
                    wanted: "nope".into(),
                },
            ),
            (
                "index",
                "../../x.md",
                Target::Broken {
                    wanted: "../../x.md".into(),
                },
            ),
        ];
        for (from, href, expected) in cases {
            assert_eq!(s.resolve(from, href), expected, "{from}: {href}");
        }
    }

    #[test]
    fn rewritten_hrefs_keep_query_and_fragment() {
        let s = index();
        let cases = [
            (
                "guide/install",
                "../index.md#intro",
                Some("../index.html#intro"),
            ),
            (
                "guide/install",
                "../index.md?x=1#intro",
                Some("../index.html?x=1#intro"),
            ),
            ("index", "guide/install.md?x", Some("guide/install.html?x")),
            (
                "index",
                "guide/install.md?a=1&b=%20#step-two",
                Some("guide/install.html?a=1&b=%20#step-two"),
            ),
            ("index", "guide/?x=1", Some("guide.html?x=1")),
            ("guide/install", "#step-two", Some("#step-two")),
            ("guide/install", "install.md", Some("install.html")),
            ("guide/install", "install.md#step-two", Some("#step-two")),
            (
                "guide/install",
                "install.md?x=1#step-two",
                Some("install.html?x=1#step-two"),
            ),
            ("guide/install", "install.md?x=1", Some("install.html?x=1")),
            (
                "index",
                "/docs/guide/install?x=1#step-two",
                Some("guide/install.html?x=1#step-two"),
            ),
            (
                "guide/install",
                "/docs/guide/install/?x=1",
                Some("install.html?x=1"),
            ),
            ("guide/install", "/docs?x=1", Some("../index.html?x=1")),
            (
                "guide/install",
                "diagram.svg?v=2#top",
                Some("diagram.svg?v=2#top"),
            ),
            ("guide/install", "?x=1", None),
            ("guide/install", "?x=1#step-two", None),
            ("index", "https://x.org/a.md?b=1#c", None),
            ("index", "/blog/post.md?b=1", None),
            ("index", "nope.md?x=1", None),
        ];
        for (from, href, expected) in cases {
            let got = rewritten(from, &s.resolve(from, href));
            assert_eq!(got.as_deref(), expected, "{from}: {href}");
        }
    }

    #[test]
    fn encode_and_ids() {
        assert_eq!(encode_path("a b/c#d.html"), "a%20b/c%23d.html");
        assert_eq!(percent_decode("a%20b%zz"), "a b%zz");
    }
}
