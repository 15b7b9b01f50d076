//! `runsheet run` at a real terminal: tmux types the answers (send-keys) and reads the screen (capture-pane). Skipped when tmux is missing, unless `RUNSHEET_REQUIRE_TMUX=1`.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// `None` (a note printed) when tmux is not installed, except with
    /// `RUNSHEET_REQUIRE_TMUX=1`, which makes that a failure.
    fn start() -> Option<Tmux> {
        let found = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            if std::env::var_os("RUNSHEET_REQUIRE_TMUX").is_some_and(|v| v == "1") {
                panic!("RUNSHEET_REQUIRE_TMUX=1 but `tmux` is not installed");
            }
            eprintln!("note: skipping the terminal test: `tmux` is not installed");
            return None;
        }
        Some(Tmux {
            socket: format!("runsheet-test-{}", std::process::id()),
        })
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `command` (a shell line) in a new 100×50 window named `name`.
    fn spawn(&self, name: &str, command: &str) {
        self.tmux(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "100",
            "-y",
            "50",
            command,
        ]);
    }

    fn send(&self, name: &str, keys: &str) {
        self.tmux(&["send-keys", "-t", name, "-l", keys]);
        self.tmux(&["send-keys", "-t", name, "Enter"]);
    }

    /// Everything the window has shown, wrapped lines joined.
    fn screen(&self, name: &str) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-S", "-", "-t", name])
    }

    /// Waits until `text` has been shown `times` times (20 s at most).
    fn wait_for(&self, name: &str, text: &str, times: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen(name);
            if screen.matches(text).count() >= times {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "`{text}` not shown {times} time(s); the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn shell_quote(s: &Path) -> String {
    format!("'{}'", s.display().to_string().replace('\'', "'\\''"))
}

/// The command line a window runs: the binary at a fixed clock, then the
/// exit code, then a pause so the screen can be read.
fn command(root: &Path, start: &str, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("runsheet");
    format!(
        "cd {} && RUNSHEET_NOW={start} RUNSHEET_NOW_STEP=60 {} {args}; echo EXIT=$?; sleep 60",
        shell_quote(root),
        shell_quote(&bin)
    )
}

#[test]
fn an_operator_answers_at_the_terminal_stops_and_resumes() {
    let Some(tmux) = Tmux::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in ["content", "partials"] {
        common::copy_tree(&common::repo().join(sub), &root.join(sub));
    }
    tmux.spawn(
        "first",
        &command(
            root,
            "2024-05-01T10:00:00Z",
            "run upgrading-major-releases upgrade-the-main-instance --operator 'Ada Lovelace'",
        ),
    );
    let screen = tmux.wait_for("first", "step 1> ", 1);
    assert!(screen.contains("-- step 1 (1 of 7)"), "{screen}");
    assert!(screen.contains("Book a maintenance window"));
    tmux.send("first", "d");
    tmux.wait_for("first", "step 2> ", 1);
    tmux.send("first", "n checked the calendar first");
    tmux.wait_for("first", "step 2> ", 2);
    tmux.send("first", "?");
    tmux.wait_for("first", "answers: done [NOTE]", 2);
    tmux.send("first", "done");
    tmux.wait_for("first", "step 3> ", 1);
    // back to step 2, answered again
    tmux.send("first", "b");
    tmux.wait_for("first", "step 2> ", 4);
    tmux.send("first", "skip done by the night shift");
    tmux.wait_for("first", "step 3> ", 2);
    tmux.send("first", "s");
    tmux.wait_for("first", "reason for skipping> ", 1);
    tmux.send("first", "taken an hour ago");
    // the hold point: the operator cannot sign it
    tmux.wait_for("first", "approver for step 4> ", 1);
    tmux.send("first", "ada lovelace");
    tmux.wait_for("first", "is the operator of this run", 1);
    tmux.wait_for("first", "approver for step 4> ", 2);
    tmux.send("first", "Grace Hopper");
    tmux.wait_for("first", "signed by Grace Hopper", 1);
    tmux.wait_for("first", "step 4> ", 1);
    tmux.send("first", "q");
    let screen = tmux.wait_for("first", "EXIT=", 1);
    assert!(screen.contains("EXIT=4"), "{screen}");
    assert!(screen
        .contains("is paused; `runsheet run --resume 20240501-100000-upgrading-major-releases`"));

    let journal = root.join("runs/20240501-100000-upgrading-major-releases.jsonl");
    let kinds = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["type"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        kinds(&text),
        [
            "run", "done", "note", "done", "reopened", "skipped", "skipped", "refused", "approved",
            "paused"
        ]
    );

    // resumed at a terminal: the signed hold is not asked again
    tmux.spawn(
        "second",
        &command(
            root,
            "2024-05-01T11:00:00Z",
            "run --resume 20240501 --operator 'Ada Lovelace'",
        ),
    );
    let screen = tmux.wait_for("second", "step 4> ", 1);
    assert!(!screen.contains("approver for step 4"), "{screen}");
    for n in 4..=7 {
        tmux.wait_for("second", &format!("step {n}> "), 1);
        tmux.send("second", "d");
    }
    let screen = tmux.wait_for("second", "EXIT=", 1);
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("is complete"));
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(kinds(&text).last().unwrap(), "completed");
}
