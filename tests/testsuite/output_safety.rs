//! The output folder's marker is never a licence to delete: `build` with a
//! forged marker, or with an output folder that holds or lies in the
//! project's sources, deletes nothing it did not write.

use crate::common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;

/// A project in a temporary folder ([`common::project`]) from text files.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let bytes: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, text)| (*path, text.as_bytes()))
        .collect();
    common::project(&bytes)
}

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.env_remove("NO_COLOR").args(["--color", "never"]);
    cmd.timeout(Duration::from_secs(20));
    cmd
}

const PAGE: (&str, &str) = ("content/a.md", "---\ntitle: A\n---\n1. Step.\n");

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().display().to_string(), fs::read(e.path()).unwrap()))
        .collect();
    found.sort();
    found
}

#[test]
fn a_committed_marker_in_the_project_folder_deletes_nothing() {
    let dir = project(&[
        PAGE,
        ("content/other.md", "---\ntitle: Other\n---\nText.\n"),
        ("README.md", "# readme\n"),
        ("runsheet.toml", "out = \".\"\n"),
        (
            ".runsheet-output",
            "# This folder is written by runsheet.\nREADME.md\ncontent/other.md\nrunsheet.toml\n",
        ),
    ]);
    let before = snapshot(dir.path());
    runsheet()
        .args(["build", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[output-refused]"))
        .stderr(predicate::str::contains("it is the project folder"));
    assert_eq!(snapshot(dir.path()), before, "nothing touched");
}

#[test]
fn a_forged_marker_in_the_site_folder_keeps_hand_added_files() {
    let dir = project(&[PAGE]);
    runsheet()
        .args(["build", "-q", "--root"])
        .arg(dir.path())
        .assert()
        .success();
    let site = dir.path().join("site");
    fs::write(site.join("keep.txt"), "mine").unwrap();
    fs::write(site.join("forged.txt"), "mine too").unwrap();
    // a hostile change lists them, one bare, one with a made-up digest
    let marker = site.join(".runsheet-output");
    let mut text = fs::read_to_string(&marker).unwrap();
    text.push_str("keep.txt\n");
    text.push_str(&format!("{}  forged.txt\n", "0".repeat(64)));
    text.push_str("../content/a.md\n");
    fs::write(&marker, text).unwrap();
    runsheet()
        .args(["build", "-q", "--root"])
        .arg(dir.path())
        .assert()
        .success();
    assert_eq!(fs::read_to_string(site.join("keep.txt")).unwrap(), "mine");
    assert_eq!(
        fs::read_to_string(site.join("forged.txt")).unwrap(),
        "mine too"
    );
    assert!(dir.path().join("content/a.md").is_file());
    // the new marker carries a digest for every file runsheet wrote
    let marker = fs::read_to_string(&marker).unwrap();
    // (`<sha256> <size> <mtime>  a.html`)
    assert!(marker.lines().any(|l| {
        l.strip_suffix("  a.html")
            .and_then(|head| head.split(' ').next())
            .is_some_and(|digest| {
                digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit())
            })
    }));
    assert!(!marker.contains("keep.txt"));
}

#[test]
fn an_output_folder_in_or_around_the_sources_is_refused() {
    let dir = project(&[PAGE, ("partials/p.md", "Text.\n")]);
    let cases = [
        ("content/gen", "it lies inside the content folder"),
        ("content", "it is the content folder"),
        ("partials/x", "it lies inside the partials folder"),
        (".", "it is the project folder"),
        ("..", "it holds the project folder"),
    ];
    for (out, why) in cases {
        let before = snapshot(dir.path());
        runsheet()
            .current_dir(dir.path())
            .args(["build", "--out", out])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("error[output-refused]"))
            .stderr(predicate::str::contains(why));
        assert_eq!(snapshot(dir.path()), before, "--out {out}: nothing touched");
        assert!(!dir.path().join("content/gen").exists());
    }
}

#[cfg(unix)]
#[test]
fn the_file_system_root_is_refused_at_once() {
    let dir = project(&[PAGE]);
    let started = std::time::Instant::now();
    for check in [false, true] {
        let mut cmd = runsheet();
        cmd.args(["build", "--out", "/", "--root"]).arg(dir.path());
        if check {
            cmd.arg("--check");
        }
        cmd.assert().code(1).stderr(predicate::str::contains(
            "it is the root of the file system",
        ));
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "decided without walking the disk"
    );
}
