//! Helpers shared by the integration tests: fixture discovery, loading a project,
//! golden files (rewritten with `RUNSHEET_BLESS=1`), source checks.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use runsheet::internals as diagnostic;
use runsheet::internals::Step;
use runsheet::plan::{self, Plan};
use runsheet::Diagnostic;
use runsheet::Overrides;
use runsheet::Project;

/// The repository root (the sample project).
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder of the fixture tree `case` under `tests/fixtures/plans`.
pub(crate) fn fixture(case: &str) -> PathBuf {
    repo().join("tests/fixtures/plans").join(case)
}

/// The shared corpus beside the repository, if it is there.
pub(crate) fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus/octopus-docs");
    dir.is_dir().then_some(dir)
}

/// Loads the project at `root` with `overrides`, panicking when settings are unusable.
pub(crate) fn load_with(root: &Path, overrides: &Overrides) -> (Project, Vec<Diagnostic>) {
    runsheet::load(root, overrides)
        .unwrap_or_else(|diags| panic!("cannot load {}: {diags:?}", root.display()))
}

pub(crate) fn load(root: &Path) -> (Project, Vec<Diagnostic>) {
    load_with(root, &Overrides::default())
}

/// The plan of every page, by name, with every diagnostic of the run.
pub(crate) fn plans(project: &Project, diags: &mut Vec<Diagnostic>) -> Vec<(String, Plan)> {
    project
        .pages
        .iter()
        .map(|page| (page.name.clone(), plan::plan(project, page, diags)))
        .collect()
}

/// Diagnostics as JSON lines, in their stable order.
pub(crate) fn diagnostics_jsonl(project: &Project, diags: &mut Vec<Diagnostic>) -> String {
    diagnostic::normalize(diags, &project.db);
    diags
        .iter()
        .map(|d| diagnostic::render_json(d, &project.db))
        .collect()
}

fn blessing() -> bool {
    std::env::var_os("RUNSHEET_BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file at `path`; with `RUNSHEET_BLESS=1`
/// rewrites the file instead. Returns a readable diff on mismatch.
pub(crate) fn golden(path: &Path, actual: &str) -> Result<(), String> {
    if blessing() {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).unwrap();
        }
        fs::write(path, actual).unwrap();
        return Ok(());
    }
    let expected = fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
        .unified_diff()
        .context_radius(3)
        .header(&format!("expected {}", path.display()), "actual")
        .to_string();
    Err(format!(
        "{diff}\n(run with RUNSHEET_BLESS=1 to accept the new output)"
    ))
}

/// A project in a temporary folder: each `(path, bytes)` written below it.
pub(crate) fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    dir
}

/// Every file under `dir`, by `/`-separated relative path (none when `dir` is missing).
pub(crate) fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut found = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            found.insert(rel, fs::read(entry.path()).unwrap());
        }
    }
    found
}

/// Compares the files `got` (by relative path) with the golden tree at
/// `dir`, as sets: a golden whose output disappeared fails as surely as a
/// changed one. With `RUNSHEET_BLESS=1` the tree is rewritten and pruned to
/// exactly `got`. Returns one readable diff per differing file.
pub(crate) fn golden_tree(
    dir: &Path,
    got: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<(), String> {
    if blessing() {
        let _ = fs::remove_dir_all(dir);
        for (path, bytes) in got {
            let file = dir.join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, bytes).unwrap();
        }
        return Ok(());
    }
    let expected = read_tree(dir);
    let keys: std::collections::BTreeSet<&String> = got.keys().chain(expected.keys()).collect();
    let text = |b: Option<&Vec<u8>>| {
        b.map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_else(|| "<missing>\n".into())
    };
    let mut failures = Vec::new();
    for key in keys {
        let (want, have) = (expected.get(key), got.get(key));
        if want != have {
            let diff = similar::TextDiff::from_lines(&text(want), &text(have))
                .unified_diff()
                .header(&format!("expected {}/{key}", dir.display()), "got")
                .to_string();
            failures.push(diff);
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n(run with RUNSHEET_BLESS=1 to accept the new output)",
            failures.join("\n")
        ))
    }
}

/// Every step of a plan, substeps included, depth first.
pub(crate) fn all_steps(plan: &Plan) -> Vec<&Step> {
    fn walk<'a>(steps: &'a [Step], out: &mut Vec<&'a Step>) {
        for s in steps {
            out.push(s);
            walk(&s.substeps, out);
        }
    }
    let mut out = Vec::new();
    for p in &plan.procedures {
        walk(&p.steps, &mut out);
    }
    out
}

/// Checks that every step's `source` points at its list marker in the file
/// that really holds it, and every include site at an `!include` line or an
/// MDX component tag (`<Partial />`).
/// Returns one message per problem.
pub(crate) fn check_sources(root: &Path, plan: &Plan) -> Vec<String> {
    let mut problems = Vec::new();
    for step in all_steps(plan) {
        let src = &step.source;
        let text = fs::read_to_string(root.join(&src.file)).unwrap_or_default();
        let line = text.lines().nth(src.line - 1).unwrap_or("");
        let at: String = line.chars().skip(src.column - 1).collect();
        let marker = at.trim_start_matches(|c: char| c.is_ascii_digit());
        let is_marker =
            marker.len() < at.len() && (marker.starts_with('.') || marker.starts_with(')'));
        let first_word = step.text.split_whitespace().next().unwrap_or("");
        let first_word = first_word.trim_matches(|c: char| !c.is_alphanumeric());
        if !is_marker || !line.contains(first_word) {
            problems.push(format!(
                "{}: {}:{}:{} is `{line}`",
                step.id, src.file, src.line, src.column
            ));
        }
        for site in &src.included_from {
            let text = fs::read_to_string(root.join(&site.file)).unwrap_or_default();
            let line = text.lines().nth(site.line - 1).unwrap_or("");
            let component = line
                .trim_start()
                .strip_prefix('<')
                .is_some_and(|tag| tag.starts_with(|c: char| c.is_ascii_uppercase()));
            if !line.trim_start().starts_with("!include") && !component {
                problems.push(format!(
                    "{}: include site {}:{} is `{line}`",
                    step.id, site.file, site.line
                ));
            }
        }
    }
    problems
}

/// Checks that `plan` reads back whole from both encodings of schema
/// version 3: the plan file (compact, which leaves out derived fields) as a
/// build writes it and as `runsheet plan --compact` prints it, and the
/// expanded form `runsheet plan` prints, each give the same plan, with
/// every field (`title`, `text`, `markdown`, sources with their include
/// chains, substep ids) as it was made.
pub(crate) fn reads_back(plan: &Plan) -> Option<String> {
    use runsheet::plan::{to_compact_json, to_pretty_json, Encoding};
    let whole = runsheet::internals::plan_as_v2(plan);
    let texts = [
        ("plan file", to_compact_json(plan)),
        ("compact", to_pretty_json(plan, Encoding::Compact)),
        ("expanded", to_pretty_json(plan, Encoding::Expanded)),
    ];
    for (form, text) in texts {
        let back: Plan = match serde_json::from_str(&text) {
            Ok(back) => back,
            Err(e) => {
                return Some(format!(
                    "{}: the {form} form does not read back: {e}",
                    plan.page.name
                ))
            }
        };
        if runsheet::internals::plan_as_v2(&back) != whole {
            return Some(format!(
                "{}: the {form} form reads back different",
                plan.page.name
            ));
        }
    }
    None
}

/// `tests/fixtures/<group>/*`, sorted.
pub(crate) fn cases(group: &str) -> Vec<PathBuf> {
    let dir = repo().join("tests/fixtures").join(group);
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Runs every check and panics listing all failures at once.
pub(crate) fn all_ok(results: Vec<Result<(), String>>) {
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Copies a directory tree (for tests that add files at run time).
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Says on the real standard error that a test is skipped, and why: the
/// test harness captures `eprintln!` of passing tests, which would make a
/// skip look like a pass.
pub(crate) fn skip_note(what: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr().lock(),
        "note: SKIPPED {what} (CI sets RUNSHEET_REQUIRE_BROWSER=1, which makes this a failure)"
    );
}

/// Headless Chromium from `PATH`. `None` means "skip this test" (a note is
/// printed), except with `RUNSHEET_REQUIRE_BROWSER=1`, which makes a missing
/// browser a failure (CI installs it).
pub(crate) fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
            .find(|c| c.is_file())
    });
    if found.is_none() {
        if std::env::var_os("RUNSHEET_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
            panic!("RUNSHEET_REQUIRE_BROWSER=1 but no `chromium` on PATH");
        }
        skip_note("a browser test: `chromium` is not installed");
    }
    found
}

/// Runs headless Chromium with a fresh profile and `args`, its stdout into
/// `stdout`; fails the test if it takes more than 90 s.
pub(crate) fn run_chromium(browser: &Path, args: &[String], stdout: Option<&Path>) {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let profile = tempfile::tempdir().unwrap();
    let out = match stdout {
        Some(path) => Stdio::from(fs::File::create(path).unwrap()),
        None => Stdio::null(),
    };
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
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
