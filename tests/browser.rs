//! End to end in headless Chromium: a built page opened from `file://` runs
//! its search and shows results, and draws the navigation.
//!
//! Skipped (with a note) when `chromium` is not installed, unless
//! `RUNSHEET_REQUIRE_BROWSER=1`, which makes a missing browser a failure.

mod common;

use std::path::Path;

/// Loads `url` in a fresh headless Chromium and returns the DOM after the page's scripts ran.
fn dump_dom(browser: &Path, url: &str) -> String {
    let out = tempfile::NamedTempFile::new().unwrap();
    let args = [
        "--virtual-time-budget=5000".to_owned(),
        "--dump-dom".to_owned(),
        url.to_owned(),
    ];
    common::run_chromium(browser, &args, Some(out.path()));
    std::fs::read_to_string(out.path()).unwrap()
}

#[test]
fn search_and_navigation_work_from_file_urls() {
    let Some(browser) = common::chromium() else {
        return;
    };
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site/basic");
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    assert_cmd::Command::cargo_bin("runsheet")
        .unwrap()
        .arg("--root")
        .arg(&fixture)
        .args(["--quiet", "build", "--out"])
        .arg(&site)
        .assert()
        .success();

    // from the root page: type "install" (through ?q=, which fills the box and runs the search)
    let url = format!("file://{}?q=install", site.join("index.html").display());
    let dom = dump_dom(&browser, &url);
    assert!(
        dom.contains("class=\"search-result\""),
        "no search result in the DOM:\n{dom}"
    );
    assert!(dom.contains("<a href=\"guide/install.html\">Install the &lt;service&gt;</a>"));
    assert!(dom.contains("<mark>install</mark>") || dom.contains("<mark>Install</mark>"));

    // from a page one folder down: links lead back up, and the navigation marks the page
    let url = format!(
        "file://{}?q=reference",
        site.join("guide/install.html").display()
    );
    let dom = dump_dom(&browser, &url);
    assert!(
        dom.contains("<a href=\"../reference.html\">Reference</a>"),
        "no relative result link:\n{dom}"
    );
    assert!(dom.contains(
        "<a href=\"../guide/install.html\" class=\"current\" aria-current=\"page\">Install the &lt;service&gt;</a>"
    ), "navigation does not mark the current page:\n{dom}");
}
