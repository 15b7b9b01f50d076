//! Shared helpers for the integration tests: fixture discovery and golden files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `tests/fixtures/<group>/*`, sorted.
pub(crate) fn cases(group: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(group);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Compares `actual` with the golden file at `path`. With `RUNSHEET_BLESS=1`
/// the golden file is (re)written instead. Returns a failure message on mismatch.
pub(crate) fn golden(path: &Path, actual: &str) -> Result<(), String> {
    if std::env::var_os("RUNSHEET_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
        .unified_diff()
        .header("expected", "actual")
        .to_string();
    Err(format!(
        "golden file {} differs (RUNSHEET_BLESS=1 rewrites it):\n{diff}",
        path.display()
    ))
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
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}
