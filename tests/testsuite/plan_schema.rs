//! Every plan validates against `runsheet schema` in both encodings of
//! schema version 3: the compact plan files a build writes and the
//! expanded plans `runsheet plan` prints (and `--compact`); broken plans
//! do not.

use crate::common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use jsonschema::Validator;
use runsheet::Overrides;
use serde_json::Value;

fn validator() -> Validator {
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
    jsonschema::validator_for(&schema).unwrap()
}

/// Validates one plan; returns the errors as text.
fn errors(v: &Validator, plan: &Value) -> Vec<String> {
    v.iter_errors(plan)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// What `runsheet plan PAGE` prints for the project at `root`, expanded
/// (as it prints by default) and compact (`--compact`).
fn printed(root: &Path, page: &str) -> [(String, Value); 2] {
    [&[][..], &["--compact"][..]].map(|flags| {
        let out = Command::cargo_bin("runsheet")
            .unwrap()
            .arg("--root")
            .arg(root)
            .args(["plan", "-q", page])
            .args(flags)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        (
            format!("runsheet plan {page} {}", flags.join(" ")),
            serde_json::from_slice(&out).unwrap(),
        )
    })
}

fn plan_files(dir: &Path) -> Vec<(String, Value)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() != "index.json")
        .map(|e| {
            let text = fs::read_to_string(e.path()).unwrap();
            (
                e.path().display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect()
}

#[test]
fn sample_build_plans_validate() {
    let v = validator();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    Command::cargo_bin("runsheet")
        .unwrap()
        .args(["--root", env!("CARGO_MANIFEST_DIR"), "build", "--out"])
        .arg(&site)
        .assert()
        .success();
    let plans = plan_files(&site.join("plans"));
    assert_eq!(plans.len(), 2, "one plan per sample page");
    for (path, plan) in &plans {
        assert_eq!(errors(&v, plan), Vec::<String>::new(), "{path}");
    }
    for page in ["index", "upgrading-major-releases"] {
        for (what, plan) in printed(Path::new(env!("CARGO_MANIFEST_DIR")), page) {
            assert_eq!(errors(&v, &plan), Vec::<String>::new(), "{what}");
        }
    }
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(site.join("plan.schema.json")).unwrap()).unwrap();
    assert_eq!(schema["title"], "runsheet plan");
    let index: Value =
        serde_json::from_str(&fs::read_to_string(site.join("plans/index.json")).unwrap()).unwrap();
    let pages: Vec<(&str, &str, u64)> = index["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["plan"].as_str().unwrap(),
                p["procedures"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pages,
        [
            ("index", "plans/index.page.json", 0),
            (
                "upgrading-major-releases",
                "plans/upgrading-major-releases.json",
                15
            )
        ]
    );
}

#[test]
fn fixture_plans_validate_in_both_encodings() {
    let v = validator();
    let (mut checked, mut printed_ok) = (0, 0);
    for case in common::cases("plans") {
        let (project, mut diags) = common::load(&case);
        let mut files = runsheet::internals::Files::default();
        runsheet::plan::render(&project, &mut files, &mut diags);
        for (path, bytes) in files.iter() {
            if !path.starts_with("plans/") || path == runsheet::plan::INDEX_PATH {
                continue;
            }
            let plan: Value = serde_json::from_slice(bytes).unwrap();
            let what = format!("{} {path}", case.display());
            assert_eq!(errors(&v, &plan), Vec::<String>::new(), "{what}");
            checked += 1;
        }
        for page in project.pages.iter().filter(|p| p.redirect().is_none()) {
            for (what, plan) in printed(&case, &page.name) {
                let what = format!("{}: {what}", case.display());
                assert_eq!(errors(&v, &plan), Vec::<String>::new(), "{what}");
                assert_eq!(plan.get("files").is_some(), what.ends_with("--compact"));
            }
            printed_ok += 1;
        }
    }
    // one plan file for each page printed, and every fixture in it
    assert_eq!(checked, printed_ok);
    assert!(checked >= 13, "{checked} fixture plan files");
}

#[test]
fn corpus_plans_validate() {
    let Some(corpus) = common::corpus() else {
        eprintln!("note: ../shared/corpus/octopus-docs is not there; corpus plans not validated");
        return;
    };
    let v = validator();
    for form in runsheet::internals::PageFormat::ALL {
        let overrides = Overrides {
            content: Some(corpus.join("src/pages/docs")),
            partials: Some(corpus.join("src/shared-content")),
            base_path: Some("/docs".into()),
            page_formats: Some(vec![form]),
            ..Overrides::default()
        };
        // from the corpus root, where the MDX pages' import paths resolve
        let (project, mut diags) = common::load_with(&corpus, &overrides);
        let mut files = runsheet::internals::Files::default();
        let plans = runsheet::plan::render(&project, &mut files, &mut diags);
        // as `runsheet plan` prints them
        for plan in &plans {
            let text = runsheet::plan::to_pretty_json(plan, runsheet::plan::Encoding::Expanded);
            let plan: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                errors(&v, &plan),
                Vec::<String>::new(),
                "{form:?} {}",
                plan["page"]["name"]
            );
        }
        let mut checked = 0;
        for (path, bytes) in files.iter() {
            if !path.starts_with("plans/") || path == runsheet::plan::INDEX_PATH {
                continue;
            }
            let plan: Value = serde_json::from_slice(bytes).unwrap();
            assert_eq!(errors(&v, &plan), Vec::<String>::new(), "{form:?} {path}");
            checked += 1;
        }
        // redirect pages have no plan file
        let planned = project.pages.iter().filter(|p| p.redirect().is_none());
        assert_eq!(checked, planned.count());
        assert!(
            checked >= 10,
            "the corpus has its {form:?} pages: {checked}"
        );
    }
}

/// A change that makes a valid plan invalid.
type Breakage = fn(&mut Value);

#[test]
fn broken_plans_fail_validation() {
    let v = validator();
    let (project, mut diags) = common::load(&common::repo());
    let page = project.page("upgrading-major-releases").unwrap();
    let plan = runsheet::plan::plan(&project, page, &mut diags);
    let good = serde_json::to_value(&plan).unwrap();
    assert!(v.is_valid(&good));
    assert!(good.get("files").is_some(), "a plan serialises compact");
    let breakages: [(&str, Breakage); 13] = [
        ("a step without id", |p| {
            p["procedures"][0]["steps"][0]
                .as_object_mut()
                .unwrap()
                .remove("id");
        }),
        ("a step without content", |p| {
            p["procedures"][0]["steps"][0]
                .as_object_mut()
                .unwrap()
                .remove("content");
        }),
        ("a number that is a string", |p| {
            p["procedures"][0]["steps"][0]["number"] = "1".into();
        }),
        ("null for a key left out when there is nothing", |p| {
            p["procedures"][0]["steps"][0]["details"] = Value::Null;
        }),
        ("an unknown key", |p| {
            p["procedures"][0]["steps"][0]["colour"] = "red".into();
        }),
        ("an unknown block kind", |p| {
            p["procedures"][0]["steps"][0]["content"][0]["kind"] = "poem".into();
        }),
        ("a wrong schema version", |p| {
            p["schema_version"] = 1.into();
        }),
        ("schema version 2 in a version 3 plan", |p| {
            p["schema_version"] = 2.into();
        }),
        ("a source of two numbers", |p| {
            p["procedures"][0]["source"] = serde_json::json!([0, 9]);
        }),
        ("a spelled-out source without included_from", |p| {
            p["procedures"][0]["source"] =
                serde_json::json!({"file": "content/a.md", "line": 9, "column": 1});
        }),
        ("a spelled-out source with an index for its file", |p| {
            p["procedures"][0]["source"] = serde_json::json!(
                {"file": 0, "line": 9, "column": 1, "included_from": []}
            );
        }),
        ("a digest that is no SHA-256", |p| {
            p["digest"] = "md5:abc".into();
        }),
        ("a substep without a source", |p| {
            p["procedures"][0]["steps"][5]["substeps"][0]
                .as_object_mut()
                .unwrap()
                .remove("source");
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert_ne!(broken, good, "{what}: the breakage changed nothing");
        assert!(!v.is_valid(&broken), "{what} passed validation");
    }

    // the expanded encoding
    let text = runsheet::plan::to_pretty_json(&plan, runsheet::plan::Encoding::Expanded);
    let good: Value = serde_json::from_str(&text).unwrap();
    assert!(v.is_valid(&good));
    let breakages: [(&str, Breakage); 5] = [
        ("a step markdown that is no string", |p| {
            p["procedures"][0]["steps"][0]["markdown"] = 1.into();
        }),
        ("an include site without its line", |p| {
            p["procedures"][0]["steps"][0]["source"]["included_from"] =
                serde_json::json!([{"file": "content/upgrading-major-releases.md"}]);
        }),
        ("an include site as a file index", |p| {
            p["procedures"][0]["steps"][0]["source"]["included_from"] =
                serde_json::json!({"file": 0, "line": 9});
        }),
        ("a line 0", |p| {
            p["procedures"][0]["steps"][0]["source"]["line"] = 0.into();
        }),
        ("an unknown key in a source", |p| {
            p["page"]["source"]["path"] = "content/a.md".into();
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert_ne!(broken, good, "{what}: the breakage changed nothing");
        assert!(!v.is_valid(&broken), "{what} passed validation (expanded)");
    }
}
