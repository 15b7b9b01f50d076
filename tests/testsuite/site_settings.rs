//! The real binary: site settings and flags, last-updated dates from git,
//! redirect pages and the generated home page.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.env_remove("NO_COLOR").env("RUNSHEET_REVISION", "");
    cmd
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn read(root: &Path, rel: &str) -> String {
    fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Runs git in `dir` with a fixed identity; `date` sets both commit dates.
fn git(dir: &Path, args: &[&str], date: &str) {
    let ok = Process::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

fn page(title: &str) -> String {
    format!("---\ntitle: {title}\n---\n\nText of {title}.\n")
}

#[test]
fn last_updated_comes_from_the_last_commit_of_the_page() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "content/index.md", &page("Home"));
    write(root, "content/a.md", &page("A"));
    git(root, &["init", "-q", "."], "2021-03-04T10:00:00+00:00");
    git(root, &["add", "."], "2021-03-04T10:00:00+00:00");
    git(root, &["commit", "-qm", "one"], "2021-03-04T10:00:00+00:00");
    write(root, "content/a.md", &page("A again"));
    git(root, &["add", "."], "2022-05-06T23:30:00-05:00");
    git(root, &["commit", "-qm", "two"], "2022-05-06T23:30:00-05:00");
    // uncommitted: a new page, and a change to the home page
    write(root, "content/new.md", &page("New"));
    write(root, "content/index.md", &page("Home, edited"));
    let build = |out: &str| {
        runsheet()
            .arg("--root")
            .arg(root)
            .args(["build", "--quiet", "--out", out])
            .current_dir(root)
            .assert()
            .success();
    };
    build("site");
    let a = read(root, "site/a.html");
    assert!(
        a.contains("Last updated <time datetime=\"2022-05-06\">2022-05-06</time>"),
        "{a}"
    );
    assert!(read(root, "site/index.html").contains("datetime=\"2021-03-04\""));
    assert!(!read(root, "site/new.html").contains("Last updated"));
    // the same history gives the same bytes
    build("again");
    assert_eq!(read(root, "site/a.html"), read(root, "again/a.html"));
    // and the setting turns it off
    write(root, "runsheet.toml", "last_updated = false\n");
    build("off");
    assert!(!read(root, "off/a.html").contains("Last updated"));
}

#[test]
fn no_dates_outside_a_git_checkout() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "content/index.md", &page("Home"));
    runsheet()
        .arg("--root")
        .arg(tmp.path())
        .args(["build", "--quiet"])
        .env("GIT_CEILING_DIRECTORIES", tmp.path().parent().unwrap())
        .assert()
        .success();
    assert!(!read(tmp.path(), "site/index.html").contains("Last updated"));
}

#[test]
fn flags_beat_the_settings_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "content/index.md", &page("Home"));
    write(root, "content/ops/run.md", &page("Run"));
    write(
        root,
        "runsheet.toml",
        "title = \"From the file\"\nbase_url = \"https://file.example.com\"\nedit_url = \"https://e.example.com/{path}\"\n",
    );
    runsheet()
        .arg("--root")
        .arg(root)
        .args(["build", "--quiet"])
        .args([
            "--title",
            "From a flag",
            "--base-url",
            "https://flag.example.com/docs/",
        ])
        .assert()
        .success();
    let run = read(root, "site/ops/run.html");
    assert!(run.contains("<title>Run · From a flag</title>"), "{run}");
    assert!(run
        .contains("<link rel=\"canonical\" href=\"https://flag.example.com/docs/ops/run.html\">"));
    assert!(run.contains("<a class=\"edit-link\" href=\"https://e.example.com/content/ops/run.md\">Edit this page</a>"));
    let sitemap = read(root, "site/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://flag.example.com/docs/</loc>"),
        "{sitemap}"
    );
    assert!(sitemap.contains("<loc>https://flag.example.com/docs/ops/run.html</loc>"));
    assert!(read(root, "site/404.html")
        .contains("href=\"https://flag.example.com/docs/assets/site.css\""));
}

#[test]
fn without_base_url_no_sitemap_and_404_links_from_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "content/index.md", &page("Home"));
    runsheet()
        .arg("--root")
        .arg(tmp.path())
        .args(["build", "--quiet"])
        .assert()
        .success();
    assert!(!tmp.path().join("site/sitemap.xml").exists());
    let not_found = read(tmp.path(), "site/404.html");
    assert!(
        not_found.contains("href=\"/assets/site.css\""),
        "{not_found}"
    );
    assert!(!read(tmp.path(), "site/index.html").contains("rel=\"canonical\""));
}

#[test]
fn a_missing_favicon_or_logo_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "content/index.md", &page("Home"));
    write(
        tmp.path(),
        "runsheet.toml",
        "favicon = \"icon.png\"\nlogo = \"img/logo.svg\"\n",
    );
    runsheet()
        .arg("--root")
        .arg(tmp.path())
        .args(["check", "--strict"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("`favicon = \"icon.png\"` in runsheet.toml names no file")
                .and(predicate::str::contains("`logo = \"img/logo.svg\"`")),
        );
    write(tmp.path(), "content/icon.png", "png");
    write(tmp.path(), "content/img/logo.svg", "<svg/>");
    runsheet()
        .arg("--root")
        .arg(tmp.path())
        .args(["check", "--strict"])
        .assert()
        .success();
}

#[test]
fn redirect_pages_have_no_plan_checklist_navigation_or_search_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "content/index.md", &page("Home"));
    write(
        root,
        "content/new.md",
        "---\ntitle: New\n---\n\n## Steps\n\n1. One.\n2. Two.\n",
    );
    write(
        root,
        "content/old.md",
        "---\ntitle: Redirect\nredirect: /docs/new\n---\n\n1. A leftover step.\n",
    );
    write(root, "runsheet.toml", "base_path = \"/docs\"\n");
    runsheet()
        .arg("--root")
        .arg(root)
        .args(["check", "--strict"])
        .assert()
        .success();
    runsheet()
        .arg("--root")
        .arg(root)
        .args(["build", "--quiet"])
        .assert()
        .success();
    let old = read(root, "site/old.html");
    assert!(
        old.contains("<meta http-equiv=\"refresh\" content=\"0; url=new.html\">"),
        "{old}"
    );
    assert!(old.contains("<link rel=\"canonical\" href=\"new.html\">"));
    assert!(old.contains("<a href=\"new.html\">New</a>"));
    assert!(!root.join("site/plans/old.json").exists());
    assert!(!root.join("site/checklists/old.html").exists());
    assert!(root.join("site/checklists/new.html").exists());
    assert!(!read(root, "site/plans/index.json").contains("\"old\""));
    assert!(!read(root, "site/assets/nav.js").contains("old.html"));
    assert!(!read(root, "site/search-index.json").contains("old.html"));
    // nor from the commands that take one page
    runsheet()
        .arg("--root")
        .arg(root)
        .args(["checklist", "old"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("checklist-empty"));
    runsheet()
        .arg("--root")
        .arg(root)
        .args(["plan", "old"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"procedures\": []"));
}

#[test]
fn the_sample_guide_builds_strict_and_clean() {
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide");
    if !guide.join("content").is_dir() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    runsheet()
        .arg("--root")
        .arg(&guide)
        .args(["check", "-q", "--strict"])
        .assert()
        .success()
        .stderr("");
    runsheet()
        .arg("--root")
        .arg(&guide)
        .args(["build", "--strict", "--quiet", "--out"])
        .arg(tmp.path().join("guide"))
        .assert()
        .success();
}
