//! Golden plans for the fixture trees under `tests/fixtures/plans/<case>` and
//! for the repository's own sample guide, in the compact encoding of a
//! build's plan files (pretty-printed, as `runsheet plan --compact` prints
//! it); the sample guide's also in the expanded encoding `runsheet plan`
//! prints (`tests/golden/sample-plans/expanded/`). `RUNSHEET_BLESS=1 cargo
//! test` rewrites the goldens.

use crate::common;

use std::collections::BTreeSet;
use std::fs;

use runsheet::plan::{self, Encoding, Plan};

/// Builds the plans of one fixture case and compares them, and every
/// diagnostic of the run, with `expected/`.
fn run_case(case: &str) {
    let root = common::fixture(case);
    let (project, mut diags) = common::load(&root);
    let plans = common::plans(&project, &mut diags);
    let mut failures = Vec::new();
    for (name, plan) in &plans {
        let path = root.join("expected").join(format!("{name}.json"));
        if let Err(diff) = common::golden(&path, &plan::to_pretty_json(plan, Encoding::Compact)) {
            failures.push(diff);
        }
        failures.extend(common::check_sources(&root, plan));
        failures.extend(common::reads_back(plan));
    }
    let jsonl = common::diagnostics_jsonl(&project, &mut diags);
    if let Err(diff) = common::golden(&root.join("expected/diagnostics.jsonl"), &jsonl) {
        failures.push(diff);
    }
    assert!(failures.is_empty(), "{case}:\n{}", failures.join("\n"));
}

macro_rules! cases {
    ($($name:ident => $dir:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_case($dir);
            }
        )*

        #[test]
        fn every_fixture_has_a_test() {
            let listed: BTreeSet<&str> = [$($dir),*].into_iter().collect();
            let on_disk: BTreeSet<String> = fs::read_dir(common::repo().join("tests/fixtures/plans"))
                .unwrap()
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
            assert_eq!(listed, on_disk);
        }
    };
}

cases! {
    numbering => "numbering",
    optional => "optional",
    substeps => "substeps",
    contents => "contents",
    details => "details",
    nested_partial => "nested-partial",
    interrupted => "interrupted",
    empty => "empty",
    no_heading => "no-heading",
    index_guides => "index-guides",
    details_guard => "details-guard",
    mdx => "mdx",
}

fn plan_of(case: &str, page: &str) -> Plan {
    let (project, mut diags) = common::load(&common::fixture(case));
    common::plans(&project, &mut diags)
        .into_iter()
        .find(|(name, _)| name == page)
        .map(|(_, plan)| plan)
        .unwrap()
}

#[test]
fn numbers_follow_the_start_number_and_position() {
    let plan = plan_of("numbering", "numbering");
    let numbers: Vec<Vec<u64>> = plan
        .procedures
        .iter()
        .map(|p| p.steps.iter().map(|s| s.number).collect())
        .collect();
    assert_eq!(numbers, [vec![3, 4], vec![1, 2, 3], vec![1, 2], vec![1, 2]]);
    let ids: Vec<&str> = plan.procedures[3]
        .steps
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ids, ["same-title-twice/alpha", "same-title-twice/alpha-2"]);
}

#[test]
fn nested_partial_sources_name_both_include_sites() {
    let plan = plan_of("nested-partial", "guide");
    let step = &plan.procedures[0].steps[1];
    assert_eq!(step.source.file, "partials/steps/inner.md");
    assert_eq!((step.source.line, step.source.column), (2, 1));
    let sites: Vec<(&str, usize)> = step
        .source
        .included_from
        .iter()
        .map(|s| (s.file.as_str(), s.line))
        .collect();
    assert_eq!(sites, [("partials/outer.md", 3), ("content/guide.md", 7)]);
    assert_eq!(
        plan.procedures[0].intro.as_deref(),
        Some("Before you start, open two windows.")
    );
}

/// A procedure's id and its top-level step numbers.
type Numbered = (String, Vec<u64>);
/// A warning's code and line.
type Found = (&'static str, usize);

/// Procedure ids and top-level step numbers of the fixture `interrupted`,
/// read with `lists`, and its warnings as `(code, line)`.
fn read_interrupted(lists: runsheet::internals::Reading) -> (Vec<Numbered>, Vec<Found>) {
    let overrides = runsheet::Overrides {
        lists: Some(lists),
        ..Default::default()
    };
    let (project, mut diags) = common::load_with(&common::fixture("interrupted"), &overrides);
    let plans = common::plans(&project, &mut diags);
    let procedures = plans[0]
        .1
        .procedures
        .iter()
        .map(|p| (p.id.clone(), p.steps.iter().map(|s| s.number).collect()))
        .collect();
    let found = diags
        .iter()
        .filter_map(|d| {
            let l = d.label?;
            Some((d.code, project.db.get(l.file).line_col(l.start).0))
        })
        .collect();
    (procedures, found)
}

#[test]
fn interrupted_lists_read_as_the_writer_meant() {
    let (procedures, found) = read_interrupted(runsheet::internals::Reading::Writer);
    let expected: Vec<(String, Vec<u64>)> = [
        // `1.` `1.` code `1.`: a writer who numbers every step 1
        ("code-between-items", vec![1, 2, 3]),
        // 1 2, a paragraph, 3: the numbering goes on
        ("resumed-after-a-paragraph", vec![1, 2, 3]),
        // ` 1.` ` 2.` indented one space under `1.`: its substeps
        ("one-space-sub-items", vec![1, 2]),
        ("two-procedures-under-one-heading", vec![1]),
        ("two-procedures-under-one-heading-2", vec![1]),
        ("a-list-inside-a-callout", vec![1]),
        ("a-list-inside-a-callout-2", vec![1, 2]),
        ("quoted", vec![1, 2]),
    ]
    .into_iter()
    .map(|(id, n)| (id.to_owned(), n))
    .collect();
    assert_eq!(procedures, expected);
    assert_eq!(found, [("procedure-indent", 29), ("procedure-indent", 30)]);
}

#[test]
fn interrupted_lists_split_as_commonmark_reads_them() {
    let (procedures, found) = read_interrupted(runsheet::internals::Reading::Commonmark);
    let ids: Vec<&str> = procedures.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "code-between-items",
            "code-between-items-2",
            "resumed-after-a-paragraph",
            "resumed-after-a-paragraph-2",
            "one-space-sub-items",
            "two-procedures-under-one-heading",
            "two-procedures-under-one-heading-2",
            "a-list-inside-a-callout",
            "a-list-inside-a-callout-2",
            "quoted",
        ]
    );
    assert_eq!(procedures[3].1, [3]);
    assert_eq!(procedures[4].1, [1, 2, 3, 4]);
    assert_eq!(
        found,
        [
            ("procedure-split", 14),
            ("procedure-split", 23),
            ("procedure-indent", 29),
            ("procedure-indent", 30),
        ]
    );
}

#[test]
fn empty_sections_warn_only_when_really_empty() {
    let (project, mut diags) = common::load(&common::fixture("empty"));
    common::plans(&project, &mut diags);
    let found: Vec<(&str, usize)> = diags
        .iter()
        .filter_map(|d| {
            let l = d.label?;
            Some((d.code, project.db.get(l.file).line_col(l.start).0))
        })
        .collect();
    assert_eq!(found, [("procedure-empty", 5), ("procedure-empty", 9)]);
}

#[test]
fn sample_guide_golden() {
    let root = common::repo();
    let (project, mut diags) = common::load(&root);
    let plans = common::plans(&project, &mut diags);
    let mut failures = Vec::new();
    for (name, plan) in &plans {
        let goldens = root.join("tests/golden/sample-plans");
        for (path, encoding) in [
            (goldens.join(format!("{name}.json")), Encoding::Compact),
            (
                goldens.join("expanded").join(format!("{name}.json")),
                Encoding::Expanded,
            ),
        ] {
            if let Err(diff) = common::golden(&path, &plan::to_pretty_json(plan, encoding)) {
                failures.push(diff);
            }
        }
        failures.extend(common::check_sources(&root, plan));
        failures.extend(common::reads_back(plan));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, Vec::<&str>::new(), "the sample has no warnings");
}

#[test]
fn sample_guide_overview_and_alternative() {
    let (project, mut diags) = common::load(&common::repo());
    let plans = common::plans(&project, &mut diags);
    let (_, plan) = plans
        .iter()
        .find(|(n, _)| n == "upgrading-major-releases")
        .unwrap();
    let overview = plan
        .procedures
        .iter()
        .find(|p| p.id == "recommended-approach/overview")
        .unwrap();
    assert_eq!(overview.steps.len(), 9);
    assert_eq!(overview.heading_path, ["Recommended Approach", "Overview"]);
    let details: Vec<Option<&str>> = overview
        .steps
        .iter()
        .map(|s| s.details.as_ref().map(|d| d.anchor.as_str()))
        .collect();
    // where a person links each overview step: the section carrying it out
    let expected = [
        "download-the-same-version-as-the-main-instance",
        "install-octopus-deploy-on-a-new-test-vm",
        "export-the-subset-of-projects-from-the-main-instance",
        "import-the-subset-of-projects-into-the-test-instance",
        "download-the-latest-version",
        "back-up-the-test-instance-database",
        "upgrade-the-instance-in-place-to-the-latest-version",
        "test-and-verify-the-upgraded-instance",
        "upgrade-the-main-instance",
    ];
    assert_eq!(details, expected.map(Some));

    let alternative = plan
        .procedures
        .iter()
        .find(|p| p.id == "alternative-approach")
        .unwrap();
    assert_eq!(alternative.steps.len(), 7);
    let optional: Vec<u64> = alternative
        .steps
        .iter()
        .filter(|s| s.optional)
        .map(|s| s.number)
        .collect();
    assert_eq!(optional, [5]);
    assert_eq!(
        alternative.steps[4].title,
        "Disabling targets, triggers and subscriptions"
    );
    let details: Vec<Option<&str>> = alternative
        .steps
        .iter()
        .map(|s| s.details.as_ref().map(|d| d.anchor.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            Some("restore-the-main-instance-database-backup-as-a-new-database"),
            Some("download-the-same-version-as-the-main-instance-2"),
            Some("install-that-version-on-a-new-server-pointed-at-the-restored-database"),
            None,
            None,
            None,
            None,
        ]
    );
    // every procedure of every partial is there, with its source in the partial
    let partials: BTreeSet<&str> = plan
        .procedures
        .iter()
        .map(|p| p.source.file.as_str())
        .filter(|f| f.starts_with("partials/"))
        .collect();
    assert_eq!(partials.len(), 11, "{partials:?}");
}

#[test]
fn plans_are_byte_identical_across_runs() {
    let render = || {
        let (project, mut diags) = common::load(&common::repo());
        let mut files = runsheet::internals::Files::default();
        plan::render(&project, &mut files, &mut diags);
        files
    };
    assert_eq!(render(), render());
}

#[test]
fn a_step_never_links_to_a_section_sharing_only_its_verb() {
    // the old scorer linked "Select the runbook." to "Selecting tenants"
    let plan = plan_of("details-guard", "runbook");
    let links: Vec<Option<&str>> = plan.procedures[0]
        .steps
        .iter()
        .map(|s| s.details.as_ref().map(|d| d.anchor.as_str()))
        .collect();
    assert_eq!(links, [Some("create-the-runbook"), None, None]);
    let details = plan.procedures[0].steps[0].details.as_ref().unwrap();
    assert_eq!(details.procedures, ["run-a-runbook/create-the-runbook"]);
}
