//! Output: the files a build produces, written all-or-nothing into a marked folder, or compared with it.
// A build fails at most once, with one diagnostic: its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::diagnostic::Diagnostic;

/// Name of the file that marks a folder as written by runsheet.
pub const MARKER: &str = ".runsheet-output";

const MARKER_TEXT: &str =
    "This folder is written by runsheet. Its content is replaced on every build.\n";

/// Every file of a build, by path relative to the output folder (`/` separators).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Files {
    files: BTreeMap<String, Vec<u8>>,
}

impl Files {
    pub fn add(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "output-failed",
        format!("cannot {what} `{}`: {e}", path.display()),
    )
    .with_help("check that the output folder's parent exists and is writable")
}

/// Refuses a folder runsheet did not write: it exists, is not empty and has no marker.
fn check_ownership(out: &Path) -> Result<(), Diagnostic> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Diagnostic::error(
            "output-refused",
            format!("`{}` exists and is not a folder", out.display()),
        )
        .with_help("choose another output folder with `--out DIR`"));
    }
    let empty = fs::read_dir(out)
        .map_err(|e| io_error("read", out, e))?
        .next()
        .is_none();
    if empty || out.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(Diagnostic::error(
            "output-refused",
            format!(
                "`{}` is not empty and was not written by runsheet; refusing to replace it",
                out.display()
            ),
        )
        .with_help("choose another output folder with `--out DIR`, or empty this one yourself"))
    }
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    out.with_file_name(format!(".{name}.runsheet-{tag}-{}", std::process::id()))
}

/// Writes `files` to `out`: first into a fresh folder beside it, which then
/// replaces `out` only once everything is written. On failure `out` is untouched.
pub fn write(out: &Path, files: &Files) -> Result<(), Diagnostic> {
    check_ownership(out)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
    }
    let stage = sibling(out, "new");
    let result = write_all(&stage, files).and_then(|()| swap(out, &stage));
    if result.is_err() {
        let _ = fs::remove_dir_all(&stage);
    }
    result
}

fn write_all(stage: &Path, files: &Files) -> Result<(), Diagnostic> {
    if stage.exists() {
        fs::remove_dir_all(stage).map_err(|e| io_error("clear", stage, e))?;
    }
    fs::create_dir_all(stage).map_err(|e| io_error("create", stage, e))?;
    fs::write(stage.join(MARKER), MARKER_TEXT).map_err(|e| io_error("write", stage, e))?;
    for (rel, bytes) in files.iter() {
        let path = stage.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
        }
        fs::write(&path, bytes).map_err(|e| io_error("write", &path, e))?;
    }
    Ok(())
}

fn swap(out: &Path, stage: &Path) -> Result<(), Diagnostic> {
    if out.exists() {
        let old = sibling(out, "old");
        fs::rename(out, &old).map_err(|e| io_error("move aside", out, e))?;
        if let Err(e) = fs::rename(stage, out) {
            let _ = fs::rename(&old, out);
            return Err(io_error("replace", out, e));
        }
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(stage, out).map_err(|e| io_error("create", out, e))?;
    }
    Ok(())
}

/// What is on disk under `out`, except the marker.
fn read_tree(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(out)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(out).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == MARKER {
            continue;
        }
        if let Ok(bytes) = fs::read(entry.path()) {
            found.insert(rel, bytes);
        }
    }
    found
}

/// A unified diff between `out` on disk and `files`; `None` when they are the same.
pub fn diff(out: &Path, files: &Files) -> Option<String> {
    let on_disk = read_tree(out);
    let mut report = String::new();
    let paths: std::collections::BTreeSet<&String> =
        on_disk.keys().chain(files.files.keys()).collect();
    for path in paths {
        let old = on_disk.get(path);
        let new = files.files.get(path);
        if old == new {
            continue;
        }
        let text = |b: Option<&Vec<u8>>| {
            b.map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        };
        let (old_text, new_text) = (text(old), text(new));
        let old_name = if old.is_some() {
            format!("a/{path}")
        } else {
            "/dev/null".into()
        };
        let new_name = if new.is_some() {
            format!("b/{path}")
        } else {
            "/dev/null".into()
        };
        let diff = TextDiff::from_lines(&old_text, &new_text);
        report.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&old_name, &new_name)
                .to_string(),
        );
        if !report.ends_with('\n') {
            report.push('\n');
        }
    }
    (!report.is_empty()).then_some(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> Files {
        let mut f = Files::default();
        for (p, c) in pairs {
            f.add(*p, c.as_bytes());
        }
        f
    }

    #[test]
    fn write_replaces_and_refuses_foreign_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write(&out, &files(&[("a.html", "one"), ("x/b.json", "{}")])).unwrap();
        assert_eq!(fs::read_to_string(out.join("x/b.json")).unwrap(), "{}");
        assert!(out.join(MARKER).is_file());
        write(&out, &files(&[("a.html", "two")])).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "two");
        assert!(
            !out.join("x/b.json").exists(),
            "files of the old build are gone"
        );
        assert_eq!(diff(&out, &files(&[("a.html", "two")])), None);
        assert!(diff(&out, &files(&[("a.html", "three")]))
            .unwrap()
            .contains("+three"));

        let foreign = tmp.path().join("mine");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "keep me").unwrap();
        let err = write(&foreign, &files(&[("a.html", "x")])).unwrap_err();
        assert_eq!(err.code, "output-refused");
        assert_eq!(
            fs::read_to_string(foreign.join("notes.txt")).unwrap(),
            "keep me"
        );
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            2,
            "no staging folder left behind: {leftovers:?}"
        );
    }
}
