//! Golden tests of the HTML site: every case under `tests/fixtures/site/<case>/`
//! (a project: `content/`, `partials/`, maybe `runsheet.toml` and `templates/`)
//! is built in memory and compared with `expected/`: the pages, `assets/nav.js`,
//! `search-index.json`, copied content files and `diagnostics.jsonl` (the
//! diagnostics in JSON form). Run with `RUNSHEET_BLESS=1` to rewrite `expected/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use runsheet::config::{self, Overrides};
use runsheet::diagnostic;
use runsheet::project::Project;
use runsheet::source::SourceDb;

const DIAGNOSTICS: &str = "diagnostics.jsonl";

/// The files of a build that the golden files cover: what the site renderer
/// writes, except the static built-in assets (and what other renderers add).
fn covered(path: &str) -> bool {
    let other = ["plans/", "checklists/", "plan.schema.json"]
        .iter()
        .any(|p| path.starts_with(p));
    let static_asset = path.starts_with("assets/") && path != "assets/nav.js";
    !other && !static_asset
}

fn build(case: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut db = SourceDb::default();
    let mut diags = Vec::new();
    let config = config::load(case, &Overrides::default(), &mut db, &mut diags)
        .expect("fixture settings load");
    let project = Project::load(config, db, &mut diags);
    let mut files = runsheet::output::Files::default();
    runsheet::build::render(&project, &mut files, &mut diags);
    diagnostic::normalize(&mut diags, &project.db);
    let mut out: BTreeMap<String, Vec<u8>> = files
        .iter()
        .filter(|(p, _)| covered(p))
        .map(|(p, b)| (p.to_owned(), b.to_vec()))
        .collect();
    let report: String = diags
        .iter()
        .map(|d| diagnostic::render_json(d, &project.db))
        .collect();
    out.insert(DIAGNOSTICS.into(), report.into_bytes());
    out
}

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            found.insert(rel, fs::read(entry.path()).unwrap());
        }
    }
    found
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("content").is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn site_matches_golden_files() {
    let bless = std::env::var_os("RUNSHEET_BLESS").is_some_and(|v| v == "1");
    let cases = cases();
    assert!(!cases.is_empty(), "no fixture cases found");
    let mut failures = Vec::new();
    for case in cases {
        let got = build(&case);
        let expected_dir = case.join("expected");
        if bless {
            let _ = fs::remove_dir_all(&expected_dir);
            for (path, bytes) in &got {
                let file = expected_dir.join(path);
                fs::create_dir_all(file.parent().unwrap()).unwrap();
                fs::write(file, bytes).unwrap();
            }
            continue;
        }
        let expected = read_tree(&expected_dir);
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let keys: std::collections::BTreeSet<&String> = got.keys().chain(expected.keys()).collect();
        for key in keys {
            let text = |b: Option<&Vec<u8>>| {
                b.map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_else(|| "<missing>\n".into())
            };
            let (want, have) = (expected.get(key), got.get(key));
            if want != have {
                let diff = similar::TextDiff::from_lines(&text(want), &text(have))
                    .unified_diff()
                    .header("expected", "got")
                    .to_string();
                failures.push(format!("{name}/{key}:\n{diff}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "site output differs from the golden files (RUNSHEET_BLESS=1 rewrites them):\n{}",
        failures.join("\n")
    );
}

#[test]
fn front_matter_text_is_escaped_everywhere() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site/basic");
    let got = build(&case);
    let index = String::from_utf8(got["index.html"].clone()).unwrap();
    assert!(!index.contains("<script>alert"), "title must be escaped");
    assert!(index.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
    assert!(index.contains(
        "<meta name=\"description\" content=\"Say &quot;hi&quot; to &lt;b&gt;runbooks&lt;/b&gt; &amp; checklists\">"
    ));
    // the page's size does not depend on the site: no navigation tree inside
    assert!(!index.contains("RUNSHEET_NAV"));
}
