//! The `plan` and `schema` commands against the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.args(["--root", env!("CARGO_MANIFEST_DIR")]);
    cmd
}

#[test]
fn plan_prints_the_page_plan_on_stdout() {
    let out = runsheet()
        .args(["plan", "upgrading-major-releases"])
        .assert()
        .success()
        // messages go to stderr: the summary line only
        .stderr(predicate::str::starts_with(
            "Planned `upgrading-major-releases`: 15 procedures in ",
        ))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.ends_with("}\n"));
    assert!(text.starts_with("{\n  \"schema_version\": 3,\n  \"files\": [\n"));
    let plan: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(plan["page"]["name"], "upgrading-major-releases");
    let ids: Vec<&str> = plan["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"recommended-approach/overview"));
    assert!(ids.contains(&"alternative-approach"));
}

#[test]
fn plan_accepts_a_path_and_is_byte_identical() {
    let by_name = runsheet()
        .args(["plan", "upgrading-major-releases"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let by_path = runsheet()
        .args(["plan", "content/upgrading-major-releases.md"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(by_name, by_path);
}

#[test]
fn unknown_page_is_an_error_with_suggestions() {
    runsheet()
        .args(["plan", "upgrading-major-release"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("error[page-unknown]"))
        .stderr(predicate::str::contains(
            "did you mean `upgrading-major-releases`?",
        ));
}

#[test]
fn schema_prints_a_draft_2020_12_schema() {
    let out = Command::cargo_bin("runsheet")
        .unwrap()
        .arg("schema")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let schema: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    // the identifying keys are always there; the others may be left out
    // for their default
    assert_eq!(
        schema["$defs"]["Step"]["required"],
        serde_json::json!(["id", "number", "content", "source"])
    );
    assert_eq!(
        schema["$defs"]["Step"]["properties"]["substeps"]["default"],
        serde_json::json!([])
    );
    assert_eq!(
        schema["$defs"]["Block"]["properties"]["kind"]["default"],
        "paragraph"
    );
}

#[test]
fn plan_reports_the_page_warnings_on_stderr() {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/plans/interrupted"
    );
    Command::cargo_bin("runsheet")
        .unwrap()
        .args(["--root", root, "plan", "interrupted"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"schema_version\": 3"))
        .stderr(predicate::str::contains("warning[procedure-indent]"))
        .stderr(predicate::str::contains("content/interrupted.md:29:2"));
    Command::cargo_bin("runsheet")
        .unwrap()
        .args([
            "--root",
            root,
            "--lists",
            "commonmark",
            "plan",
            "interrupted",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[procedure-split]"))
        .stderr(predicate::str::contains("content/interrupted.md:14:1"));
}

#[test]
fn check_reports_procedure_warnings() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/plans/empty");
    Command::cargo_bin("runsheet")
        .unwrap()
        .args(["--root", root, "check", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"code\":\"procedure-empty\"").count(2));
}
