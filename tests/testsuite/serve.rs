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

/// Starts `runsheet serve` on a one-page project; returns the server, its
/// port and the project folder, once the home page answers.
fn start() -> (Server, u16, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "content/index.md",
        "---\ntitle: Home\n---\n\nWelcome.\n",
    );
    let port = free_port();
    let server = Server(
        Command::new(assert_cmd::cargo::cargo_bin("runsheet"))
            .arg("--root")
            .arg(tmp.path())
            .args(["serve", "--port", &port.to_string()])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("runsheet serve starts"),
    );
    wait_for(port, "/", 30, "the home page", |s, b| {
        s == 200 && b.contains("Welcome.")
    });
    (server, port, tmp)
}

/// Sends `request` as it is; returns the whole response as text.
fn raw(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // the server may answer (and stop reading) before a huge request is sent
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn only_get_and_head_are_allowed() {
    let (_server, port, _dir) = start();
    for method in ["POST", "PUT", "DELETE", "TRACE", "PATCH", "OPTIONS"] {
        let response = raw(
            port,
            format!("{method} / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").as_bytes(),
        );
        assert!(
            response.starts_with("HTTP/1.1 405 "),
            "{method}: {response}"
        );
        assert!(
            response.contains("\r\nAllow: GET, HEAD\r\n"),
            "{method}: {response}"
        );
    }
    let head = raw(port, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "HEAD has no body: {head}");
    let get = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(get.starts_with("HTTP/1.1 200 ") && get.contains("Welcome."));
}

#[test]
fn a_huge_request_head_is_refused() {
    let (_server, port, _dir) = start();
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let response = raw(port, huge.as_bytes());
    assert!(response.starts_with("HTTP/1.1 431 "), "{response:.200}");
    assert_eq!(get(port, "/").map(|(s, _)| s), Some(200));
}

/// The number of threads of process `pid` (Linux only).
fn threads(pid: u32) -> Option<usize> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Threads:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn idle_connections_are_bounded_and_timed_out() {
    let (server, port, _dir) = start();
    let before = threads(server.0.id());
    // more idle connections than the server serves at once
    let idle: Vec<TcpStream> = (0..runsheet::internals::MAX_CONNECTIONS + 8)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    if let (Some(before), Some(now)) = (before, threads(server.0.id())) {
        assert!(
            now <= before + runsheet::internals::MAX_CONNECTIONS,
            "{now} threads, {before} before the idle connections"
        );
    }
    // one more is answered at once, not left hanging: 503 while every slot
    // is taken (one may just have been freed by a finished request)
    let asked = Instant::now();
    let busy = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(
        busy.starts_with("HTTP/1.1 503 ") || busy.starts_with("HTTP/1.1 200 "),
        "{busy}"
    );
    assert!(asked.elapsed() < runsheet::internals::READ_TIMEOUT);
    // the idle ones are told off and closed after the read timeout
    let started = Instant::now();
    let mut statuses = Vec::new();
    for mut stream in idle {
        stream
            .set_read_timeout(Some(runsheet::internals::READ_TIMEOUT * 3))
            .unwrap();
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        statuses.push(response.get(9..12).unwrap_or("none").to_owned());
    }
    assert!(
        statuses.iter().all(|s| s == "408" || s == "503"),
        "{statuses:?}"
    );
    let served = statuses.iter().filter(|s| *s == "408").count();
    assert!(
        served <= runsheet::internals::MAX_CONNECTIONS,
        "{statuses:?}"
    );
    assert!(started.elapsed() < runsheet::internals::READ_TIMEOUT * 3);
    wait_for(port, "/", 10, "the home page again", |s, _| s == 200);
}

/// Starts `runsheet serve ARGS` on the project at `root` with `PATH` set to
/// `path`; returns the server and a channel of its stderr lines.
fn spawn(
    root: &Path,
    args: &[&str],
    path: Option<&Path>,
) -> (Server, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("runsheet"));
    command
        .arg("--root")
        .arg(root)
        .arg("serve")
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let mut child = command.spawn().expect("runsheet serve starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (Server(child), rx)
}

/// The next stderr line holding `needle`, within 30 s.
fn line_with(rx: &std::sync::mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no line with {needle:?} on stderr; saw {seen:?}");
}

fn home_project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "content/index.md",
        "---\ntitle: Home\n---\n\nWelcome.\n",
    );
    tmp
}

#[test]
fn port_0_prints_the_real_port() {
    let tmp = home_project();
    let (_server, rx) = spawn(tmp.path(), &["--port", "0"], None);
    let line = line_with(&rx, "serving http://127.0.0.1:");
    let port: u16 = line
        .trim_start_matches("serving http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(port, 0, "{line}");
    wait_for(port, "/", 30, "the home page", |s, b| {
        s == 200 && b.contains("Welcome.")
    });
}

#[test]
fn a_busy_port_says_so_and_suggests_port() {
    let tmp = home_project();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(assert_cmd::cargo::cargo_bin("runsheet"))
        .arg("--root")
        .arg(tmp.path())
        .args(["serve", "--port", &port.to_string()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the port is in use"), "{stderr}");
    assert!(stderr.contains("--port"), "{stderr}");
}

#[test]
fn open_runs_the_system_opener_and_a_failure_is_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = home_project();
    let bin = tempfile::tempdir().unwrap();
    let opened = bin.path().join("opened.txt");
    let opener = bin.path().join("xdg-open");
    fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    fs::set_permissions(&opener, fs::Permissions::from_mode(0o755)).unwrap();
    let (_server, rx) = spawn(tmp.path(), &["--port", "0", "--open"], Some(bin.path()));
    let line = line_with(&rx, "serving http://");
    let url = line.split_whitespace().nth(1).unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    // the opener may have created the file and not written it yet
    let written = || fs::read_to_string(&opened).is_ok_and(|t| t.ends_with('\n'));
    while !written() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(fs::read_to_string(&opened).unwrap().trim(), url);

    // no opener at all: a warning, and the server still serves
    let empty = tempfile::tempdir().unwrap();
    let (_server, rx) = spawn(tmp.path(), &["--port", "0", "--open"], Some(empty.path()));
    line_with(&rx, "serving http://");
    let warning = line_with(&rx, "warning[browser-failed]: could not open a browser");
    assert!(warning.contains("open http://127.0.0.1:"), "{warning}");
}

#[test]
fn another_host_warns_that_the_site_is_visible() {
    let tmp = home_project();
    let (_server, rx) = spawn(tmp.path(), &["--port", "0", "--host", "0.0.0.0"], None);
    line_with(
        &rx,
        "warning[serve-exposed]: listening on 0.0.0.0: anyone who can reach this machine",
    );
    line_with(&rx, "serving http://0.0.0.0:");
}

#[test]
fn serve_and_build_agree_on_the_home_page_without_index_md() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "content/b.md", "---\ntitle: Bee\n---\n\nB.\n");
    write(tmp.path(), "content/a.md", "---\ntitle: Ay\n---\n\nA.\n");
    let (_server, rx) = spawn(tmp.path(), &["--port", "0"], None);
    let line = line_with(&rx, "serving http://127.0.0.1:");
    let port: u16 = line
        .trim_start_matches("serving http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let served = wait_for(port, "/", 30, "the generated home page", |s, b| {
        s == 200 && b.contains("class=\"page-list\"")
    });
    let out = tmp.path().join("out");
    let status = Command::new(assert_cmd::cargo::cargo_bin("runsheet"))
        .arg("--root")
        .arg(tmp.path())
        .args(["build", "--quiet", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let built = fs::read_to_string(out.join("index.html")).unwrap();
    // the served page carries the reload script; the rest is the same
    let list = |html: &str| {
        let start = html.find("<ul class=\"page-list\">").unwrap();
        html[start..start + html[start..].find("</ul>").unwrap()].to_owned()
    };
    assert_eq!(list(&served), list(&built));
    assert!(
        built.contains("<a href=\"a.html\">Ay</a>") && built.contains("<a href=\"b.html\">Bee</a>")
    );
}

#[test]
fn a_rebuild_makes_again_only_the_pages_whose_inputs_changed() {
    let tmp = home_project();
    let root = tmp.path();
    write(root, "partials/tip.md", "Restart the node.\n");
    write(
        root,
        "content/ops.md",
        "---\ntitle: Ops\n---\n\n1. Drain the node.\n\n!include <tip>\n",
    );
    write(
        root,
        "content/other.md",
        "---\ntitle: Other\n---\n\nText.\n",
    );
    let port = free_port();
    let (_server, rx) = spawn(root, &["--port", &port.to_string()], None);
    let first = line_with(&rx, "built 3 page(s)");
    assert!(!first.contains("unchanged"), "{first}");
    line_with(&rx, "serving http://");

    // the partial only `ops` includes: the two other pages are kept
    write(
        root,
        "partials/tip.md",
        "Restart the node, then check it.\n",
    );
    let second = line_with(&rx, "built 3 page(s)");
    assert!(second.contains(", 2 unchanged"), "{second}");
    let ops = wait_for(
        port,
        "/ops.html",
        20,
        "the page with the partial",
        |s, b| s == 200 && b.contains("then check it"),
    );
    assert!(ops.contains("Drain the node."));
    let (status, home) = get(port, "/").unwrap();
    assert!(status == 200 && home.contains("Welcome."), "{home}");
    let (status, plan) = get(port, "/plans/ops.json").unwrap();
    assert!(status == 200 && plan.contains("Drain the node."), "{plan}");
}
