//! `runsheet serve` end to end: the real binary on a free loopback port
//! serves pages, rebuilds when a page changes, and shows build errors.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process, stopped when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET `path`: status and body, or `None` while nothing answers.
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
    let body = text.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

/// Polls until `check` accepts the response to `path`; panics after `secs` seconds.
fn wait_for(
    port: u16,
    path: &str,
    secs: u64,
    what: &str,
    check: impl Fn(u16, &str) -> bool,
) -> String {
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
    panic!("timed out waiting for {what} at {path}; last response: {last:?}");
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn serve_rebuilds_on_change_and_shows_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\n\nWelcome.\n",
    );
    write(
        root,
        "content/guide.md",
        "---\ntitle: Guide\n---\n\nFirst version.\n",
    );
    let port = free_port();
    let _server = Server(
        Command::new(assert_cmd::cargo::cargo_bin("runsheet"))
            .arg("--root")
            .arg(root)
            .args(["serve", "--port", &port.to_string()])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("runsheet serve starts"),
    );

    let home = wait_for(port, "/", 30, "the home page", |s, b| {
        s == 200 && b.contains("Welcome.")
    });
    assert!(
        home.contains("/__runsheet/version"),
        "live reload script injected"
    );
    let (status, css) = get(port, "/assets/site.css").unwrap();
    assert_eq!(status, 200);
    assert!(css.contains(".callout"));
    let (_, v1) = get(port, "/__runsheet/version").unwrap();

    write(
        root,
        "content/guide.md",
        "---\ntitle: Guide\n---\n\nSecond version.\n",
    );
    wait_for(port, "/guide.html", 20, "the edited page", |s, b| {
        s == 200 && b.contains("Second version.")
    });
    let (_, v2) = get(port, "/__runsheet/version").unwrap();
    assert_ne!(v1, v2, "the version moves so open pages reload");

    write(
        root,
        "content/guide.md",
        "---\ntitle: Guide\n---\n\n!include <no-such-partial>\n",
    );
    let error = wait_for(port, "/guide", 20, "the error page", |s, _| s == 500);
    assert!(error.contains("include-missing"), "{error}");
    assert!(
        error.contains("/__runsheet/version"),
        "the error page reloads too"
    );

    write(
        root,
        "content/guide.md",
        "---\ntitle: Guide\n---\n\nFixed.\n",
    );
    wait_for(port, "/guide", 20, "the fixed page", |s, b| {
        s == 200 && b.contains("Fixed.")
    });
}
