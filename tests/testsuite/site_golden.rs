//! Golden tests of the HTML site: every case under `tests/fixtures/site/<case>/`
//! (a project: `content/`, `partials/`, maybe `runsheet.toml` and `templates/`)
//! is built in memory and compared with `expected/`: the pages, `assets/nav.js`,
//! `search-index.json`, copied content files and `diagnostics.jsonl` (the
//! diagnostics in JSON form); of a page, its `<main>` element. Run with
//! `RUNSHEET_BLESS=1` to rewrite (and prune) `expected/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use runsheet::internals as diagnostic;

use crate::common;

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

/// For a page, its `<main>` element only: the layout around it (head, CSS,
/// navigation shell) is the template's business, and a style change must not
/// rewrite every golden. Other files whole.
fn main_of(path: &str, bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let main = path
        .ends_with(".html")
        .then(|| {
            let start = text.find("<main")?;
            let end = text.rfind("</main>")? + "</main>".len();
            Some(format!("{}\n", &text[start..end]))
        })
        .flatten();
    main.map_or_else(|| bytes.to_vec(), String::into_bytes)
}

fn build(case: &Path) -> BTreeMap<String, Vec<u8>> {
    let (project, mut diags) = common::load(case);
    let mut files = runsheet::internals::Files::default();
    runsheet::internals::render(&project, &mut files, &mut diags);
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
    let cases = cases();
    assert!(!cases.is_empty(), "no fixture cases found");
    let results = cases
        .iter()
        .map(|case| {
            let got = build(case)
                .into_iter()
                .map(|(path, bytes)| {
                    let main = main_of(&path, &bytes);
                    (path, main)
                })
                .collect();
            common::golden_tree(&case.join("expected"), &got)
        })
        .collect();
    common::all_ok(results);
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
