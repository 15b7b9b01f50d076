//! Step ids stay put when other steps are inserted, removed or reworded.

mod common;

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
