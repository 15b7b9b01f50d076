//! Command-line tests of the site: link checking, templates, output safety.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn runsheet(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.current_dir(root).env("NO_COLOR", "1");
    cmd
}

/// A small valid project.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\n\nSee [the guide](guide.md).\n",
    );
    write(
        root,
        "content/guide.md",
        "---\ntitle: Guide\nowner: ops\n---\n\n## Steps\n\n1. Do it.\n",
    );
    tmp
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect()
}

#[test]
fn broken_links_are_reported_where_they_are_written() {
    let tmp = project();
    let root = tmp.path();
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\n\nIntro.\n\n!include <links>\n\nSee [steps](guide.md#step) and [ok](guide.md#steps).\n",
    );
    write(
        root,
        "partials/links.md",
        "First line.\nThen [a gone page](/docs/gone/page) here.\n",
    );
    write(root, "runsheet.toml", "base_path = \"/docs\"\n");
    let out = runsheet(root)
        .args(["check", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let diags = json_lines(&out);
    let find = |code: &str| {
        diags
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in {diags:?}"))
    };
    let broken = find("link-broken");
    assert_eq!(broken["severity"], "warning");
    assert_eq!(broken["file"], "partials/links.md");
    assert_eq!(
        (broken["line"].as_u64(), broken["column"].as_u64()),
        (Some(2), Some(6))
    );
    assert_eq!(broken["included_from"][0]["file"], "content/index.md");
    assert_eq!(broken["included_from"][0]["line"], 7);
    let anchor = find("anchor-broken");
    assert_eq!(anchor["file"], "content/index.md");
    assert_eq!(
        (anchor["line"].as_u64(), anchor["column"].as_u64()),
        (Some(9), Some(5))
    );
    assert_eq!(anchor["help"], "did you mean `#steps`?");
    assert_eq!(diags.len(), 2, "{diags:?}");

    // --strict makes them errors: the build fails and writes nothing
    runsheet(root)
        .args(["build", "--strict"])
        .assert()
        .code(1)
        .stderr(contains("error[link-broken]"));
    assert!(!root.join("site").exists());
}

#[test]
fn project_templates_override_the_built_in_ones() {
    let tmp = project();
    let root = tmp.path();
    write(
        root,
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}<p class=\"mine\">{{ page.title }} by {{ page.meta.owner }}</p>{% endblock %}\n",
    );
    write(root, "templates/assets/site.css", "body { color: red }\n");
    write(root, "templates/assets/logo.svg", "<svg/>");
    runsheet(root).arg("build").assert().success();
    let guide = fs::read_to_string(root.join("site/guide.html")).unwrap();
    assert!(
        guide.contains("<p class=\"mine\">Guide by ops</p>"),
        "{guide}"
    );
    assert_eq!(
        fs::read_to_string(root.join("site/assets/site.css")).unwrap(),
        "body { color: red }\n"
    );
    assert!(root.join("site/assets/logo.svg").is_file());
    assert!(
        root.join("site/assets/site.js").is_file(),
        "built-in assets stay"
    );
}

#[test]
fn template_errors_point_at_the_template_line() {
    let tmp = project();
    let root = tmp.path();
    write(
        root,
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n<p>{{ page.title | nosuchfilter }}</p>\n{% endblock %}\n",
    );
    let out = runsheet(root)
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let diags = json_lines(&out);
    let d = diags
        .iter()
        .find(|d| d["code"] == "template-error")
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(d["file"], "templates/page.html");
    assert_eq!(d["line"], 3);
    assert!(
        d["message"].as_str().unwrap().contains("nosuchfilter"),
        "{d}"
    );

    write(root, "templates/page.html", "ok\n\n{% if %}\n");
    runsheet(root)
        .arg("build")
        .assert()
        .code(1)
        .stderr(contains("error[template-error]"))
        .stderr(contains("templates/page.html:3:"));
    assert!(!root.join("site").exists());
}

#[test]
fn a_failed_build_keeps_the_previous_site() {
    let tmp = project();
    let root = tmp.path();
    runsheet(root).arg("build").assert().success();
    let before = fs::read(root.join("site/guide.html")).unwrap();
    write(
        root,
        "content/guide.md",
        "---\ntitle: Guide v2\n---\n\n!include <missing-partial>\n",
    );
    runsheet(root)
        .arg("build")
        .assert()
        .code(1)
        .stderr(contains("nothing written"));
    assert_eq!(fs::read(root.join("site/guide.html")).unwrap(), before);
    assert!(root.join("site/index.html").is_file());
    assert!(root.join("site/.runsheet-output").is_file());
}

#[test]
fn a_foreign_output_folder_is_refused_and_left_alone() {
    let tmp = project();
    let root = tmp.path();
    write(root, "mine/notes.txt", "keep me");
    runsheet(root)
        .args(["build", "--out", "mine"])
        .assert()
        .code(1)
        .stderr(contains("output-refused"));
    let entries: Vec<_> = fs::read_dir(root.join("mine")).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        fs::read_to_string(root.join("mine/notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn content_files_are_copied_and_sources_are_not() {
    let tmp = project();
    let root = tmp.path();
    write(root, "content/img/shot.png", "PNG");
    write(
        root,
        "content/new.mdx",
        "---\ntitle: New\n---\nimport X from 'y'\n\nText.\n",
    );
    write(root, "content/draft.markdown", "not a page");
    write(root, "content/.hidden/secret.txt", "no");
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\n\n![shot](img/shot.png) and ![abs](/img/shot.png)\n",
    );
    runsheet(root).arg("build").assert().success();
    assert_eq!(
        fs::read_to_string(root.join("site/img/shot.png")).unwrap(),
        "PNG"
    );
    // an `.mdx` file is a page, never copied; `.markdown` is neither
    assert!(root.join("site/new.html").is_file());
    assert!(!root.join("site/new.mdx").exists());
    assert!(!root.join("site/draft.markdown").exists());
    assert!(!root.join("site/.hidden").exists());
    let index = fs::read_to_string(root.join("site/index.html")).unwrap();
    assert_eq!(index.matches("src=\"img/shot.png\"").count(), 2, "{index}");
    for file in [
        "search-index.json",
        "assets/search-index.js",
        "assets/nav.js",
    ] {
        assert!(root.join("site").join(file).is_file(), "{file}");
    }
}
