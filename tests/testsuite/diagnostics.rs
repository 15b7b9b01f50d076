//! Diagnostics of fixture projects, in the human and JSON forms, against golden files.
//!
//! Each `tests/fixtures/diagnostics/<case>/` is a project; `expected.txt` holds
//! the exit code and stderr of `runsheet check --color never`, `expected.jsonl`
//! the stdout of `runsheet check --format json`.

use crate::common;

use assert_cmd::Command;

fn check(root: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("runsheet")
        .unwrap()
        .arg("check")
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn diagnostic_goldens() {
    let mut results = Vec::new();
    for case in common::cases("diagnostics") {
        let (code, stdout, stderr) = check(&case, &["--color", "never"]);
        assert!(stdout.is_empty(), "human form writes nothing on stdout");
        results.push(common::golden(
            &case.join("expected.txt"),
            &format!("exit: {code}\n{}", without_timing(&stderr)),
        ));
        let (json_code, json, _) = check(&case, &["--format", "json"]);
        assert_eq!(code, json_code, "{}", case.display());
        for line in json.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
            for key in [
                "severity",
                "code",
                "message",
                "file",
                "line",
                "column",
                "help",
                "included_from",
            ] {
                assert!(v.get(key).is_some(), "{key} missing in {line}");
            }
        }
        results.push(common::golden(&case.join("expected.jsonl"), &json));
    }
    common::all_ok(results);
}

#[test]
fn every_documented_code_is_covered_by_a_fixture() {
    let mut seen = String::new();
    for case in common::cases("diagnostics") {
        seen.push_str(&std::fs::read_to_string(case.join("expected.jsonl")).unwrap_or_default());
    }
    for code in [
        "include-missing",
        "include-ambiguous",
        "include-cycle",
        "include-depth",
        "include-too-large",
        "include-escape",
        "include-syntax",
        "front-matter-invalid",
        "front-matter-missing",
        "title-missing",
        "callout-unclosed",
        "partial-unused",
        "component-unknown",
        "component-dropped",
        "import-unused",
        "import-invalid",
        "output-collision",
    ] {
        assert!(
            seen.contains(&format!("\"code\":\"{code}\"")),
            "no fixture triggers {code}"
        );
    }
}

/// Stderr with the summary line's time (`in 13 ms`) left out, so goldens
/// do not depend on the machine.
fn without_timing(stderr: &str) -> String {
    stderr
        .lines()
        .map(|line| match line.split_once(" in ") {
            Some((what, rest)) if rest.contains(" ms (") => {
                format!("{what} in … ms ({}", rest.split_once(" ms (").unwrap().1)
            }
            _ => line.to_owned(),
        })
        .map(|l| l + "\n")
        .collect()
}
