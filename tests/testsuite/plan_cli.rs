//! The `plan` and `schema` commands against the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.args(["--root", env!("CARGO_MANIFEST_DIR")]);
    cmd
}

/// What `runsheet plan ARGS…` prints on stdout for the sample project.
fn plan_stdout(args: &[&str]) -> String {
    let out = runsheet().arg("plan").args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
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
    // the expanded encoding: no files table, sources and steps spelled out
    assert!(text.starts_with("{\n  \"schema_version\": 3,\n  \"page\": {\n"));
    let plan: Value = serde_json::from_str(&text).unwrap();
    assert!(plan.get("files").is_none());
    assert_eq!(plan["page"]["name"], "upgrading-major-releases");
    assert_eq!(
        plan["page"]["source"],
        serde_json::json!({
            "file": "content/upgrading-major-releases.md", "line": 1, "column": 1,
            "included_from": []
        })
    );
    let mut steps = 0;
    for p in plan["procedures"].as_array().unwrap() {
        assert_spelled_out(&p["source"]);
        for b in p["notes"].as_array().into_iter().flatten() {
            assert_spelled_out(&b["source"]);
        }
        steps += steps_spelled_out(&p["steps"]);
    }
    assert!(steps > 50, "{steps} steps");
    let ids: Vec<&str> = plan["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"recommended-approach/overview"));
    assert!(ids.contains(&"alternative-approach"));
}

/// A source in the expanded encoding: `{file, line, column, included_from}`.
fn assert_spelled_out(source: &Value) {
    let keys: Vec<&str> = source
        .as_object()
        .unwrap_or_else(|| panic!("{source} is not an object"))
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 4, "{source}");
    assert!(source["file"].is_string(), "{source}");
    assert!(source["line"].as_u64().unwrap() >= 1, "{source}");
    assert!(source["column"].as_u64().unwrap() >= 1, "{source}");
    for site in source["included_from"].as_array().unwrap() {
        assert!(
            site["file"].is_string() && site["line"].is_u64(),
            "{source}"
        );
    }
}

/// Checks every step (substeps too) has its `title`, `text` and `markdown`
/// and spelled-out sources; returns how many steps there are.
fn steps_spelled_out(steps: &Value) -> usize {
    let mut count = 0;
    for step in steps.as_array().unwrap() {
        for key in ["title", "text", "markdown"] {
            assert!(step[key].is_string(), "{} has no {key}", step["id"]);
        }
        assert_spelled_out(&step["source"]);
        for block in step["content"].as_array().unwrap() {
            assert_spelled_out(&block["source"]);
        }
        count += 1;
        if let Some(substeps) = step.get("substeps") {
            count += steps_spelled_out(substeps);
        }
    }
    count
}

#[test]
fn plan_compact_prints_the_encoding_of_plan_files() {
    let text = plan_stdout(&["upgrading-major-releases", "--compact"]);
    assert!(text.starts_with("{\n  \"schema_version\": 3,\n  \"files\": [\n"));
    assert!(text.contains("\"source\": [1, 9, 1]"));
    let compact: runsheet::plan::Plan = serde_json::from_str(&text).unwrap();
    let expanded: runsheet::plan::Plan =
        serde_json::from_str(&plan_stdout(&["upgrading-major-releases"])).unwrap();
    assert_eq!(
        runsheet::internals::plan_as_v2(&compact),
        runsheet::internals::plan_as_v2(&expanded)
    );
}

#[test]
fn plan_accepts_a_path_and_is_byte_identical() {
    let by_name = plan_stdout(&["upgrading-major-releases"]);
    let by_path = plan_stdout(&["content/upgrading-major-releases.md"]);
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
    // both encodings: a source is an index triple or spelled out, and
    // `files` is only the compact encoding's
    assert_eq!(
        schema["$defs"]["Source"]["anyOf"],
        serde_json::json!([
            {"$ref": "#/$defs/SourceIndex"},
            {"$ref": "#/$defs/SourceSpelledOut"}
        ])
    );
    assert_eq!(
        schema["$defs"]["SourceSpelledOut"]["required"],
        serde_json::json!(["file", "line", "column", "included_from"])
    );
    assert_eq!(
        schema["required"],
        serde_json::json!(["schema_version", "page", "digest", "procedures"])
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
