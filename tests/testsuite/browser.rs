//! End to end in headless Chromium: a built page opened from `file://` runs
//! its search and shows results, and draws the navigation.
//!
//! Skipped (with a note) when `chromium` is not installed, unless
//! `RUNSHEET_REQUIRE_BROWSER=1`, which makes a missing browser a failure.

use crate::common;

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

/// Builds the `basic` fixture into a temporary folder.
fn basic_site() -> (tempfile::TempDir, std::path::PathBuf) {
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
    (tmp, site)
}

/// The result titles of the search box, in order.
fn result_titles(dom: &str) -> Vec<String> {
    dom.split("<li class=\"search-result\"><a href=\"")
        .skip(1)
        .filter_map(|r| Some(r.split_once("\">")?.1.split_once("</a>")?.0.to_owned()))
        .collect()
}

#[test]
fn search_forgives_one_typo_and_ranks_title_matches_first() {
    let Some(browser) = common::chromium() else {
        return;
    };
    let (_tmp, site) = basic_site();
    let index = site.join("index.html");
    for (query, title) in [
        ("refrence", "Reference"),
        ("instlal", "Install the &lt;service&gt;"),
        ("refernce", "Reference"),
    ] {
        let dom = dump_dom(&browser, &format!("file://{}?q={query}", index.display()));
        assert!(
            result_titles(&dom).contains(&title.to_owned()),
            "`{query}` does not find {title}: {:?}",
            result_titles(&dom)
        );
    }
    // a word in one page's title and in another page's text: the title first
    let dom = dump_dom(&browser, &format!("file://{}?q=guide", index.display()));
    let titles = result_titles(&dom);
    assert_eq!(
        titles.first().map(String::as_str),
        Some("Guide"),
        "{titles:?}"
    );
    // short words are never guessed at
    let dom = dump_dom(&browser, &format!("file://{}?q=qzx", index.display()));
    assert!(result_titles(&dom).is_empty());
}

#[test]
fn the_theme_toggle_switches_and_is_remembered() {
    let Some(browser) = common::chromium() else {
        return;
    };
    let (_tmp, site) = basic_site();
    // a copy of the home page that presses the toggle once loaded and writes down what it sees
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    let probe = "<script>window.addEventListener('load', function () {\
        var b = document.querySelector('.theme-toggle');\
        var before = b.getAttribute('aria-pressed');\
        b.click();\
        document.body.setAttribute('data-probe', before + '|' + b.getAttribute('aria-pressed') + '|' +\
          document.documentElement.getAttribute('data-theme') + '|' + localStorage.getItem('runsheet-theme'));\
      });</script></body>";
    std::fs::write(site.join("probe.html"), html.replace("</body>", probe)).unwrap();
    let dom = dump_dom(
        &browser,
        &format!("file://{}", site.join("probe.html").display()),
    );
    // headless Chromium prefers light: pressing the toggle turns dark and remembers it
    assert!(
        dom.contains("data-probe=\"false|true|dark|dark\""),
        "{}",
        dom.lines()
            .find(|l| l.contains("data-probe"))
            .unwrap_or(&dom)
    );
}

#[test]
fn on_this_page_is_beside_the_page_from_1024_px_and_a_block_to_open_below() {
    let Some(browser) = common::chromium() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    assert_cmd::Command::cargo_bin("runsheet")
        .unwrap()
        .arg("--root")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .args(["--quiet", "build", "--out"])
        .arg(&site)
        .env("RUNSHEET_REVISION", "")
        .assert()
        .success();
    let html = std::fs::read_to_string(site.join("upgrading-major-releases.html")).unwrap();
    let probe = "<script>window.addEventListener('load', function () {\
        var shown = function (s) { var e = document.querySelector(s); return e ? getComputedStyle(e).display : 'absent'; };\
        document.body.setAttribute('data-probe', shown('.page-toc') + '|' + shown('.toc-collapsible') + '|' + shown('.sidebar'));\
      });</script></body>";
    std::fs::write(site.join("probe.html"), html.replace("</body>", probe)).unwrap();
    let url = format!("file://{}", site.join("probe.html").display());
    for (width, expected) in [
        (1280, "block|none|block"),
        (1024, "block|none|block"),
        (1000, "none|block|block"),
        (400, "none|block|none"),
    ] {
        let out = tempfile::NamedTempFile::new().unwrap();
        let args = [
            format!("--window-size={width},800"),
            "--virtual-time-budget=5000".to_owned(),
            "--dump-dom".to_owned(),
            url.clone(),
        ];
        common::run_chromium(&browser, &args, Some(out.path()));
        let dom = std::fs::read_to_string(out.path()).unwrap();
        assert!(
            dom.contains(&format!("data-probe=\"{expected}\"")),
            "at {width} px: {}",
            dom.lines()
                .find(|l| l.contains("data-probe"))
                .unwrap_or("no probe")
        );
    }
}
