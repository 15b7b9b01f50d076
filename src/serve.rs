//! `runsheet serve`: builds the site into memory, serves it on 127.0.0.1, rebuilds when a source changes and reloads open pages.
//!
//! Nothing is written to disk. Every HTML response gets a small script that
//! polls `/__runsheet/version` and reloads the page when a rebuild changed
//! it. A failed build keeps the server running: pages then show the errors
//! (the terminal shows them too) until the next good build.
//!
//! The HTTP side is deliberately small: `GET` and `HEAD` only (anything else
//! is `405`), one request per connection, a request head of at most
//! [`MAX_HEAD`] bytes (`431` beyond), at most [`MAX_CONNECTIONS`] connections
//! served at once (`503` beyond), each given [`READ_TIMEOUT`] to send its
//! request (`408` after that).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::cache::Cache;
use crate::config::CONFIG_FILE;
use crate::diagnostic::{self, Diagnostic, Format};
use crate::driver::{Exit, Failed, Session};
use crate::output::Files;
use crate::project::Project;
use crate::site::html::escape;
use crate::site::links::percent_decode;
use crate::source::SourceDb;

/// The URL open pages poll to learn about rebuilds.
pub(crate) const VERSION_PATH: &str = "/__runsheet/version";

/// How long the watcher waits for a burst of changes to settle.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Most connections served at once, each on a thread of its own.
pub const MAX_CONNECTIONS: usize = 32;

/// Largest request line and headers accepted, in bytes.
pub(crate) const MAX_HEAD: usize = 16 * 1024;

/// How long a connection may take to send its request, and to take the answer.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Where and how `runsheet serve` was asked to serve (the project and
/// how to talk to people are the [`Session`]'s).
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// Address to listen on; `127.0.0.1` unless `--host` says otherwise.
    pub host: String,
    /// `0` picks any free port (the real one is printed).
    pub port: u16,
    /// Open the site in the browser once it is served.
    pub open: bool,
}

/// The site being served.
struct Snapshot {
    /// Goes up with every build, good or bad.
    version: u64,
    files: Files,
    /// The diagnostics of a failed build, as plain text.
    error: Option<String>,
    /// The build cache of the last good build: the next one renders only
    /// the pages whose inputs changed.
    cache: Option<Cache>,
}

/// The result of one build.
struct Outcome {
    files: Option<(Files, Cache)>,
    report: String,
    /// Folders and files whose changes trigger a rebuild.
    watch: Vec<PathBuf>,
}

/// Builds, serves and watches until the process is stopped. Returns only
/// when the server cannot start.
pub(crate) fn run(s: &Session, opts: &Options) -> Result<Exit, Failed> {
    let first = compile(s, None);
    let watch = first.watch.clone();
    let error = first.files.is_none().then(|| first.report.clone());
    let (files, cache) = first.files.unzip();
    let state = Arc::new(Mutex::new(Snapshot {
        version: 1,
        error,
        files: files.unwrap_or_default(),
        cache,
    }));
    let listener = TcpListener::bind((opts.host.as_str(), opts.port))
        .map_err(|e| Failed::one(bind_error(&opts.host, opts.port, &e)))?;
    let port = listener.local_addr().map_or(opts.port, |a| a.port());
    let _watcher = start_watcher(s, &watch, Arc::clone(&state)).map_err(|e| {
        Failed::one(Diagnostic::error(
            "serve-failed",
            format!("cannot watch the project for changes: {e}"),
        ))
    })?;
    if !is_loopback(&opts.host) {
        s.report_now(vec![Diagnostic::warning(
            "serve-exposed",
            format!(
                "listening on {}: anyone who can reach this machine over the network can read the site",
                opts.host
            ),
        )]);
    }
    let url = format!("http://{}/", host_port(&browse_host(&opts.host), port));
    s.tell(&format!(
        "serving http://{}/ (rebuilds on change; Ctrl-C to stop)",
        host_port(&opts.host, port)
    ));
    if opts.open {
        if let Err(e) = open_browser(&url) {
            s.report_now(vec![Diagnostic::warning(
                "browser-failed",
                format!("could not open a browser ({e}); open {url} yourself"),
            )]);
        }
    }
    accept(&listener, &state);
    Ok(Exit::Ok)
}

/// What to say when the server cannot listen: a busy port suggests `--port`.
fn bind_error(host: &str, port: u16, e: &std::io::Error) -> Diagnostic {
    let at = host_port(host, port);
    let (message, help) = match e.kind() {
        std::io::ErrorKind::AddrInUse => (
            format!("cannot listen on {at}: the port is in use (another `runsheet serve`?)"),
            format!(
                "pick another with `--port {}`, or `--port 0` for any free port",
                port.wrapping_add(1).max(1024)
            ),
        ),
        std::io::ErrorKind::PermissionDenied if port < 1024 => (
            format!("cannot listen on {at}: ports below 1024 need special rights"),
            "use a port of 1024 or more, such as `--port 3000`".to_owned(),
        ),
        _ => (
            format!("cannot listen on {at}: {e}"),
            "check `--host`, or pick another port with `--port`".to_owned(),
        ),
    };
    Diagnostic::error("serve-failed", message).with_help(help)
}

/// `host:port`, with an IPv6 address in brackets.
fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Whether `host` is reachable from this machine only.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host a browser on this machine uses: a wildcard address means "here".
fn browse_host(host: &str) -> String {
    match host {
        "0.0.0.0" => "127.0.0.1".to_owned(),
        "::" | "[::]" => "::1".to_owned(),
        other => other.to_owned(),
    }
}

/// Asks the system to open `url` in the browser (`xdg-open`, `open`, `start`).
fn open_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let status = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "the opener exited with {status}"
        )))
    }
}

/// Serves every connection `listener` accepts, each on a thread of its own,
/// at most [`MAX_CONNECTIONS`] at a time.
fn accept(listener: &TcpListener, state: &Arc<Mutex<Snapshot>>) {
    let busy = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if busy.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            busy.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = write_response(
                &mut stream,
                &Reply::text(503, "Too many connections; try again."),
                false,
            );
            continue;
        }
        let slot = Slot(Arc::clone(&busy));
        let state = Arc::clone(state);
        // should the thread not start, the closure is dropped, and the slot with it
        let _ = std::thread::Builder::new()
            .name("runsheet-serve".into())
            .spawn(move || {
                let _slot = slot;
                handle(stream, &state);
            });
    }
}

/// One of the [`MAX_CONNECTIONS`] slots, given back when dropped (also on a panic).
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An answer to one request.
struct Reply {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    /// Extra headers, such as `Allow`.
    headers: Vec<(&'static str, &'static str)>,
}

impl Reply {
    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8".to_owned(),
            body: format!("{body}\n").into_bytes(),
            headers: Vec::new(),
        }
    }
}

/// Why a request head could not be read.
#[derive(Debug, PartialEq, Eq)]
enum HeadError {
    /// Longer than [`MAX_HEAD`].
    TooLarge,
    /// Nothing complete arrived within [`READ_TIMEOUT`].
    TimedOut,
    /// The client went away.
    Closed,
}

/// Reads bytes up to the blank line that ends a request head.
fn read_head(stream: &mut impl Read) -> Result<Vec<u8>, HeadError> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(HeadError::TimedOut)
            }
            Err(_) => return Err(HeadError::Closed),
        };
        // look for the end from just before the new bytes, in case it straddles reads
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = find_head_end(&head[from..]) {
            head.truncate(from + end);
            return Ok(head);
        }
        if head.len() > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
    }
}

/// The end of a request head (`\r\n\r\n`, or `\n\n` from lenient clients) in `bytes`.
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The method and target of a request line: `GET /a/b.html HTTP/1.1`.
fn request_line(head: &[u8]) -> Option<(&str, &str)> {
    let line = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    let valid = !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_uppercase())
        && version.starts_with("HTTP/")
        && parts.next().is_none();
    valid.then_some((method, target))
}

/// Reads one request from `stream`, answers it and closes the connection.
fn handle(mut stream: TcpStream, state: &Mutex<Snapshot>) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let (reply, head_only) = match read_head(&mut stream) {
        Ok(head) => match request_line(&head) {
            Some(("GET", target)) => (answer(state, target), false),
            Some(("HEAD", target)) => (answer(state, target), true),
            Some(_) => (method_not_allowed(), false),
            None => (Reply::text(400, "Bad request."), false),
        },
        Err(HeadError::TooLarge) => (Reply::text(431, "Request header fields too large."), false),
        Err(HeadError::TimedOut) => (Reply::text(408, "Request timeout."), false),
        Err(HeadError::Closed) => return,
    };
    if write_response(&mut stream, &reply, head_only).is_ok() {
        // let the client read the answer before the connection goes: closing
        // with unread bytes (a request body) would reset it
        let _ = stream.shutdown(Shutdown::Write);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let _ = std::io::copy(&mut (&stream).take(64 * 1024), &mut std::io::sink());
    }
}

fn method_not_allowed() -> Reply {
    let mut reply = Reply::text(
        405,
        "Method not allowed: this server only reads (GET, HEAD).",
    );
    reply.headers.push(("Allow", "GET, HEAD"));
    reply
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn write_response(stream: &mut impl Write, reply: &Reply, head_only: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

fn lock(state: &Mutex<Snapshot>) -> MutexGuard<'_, Snapshot> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Loads and renders the project, printing its diagnostics to the terminal.
/// With the files and cache of the last good build (`earlier`), only the
/// pages whose inputs changed are rendered; the others are kept.
fn compile(s: &Session, earlier: Option<(Files, Cache)>) -> Outcome {
    let started = Instant::now();
    let mut watch = vec![s.root.join(CONFIG_FILE)];
    let mut built = None;
    let (mut files, cache) = earlier.unwrap_or_default();
    let (db, mut diags): (SourceDb, Vec<Diagnostic>) =
        match crate::driver::settings(&s.root, &s.overrides) {
            Err(failed) => (failed.db, failed.diags),
            Ok((config, db, mut diags)) => {
                watch.extend([
                    config.content.clone(),
                    config.partials.clone(),
                    config.templates.clone(),
                ]);
                let previous = Some(cache.keepable(&files));
                let project = Project::load_caching(config, db, &mut diags, previous);
                let rendered = crate::build::render(&project, &mut files, &mut diags);
                files.forget_earlier();
                if project.config.strict {
                    diagnostic::promote_warnings(&mut diags);
                }
                let cache = rendered.cache.unwrap_or_default();
                built = Some((files, cache, project.pages.len(), rendered.reused));
                (project.db, diags)
            }
        };
    let (errors, warnings) = s.show(&db, &mut diags, Format::Human);
    let report: String = diags
        .iter()
        .map(|d| diagnostic::render_human(d, &db, false))
        .collect();
    let ms = started.elapsed().as_millis();
    let files = match built {
        Some((files, cache, pages, reused)) if errors == 0 => {
            let reused = match reused {
                0 => String::new(),
                n => format!(", {n} unchanged"),
            };
            s.note(&format!(
                "built {pages} page(s){reused} in {ms} ms ({warnings} warning(s))"
            ));
            Some((files, cache))
        }
        _ => {
            s.tell(&format!(
                "build failed with {errors} error(s): the browser shows them until they are fixed"
            ));
            None
        }
    };
    Outcome {
        files,
        report,
        watch,
    }
}

fn rebuild(s: &Session, state: &Mutex<Snapshot>) {
    // the last good build's files are shared, not copied: pages still being
    // served while this build runs
    let earlier = {
        let mut snap = lock(state);
        let cache = snap.cache.take();
        cache.map(|c| (Files::after(&snap.files), c))
    };
    let outcome = compile(s, earlier);
    let mut snap = lock(state);
    snap.version += 1;
    match outcome.files {
        Some((files, cache)) => {
            snap.files = files;
            snap.cache = Some(cache);
            snap.error = None;
        }
        None => snap.error = Some(outcome.report),
    }
}

/// Watches the sources on a thread of its own; every burst of changes,
/// once settled, triggers one rebuild. Reads (including the build's own)
/// are not changes.
fn start_watcher(
    s: &Session,
    paths: &[PathBuf],
    state: Arc<Mutex<Snapshot>>,
) -> notify::Result<RecommendedWatcher> {
    let roots: Vec<PathBuf> = paths.iter().map(|p| absolute(p)).collect();
    let config_file = roots[0].clone();
    let root = opts_root(&config_file);
    let folders: Vec<PathBuf> = roots[1..].to_vec();
    let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    for folder in folders.iter().filter(|f| f.is_dir()) {
        watcher.watch(folder, RecursiveMode::Recursive)?;
    }
    // the project folder itself, for runsheet.toml and folders created later
    if root.is_dir() {
        watcher.watch(&root, RecursiveMode::NonRecursive)?;
    }
    let relevant = move |event: &Event| {
        !matches!(event.kind, EventKind::Access(_))
            && event
                .paths
                .iter()
                .any(|p| *p == config_file || folders.iter().any(|f| p.starts_with(f)))
    };
    let s = s.clone();
    std::thread::spawn(move || {
        while let Ok(event) = rx.recv() {
            if !event.as_ref().is_ok_and(&relevant) {
                continue;
            }
            // let the burst settle (an editor's save is often several events)
            while rx.recv_timeout(DEBOUNCE).is_ok() {}
            rebuild(&s, &state);
        }
    });
    Ok(watcher)
}

/// `path` made absolute and free of symlinks, also when it does not exist (yet).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            absolute(parent).join(name)
        }
        _ => path.to_path_buf(),
    }
}

fn opts_root(config_file: &Path) -> PathBuf {
    config_file
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The `Content-Type` of a served file, from its extension (mime_guess);
/// text types say they are UTF-8, as everything runsheet writes is.
fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    if mime.type_() == mime_guess::mime::TEXT || mime.essence_str() == "application/javascript" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_owned()
    }
}

/// The file a request path means: `a/b`, `a/b.html` and `a/b/` all give `a/b.html`.
fn lookup<'a>(files: &'a Files, rel: &str) -> Option<(String, &'a [u8])> {
    let trimmed = rel.trim_end_matches('/');
    let mut candidates = vec![
        rel.to_owned(),
        format!("{trimmed}.html"),
        format!("{trimmed}/index.html"),
    ];
    // `/` is `index.html`, as in a built folder: the build writes one (a list
    // of the pages) when the project has no `content/index.md`
    if trimmed.is_empty() {
        candidates.insert(0, "index.html".into());
    }
    candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        .find_map(|c| files.get(&c).map(|b| (c, b)))
}

/// The script that reloads a page once the site's version moves past `version`.
fn reload_script(version: u64) -> String {
    format!(
        "<script>/* runsheet serve: live reload */(function(){{var v=\"{version}\";\
function poll(){{fetch(\"{VERSION_PATH}\",{{cache:\"no-store\"}}).then(function(r){{return r.text();}})\
.then(function(t){{if(t.trim()!==v){{location.reload();}}else{{setTimeout(poll,700);}}}})\
.catch(function(){{setTimeout(poll,2000);}});}}setTimeout(poll,700);}})();</script>"
    )
}

fn inject(html: &[u8], version: u64) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let script = reload_script(version);
    let out = match text.rfind("</body>") {
        Some(i) => format!("{}{script}{}", &text[..i], &text[i..]),
        None => format!("{text}{script}"),
    };
    out.into_bytes()
}

fn message_page(title: &str, body: &str, version: u64) -> Vec<u8> {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2328}}\
h1{{color:#b42318}}pre{{background:#fff5f5;border:1px solid #f1c0c0;border-radius:6px;padding:1rem;overflow:auto;white-space:pre-wrap}}</style>\
</head><body><h1>{title}</h1>{body}{}</body></html>\n",
        reload_script(version)
    )
    .into_bytes()
}

/// The answer to a `GET` of `url`.
fn answer(state: &Mutex<Snapshot>, url: &str) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let (status, content_type, body) = {
        let snap = lock(state);
        if path == VERSION_PATH {
            (
                200,
                "text/plain; charset=utf-8".to_owned(),
                snap.version.to_string().into_bytes(),
            )
        } else {
            let rel = percent_decode(path.trim_start_matches('/'));
            let found = lookup(&snap.files, &rel);
            let is_page = found
                .as_ref()
                .is_none_or(|(name, _)| name.ends_with(".html"));
            match (&snap.error, found) {
                (Some(report), _) if is_page => (
                    500,
                    "text/html; charset=utf-8".to_owned(),
                    message_page(
                        "Build failed",
                        &format!(
                            "<pre>{}</pre><p>Fix the problem and save: this page reloads by itself.</p>",
                            escape(report)
                        ),
                        snap.version,
                    ),
                ),
                (_, Some((name, bytes))) if name.ends_with(".html") => {
                    (200, content_type(&name), inject(bytes, snap.version))
                }
                (_, Some((name, bytes))) => (200, content_type(&name), bytes.to_vec()),
                (_, None) => (
                    404,
                    "text/html; charset=utf-8".to_owned(),
                    message_page(
                        "Not found",
                        &format!("<p>No page at <code>{}</code>. <a href=\"/\">Home</a></p>", escape(path)),
                        snap.version,
                    ),
                ),
            }
        }
    };
    Reply {
        status,
        content_type,
        body,
        headers: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_table() {
        let cases = [
            ("a/b.html", "text/html; charset=utf-8"),
            ("assets/site.css", "text/css; charset=utf-8"),
            ("assets/nav.js", "text/javascript; charset=utf-8"),
            ("plans/a.json", "application/json"),
            ("checklists/a.txt", "text/plain; charset=utf-8"),
            ("checklists/a.md", "text/markdown; charset=utf-8"),
            ("img/x.png", "image/png"),
            ("img/x.svg", "image/svg+xml"),
            ("file.unknownext", "application/octet-stream"),
        ];
        for (path, expected) in cases {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }

    #[test]
    fn lookup_table() {
        let mut files = Files::default();
        files.add("index.html", "home");
        files.add("a/b.html", "b");
        files.add("a.html", "a");
        files.add("assets/site.css", "css");
        let cases = [
            ("", Some("index.html")),
            ("a/b", Some("a/b.html")),
            ("a/b.html", Some("a/b.html")),
            ("a/", Some("a.html")),
            ("a", Some("a.html")),
            ("assets/site.css", Some("assets/site.css")),
            ("nope", None),
        ];
        for (rel, expected) in cases {
            assert_eq!(
                lookup(&files, rel).map(|(n, _)| n).as_deref(),
                expected,
                "{rel}"
            );
        }
    }

    #[test]
    fn addresses_table() {
        assert_eq!(host_port("127.0.0.1", 3000), "127.0.0.1:3000");
        assert_eq!(host_port("::1", 80), "[::1]:80");
        assert_eq!(host_port("[::1]", 80), "[::1]:80");
        for (host, loopback) in [
            ("127.0.0.1", true),
            ("127.1.2.3", true),
            ("localhost", true),
            ("::1", true),
            ("[::1]", true),
            ("0.0.0.0", false),
            ("192.168.1.4", false),
            ("::", false),
            ("docs.internal", false),
        ] {
            assert_eq!(is_loopback(host), loopback, "{host}");
        }
        assert_eq!(browse_host("0.0.0.0"), "127.0.0.1");
        assert_eq!(browse_host("::"), "::1");
        assert_eq!(browse_host("10.0.0.2"), "10.0.0.2");
    }

    #[test]
    fn a_busy_port_suggests_another() {
        let e = std::io::Error::from(std::io::ErrorKind::AddrInUse);
        let d = bind_error("127.0.0.1", 3000, &e);
        assert!(
            d.message.contains("127.0.0.1:3000: the port is in use"),
            "{d:?}"
        );
        assert!(d.help.unwrap().contains("`--port 3001`"));
    }

    #[test]
    fn request_line_table() {
        type Case<'a> = (&'a [u8], Option<(&'a str, &'a str)>);
        let cases: &[Case] = &[
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Some(("GET", "/"))),
            (
                b"HEAD /a.html?x=1 HTTP/1.0\n\n",
                Some(("HEAD", "/a.html?x=1")),
            ),
            (b"POST /x HTTP/1.1\r\n\r\n", Some(("POST", "/x"))),
            (b"get / HTTP/1.1\r\n\r\n", None),
            (b"GET /\r\n\r\n", None),
            (b"GET / HTTP/1.1 extra\r\n\r\n", None),
            (b"\xff / HTTP/1.1\r\n\r\n", None),
        ];
        for (head, expected) in cases {
            assert_eq!(
                request_line(head),
                *expected,
                "{:?}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn read_head_stops_at_the_blank_line_or_the_limit() {
        /// Hands out its bytes a few at a time, as a slow client would.
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(3).min(self.0.len() - self.1);
                buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                self.1 += n;
                Ok(n)
            }
        }
        let head = |bytes: &[u8]| read_head(&mut Trickle(bytes.to_vec(), 0));
        assert_eq!(
            head(b"GET / HTTP/1.1\r\nA: b\r\n\r\nbody").unwrap(),
            b"GET / HTTP/1.1\r\nA: b\r\n\r\n"
        );
        assert_eq!(head(b"GET / HTTP/1.1\r\n"), Err(HeadError::Closed));
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(head(huge.as_bytes()), Err(HeadError::TooLarge));
    }

    #[test]
    fn other_methods_get_405_with_allow() {
        let mut out = Vec::new();
        write_response(&mut out, &method_not_allowed(), false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nAllow: GET, HEAD\r\n"), "{text}");
    }

    #[test]
    fn reload_script_goes_before_body_end() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></body></html>", 7)).unwrap();
        assert!(out.contains("var v=\"7\""));
        assert!(out.ends_with("</script></body></html>"));
    }
}
