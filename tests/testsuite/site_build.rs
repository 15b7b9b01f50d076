//! In-process builds of small projects: the ids of a built page, content files
//! (symlinks, paths that other products also want).

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use runsheet::internals as diagnostic;
use runsheet::internals::Files;
use runsheet::Project;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}")
}

/// Builds the project at `root` in memory: the files, the project and the diagnostics as JSON lines.
fn build(root: &Path) -> (Files, Project, Vec<serde_json::Value>) {
    let (project, mut diags) = common::load(root);
    let mut files = runsheet::internals::Files::default();
    runsheet::internals::render(&project, &mut files, &mut diags);
    diagnostic::normalize(&mut diags, &project.db);
    let json = diags
        .iter()
        .map(|d| serde_json::from_str(&diagnostic::render_json(d, &project.db)).unwrap())
        .collect();
    (files, project, json)
}

fn text(files: &Files, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .to_vec(),
    )
    .unwrap()
}

/// Every `id` attribute value of an HTML page, in order.
fn ids(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (attr, quote) in [(" id=\"", '"'), (" id='", '\'')] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find(quote).unwrap();
            found.push(rest[..end].to_owned());
        }
    }
    found
}

fn duplicates(ids: &[String]) -> Vec<&String> {
    let mut seen = BTreeSet::new();
    ids.iter().filter(|id| !seen.insert(*id)).collect()
}

/// The value of the first `attr="…"` after `marker` in `html`.
fn attr_after(html: &str, marker: &str, attr: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &html[at..];
    let start = rest.find(&format!("{attr}=\"")).unwrap() + attr.len() + 2;
    let end = start + rest[start..].find('"').unwrap();
    rest[start..end].to_owned()
}

#[test]
fn every_id_of_a_page_is_unique_even_with_headings_named_like_the_layout() {
    // the layout's own ids, as the built-in templates write them: a page with
    // the side table of contents, and a page with two `!toc`
    let probe = tempfile::tempdir().unwrap();
    write(
        probe.path(),
        "content/aside.md",
        &page("Aside", "## Qqqone\n\nA.\n\n## Qqqtwo\n\nB.\n"),
    );
    write(
        probe.path(),
        "content/inline.md",
        &page(
            "Inline",
            "!toc\n\n## Qqqone\n\nA.\n\n!toc\n\n## Qqqtwo\n\nB.\n",
        ),
    );
    let (files, _, diags) = build(probe.path());
    assert!(diags.is_empty(), "{diags:?}");
    let mut layout: BTreeSet<String> = BTreeSet::new();
    for p in ["aside.html", "inline.html"] {
        layout.extend(ids(&text(&files, p)));
    }
    layout.retain(|id| !id.starts_with("qqq"));
    assert!(layout.len() >= 5, "{layout:?}");

    // headings named like each of them, and like the ids the layout used to have
    let mut headings = String::new();
    let old = [
        "Main",
        "Search results",
        "Search input",
        "Site nav",
        "Toc title",
        "Page toc title",
    ];
    for name in layout.iter().map(String::as_str).chain(old) {
        let words: String = name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        headings.push_str(&format!("## {name}\n\nText.\n\n### {words}\n\nText.\n\n"));
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "content/aside.md", &page("Aside", &headings));
    write(
        root,
        "content/inline.md",
        &page("Inline", &format!("!toc\n\n{headings}!toc\n")),
    );
    let (files, _, diags) = build(root);
    assert!(diags.is_empty(), "{diags:?}");
    for p in ["aside.html", "inline.html"] {
        let html = text(&files, p);
        let ids = ids(&html);
        assert!(ids.len() > layout.len() + 10, "{p}: {ids:?}");
        assert_eq!(duplicates(&ids), Vec::<&String>::new(), "{p}: {ids:?}");
        // the skip link lands on `<main>`
        let skip = attr_after(&html, "class=\"skip-link\"", "href");
        let main = attr_after(&html, "<main", "id");
        assert_eq!(skip, format!("#{main}"), "{p}");
        // every `aria-labelledby` names an id of the page
        let mut rest = html.as_str();
        while let Some(i) = rest.find("aria-labelledby=\"") {
            rest = &rest[i + 17..];
            let id = &rest[..rest.find('"').unwrap()];
            assert_eq!(ids.iter().filter(|x| *x == id).count(), 1, "{p}: {id}");
        }
    }
}

#[test]
fn links_keep_their_query_string() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "runsheet.toml", "base_path = \"/docs\"\n");
    write(
        root,
        "content/index.md",
        &page(
            "Home",
            "[a](other.md?x=1#k) [b](other.md?x) [c](#own) [d](/docs/other?y=2#k) [e](?z=3)\n\n## Own\n\nText.\n",
        ),
    );
    write(root, "content/other.md", &page("Other", "## K\n\nText.\n"));
    let (files, _, diags) = build(root);
    assert!(diags.is_empty(), "{diags:?}");
    let html = text(&files, "index.html");
    for want in [
        "<a href=\"other.html?x=1#k\">a</a>",
        "<a href=\"other.html?x\">b</a>",
        "<a href=\"#own\">c</a>",
        "<a href=\"other.html?y=2#k\">d</a>",
        "<a href=\"?z=3\">e</a>",
    ] {
        assert!(html.contains(want), "no {want} in\n{html}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_content_folder_are_not_published() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.txt", "the machine's secret");
    write(outside.path(), "dir/key.txt", "a key");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "content/index.md", &page("Home", "Text.\n"));
    write(root, "content/real/notes.txt", "notes");
    write(root, "beside.txt", "in the project, not in content");
    let content = root.join("content");
    symlink(outside.path().join("secret.txt"), content.join("host.txt")).unwrap();
    symlink(outside.path().join("dir"), content.join("linked")).unwrap();
    symlink("../beside.txt", content.join("beside.txt")).unwrap();
    // links that stay inside the content folder are fine
    symlink("real/notes.txt", content.join("notes.txt")).unwrap();
    symlink("real", content.join("alias")).unwrap();
    let (files, _, diags) = build(root);

    let published: Vec<&str> = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.ends_with(".txt"))
        .collect();
    assert_eq!(
        published,
        ["alias/notes.txt", "notes.txt", "real/notes.txt"],
        "{diags:?}"
    );
    assert!(files
        .iter()
        .all(|(_, b)| !String::from_utf8_lossy(b).contains("secret")));
    let escapes: Vec<(&str, &str, u64, u64, &str)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        escapes,
        [
            ("content-escape", "content/beside.txt", 1, 1, "warning"),
            ("content-escape", "content/host.txt", 1, 1, "warning"),
            ("content-escape", "content/linked", 1, 1, "warning"),
        ]
    );
    assert!(diags.iter().all(|d| d["help"]
        .as_str()
        .unwrap()
        .starts_with("the symlink points outside the content folder")));

    // the command line shows the warning and still builds
    let out = assert_cmd::Command::cargo_bin("runsheet")
        .unwrap()
        .current_dir(root)
        .env("NO_COLOR", "1")
        .arg("build")
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("warning[content-escape]") && stderr.contains("content/host.txt"),
        "{stderr}"
    );
    assert!(!root.join("site/host.txt").exists());
    assert!(!root.join("site/linked").exists());
}

#[cfg(unix)]
#[test]
fn pages_symlinked_out_of_the_content_folder_are_not_published() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let steps = "## Leakzone\n\n1. Run leakword.\n2. Done.\n";
    write(outside.path(), "leak.md", &page("Leaktitle", steps));
    write(outside.path(), "dir/inner.md", &page("Innertitle", steps));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "content/index.md", &page("Home", "[x](leak.md)\n"));
    let content = root.join("content");
    symlink(outside.path().join("leak.md"), content.join("leak.md")).unwrap();
    symlink(outside.path().join("dir"), content.join("linked")).unwrap();
    let (files, project, diags) = build(root);

    let names: Vec<&str> = project.pages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["index"]);
    let mut codes: Vec<(&str, &str)> = diags
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            ("content-escape", "content/leak.md"),
            ("content-escape", "content/linked"),
            ("link-broken", "content/index.md"),
        ]
    );
    for (path, bytes) in files.iter() {
        let body = String::from_utf8_lossy(bytes);
        assert!(!path.contains("leak") && !path.contains("inner"), "{path}");
        for word in ["leakword", "Leaktitle", "Leakzone", "Innertitle"] {
            assert!(!body.contains(word), "{path} holds {word}");
        }
    }
    // the commands for one page do not know it either
    for command in ["plan", "checklist"] {
        assert_cmd::Command::cargo_bin("runsheet")
            .unwrap()
            .current_dir(root)
            .args([command, "leak"])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicates::str::contains("page-unknown"));
    }
}

#[test]
fn content_files_list_their_output_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "content/index.md", &page("Home", "Text.\n"));
    write(root, "content/index.html", "<p>static</p>");
    write(root, "content/plans/index.json", "{}");
    write(root, "content/assets/site.css", "body {}");
    write(root, "content/img/a b.png", "PNG");
    // sources are never copied: `.mdx` is a page, `.markdown` neither page nor file
    write(root, "content/guide.mdx", &page("Guide", "Text.\n"));
    write(root, "content/notes.markdown", "not published");
    write(root, "content/.git/config", "hidden");
    let (files, project, diags) = build(root);
    // each content file at a generated path is reported, naming both claims
    let mut collisions: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "output-collision")
        .map(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .split('`')
                .nth(1)
                .unwrap_or("")
        })
        .collect();
    collisions.sort();
    assert_eq!(
        collisions,
        ["assets/site.css", "index.html", "plans/index.json"],
        "{diags:?}"
    );
    assert_eq!(diags.len(), 3, "{diags:?}");
    let listed: Vec<(String, String)> = runsheet::internals::content_files(&project)
        .into_iter()
        .map(|f| {
            assert!(f.source.is_file(), "{f:?}");
            assert!(
                f.source.is_absolute() || f.source.starts_with(root),
                "{f:?}"
            );
            (f.output, f.display)
        })
        .collect();
    let pair = |o: &str| (o.to_owned(), format!("content/{o}"));
    assert_eq!(
        listed,
        [
            pair("assets/site.css"),
            pair("img/a b.png"),
            pair("index.html"),
            pair("plans/index.json"),
        ]
    );
    // what wins a shared path is unchanged (a later check reports the collision)
    assert!(text(&files, "index.html").contains("<!doctype html>"));
    assert_ne!(text(&files, "assets/site.css"), "body {}");
    assert_eq!(text(&files, "img/a b.png"), "PNG");
    assert!(text(&files, "guide.html").contains("<!doctype html>"));
    assert!(!files
        .iter()
        .any(|(p, _)| p.ends_with(".mdx") || p.ends_with(".markdown")));
}

#[test]
fn check_links_reports_what_a_build_reports_for_one_page() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "runsheet.toml", "base_path = \"/docs\"\n");
    write(
        root,
        "content/index.md",
        &page(
            "Home",
            "See [gone](gone.md), [a](guide.md#nope), [ok](guide.md#steps), ![img](img/missing.png),\n\
             <https://x.org/gone.md>, [ext](https://x.org) and [self](#home-part).\n\n\
             ## Home part\n\nText.\n\n!include <links>\n",
        ),
    );
    write(
        root,
        "partials/links.md",
        "Then [a gone page](/docs/gone/page) and ![ok](img/there.png).\n",
    );
    write(root, "content/img/there.png", "PNG");
    write(
        root,
        "content/guide.md",
        &page("Guide", "## Steps\n\n[broken](nowhere.md)\n"),
    );
    let (_, project, built) = build(root);
    let from_build = |file: &str| -> Vec<serde_json::Value> {
        built
            .iter()
            .filter(|d| d["code"] == "link-broken" || d["code"] == "anchor-broken")
            .filter(|d| {
                d["file"] == file
                    || (file == "content/index.md" && d["file"] == "partials/links.md")
            })
            .cloned()
            .collect()
    };
    for (name, file, count) in [
        ("index", "content/index.md", 4),
        ("guide", "content/guide.md", 1),
    ] {
        let mut diags = Vec::new();
        runsheet::internals::check_links(&project, project.page(name).unwrap(), &mut diags);
        diagnostic::normalize(&mut diags, &project.db);
        let json: Vec<serde_json::Value> = diags
            .iter()
            .map(|d| serde_json::from_str(&diagnostic::render_json(d, &project.db)).unwrap())
            .collect();
        assert_eq!(json.len(), count, "{name}: {json:#?}");
        assert_eq!(json, from_build(file), "{name}");
    }
}

#[test]
fn search_text_keeps_words_of_nested_blocks_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "content/s.md",
        &page(
            "S",
            "- Sub two.\n  - bullet inside\n- sub with code\n  ```\n  ls -la\n  ```\n",
        ),
    );
    let (files, _, _) = build(root);
    let index = text(&files, "search-index.json");
    assert!(
        index.contains("Sub two. bullet inside sub with code ls -la"),
        "{index}"
    );
}

/// `to`, a relative URL written in the page at `from` (both relative to the
/// site root), as a path relative to the site root, without query or fragment.
fn resolve_url(from: &str, to: &str) -> String {
    let to = to.split(['#', '?']).next().unwrap();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in to.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn every_page_links_its_own_plan_and_checklist() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let steps = "## Steps\n\n1. One.\n2. Two.\n";
    write(root, "content/index.md", &page("Home", steps));
    write(root, "content/ops/index.md", &page("Ops", steps));
    write(root, "content/ops/backup.md", &page("Backup", steps));
    write(root, "content/plans.md", &page("Plans", "No steps.\n"));
    let (files, project, diags) = build(root);
    assert!(diags.is_empty(), "{diags:?}");
    for p in &project.pages {
        let path = format!("{}.html", p.name);
        let html = text(&files, &path);
        let plan = resolve_url(&path, &attr_after(&html, "class=\"action\"", "href"));
        let json: serde_json::Value = serde_json::from_str(&text(&files, &plan)).unwrap();
        assert_eq!(json["page"]["name"], p.name.as_str(), "{path} links {plan}");
        if p.name == "plans" {
            assert!(!html.contains("Printable checklist"), "{path}");
            continue;
        }
        let checklist = resolve_url(
            &path,
            &attr_after(&html, "class=\"action action-primary\"", "href"),
        );
        assert_eq!(checklist, format!("checklists/{}.html", p.name), "{path}");
        assert!(files.get(&checklist).is_some(), "{path} links {checklist}");
    }
}

#[test]
fn html_ids_in_code_are_not_anchors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let body = "<div id=\"block-anchor\">\nBlock.\n</div>\n\n\
                Inline <span id='inline-anchor'>x</span> and <a\nNAME=\"named\"></a>.\n\n\
                ```html\n<a id=\"fenced\"></a>\n```\n\n\
                \x20   <a id=\"indented\"></a>\n\n\
                `<a id=\"span\"></a>` and <!-- <a id=\"comment\"></a> -->\n\n\
                [a](#block-anchor) [b](#inline-anchor) [c](#named)\n\
                [d](#fenced) [e](#indented) [f](#span) [g](#comment)\n";
    write(root, "content/a.md", &page("A", body));
    let (_, _, diags) = build(root);
    let broken: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "anchor-broken")
        .map(|d| d["message"].as_str().unwrap().rsplit('#').next().unwrap())
        .collect();
    assert_eq!(
        broken,
        ["fenced`", "indented`", "span`", "comment`"],
        "{diags:#?}"
    );
    assert_eq!(diags.len(), 4, "{diags:#?}");
}

/// `(code, line, column)` of every diagnostic, sorted.
fn positions(diags: &[serde_json::Value]) -> Vec<(String, u64, u64)> {
    let mut found: Vec<(String, u64, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn raw_html_links_are_rewritten_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "runsheet.toml", "base_path = \"/docs\"\n");
    write(
        root,
        "content/guide/install.md",
        &page(
            "Install",
            "<div class=\"pager\">\n\
             <span><a class=\"btn\" href=\"/docs/other\">Previous</a></span>\n\
             <span><a class=\"btn\" HREF='../other.md?x=1&amp;y=2#k' target=\"_blank\">Next</a></span>\n\
             <a class=\"multi\"\n   href=\"/docs/other/\">Multi</a>\n\
             </div>\n\n\
             Inline <a title=\"t\" href=\"../other.md#nope\">bad anchor</a>, \
             <a href=\"gone.md\">gone</a>, <a href=\"https://x.org/a.md\">ext</a>,\n\
             <a href=../other.md>unquoted</a> and <a href=\"#own\">own</a>.\n\n\
             - item <a href=\"/docs/gone/page\">in a list</a>\n\n\
             > <a href=\"../other.md\">quoted</a>\n\n\
             ```html\n<a href=\"gone-in-code.md\">code</a>\n```\n\n\
             `<a href=\"gone-in-span.md\">` <!-- <a href=\"gone-in-comment.md\"> -->\n\n\
             ## Own\n\n!include <nav>\n",
        ),
    );
    write(
        root,
        "partials/nav.md",
        "<p><a href=\"/docs/missing\">from a partial</a></p>\n",
    );
    write(root, "content/other.md", &page("Other", "## K\n\nText.\n"));
    let (files, project, diags) = build(root);
    let html = text(&files, "guide/install.html");
    for want in [
        "<a class=\"btn\" href=\"../other.html\">Previous</a>",
        "<a class=\"btn\" HREF='../other.html?x=1&amp;y=2#k' target=\"_blank\">Next</a>",
        "<a class=\"multi\"\n   href=\"../other.html\">Multi</a>",
        "<a title=\"t\" href=\"../other.html#nope\">bad anchor</a>",
        "<a href=\"gone.md\">gone</a>",
        "<a href=\"https://x.org/a.md\">ext</a>",
        "<a href=\"../other.html\">unquoted</a>",
        "<a href=\"#own\">own</a>",
        "<a href=\"../other.html\">quoted</a>",
        "&lt;a href=\"gone-in-code.md\"&gt;code",
        "<a href=\"/docs/missing\">from a partial</a>",
    ] {
        assert!(html.contains(want), "no {want} in\n{html}");
    }
    let at = |file: &str| -> Vec<(String, u64, u64)> {
        let of_file: Vec<serde_json::Value> = diags
            .iter()
            .filter(|d| d["file"] == file)
            .cloned()
            .collect();
        positions(&of_file)
    };
    let warning = |code: &str, line, column| (code.to_owned(), line, column);
    assert_eq!(
        at("content/guide/install.md"),
        [
            warning("anchor-broken", 12, 27),
            warning("link-broken", 12, 70),
            warning("link-broken", 15, 17),
        ],
        "{diags:#?}"
    );
    assert_eq!(at("partials/nav.md"), [warning("link-broken", 1, 13)]);
    assert_eq!(diags.len(), 4, "{diags:#?}");
    // `plan` and `checklist` report the same through `check_links`
    let mut one = Vec::new();
    let page = project.page("guide/install").unwrap();
    runsheet::internals::check_links(&project, page, &mut one);
    assert_eq!(one.len(), 4, "{one:?}");
}

#[test]
fn a_width_title_sizes_the_image() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "content/a.md",
        &page(
            "A",
            "![The *environments* area](img/a.png \"width=500\")\n\n\
             ![](img/a.png 'width = 640px') and [![Linked](img/a.png \"width=20\")](b.md)\n\n\
             ![Titled](img/a.png \"A real title\") ![Odd](img/a.png \"width=50%\")\n",
        ),
    );
    write(root, "content/b.md", &page("B", "Text.\n"));
    write(root, "content/img/a.png", "PNG");
    let (files, _, diags) = build(root);
    assert!(diags.is_empty(), "{diags:?}");
    let html = text(&files, "a.html");
    for want in [
        "<img src=\"img/a.png\" alt=\"The environments area\" width=\"500\" />",
        "<img src=\"img/a.png\" alt=\"\" width=\"640\" />",
        "<a href=\"b.html\"><img src=\"img/a.png\" alt=\"Linked\" width=\"20\" /></a>",
        "<img src=\"img/a.png\" alt=\"Titled\" title=\"A real title\" />",
        "<img src=\"img/a.png\" alt=\"Odd\" title=\"width=50%\" />",
    ] {
        assert!(html.contains(want), "no {want} in\n{html}");
    }
    let sized = html.replace("title=\"width=50%\"", "");
    assert!(!sized.contains("title=\"width"), "{html}");
}

#[test]
fn escaped_heading_ids_work_like_heading_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "content/a.md",
        &page(
            "A",
            "!toc\n\n## Next steps \\{#next-steps}\n\n1. Go [there](#next-steps).\n2. Then [here](#setext).\n\n\
             Setext title \\{#setext}\n---\n\nText with \\{#not-an-id} stays.\n\n\
             ```\n## Code \\{#code}\n```\n",
        ),
    );
    let (files, project, diags) = build(root);
    assert!(diags.is_empty(), "{diags:#?}");
    let html = text(&files, "a.html");
    for want in [
        "<h2 id=\"next-steps\">Next steps <a class=\"anchor\" href=\"#next-steps\"",
        "<h2 id=\"setext\">Setext title <a class=\"anchor\"",
        "<li><a href=\"#next-steps\">Next steps</a>",
        "Text with {#not-an-id} stays.",
        "## Code \\{#code}",
    ] {
        assert!(html.contains(want), "no {want} in\n{html}");
    }
    let mut diags = Vec::new();
    let plan = runsheet::plan::plan(&project, project.page("a").unwrap(), &mut diags);
    let procedure = &plan.procedures[0];
    assert_eq!(procedure.title.as_deref(), Some("Next steps"));
    assert_eq!(procedure.heading_path, ["Next steps"]);
    assert_eq!(procedure.id, "next-steps");
}

#[test]
fn ui_paths_read_as_paths_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "content/a.md",
        &page(
            "A",
            "## Go to {{Infrastructure,Deployment Targets}}\n\n\
             1. In the UI, go to **{{Configuration, Nodes}}** and click.\n\
             2. Open {{Library>Packages>Package Indexing}} now.\n\n   \
             :::hint\n   Find it under {{Tenants,Tags *x*}}.\n   :::\n\
             3. Keep `{{Not,A Path}}`, {{ template, var }} and {{single}}.\n\n\
             ```\n{{In,Code}}\n```\n",
        ),
    );
    let (files, project, diags) = build(root);
    assert!(diags.is_empty(), "{diags:#?}");
    let html = text(&files, "a.html");
    for want in [
        "Go to <span class=\"ui-path\">Infrastructure › Deployment Targets</span>",
        "<strong><span class=\"ui-path\">Configuration › Nodes</span></strong>",
        "<span class=\"ui-path\">Library › Packages › Package Indexing</span>",
        "<span class=\"ui-path\">Tenants › Tags *x*</span>",
        "<code>{{Not,A Path}}</code>, {{ template, var }} and {{single}}.",
        "<code>{{In,Code}}\n</code>",
    ] {
        assert!(html.contains(want), "no {want} in\n{html}");
    }
    let css = text(&files, "assets/site.css");
    assert!(css.contains(".ui-path"), "no .ui-path style");

    let mut diags = Vec::new();
    let plan = runsheet::plan::plan(&project, project.page("a").unwrap(), &mut diags);
    let procedure = &plan.procedures[0];
    assert_eq!(
        procedure.title.as_deref(),
        Some("Go to Infrastructure › Deployment Targets")
    );
    let steps: Vec<&str> = procedure.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        steps,
        [
            "In the UI, go to Configuration › Nodes and click.",
            "Open Library › Packages › Package Indexing now.",
            "Keep {{Not,A Path}}, {{ template, var }} and {{single}}.",
        ]
    );
    // the plan's Markdown is the source as written
    assert!(procedure.steps[0]
        .markdown
        .contains("**{{Configuration, Nodes}}**"));

    let txt = text(&files, "checklists/a.txt");
    let md = text(&files, "checklists/a.md");
    let sheet = text(&files, "checklists/a.html");
    for (form, body) in [("txt", &txt), ("md", &md), ("html", &sheet)] {
        for want in [
            "Configuration › Nodes",
            "Library › Packages › Package Indexing",
            "Tenants › Tags",
        ] {
            assert!(
                body.contains(want),
                "no {want} in the {form} checklist:\n{body}"
            );
        }
        assert!(!body.contains("{{Configuration"), "{form}:\n{body}");
    }
    assert!(md.contains("**Configuration › Nodes**"), "{md}");

    let search = text(&files, "search-index.json");
    for want in [
        "Go to Infrastructure › Deployment Targets",
        "go to Configuration › Nodes and click",
    ] {
        assert!(search.contains(want), "no {want} in {search}");
    }
}
