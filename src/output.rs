//! Output: the files a build produces, written all-or-nothing into a marked folder, or compared with it.
// A build fails at most once, with one diagnostic: its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::diagnostic::Diagnostic;

/// Name of the file that marks a folder as written by runsheet. It also
/// lists every file runsheet wrote there, one path a line after its header,
/// so that a later build replaces those and nothing else.
pub const MARKER: &str = ".runsheet-output";

const MARKER_HEADER: &str = "# This folder is written by runsheet. On every build it replaces the files listed below\n# and keeps anything else.\n";

/// Every file of a build, by path relative to the output folder (`/` separators).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Files {
    files: BTreeMap<String, Vec<u8>>,
    /// Paths added more than once: two products claimed the same file.
    collisions: BTreeSet<String>,
}

impl Files {
    /// Adds a file; a second file at the same path wins, and the path is
    /// recorded as a collision for [`Files::collisions`].
    pub fn add(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        let path = path.into();
        if self.files.insert(path.clone(), bytes.into()).is_some() {
            self.collisions.insert(path);
        }
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

    /// Paths that more than one product wrote, in order.
    pub fn collisions(&self) -> impl Iterator<Item = &str> {
        self.collisions.iter().map(String::as_str)
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "output-failed",
        format!("cannot {what} `{}`: {e}", path.display()),
    )
    .with_help("check that the output folder's parent exists and is writable")
}

/// What an existing output folder holds.
#[derive(Debug, Default)]
struct Existing {
    /// Files runsheet wrote last time (from the marker).
    ours: BTreeSet<String>,
    /// Files someone else put there: kept, never deleted.
    theirs: Vec<String>,
}

/// The files listed in a folder's marker; `None` when there is no marker.
fn read_marker(out: &Path) -> Option<BTreeSet<String>> {
    let text = fs::read_to_string(out.join(MARKER)).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("This folder"))
            .map(str::to_owned)
            .collect(),
    )
}

/// Every file below `dir`, as `/`-separated relative paths, the marker left out.
fn list_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
            rel.to_string_lossy().replace('\\', "/")
        })
        .filter(|rel| rel != MARKER)
        .collect()
}

/// Refuses a folder runsheet did not write: it exists, is not empty and has
/// no marker. Otherwise tells runsheet's files from the ones added by hand.
fn inspect(out: &Path) -> Result<Existing, Diagnostic> {
    if !out.exists() {
        return Ok(Existing::default());
    }
    if !out.is_dir() {
        return Err(Diagnostic::error(
            "output-refused",
            format!("`{}` exists and is not a folder", out.display()),
        )
        .with_help("choose another output folder with `--out DIR`"));
    }
    let present = list_files(out);
    match read_marker(out) {
        // a marker without a list (an older runsheet's) claims everything
        Some(ours) if ours.is_empty() => Ok(Existing {
            ours: present.into_iter().collect(),
            theirs: Vec::new(),
        }),
        Some(ours) => {
            let theirs = present.into_iter().filter(|p| !ours.contains(p)).collect();
            Ok(Existing { ours, theirs })
        }
        None if present.is_empty() => Ok(Existing::default()),
        None => Err(Diagnostic::error(
            "output-refused",
            format!(
                "`{}` is not empty and was not written by runsheet; refusing to replace it",
                out.display()
            ),
        )
        .with_help("choose another output folder with `--out DIR`, or empty this one yourself")),
    }
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    out.with_file_name(format!(".{name}.runsheet-{tag}-{}", std::process::id()))
}

fn marker_text(files: &Files) -> String {
    let mut text = String::from(MARKER_HEADER);
    for (path, _) in files.iter() {
        text.push_str(path);
        text.push('\n');
    }
    text
}

/// Writes `files` to `out`. Files someone added to `out` by hand are kept
/// (a product at the same path is an error). The new output is written into
/// a fresh folder beside `out`, which then replaces it in one rename; where
/// that cannot be done (`out` is a mount point or the current folder), the
/// files are written in place. Nothing is written when the folder is refused.
pub fn write(out: &Path, files: &Files) -> Result<(), Diagnostic> {
    // a symlinked output folder is written through, not replaced
    let out = &match fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() => {
            out.canonicalize().map_err(|e| io_error("follow", out, e))?
        }
        _ => out.to_owned(),
    };
    let existing = inspect(out)?;
    if let Some(clash) = existing.theirs.iter().find(|p| files.get(p).is_some()) {
        return Err(Diagnostic::error(
            "output-refused",
            format!(
                "`{}` in `{}` was not written by runsheet, and the build would overwrite it",
                clash,
                out.display()
            ),
        )
        .with_help("move that file out of the output folder"));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
    }
    let stage = sibling(out, "new");
    let swapped = write_all(&stage, files)
        .and_then(|()| keep_theirs(out, &stage, &existing.theirs))
        .and_then(|()| swap(out, &stage));
    let _ = fs::remove_dir_all(&stage);
    match swapped {
        Ok(true) => Ok(()),
        Ok(false) => write_in_place(out, files, &existing),
        Err(d) => Err(d),
    }
}

fn write_file(root: &Path, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    }
    fs::write(&path, bytes).map_err(|e| io_error("write", &path, e))
}

fn write_all(stage: &Path, files: &Files) -> Result<(), Diagnostic> {
    if stage.exists() {
        fs::remove_dir_all(stage).map_err(|e| io_error("clear", stage, e))?;
    }
    fs::create_dir_all(stage).map_err(|e| io_error("create", stage, e))?;
    for (rel, bytes) in files.iter() {
        write_file(stage, rel, bytes)?;
    }
    fs::write(stage.join(MARKER), marker_text(files)).map_err(|e| io_error("write", stage, e))
}

/// Copies the files added by hand into the new output, so the swap keeps them.
fn keep_theirs(out: &Path, stage: &Path, theirs: &[String]) -> Result<(), Diagnostic> {
    for rel in theirs {
        let from = out.join(rel);
        let to = stage.join(rel);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
        }
        fs::copy(&from, &to).map_err(|e| io_error("keep", &from, e))?;
    }
    Ok(())
}

/// Replaces `out` with `stage`. `Ok(false)` when `out` cannot be moved (a
/// mount point, the current folder, another device): nothing was changed.
fn swap(out: &Path, stage: &Path) -> Result<bool, Diagnostic> {
    if !out.exists() {
        fs::rename(stage, out).map_err(|e| io_error("create", out, e))?;
        return Ok(true);
    }
    let old = sibling(out, "old");
    if fs::rename(out, &old).is_err() {
        return Ok(false);
    }
    if let Err(e) = fs::rename(stage, out) {
        let _ = fs::rename(&old, out);
        return Err(io_error("replace", out, e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(true)
}

/// Writes every file into `out` itself, then removes the files of the
/// previous build that this one no longer has. Only runsheet's own files are touched.
fn write_in_place(out: &Path, files: &Files, existing: &Existing) -> Result<(), Diagnostic> {
    for (rel, bytes) in files.iter() {
        write_file(out, rel, bytes)?;
    }
    for rel in &existing.ours {
        if files.get(rel).is_none() {
            let path = out.join(rel);
            let _ = fs::remove_file(&path);
            // drop folders the removal left empty, up to the output folder
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| *d != out && d.starts_with(out)) {
                if fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
    }
    fs::write(out.join(MARKER), marker_text(files)).map_err(|e| io_error("write", out, e))
}

/// What runsheet wrote under `out` (the files its marker lists, or every
/// file when the marker has no list), except the marker.
fn read_tree(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let ours = read_marker(out).filter(|list| !list.is_empty());
    list_files(out)
        .into_iter()
        .filter(|rel| ours.as_ref().is_none_or(|o| o.contains(rel)))
        .filter_map(|rel| fs::read(out.join(&rel)).ok().map(|b| (rel, b)))
        .collect()
}

/// A unified diff between `out` on disk and `files`; `None` when they are the same.
pub fn diff(out: &Path, files: &Files) -> Option<String> {
    let on_disk = read_tree(out);
    let mut report = String::new();
    let paths: BTreeSet<&String> = on_disk.keys().chain(files.files.keys()).collect();
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

    #[test]
    fn files_added_by_hand_are_kept_and_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write(&out, &files(&[("a.html", "one")])).unwrap();
        fs::create_dir_all(out.join("extra")).unwrap();
        fs::write(out.join("extra/notes.txt"), "mine").unwrap();
        write(&out, &files(&[("a.html", "two"), ("b.html", "new")])).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("extra/notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            diff(&out, &files(&[("a.html", "two"), ("b.html", "new")])),
            None
        );
        let err = write(&out, &files(&[("extra/notes.txt", "theirs")])).unwrap_err();
        assert_eq!(err.code, "output-refused");
        assert_eq!(
            fs::read_to_string(out.join("extra/notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn in_place_write_replaces_only_our_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write(&out, &files(&[("a.html", "one"), ("old/x.json", "{}")])).unwrap();
        fs::write(out.join("keep.txt"), "mine").unwrap();
        let existing = inspect(&out).unwrap();
        write_in_place(&out, &files(&[("a.html", "two")]), &existing).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "two");
        assert!(!out.join("old").exists(), "emptied folders go too");
        assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");
        assert_eq!(
            read_marker(&out).unwrap().into_iter().collect::<Vec<_>>(),
            ["a.html"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_folder_is_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("www");
        fs::create_dir(&target).unwrap();
        let link = tmp.path().join("site");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write(&link, &files(&[("a.html", "one")])).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(target.join("a.html")).unwrap(), "one");
    }

    #[test]
    fn a_marker_without_a_list_claims_every_file() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        fs::create_dir_all(out.join("assets")).unwrap();
        fs::write(out.join(MARKER), "This folder is written by runsheet.\n").unwrap();
        fs::write(out.join("assets/nav.js"), "old").unwrap();
        write(&out, &files(&[("assets/nav.js", "new")])).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("assets/nav.js")).unwrap(),
            "new"
        );
    }

    #[test]
    fn collisions_are_recorded() {
        let mut f = Files::default();
        f.add("a", "1");
        f.add("b", "2");
        f.add("a", "3");
        assert_eq!(f.collisions().collect::<Vec<_>>(), ["a"]);
    }
}
