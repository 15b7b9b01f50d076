//! The build cache: a build into a folder an earlier build wrote renders only
//! the pages whose inputs changed, and what it leaves is byte for byte what a
//! build into an empty folder leaves, warnings included.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use runsheet::corpus::Corpus;

/// Every file under `dir` by relative path, but the marker (its lines carry
/// modification times) and the cache (checked through what it makes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name != ".runsheet-output" && name != ".runsheet-cache"
        })
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Builds `root` into `out`: the diagnostics printed, and the summary line.
fn build(root: &Path, out: &Path) -> (String, String) {
    let output = Command::cargo_bin("runsheet")
        .unwrap()
        .args(["build", "--color", "never", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("RUNSHEET_REVISION", "r1")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let stderr = stderr.trim_end();
    let (diags, summary) = stderr.rsplit_once('\n').unwrap_or(("", stderr));
    (diags.to_owned(), summary.to_owned())
}

/// How many pages the summary line says were reused.
fn reused(summary: &str) -> usize {
    summary
        .split_once(" unchanged, reused")
        .and_then(|(head, _)| head.rsplit('(').next()?.parse().ok())
        .unwrap_or(0)
}

/// Builds `root` into `out` (built before) and into an empty folder; both
/// must hold the same files and report the same problems. Returns how many
/// pages the build into `out` reused.
fn same_as_fresh(root: &Path, out: &Path, fresh: &Path) -> usize {
    let (diags, summary) = build(root, out);
    let _ = fs::remove_dir_all(fresh);
    let (fresh_diags, fresh_summary) = build(root, fresh);
    assert_eq!(reused(&fresh_summary), 0, "{fresh_summary}");
    assert_eq!(diags, fresh_diags, "the same warnings, reused or not");
    let (got, want) = (tree(out), tree(fresh));
    let differing: Vec<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|k| want.get(*k) != got.get(*k))
        .collect();
    assert!(differing.is_empty(), "files differ: {differing:?}");
    reused(&summary)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_second_build_reuses_every_page_and_reports_the_same_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    Corpus::new(40, 3).write(&root).unwrap();
    let out = tmp.path().join("site");
    let (first, summary) = build(&root, &out);
    assert_eq!(reused(&summary), 0, "{summary}");
    assert!(first.contains("warning[link-broken]"), "{first}");
    let (second, summary) = build(&root, &out);
    assert_eq!(second, first);
    assert!(
        summary.starts_with("Built 41 pages (41 unchanged, reused)"),
        "{summary}"
    );
}

#[test]
fn changed_inputs_are_made_again_and_match_a_build_from_scratch() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    Corpus::new(60, 5).write(&root).unwrap();
    let (out, fresh) = (tmp.path().join("site"), tmp.path().join("fresh"));
    build(&root, &out);
    let pages = 61;

    // a step of one page: that page alone is made again
    let page = root.join("content/area-0/topic-0/page-0.md");
    edit(&page, "1. ", "1. First, ");
    assert_eq!(same_as_fresh(&root, &out, &fresh), pages - 1);

    // a partial: the pages including it are made again
    let partial = root.join("partials/shared-0.include.md");
    let text = fs::read_to_string(&partial).unwrap();
    fs::write(
        &partial,
        format!("{text}\nOne more sentence of the partial.\n"),
    )
    .unwrap();
    let kept = same_as_fresh(&root, &out, &fresh);
    assert!(kept > 0 && kept < pages, "{kept} of {pages} reused");

    // a heading others can link to: every page is made again
    edit(&page, "\n## ", "\n## Renamed ");
    assert_eq!(same_as_fresh(&root, &out, &fresh), 0);

    // an output file deleted by hand: its page is made again
    build(&root, &out);
    fs::remove_file(out.join("checklists/area-0/topic-0/page-0.md")).unwrap();
    assert_eq!(same_as_fresh(&root, &out, &fresh), pages - 1);
}

/// Every `.md` file under `dir/sub`, sorted.
fn files_under(dir: &Path, sub: &str) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = walkdir::WalkDir::new(dir.join(sub))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    found.sort();
    found
}

/// One made-up edit, chosen by `roll`: text in a page or a partial, a
/// heading renamed, a title changed, a page added or removed.
fn random_edit(root: &Path, roll: u64) -> String {
    let pages = files_under(root, "content");
    let partials = files_under(root, "partials");
    let pick = |list: &[std::path::PathBuf]| list[(roll / 7) as usize % list.len()].clone();
    let append = |path: &Path, text: &str| {
        let old = fs::read_to_string(path).unwrap();
        fs::write(path, format!("{old}\n{text}\n")).unwrap();
    };
    match roll % 6 {
        0 => {
            let page = pick(&pages);
            append(&page, "1. One more step, added at the end.");
            format!("a step in {}", page.display())
        }
        1 => {
            let partial = pick(&partials);
            append(&partial, "A sentence more in the partial.");
            format!("text in {}", partial.display())
        }
        2 => {
            let page = pick(&pages);
            let text = fs::read_to_string(&page).unwrap();
            fs::write(&page, text.replacen("\n## ", "\n## Reworded ", 1)).unwrap();
            format!("a heading of {}", page.display())
        }
        3 => {
            let page = pick(&pages);
            let text = fs::read_to_string(&page).unwrap();
            fs::write(&page, text.replacen("title: ", "title: New ", 1)).unwrap();
            format!("the title of {}", page.display())
        }
        4 => {
            let new = root.join(format!("content/added-{roll}.md"));
            fs::write(&new, "---\ntitle: Added\n---\n\n1. Do the new thing.\n").unwrap();
            format!("a new page {}", new.display())
        }
        _ => {
            let page = pick(&pages);
            fs::remove_file(&page).unwrap();
            format!("{} removed", page.display())
        }
    }
}

#[test]
fn after_any_sequence_of_edits_the_output_is_that_of_a_build_from_scratch() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    Corpus::new(30, 11).write(&root).unwrap();
    let (out, fresh) = (tmp.path().join("site"), tmp.path().join("fresh"));
    build(&root, &out);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..12 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let what = random_edit(&root, state % 10_000);
        eprintln!("round {round}: {what}");
        same_as_fresh(&root, &out, &fresh);
    }
}

#[test]
fn links_into_a_reused_page_find_its_html_anchors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    let page = |name: &str, body: &str| {
        let path = root.join(format!("content/{name}.md"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, format!("---\ntitle: {name}\n---\n\n{body}\n")).unwrap();
    };
    page(
        "target",
        "## Steps\n\n<a id=\"spot\"></a>\n\n1. Stand here.\n",
    );
    page("source", "1. Go to [the spot](target.md#spot).\n");
    let (out, fresh) = (tmp.path().join("site"), tmp.path().join("fresh"));
    let (first, _) = build(&root, &out);
    assert!(!first.contains("anchor-broken"), "{first}");
    // only the linking page changes: the page it links into is reused
    page("source", "1. Now go to [the spot](target.md#spot).\n");
    assert_eq!(same_as_fresh(&root, &out, &fresh), 1);
}
