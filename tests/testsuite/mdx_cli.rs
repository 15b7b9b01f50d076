//! MDX pages through the real binary: `--page-formats` and `page_formats`,
//! twins (`a.md` beside `a.mdx`), and `check`, `plan`, `checklist`, `build`,
//! `diff` and `serve` on `.mdx` pages that import partials as components.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn runsheet(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.arg("--root").arg(root).arg("--color").arg("never");
    cmd
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const GUIDE_MDX: &str = "\
---
title: Restoring the archive (MDX)
navOrder: 4
---
import StopWriters from 'partials/stop-writers.include.md';
import Image from 'src/components/Image.astro';

{/* checked every quarter */}

## Restore

1. Stop the writers.

   <StopWriters />

1. Copy the archive back:

   <Image
     src=\"/restore.png\"
     alt=\"The restore screen\"
   />
1. Start the writers.
";

const GUIDE_MD: &str = "\
---
title: Restoring the archive (Markdown)
---

## Restore

1. Stop the writers.

   !include <stop-writers>

1. Copy the archive back.
1. Start the writers.
";

const STOP_WRITERS: &str = "1. Pause the queue.\n1. Wait for the last write.\n";

/// A project with `content/guide.mdx` and, with `twin`, `content/guide.md`.
fn project(twin: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "content/guide.mdx", GUIDE_MDX);
    write(root, "content/restore.png", "image\n");
    write(root, "partials/stop-writers.include.md", STOP_WRITERS);
    if twin {
        write(root, "content/guide.md", GUIDE_MD);
    }
    tmp
}

fn title_of_plan(root: &Path, args: &[&str]) -> String {
    let out = runsheet(root)
        .args(["plan", "guide"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plan: Value = serde_json::from_slice(&out).unwrap();
    plan["page"]["title"].as_str().unwrap().to_owned()
}

#[test]
fn twins_collide_until_a_form_is_chosen() {
    let tmp = project(true);
    let root = tmp.path();
    runsheet(root)
        .arg("check")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("error[output-collision]: `content/guide.md` and `content/guide.mdx` are the same page `guide` in two forms"))
        .stderr(predicate::str::contains("--> content/guide.md:1:1"));
    runsheet(root)
        .args(["plan", "guide"])
        .assert()
        .code(1)
        .stdout("");
    for forms in ["mdx", "md", "mdx,md", "md,mdx"] {
        runsheet(root)
            .args(["check", "-q", "--page-formats", forms])
            .assert()
            .success()
            .stderr("");
    }
    assert_eq!(
        title_of_plan(root, &["--page-formats", "mdx,md"]),
        "Restoring the archive (MDX)"
    );
    assert_eq!(
        title_of_plan(root, &["--page-formats", "md,mdx"]),
        "Restoring the archive (Markdown)"
    );
    write(root, "runsheet.toml", "page_formats = [\"md\"]\n");
    assert_eq!(title_of_plan(root, &[]), "Restoring the archive (Markdown)");
    assert_eq!(
        title_of_plan(root, &["--page-formats", "mdx"]),
        "Restoring the archive (MDX)",
        "the flag beats the file"
    );
}

#[test]
fn page_formats_values_are_checked() {
    let tmp = project(false);
    let root = tmp.path();
    runsheet(root)
        .args(["check", "--page-formats", "txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'txt'"));
    write(root, "runsheet.toml", "strict = true\npage_formats = []\n");
    runsheet(root)
        .arg("check")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error[config-invalid]: `page_formats` lists no form",
        ))
        .stderr(predicate::str::contains("--> runsheet.toml:2:1"));
    write(root, "runsheet.toml", "page_formats = [\"markdown\"]\n");
    runsheet(root)
        .arg("check")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[config-invalid]"))
        .stderr(predicate::str::contains("page_formats"));
}

#[test]
fn check_plan_and_checklist_read_mdx_pages() {
    let tmp = project(false);
    let root = tmp.path();
    runsheet(root)
        .args(["check", "-q"])
        .assert()
        .success()
        .stderr("");
    let out = runsheet(root)
        .args(["plan", "content/guide.mdx"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plan: runsheet::plan::Plan = serde_json::from_slice(&out).unwrap();
    let step = &plan.procedures[0].steps[0];
    let sub = &step.substeps[0];
    assert_eq!(sub.text, "Pause the queue.");
    assert_eq!(sub.source.file, "partials/stop-writers.include.md");
    let chain: Vec<(&str, usize)> = sub
        .source
        .included_from
        .iter()
        .map(|site| (site.file.as_str(), site.line))
        .collect();
    assert_eq!(chain, [("content/guide.mdx", 14)]);
    let image = &plan.procedures[0].steps[1].content[1];
    assert_eq!(image.kind, runsheet::internals::BlockKind::Image);
    assert_eq!(image.markdown, "![The restore screen](/restore.png)");
    assert!(plan.page.meta.is_empty());
    let text = String::from_utf8(out).unwrap();
    for mdx in ["import ", "<StopWriters", "<Image", "checked every quarter"] {
        assert!(!text.contains(mdx), "{mdx} in the plan");
    }
    for format in ["text", "md", "html"] {
        let out = runsheet(root)
            .args(["checklist", "guide", "--format", format])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Wait for the last write."), "{format}");
        assert!(!text.contains("StopWriters"), "{format}");
    }
}

#[test]
fn an_image_component_is_link_checked_where_it_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "content/page.mdx",
        "---\ntitle: Page\n---\nimport Image from 'Image.astro';\n\nIntro.\n\n  <Image\n    alt=\"Gone\"\n    src=\"/gone.png\"\n  />\n",
    );
    runsheet(root)
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning[link-broken]: link `/gone.png` goes nowhere",
        ))
        .stderr(predicate::str::contains("--> content/page.mdx:8:3"));
}

#[test]
fn build_writes_the_partials_text_and_no_mdx() {
    let tmp = project(false);
    let root = tmp.path();
    runsheet(root)
        .args(["build", "--out"])
        .arg(root.join("site"))
        .assert()
        .success();
    let html = fs::read_to_string(root.join("site/guide.html")).unwrap();
    assert!(html.contains("Wait for the last write."));
    assert!(html.contains(r#"<img src="restore.png" alt="The restore screen" />"#));
    for mdx in [
        "import ",
        "StopWriters",
        "&lt;Image",
        "checked every quarter",
    ] {
        assert!(!html.contains(mdx), "{mdx} in the HTML");
    }
    assert!(root.join("site/checklists/guide.txt").is_file());
    assert!(
        !root.join("site/guide.mdx").exists(),
        "sources are not copied"
    );
}

#[test]
fn diff_compares_mdx_projects_and_their_partials() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    for side in [&old, &new] {
        write(side, "content/guide.mdx", GUIDE_MDX);
        write(side, "content/restore.png", "image\n");
    }
    write(&old, "partials/stop-writers.include.md", STOP_WRITERS);
    write(
        &new,
        "partials/stop-writers.include.md",
        "1. Pause the queue.\n1. Wait for the last write to finish.\n",
    );
    Command::cargo_bin("runsheet")
        .unwrap()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Wait for the last write to finish.",
        ))
        .stdout(predicate::str::starts_with("guide\n"));
    // both forms side by side: the flag picks the form on both sides
    write(&old, "content/guide.md", GUIDE_MD);
    Command::cargo_bin("runsheet")
        .unwrap()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("output-collision"));
    Command::cargo_bin("runsheet")
        .unwrap()
        .args(["diff", "--page-formats", "mdx"])
        .arg(&old)
        .arg(&new)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Wait for the last write to finish.",
        ));
}

/// The server process, stopped when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GET `path` on the loopback port: status and body, or `None` while nothing answers.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n")?.1.to_owned()))
}

/// Polls `path` until `check` accepts the answer; panics after `secs` seconds.
fn wait_for(port: u16, path: &str, secs: u64, check: impl Fn(u16, &str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = None;
    while Instant::now() < deadline {
        if let Some((status, body)) = get(port, path) {
            if check(status, &body) {
                return body;
            }
            last = Some((status, body));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {path}; last response: {last:?}");
}

#[test]
fn serve_rebuilds_when_an_imported_partial_changes() {
    let tmp = project(false);
    let root = tmp.path();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("runsheet"))
            .arg("--root")
            .arg(root)
            .args(["serve", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("runsheet serve starts"),
    );
    let page = wait_for(port, "/guide.html", 30, |s, b| {
        s == 200 && b.contains("Wait for the last write.")
    });
    assert!(!page.contains("StopWriters"));
    write(
        root,
        "partials/stop-writers.include.md",
        "1. Pause the queue.\n1. Drain the buffer.\n",
    );
    wait_for(port, "/guide.html", 20, |s, b| {
        s == 200 && b.contains("Drain the buffer.")
    });
    write(
        root,
        "content/guide.mdx",
        &GUIDE_MDX.replace("<StopWriters />", "<StopWriter />"),
    );
    let error = wait_for(port, "/guide.html", 20, |s, _| s == 500);
    assert!(error.contains("component-unknown"), "{error}");
}
