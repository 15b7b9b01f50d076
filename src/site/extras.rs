//! The site's extra files: redirect pages, `sitemap.xml`, `404.html` and the
//! generated home page of a project without `content/index.md`.

use minijinja::context;

use crate::diagnostic::Diagnostic;
use crate::project::{Page, Project, REDIRECT_KEYS};
use crate::templates::Templates;

use super::html::escape;
use super::links::{encode_path, page_path, relative, SiteIndex, Target};
use super::nav::Nav;

/// Where a redirect sends the reader, as an `href` from the stub at `from`
/// (a path relative to the site root) and as an absolute URL when one can be
/// known (for the canonical link).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Destination {
    pub href: String,
    pub canonical: String,
    pub title: Option<String>,
}

/// Resolves the redirect `target` written in `page`, for a stub written at
/// `from`. A target inside the content that names nothing gets a
/// `link-broken` warning, and is kept as written.
pub(crate) fn destination(
    project: &Project,
    index: &SiteIndex,
    page: &Page,
    from: &str,
    target: &str,
    diags: &mut Vec<Diagnostic>,
) -> Destination {
    match index.resolve(&page.name, target) {
        Target::Page {
            name,
            query,
            fragment,
        } => {
            let suffix = query + &fragment.map(|f| format!("#{f}")).unwrap_or_default();
            let title = project
                .page(&name)
                .map(|p| p.front.title.clone())
                .filter(|_| name != page.name);
            to_path(project, from, &page_path(&name), &suffix, title)
        }
        Target::File { path, suffix } => to_path(project, from, &path, &suffix, None),
        Target::Keep => kept(target),
        Target::Broken { wanted } => {
            let (start, end) = key_line(&project.db.get(page.file).text, &REDIRECT_KEYS);
            diags.push(
                Diagnostic::warning(
                    "link-broken",
                    format!("the redirect to `{target}` points at no page or file (`{wanted}`)"),
                )
                .at(page.file, start, end)
                .with_help("point `redirect:` at a page of the site or a full URL"),
            );
            kept(target)
        }
    }
}

/// The way from the stub at `from` to the site file at `path` (both relative to the root).
pub(crate) fn to_path(
    project: &Project,
    from: &str,
    path: &str,
    suffix: &str,
    title: Option<String>,
) -> Destination {
    let href = encode_path(&relative(from, path)) + suffix;
    let canonical = match project.config.site.base_url.as_deref() {
        Some(base) => format!("{base}{}{suffix}", encode_path(path)),
        None => href.clone(),
    };
    Destination {
        href,
        canonical,
        title,
    }
}

/// The span of the first front-matter line setting one of `keys`
/// (`redirect: /docs/x`), or `(0, 0)`.
pub(crate) fn key_line(text: &str, keys: &[&str]) -> (usize, usize) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        if keys
            .iter()
            .any(|k| bare.strip_prefix(k).is_some_and(|r| r.starts_with(':')))
        {
            return (offset, offset + bare.len());
        }
        offset += line.len();
    }
    (0, 0)
}

fn kept(target: &str) -> Destination {
    Destination {
        href: target.to_owned(),
        canonical: target.to_owned(),
        title: None,
    }
}

/// The stub page that forwards to `to`.
pub(crate) fn redirect_page(templates: &Templates, to: &Destination) -> Result<String, Diagnostic> {
    templates.render(
        "redirect.html",
        context! {
            target => to.href,
            canonical => to.canonical,
            title => to.title,
        },
    )
}

/// The output path of an old address named in `redirect_from:`:
/// `/docs/old/page` (under `base_path` `/docs`), `old/page.html`,
/// `old/page/` → `old/page.html`; `None` for one outside `base_path` or empty.
pub(crate) fn old_address_path(address: &str, base_path: &str) -> Option<String> {
    let address = address.split(['?', '#']).next().unwrap_or("");
    let path = match address.strip_prefix('/') {
        Some(abs) if base_path.is_empty() => abs,
        Some(abs) => {
            let rest = abs.strip_prefix(base_path.trim_start_matches('/'))?;
            if !(rest.is_empty() || rest.starts_with('/')) {
                return None;
            }
            rest.trim_start_matches('/')
        }
        None => address,
    };
    let path = path.trim_end_matches('/');
    let stem = path
        .strip_suffix(".html")
        .or_else(|| path.strip_suffix(".md"))
        .unwrap_or(path);
    let clean = !stem.is_empty()
        && stem
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    clean.then(|| page_path(stem))
}

/// `sitemap.xml`: every page path (relative to the root) under `base_url`, with
/// its last-updated date when known.
pub(crate) fn sitemap(base_url: &str, pages: &[(String, Option<String>)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, date) in pages {
        let loc = if path == "index.html" {
            base_url.to_owned()
        } else {
            format!("{base_url}{}", encode_path(path))
        };
        out.push_str(&format!("  <url><loc>{}</loc>", escape(&loc)));
        if let Some(date) = date {
            out.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// The body of the generated home page: every page, as the navigation orders them.
pub(crate) fn page_list(project: &Project, nav: &Nav) -> String {
    let mut out = String::from("<p>Every page of this site, in the order of its navigation.</p>\n");
    out.push_str(&nav.outline_html(project, "index.html"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_addresses_table() {
        let cases = [
            ("/docs/old/page", "/docs", Some("old/page.html")),
            ("/docs/old/page/", "/docs", Some("old/page.html")),
            ("/docs/old/page.html", "/docs", Some("old/page.html")),
            ("/docsy/page", "/docs", None),
            ("/elsewhere/page", "/docs", None),
            ("/docs", "/docs", None),
            ("/old/page", "", Some("old/page.html")),
            ("old/page.md", "", Some("old/page.html")),
            ("/a/../b", "", None),
            ("/old?x=1#y", "", Some("old.html")),
            ("", "", None),
        ];
        for (address, base, expected) in cases {
            assert_eq!(
                old_address_path(address, base).as_deref(),
                expected,
                "{address:?} under {base:?}"
            );
        }
    }

    #[test]
    fn key_line_finds_the_setting() {
        let text = "---\ntitle: Moved\nredirect_to: /x\n---\n";
        assert_eq!(key_line(text, &REDIRECT_KEYS), (17, 32));
        assert_eq!(&text[17..32], "redirect_to: /x");
        assert_eq!(key_line("---\nredirects: 1\n", &REDIRECT_KEYS), (0, 0));
    }

    #[test]
    fn sitemap_lists_pages_with_dates() {
        let xml = sitemap(
            "https://x.org/d/",
            &[
                ("index.html".into(), None),
                ("a b.html".into(), Some("2024-05-01".into())),
            ],
        );
        assert!(xml.contains("<url><loc>https://x.org/d/</loc></url>"));
        assert!(xml.contains(
            "<url><loc>https://x.org/d/a%20b.html</loc><lastmod>2024-05-01</lastmod></url>"
        ));
    }
}
