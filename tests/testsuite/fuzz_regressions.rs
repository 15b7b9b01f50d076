//! Inputs a fuzz target once failed on (`tests/fixtures/fuzz/<target>/`), replayed through the same entry points, and every fixture page through the include and procedure checks of the fuzz targets.

use crate::common;

use std::fs;
use std::path::Path;

use runsheet::fuzzing;

/// Runs one input through the entry point of the fuzz target `target`.
fn replay(target: &str, data: &[u8]) {
    match target {
        "front_matter" => fuzzing::front_matter(&fuzzing::text_of(data)),
        "include" => fuzzing::expand(&fuzzing::text_of(data)),
        "procedures" => fuzzing::procedures(&fuzzing::text_of(data)),
        "plan_diff" => fuzzing::diff_bytes(data),
        other => panic!("no fuzz target `{other}` replays from bytes"),
    }
}

/// Every file below `dir`, sorted.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    found.sort();
    found
}

#[test]
fn inputs_that_failed_a_fuzz_target_pass_it() {
    let root = common::repo().join("tests/fixtures/fuzz");
    let mut replayed = 0;
    for target in common::cases("fuzz") {
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        for input in files(&target) {
            let data = fs::read(&input).unwrap();
            let result = std::panic::catch_unwind(|| replay(&name, &data));
            assert!(result.is_ok(), "{} fails again", input.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no input under {}", root.display());
}

/// A fuzz input for `page`: its text, then every partial of the project
/// after a line `=== path`.
fn fuzz_input(page: &Path, partials: &Path) -> String {
    let mut input = fs::read_to_string(page).unwrap();
    for partial in files(partials) {
        let rel = partial.strip_prefix(partials).unwrap().to_string_lossy();
        let text = fs::read_to_string(&partial).unwrap_or_default();
        input.push_str(&format!("\n{}{rel}\n{text}", fuzzing::FILE_MARKER));
    }
    input
}

#[test]
fn fixture_pages_pass_the_fuzz_checks() {
    let mut projects = vec![common::repo()];
    for group in ["checklists", "diagnostics", "expand", "plans", "site"] {
        projects.extend(common::cases(group));
    }
    for project in projects {
        for page in files(&project.join("content")) {
            if page.extension().is_some_and(|e| e == "md") {
                let input = fuzz_input(&page, &project.join("partials"));
                fuzzing::expand(&input);
                fuzzing::procedures(&input);
            }
        }
    }
}
