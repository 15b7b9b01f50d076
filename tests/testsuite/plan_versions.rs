//! Both encodings of plan schema version 3 (compact plan files, the
//! expanded form `runsheet plan` prints) read into the same plan, and plan
//! files of schema version 2 (what builds wrote before version 3, and what
//! run copies of older runs hold) still read: into the same plan as a fresh
//! build, and in `runsheet diff` against version 3 plans.
//! `tests/fixtures/plan-v2/guide.json` is the version 2 plan of the
//! `plans/nested-partial` fixture, as runsheet wrote it then.

use crate::common;

use std::fs;

use assert_cmd::Command;
use predicates::prelude::*;
use runsheet::internals::plan_as_v2;
use runsheet::plan::{self, Encoding, Plan};
use serde_json::Value;

fn v2_file() -> std::path::PathBuf {
    common::repo().join("tests/fixtures/plan-v2/guide.json")
}

fn fresh() -> Plan {
    let (project, mut diags) = common::load(&common::fixture("nested-partial"));
    common::plans(&project, &mut diags)
        .into_iter()
        .find(|(name, _)| name == "guide")
        .map(|(_, plan)| plan)
        .unwrap()
}

#[test]
fn a_version_2_plan_reads_into_the_plan_a_build_makes() {
    let text = fs::read_to_string(v2_file()).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["schema_version"], 2);
    let old: Plan = serde_json::from_str(&text).unwrap();
    let now = fresh();
    // nothing is lost reading version 2: spelled out again, it is the file
    assert_eq!(plan_as_v2(&old), value);
    assert_eq!(plan_as_v2(&old), plan_as_v2(&now));
    // and written now, it is the version 3 plan a build writes
    for encoding in [Encoding::Compact, Encoding::Expanded] {
        assert_eq!(
            plan::to_pretty_json(&old, encoding),
            plan::to_pretty_json(&now, encoding)
        );
    }
}

fn encoded(plan: &Plan, encoding: Encoding) -> Value {
    serde_json::from_str(&plan::to_pretty_json(plan, encoding)).unwrap()
}

#[test]
fn both_encodings_read_into_the_same_plan() {
    let made = fresh();
    let whole = plan_as_v2(&made);
    let compact = encoded(&made, Encoding::Compact);
    let expanded = encoded(&made, Encoding::Expanded);
    // the compact encoding has the files table and index sources, the
    // expanded one the contract's objects and every step's text
    assert!(compact.get("files").is_some());
    assert!(compact["page"].get("source").is_none());
    assert!(expanded.get("files").is_none());
    assert_eq!(
        expanded["page"]["source"],
        serde_json::json!({"file": "content/guide.md", "line": 1, "column": 1, "included_from": []})
    );
    let step = &expanded["procedures"][0]["steps"][0];
    assert_eq!(step["title"], "Open the console.");
    assert_eq!(step["text"], "Open the console.");
    assert_eq!(step["markdown"], "Open the console.");
    assert_eq!(
        step["source"],
        serde_json::json!({
            "file": "partials/steps/inner.md", "line": 1, "column": 1,
            "included_from": [
                {"file": "partials/outer.md", "line": 3},
                {"file": "content/guide.md", "line": 7}
            ]
        })
    );
    assert_eq!(compact["procedures"][0]["steps"][0]["source"][1], 1);
    for value in [&compact, &expanded] {
        assert_eq!(plan_as_v2(&Plan::from_value(value.clone()).unwrap()), whole);
    }
    // what the compact encoding may leave out, an expanded plan may too:
    // the reader derives it the same way
    let mut lean = expanded.clone();
    for key in ["title", "text", "markdown"] {
        lean["procedures"][0]["steps"][0]
            .as_object_mut()
            .unwrap()
            .remove(key);
    }
    assert_eq!(plan_as_v2(&Plan::from_value(lean).unwrap()), whole);
    // the two forms of a source mix, when `files` is there for the indexes
    let mut mixed = expanded.clone();
    mixed["files"] = compact["files"].clone();
    mixed["procedures"][0]["source"] = compact["procedures"][0]["source"].clone();
    mixed["page"].as_object_mut().unwrap().remove("source");
    assert_eq!(plan_as_v2(&Plan::from_value(mixed).unwrap()), whole);
}

#[test]
fn an_index_source_without_files_is_refused_clearly() {
    let expanded = encoded(&fresh(), Encoding::Expanded);
    let mut broken = expanded.clone();
    broken["procedures"][0]["source"] = serde_json::json!([1, 1, 1]);
    let e = Plan::from_value(broken).unwrap_err();
    assert!(
        e.contains("a source is `[1, 1, 1]`, an index in `files`, but the plan has no `files`"),
        "{e}"
    );
    let mut broken = expanded.clone();
    broken["page"].as_object_mut().unwrap().remove("source");
    let e = Plan::from_value(broken).unwrap_err();
    assert!(e.contains("neither `files` nor `page.source`"), "{e}");
    // a spelled-out source names every key, `included_from` too
    let mut broken = expanded;
    broken["procedures"][0]["source"] =
        serde_json::json!({"file": "content/guide.md", "line": 9, "column": 1});
    let e = Plan::from_value(broken).unwrap_err();
    assert!(
        e.contains(
            "a source: `[file index, line, column]` or `{file, line, column, included_from}`"
        ),
        "{e}"
    );
}

/// A change that makes a plan unreadable.
type Breakage = fn(&mut Value);

#[test]
fn unknown_versions_and_broken_plans_are_refused() {
    let mut value = encoded(&fresh(), Encoding::Compact);
    assert!(Plan::from_value(value.clone()).is_ok());
    let cases: [(&str, Breakage); 5] = [
        ("version 4", |v| v["schema_version"] = 4.into()),
        ("no version", |v| {
            v.as_object_mut().unwrap().remove("schema_version");
        }),
        ("a source naming no file", |v| {
            v["procedures"][0]["source"] = serde_json::json!([99, 1, 1]);
        }),
        ("an include site that is not an earlier file", |v| {
            v["files"][1]["included_from"]["file"] = 5.into();
        }),
        ("a substeps block naming no substep", |v| {
            v["procedures"][0]["steps"][0]["content"] =
                serde_json::json!([{"kind": "substeps", "steps": [7], "source": [0, 1, 1]}]);
        }),
    ];
    for (what, breakage) in cases {
        let mut broken = value.clone();
        breakage(&mut broken);
        assert!(Plan::from_value(broken).is_err(), "{what} was read");
    }
    // a step without `title` takes its first paragraph's Markdown; with no
    // first paragraph it cannot
    value["procedures"][0]["steps"][0]["content"] =
        serde_json::json!([{"kind": "rule", "markdown": "---", "source": [0, 1, 1]}]);
    value["procedures"][0]["steps"][0]
        .as_object_mut()
        .unwrap()
        .remove("title");
    assert!(Plan::from_value(value).is_err());
}

#[test]
fn diff_compares_a_version_2_plan_with_version_3() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    Command::cargo_bin("runsheet")
        .unwrap()
        .arg("--root")
        .arg(common::fixture("nested-partial"))
        .args(["build", "-q", "--out"])
        .arg(&site)
        .assert()
        .success();
    let v3 = site.join("plans/guide.json");
    assert!(fs::read_to_string(&v3)
        .unwrap()
        .starts_with("{\"schema_version\":3,"));
    // what `runsheet plan` prints (expanded) is the plan of the file
    let printed = tmp.path().join("printed.json");
    let out = Command::cargo_bin("runsheet")
        .unwrap()
        .arg("--root")
        .arg(common::fixture("nested-partial"))
        .args(["plan", "-q", "guide"])
        .assert()
        .success();
    fs::write(&printed, &out.get_output().stdout).unwrap();
    // the same page before and after the upgrade, and in both encodings:
    // no change, either way
    for (old, new) in [
        (v2_file(), v3.clone()),
        (v3.clone(), v2_file()),
        (printed.clone(), v3.clone()),
        (v2_file(), printed),
    ] {
        Command::cargo_bin("runsheet")
            .unwrap()
            .arg("diff")
            .arg(&old)
            .arg(&new)
            .arg("--exit-code")
            .assert()
            .success()
            .stdout("");
    }
    Command::cargo_bin("runsheet")
        .unwrap()
        .arg("diff")
        .arg(v2_file())
        .arg(common::fixture("nested-partial"))
        .arg("--exit-code")
        .assert()
        .success()
        .stdout("");
    // a reworded step in the old plan shows as a change, with both texts
    let text = fs::read_to_string(v2_file())
        .unwrap()
        .replace("Open the console.", "Open the terminal.");
    let old = tmp.path().join("old.json");
    fs::write(&old, text).unwrap();
    let out = Command::cargo_bin("runsheet")
        .unwrap()
        .arg("diff")
        .arg(&old)
        .arg(&v3)
        .args(["--format", "json", "--exit-code"])
        .assert()
        .code(3);
    let changes: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let change = &changes["changes"][0];
    assert_eq!(change["kind"], "changed", "{changes:#}");
    assert_eq!(change["step"], "prepare/open-the-console");
    assert_eq!(
        change["fields"],
        serde_json::json!(["title", "text", "markdown"])
    );
    assert_eq!(change["old"]["title"], "Open the terminal.");
    assert_eq!(change["new"]["title"], "Open the console.");
    // the JSON form spells a step out whatever the plan version
    assert_eq!(change["new"]["source"]["file"], "partials/steps/inner.md");
    // a plan of a version runsheet does not know is refused
    let future = tmp.path().join("future.json");
    fs::write(
        &future,
        fs::read_to_string(&v3)
            .unwrap()
            .replace("\"schema_version\":3", "\"schema_version\":4"),
    )
    .unwrap();
    Command::cargo_bin("runsheet")
        .unwrap()
        .arg("diff")
        .arg(&future)
        .arg(&v3)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[diff-input]"));
}
