//! Hostile input that used to take seconds to minutes and gigabytes: include
//! bombs, thousands of identical ids, deeply nested YAML. Each must stop (or
//! finish) quickly with one clear diagnostic. The time bounds are loose, for
//! debug builds on a busy machine; release figures are in the changelog.

use crate::common;

use std::time::{Duration, Instant};

use assert_cmd::Command;

/// A project in a temporary folder ([`common::project`]) from text files.
fn project(files: &[(String, String)]) -> tempfile::TempDir {
    let bytes: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_bytes()))
        .collect();
    common::project(&bytes)
}

fn runsheet() -> Command {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.env_remove("NO_COLOR").args(["--color", "never"]);
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// A page including `p0` on its line 5; `p<i>` includes `p<i+1>` `fan`
/// times for `levels` levels; the last partial is `leaf`.
fn bomb(fan: usize, levels: usize, leaf: &str) -> Vec<(String, String)> {
    let mut files = vec![(
        "content/page.md".to_owned(),
        "---\ntitle: Bomb\n---\nBefore.\n!include <p0>\nAfter.\n".to_owned(),
    )];
    for i in 0..levels {
        let line = format!("!include <p{}>\n", i + 1);
        files.push((format!("partials/p{i}.md"), line.repeat(fan)));
    }
    files.push((format!("partials/p{levels}.md"), leaf.to_owned()));
    files
}

/// Runs `runsheet check`; returns the exit code, stderr and the seconds taken.
fn check(files: &[(String, String)]) -> (i32, String, f64) {
    let dir = project(files);
    let started = Instant::now();
    let out = runsheet()
        .args(["check", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap_or(-1), stderr, secs)
}

#[test]
fn include_bombs_stop_at_once_with_one_error_at_the_page_include() {
    let cases = [
        ("twice a level, 30 levels, 2-byte leaf", bomb(2, 30, "x\n")),
        ("three times a level, 20 levels", bomb(3, 20, "x\n")),
        ("leaf without a newline", bomb(2, 30, "x")),
        ("deeper than allowed", bomb(2, 40, "x\n")),
        ("many short lines", bomb(2, 8, &"1. x\n".repeat(60_000))),
        (
            "one big leaf",
            bomb(2, 8, &format!("{}\n", "y".repeat(1 << 20))),
        ),
    ];
    for (what, files) in cases {
        let (code, stderr, secs) = check(&files);
        assert_eq!(code, 1, "{what}: {stderr}");
        assert_eq!(
            stderr.matches("error[include-too-large]").count(),
            1,
            "{what}: {stderr}"
        );
        assert!(
            stderr.contains("error[include-too-large]: expanding this include ")
                && stderr.contains("--> content/page.md:5:1"),
            "{what}: {stderr}"
        );
        assert!(secs < 20.0, "{what}: took {secs:.1} s");
    }
}

#[test]
fn identical_steps_and_headings_take_linear_time_and_keep_their_ids() {
    let steps = "## Steps\n\n".to_owned() + &"1. Step.\n".repeat(20_000);
    let headings = "## Heading\n\n".repeat(20_000);
    for (what, body) in [("steps", steps), ("headings", headings)] {
        let files = [(
            "content/page.md".to_owned(),
            format!("---\ntitle: Q\n---\n\n{body}"),
        )];
        let dir = project(&files);
        let started = Instant::now();
        let out = runsheet()
            .args(["plan", "page", "--root"])
            .arg(dir.path())
            .output()
            .unwrap();
        let secs = started.elapsed().as_secs_f64();
        assert!(out.status.success(), "{what}");
        assert!(secs < 20.0, "{what}: took {secs:.1} s");
        if what == "steps" {
            let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let steps = plan["procedures"][0]["steps"].as_array().unwrap();
            let ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
            assert_eq!(ids.len(), 20_000);
            assert_eq!(ids[..3], ["steps/step", "steps/step-2", "steps/step-3"]);
            assert_eq!(ids[19_999], "steps/step-20000");
        }
    }
}

#[test]
fn deeply_nested_front_matter_is_rejected_at_the_bracket() {
    let files = [(
        "content/page.md".to_owned(),
        format!("---\ntitle: Y\nx: {}\n---\nBody.\n", "[".repeat(100_000)),
    )];
    let (code, stderr, secs) = check(&files);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "error[front-matter-invalid]: lists or mappings are nested more than 64 deep"
        ) && stderr.contains("--> content/page.md:3:68"),
        "{stderr}"
    );
    assert!(secs < 10.0, "took {secs:.1} s");
}
