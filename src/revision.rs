//! Revision: names the git revision of a project's inputs, for checklist headers.
//!
//! The revision is that of the last commit touching the project's own inputs
//! (content, partials, templates, `runsheet.toml`), with `-dirty` when they
//! have uncommitted changes. Commits elsewhere in the repository do not
//! change it, so the same input still gives the same output.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::config::{Config, CONFIG_FILE};

/// `RUNSHEET_REVISION` when set (empty for none), else the revision of the
/// project's inputs when the project is in a git checkout, else `None`.
pub(crate) fn describe(config: &Config) -> Option<String> {
    if let Some(value) = std::env::var_os("RUNSHEET_REVISION") {
        let value = value.to_string_lossy().trim().to_owned();
        return (!value.is_empty()).then_some(value);
    }
    let inputs = [
        config.content.as_path(),
        config.partials.as_path(),
        config.templates.as_path(),
        &config.root.join(CONFIG_FILE),
    ];
    let inputs: Vec<&Path> = inputs.into_iter().filter(|p| p.exists()).collect();
    let commit = git(
        &config.root,
        &["log", "-1", "--format=%h", "--abbrev=12", "--"],
        &inputs,
    )?;
    if commit.is_empty() {
        return None;
    }
    let changes = git(
        &config.root,
        &["status", "--porcelain", "--untracked-files=normal", "--"],
        &inputs,
    )?;
    Some(if changes.is_empty() {
        commit
    } else {
        format!("{commit}-dirty")
    })
}

/// Runs git in `root` with `args` then the `paths`; its trimmed stdout, or
/// `None` when git is missing or fails (not a checkout).
fn git(root: &Path, args: &[&str], paths: &[&Path]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .args(
            paths
                .iter()
                .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())),
        )
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(root: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["-c", "user.email=ci@example.invalid", "-c", "user.name=ci"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn revision_follows_the_inputs_only() {
        if std::env::var_os("RUNSHEET_REVISION").is_some() {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let config = Config {
            root: root.to_owned(),
            content: root.join("content"),
            partials: root.join("partials"),
            templates: root.join("templates"),
            out: root.join("site"),
            base_path: String::new(),
            strict: false,
            lists: Default::default(),
            hold_warnings: false,
            runs: root.join("runs"),
            page_formats: None,
            site: Default::default(),
        };
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(root.join("content/a.md"), "one\n").unwrap();
        assert_eq!(describe(&config), None, "not a checkout yet");
        run(root, &["init", "-q"]);
        run(root, &["add", "-A"]);
        run(root, &["commit", "-qm", "content"]);
        let first = describe(&config).expect("a revision");
        assert_eq!(first.len(), 12, "{first}");

        std::fs::write(root.join("NOTES.txt"), "unrelated\n").unwrap();
        run(root, &["add", "-A"]);
        run(root, &["commit", "-qm", "notes"]);
        assert_eq!(
            describe(&config).as_deref(),
            Some(first.as_str()),
            "other commits do not count"
        );

        std::fs::write(root.join("content/a.md"), "two\n").unwrap();
        assert_eq!(describe(&config), Some(format!("{first}-dirty")));
        run(root, &["commit", "-qam", "edit"]);
        let third = describe(&config).unwrap();
        assert!(third != first && !third.ends_with("-dirty"), "{third}");
    }
}
