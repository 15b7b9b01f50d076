//! Step ids stay put when other steps are inserted, removed or reworded.

use crate::common;

use std::collections::BTreeMap;
use std::fs;

const PAGE: &str = "\
---
title: Ids
---

## Upgrade

### Overview

1. Back up the database.
1. Install the new version.
1. Check the logs.
1. Verify the upgrade.

### Install the new version

1. Stop the service on the server.
1. Run the installer:
   1. Accept the licence.
   1. Choose the folder.
1. Start the service.
";

/// Step id by step text (`text` is what the edits below keep for untouched steps).
fn ids(page: &str) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::write(dir.path().join("content/ids.md"), page).unwrap();
    let (project, mut diags) = common::load(dir.path());
    let plans = common::plans(&project, &mut diags);
    common::all_steps(&plans[0].1)
        .into_iter()
        .map(|s| (s.text.clone(), s.id.clone()))
        .collect()
}

/// Every step both versions have keeps its id.
fn assert_kept(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>, edit: &str) {
    let mut shared = 0;
    for (text, id) in before {
        if let Some(new_id) = after.get(text) {
            assert_eq!(id, new_id, "{edit}: the id of `{text}` changed");
            shared += 1;
        }
    }
    assert!(
        shared >= before.len() - 1,
        "{edit}: too few steps left to compare"
    );
}

#[test]
fn ids_survive_edits_elsewhere() {
    let before = ids(PAGE);
    assert_eq!(
        before["Back up the database."],
        "upgrade/overview/back-up-the-database"
    );
    assert_eq!(
        before["Accept the licence."],
        "upgrade/install-the-new-version/run-the-installer/accept-the-licence"
    );
    let edits = [
        (
            "insert a step at the top",
            PAGE.replace(
                "1. Back up the database.\n",
                "1. Tell the team.\n1. Back up the database.\n",
            ),
        ),
        (
            "insert a step in the middle",
            PAGE.replace(
                "1. Check the logs.\n",
                "1. Check the logs.\n1. Wait an hour.\n",
            ),
        ),
        (
            "remove a step",
            PAGE.replace("1. Install the new version.\n", ""),
        ),
        (
            "reword a step",
            PAGE.replace("1. Check the logs.", "1. Read the server logs."),
        ),
        (
            "reword the end of a step title",
            PAGE.replace("on the server.", "on the primary node first."),
        ),
        (
            "insert a substep",
            PAGE.replace(
                "   1. Accept the licence.\n",
                "   1. Read the notes.\n   1. Accept the licence.\n",
            ),
        ),
        (
            "change the text around the lists",
            PAGE.replace("### Overview\n", "### Overview\n\nThe steps are:\n"),
        ),
    ];
    for (edit, page) in edits {
        let after = ids(&page);
        assert_kept(&before, &after, edit);
    }
    // rewording a title after its first five words keeps that step's own id too
    let reworded = ids(&PAGE.replace("on the server.", "on the primary node first."));
    assert_eq!(
        reworded["Stop the service on the primary node first."],
        before["Stop the service on the server."]
    );
}

/// The page of the bug report: step 3 of the overview has the text of the
/// section heading that carries it out.
const COLLIDING: &str = "\
---
title: Collide
---

## Overview

1. Backup the database.
2. Install the new version.
3. Test the instance.

### Test the instance

1. Open it.
2. Click it.
";

/// Procedure ids, in page order, and step ids by step text.
fn all_ids(page: &str) -> (Vec<String>, BTreeMap<String, String>) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::write(dir.path().join("content/ids.md"), page).unwrap();
    let (project, mut diags) = common::load(dir.path());
    let plans = common::plans(&project, &mut diags);
    let plan = &plans[0].1;
    let procedures = plan.procedures.iter().map(|p| p.id.clone()).collect();
    let steps = common::all_steps(plan)
        .into_iter()
        .map(|s| (s.text.clone(), s.id.clone()))
        .collect();
    (procedures, steps)
}

#[test]
fn procedure_ids_do_not_depend_on_step_text() {
    let (procedures, steps) = all_ids(COLLIDING);
    assert_eq!(procedures, ["overview", "overview/test-the-instance"]);
    // the step and the section's procedure share an id, each unique in its kind
    assert_eq!(steps["Test the instance."], "overview/test-the-instance");
    assert_eq!(steps["Open it."], "overview/test-the-instance/open-it");
    assert_eq!(steps["Click it."], "overview/test-the-instance/click-it");
    for reworded in ["3. Check the instance.", "3. Test the upgraded instance."] {
        let (after, after_steps) = all_ids(&COLLIDING.replace("3. Test the instance.", reworded));
        assert_eq!(after, procedures, "{reworded}");
        for text in ["Open it.", "Click it.", "Backup the database."] {
            assert_eq!(after_steps[text], steps[text], "{reworded}: {text}");
        }
    }
}

#[test]
fn checklist_element_ids_stay_unique() {
    // a heading that does not match step 3 (so the step has no details and
    // the section's procedure is shown on its own) with the anchor that
    // gives its procedure the id of step 3
    let page = COLLIDING.replace(
        "### Test the instance",
        "### Unrelated words {#test-the-instance}",
    );
    let (procedures, steps) = all_ids(&page);
    assert_eq!(procedures[1], steps["Test the instance."]);
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::write(dir.path().join("content/ids.md"), page).unwrap();
    let out = assert_cmd::Command::cargo_bin("runsheet")
        .unwrap()
        .env("RUNSHEET_REVISION", "")
        .arg("--root")
        .arg(dir.path())
        .args(["checklist", "ids", "--format", "html"])
        .assert()
        .success();
    let html = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}
