//! End to end in headless Chromium: a built page opened from `file://` runs
//! its search and shows results, and draws the navigation.
//!
//! Skipped (with a note) when `chromium` is not installed, unless
//! `RUNSHEET_REQUIRE_BROWSER=1`, which makes a missing browser a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn find_browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Loads `url` in a fresh headless Chromium and returns the DOM after the page's scripts ran.
fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::from(out.reopen().unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(out.path()).unwrap()
}

#[test]
fn search_and_navigation_work_from_file_urls() {
    let Some(browser) = find_browser() else {
        if std::env::var_os("RUNSHEET_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
            panic!("RUNSHEET_REQUIRE_BROWSER=1 but no `chromium` on PATH");
        }
        eprintln!("note: skipping the browser test: `chromium` is not installed");
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
