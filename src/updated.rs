//! Last-updated dates: the day of the last git commit touching each page's own file.
//!
//! One `git log` over the content folder gives every date at once (the
//! newest commit naming a file wins). The date is the commit's committer date
//! as recorded (`YYYY-MM-DD`), so the same history gives the same dates on
//! every machine. A page that is not in a git checkout, or whose file was
//! never committed, has no date.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// File path relative to the content folder (with `/`) → `YYYY-MM-DD`.
pub(crate) type Dates = BTreeMap<String, String>;

/// The last-commit date of every committed file below `content`; empty when
/// `content` is not in a git checkout or git is missing.
pub(crate) fn dates(content: &Path) -> Dates {
    let out = Command::new("git")
        .arg("-C")
        .arg(content)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "-z",
            "--relative",
            "--name-only",
            "--no-renames",
            "--format=%x01%cs",
            "--",
            ".",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match out {
        Ok(out) if out.status.success() => parse(&String::from_utf8_lossy(&out.stdout)),
        _ => Dates::new(),
    }
}

/// Reads `git log -z --name-only --format=%x01%cs`: for each commit, newest
/// first, `\x01DATE\0\n` then its files, each ended by `\0`.
fn parse(log: &str) -> Dates {
    let mut dates = Dates::new();
    for commit in log.split('\u{1}').filter(|c| !c.is_empty()) {
        let mut parts = commit.split('\0');
        let date = parts.next().unwrap_or("").trim();
        if !is_date(date) {
            continue;
        }
        for file in parts {
            let file = file.trim_start_matches('\n');
            if !file.is_empty() {
                dates
                    .entry(file.to_owned())
                    .or_insert_with(|| date.to_owned());
            }
        }
    }
    dates
}

/// `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_the_newest_date_of_each_file() {
        let log = "\u{1}2022-05-06\0\na.md\0\u{1}2021-03-04\0\na.md\0b c.md\0sub/d.md\0";
        let dates = parse(log);
        let got: Vec<(&str, &str)> = dates
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a.md", "2022-05-06"),
                ("b c.md", "2021-03-04"),
                ("sub/d.md", "2021-03-04")
            ]
        );
    }

    #[test]
    fn parse_skips_what_is_not_a_commit() {
        assert!(parse("").is_empty());
        assert!(parse("fatal: not a git repository").is_empty());
        assert!(parse("\u{1}yesterday\0\na.md\0").is_empty());
    }

    #[test]
    fn not_a_checkout_has_no_dates() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.md"), "x").unwrap();
        // a temporary folder may still lie inside some checkout; only no panic and
        // no date for a file git never saw
        assert!(!dates(tmp.path()).contains_key("a.md"));
    }
}
