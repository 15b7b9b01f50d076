//! Crash safety: a build killed at any moment leaves the previous output
//! exactly as it was, or the new output complete, never a mix and never no
//! output; the next build removes what the killed one left behind.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How many builds are killed.
const KILLS: usize = 20;

fn write_project(root: &Path, version: &str) {
    for i in 0..150 {
        let page = format!(
            "---\ntitle: Page {i}\n---\n\n## Steps {version}\n\n1. Stop service {i} ({version}).\n1. Copy the files:\n\n```sh\ncp -r /srv/{i} /backup\n```\n\n2. Start service {i}.\n\n:::warning\nCheck the logs of {i}.\n:::\n\nSee [the next page](p{}.md).\n",
            (i + 1) % 150
        );
        let path = root.join(format!("content/p{i}.md"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, page).unwrap();
    }
}

/// Every file under `dir` with its bytes (none when `dir` is missing),
/// but the marker, whose lines carry each file's timestamp.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() != ".runsheet-output")
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn build(root: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("runsheet"));
    cmd.env("RUNSHEET_REVISION", "")
        .arg("--root")
        .arg(root)
        .args(["build", "-q", "--out"])
        .arg(out);
    cmd
}

/// A small deterministic sequence of delays.
fn delays(span: Duration) -> Vec<Duration> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..KILLS)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            span.mul_f64((state % 1000) as f64 / 1000.0)
        })
        .collect()
}

#[test]
fn killed_builds_leave_the_old_output_or_the_new_one_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    let out = tmp.path().join("site");
    // the two outputs a build may leave: v1 (before) and v2 (after)
    write_project(&root, "v2");
    let reference = tmp.path().join("reference");
    assert!(build(&root, &reference).status().unwrap().success());
    let v2 = snapshot(&reference);
    write_project(&root, "v1");
    assert!(build(&root, &out).status().unwrap().success());
    let v1 = snapshot(&out);
    write_project(&root, "v2");
    let started = Instant::now();
    assert!(build(&root, &reference).status().unwrap().success());
    let span = started.elapsed().mul_f64(1.2);
    let (mut old, mut new) = (0, 0);
    for delay in delays(span) {
        // start again from v1 each time, so every kill interrupts a real change
        write_project(&root, "v1");
        assert!(build(&root, &out).status().unwrap().success());
        write_project(&root, "v2");
        let mut child = build(&root, &out).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        if now == v1 {
            old += 1;
        } else if now == v2 {
            new += 1;
        } else {
            panic!("after a kill at {delay:?} the output is neither the old one nor the new one");
        }
    }
    eprintln!("{KILLS} kills: {old} left the old output, {new} the new one");
    // the next build finishes the job and leaves no stage or old folder behind
    assert!(build(&root, &out).status().unwrap().success());
    assert_eq!(snapshot(&out), v2);
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // beside each output folder, its build cache
    let expected = [
        ".reference.runsheet-cache",
        ".site.runsheet-cache",
        "project",
        "reference",
        "site",
    ];
    assert_eq!(names, expected);
}
