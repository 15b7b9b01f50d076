//! Committing a build to its output folder: only what changed is written, and the switch from the old output to the new one is a single atomic step, or a journaled one that the next build rolls back after a crash.
//!
//! The new output is assembled in a stage folder beside the old one: files
//! whose bytes did not change are hard links to the old ones (so they keep
//! their inode and timestamps and cost no copy), changed files are written,
//! files added by hand are linked across. On Linux the stage and the old
//! folder then trade places in one `renameat2(RENAME_EXCHANGE)`; elsewhere
//! two renames do it. A kill before that step leaves the old output as it
//! was (the stage is a leftover the next build removes); after it, the new
//! output is complete.
//!
//! When the output folder itself cannot be moved (a mount point), files are
//! replaced in place under a journal: every file about to be replaced or
//! removed is first hard-linked into `.runsheet-backup/`, the journal names
//! what will change, each new file is written beside its target, flushed and
//! renamed over it. A build that finds a journal rolls the folder back to
//! the backup before anything else.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{io_error, Existing, Files, MARKER};
use crate::diagnostic::Diagnostic;

/// The in-place journal, inside the output folder.
pub(super) const JOURNAL: &str = ".runsheet-journal";
/// Where the in-place update keeps the files it replaces.
pub(super) const BACKUP: &str = ".runsheet-backup";
/// Suffix of a file written beside its target before it is renamed over it.
pub(super) const TMP_SUFFIX: &str = ".runsheet-tmp";

/// What one file of the new build needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    /// The file on disk already has these bytes.
    Same,
    /// The file is new or its bytes differ.
    Write,
}

/// Whether anything on disk has to change for the staged `files`: a changed
/// or new file, or a file of the previous build this one no longer has.
pub(super) fn needed(files: &Files, existing: &Existing) -> bool {
    files.staged_entries().any(|(_, _, c)| c == Change::Write)
        || existing.ours.iter().any(|rel| !files.contains(rel))
}

/// The name of a sibling of `out` that only runsheet makes: `.site.runsheet-TAG-PID`.
pub(super) fn sibling(out: &Path, tag: &str) -> PathBuf {
    out.with_file_name(format!(
        ".{}.runsheet-{tag}-{}",
        folder_name(out),
        std::process::id()
    ))
}

/// Where the build cache of `out` is kept: `.site.runsheet-cache` beside it,
/// so a copy of the output folder (a deployment) does not carry it.
pub(super) fn cache_path(out: &Path) -> PathBuf {
    out.with_file_name(format!(".{}.runsheet-cache", folder_name(out)))
}

fn folder_name(out: &Path) -> String {
    out.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into())
}

/// Removes stage and old folders that earlier builds of `out` left behind
/// when they were killed: siblings named like [`sibling`] that hold
/// nothing but a runsheet output (their marker says so) or nothing at all.
pub(super) fn remove_leftovers(out: &Path) {
    let Some(parent) = out.parent() else { return };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.runsheet-", folder_name(out));
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && name.starts_with(&prefix) && is_ours_or_empty(&entry.path()) {
            let _ = fs::remove_dir_all(entry.path());
        } else if !is_dir && name.starts_with(&prefix) && name.ends_with(TMP_SUFFIX) {
            // a cache a kill stopped before it was renamed into place
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A folder is ours when its marker says so, or when it holds nothing but
/// (at most) a marker being written: a kill can stop [`create_stage`]
/// between making the folder and finishing its marker.
fn is_ours_or_empty(dir: &Path) -> bool {
    let marked = fs::read_to_string(dir.join(MARKER))
        .is_ok_and(|t| t.starts_with(super::MARKER_HEADER.lines().next().unwrap_or("#")));
    let tmp_marker = format!("{MARKER}{TMP_SUFFIX}");
    let only_a_marker = fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|e| {
            let name = e.file_name();
            name == MARKER || name.to_string_lossy() == tmp_marker
        })
    });
    marked || only_a_marker
}

/// Makes an empty stage folder, marked first, so a stage a kill leaves
/// half-written is provably ours. Changed files are then written into it as
/// they are rendered ([`write_new`]).
pub(super) fn create_stage(stage: &Path) -> Result<(), Diagnostic> {
    if stage.exists() {
        fs::remove_dir_all(stage).map_err(|e| io_error("clear", stage, e))?;
    }
    fs::create_dir_all(stage).map_err(|e| io_error("create", stage, e))?;
    replace_atomically(&stage.join(MARKER), super::MARKER_HEADER.as_bytes())
}

/// Completes the new output in `stage`, which holds the changed files
/// already: unchanged files linked from `out`, files added by hand linked
/// across, the marker last.
pub(super) fn complete_stage(
    out: &Path,
    stage: &Path,
    files: &Files,
    existing: &Existing,
) -> Result<(), Diagnostic> {
    for (rel, _, change) in files.staged_entries() {
        if change == Change::Same {
            link_or_copy(&out.join(rel), &stage.join(rel))?;
        }
    }
    for rel in &existing.theirs {
        link_or_copy(&out.join(rel), &stage.join(rel))?;
    }
    super::write_marker(stage, files)
}

fn create_parent(path: &Path) -> Result<(), Diagnostic> {
    match path.parent() {
        Some(dir) => fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e)),
        None => Ok(()),
    }
}

fn link_or_copy(from: &Path, to: &Path) -> Result<(), Diagnostic> {
    create_parent(to)?;
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to)
        .map(drop)
        .map_err(|e| io_error("copy", from, e))
}

pub(super) fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    create_parent(path)?;
    fs::write(path, bytes).map_err(|e| io_error("write", path, e))
}

/// How the stage took the place of the output folder.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Swapped {
    /// `out` is the new output; the old one, if any, is gone.
    Done,
    /// `out` cannot be moved (a mount point, the current folder): nothing
    /// changed, the stage is still there.
    Immovable,
}

/// Puts `stage` in the place of `out` in one step where the platform can.
pub(super) fn swap(out: &Path, stage: &Path) -> Result<Swapped, Diagnostic> {
    if !out.exists() {
        fs::rename(stage, out).map_err(|e| io_error("create", out, e))?;
        return Ok(Swapped::Done);
    }
    match exchange(stage, out) {
        Ok(true) => {
            // the stage path now holds the old output
            let _ = fs::remove_dir_all(stage);
            return Ok(Swapped::Done);
        }
        Ok(false) => {}
        Err(_) => return Ok(Swapped::Immovable),
    }
    let old = sibling(out, "old");
    if fs::rename(out, &old).is_err() {
        return Ok(Swapped::Immovable);
    }
    if let Err(e) = fs::rename(stage, out) {
        let _ = fs::rename(&old, out);
        return Err(io_error("replace", out, e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(Swapped::Done)
}

/// Trades the places of two folders atomically: `Ok(true)` when done,
/// `Ok(false)` when the platform or file system has no such operation,
/// `Err` when it refused (the folders cannot be moved).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Replaces the files of `out` in place, journaled (see the module docs),
/// with the changed files of the staged `files`, read from `stage`.
pub(super) fn in_place(
    out: &Path,
    stage: &Path,
    files: &Files,
    existing: &Existing,
) -> Result<(), Diagnostic> {
    let written: Vec<&str> = files
        .staged_entries()
        .filter(|(_, _, c)| *c == Change::Write)
        .map(|(rel, _, _)| rel)
        .collect();
    let removed: Vec<&str> = existing
        .ours
        .iter()
        .map(String::as_str)
        .filter(|rel| !files.contains(rel))
        .collect();
    let backup = out.join(BACKUP);
    let mut journal = String::new();
    // the marker is replaced last; a roll-back puts the old one back too
    for rel in written.iter().chain(&removed).chain(&[MARKER]) {
        let path = out.join(rel);
        if path.exists() {
            link_or_copy(&path, &backup.join(rel))?;
            journal.push_str(&format!("restore {rel}\n"));
        } else {
            journal.push_str(&format!("create {rel}\n"));
        }
    }
    replace_atomically(&out.join(JOURNAL), journal.as_bytes())?;
    for rel in &written {
        let from = stage.join(rel);
        let bytes = fs::read(&from).map_err(|e| io_error("read", &from, e))?;
        let path = out.join(rel);
        create_parent(&path)?;
        replace_atomically(&path, &bytes)?;
    }
    for rel in &removed {
        remove_with_empty_parents(out, &out.join(rel));
    }
    super::write_marker(out, files)?;
    finish_journal(out)
}

/// Writes `bytes` beside `path`, flushed, and renames them over it, so a
/// kill leaves either the old file or the new one, never a truncated one.
pub(super) fn replace_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let tmp = PathBuf::from(format!("{}{TMP_SUFFIX}", path.display()));
    write_synced(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(|e| io_error("replace", path, e))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let mut file = fs::File::create(path).map_err(|e| io_error("write", path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error("write", path, e))
}

fn finish_journal(out: &Path) -> Result<(), Diagnostic> {
    let journal = out.join(JOURNAL);
    fs::remove_file(&journal).map_err(|e| io_error("remove", &journal, e))?;
    let _ = fs::remove_dir_all(out.join(BACKUP));
    Ok(())
}

/// Removes `path` and the folders its removal left empty, up to `out`.
pub(super) fn remove_with_empty_parents(out: &Path, path: &Path) {
    let _ = fs::remove_file(path);
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| *d != out && d.starts_with(out)) {
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Undoes an in-place update a crash interrupted: files it created are
/// removed, files it replaced or removed come back from the backup.
pub(super) fn roll_back(out: &Path) -> Result<(), Diagnostic> {
    let Ok(journal) = fs::read_to_string(out.join(JOURNAL)) else {
        return Ok(());
    };
    let backup = out.join(BACKUP);
    for line in journal.lines() {
        match line.split_once(' ') {
            Some(("create", rel)) => remove_with_empty_parents(out, &out.join(rel)),
            Some(("restore", rel)) => {
                let (from, to) = (backup.join(rel), out.join(rel));
                if from.exists() {
                    create_parent(&to)?;
                    fs::rename(&from, &to).map_err(|e| io_error("restore", &to, e))?;
                }
            }
            _ => {}
        }
    }
    remove_tmp_files(out);
    finish_journal(out)
}

fn remove_tmp_files(out: &Path) {
    for entry in walkdir::WalkDir::new(out).into_iter().flatten() {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.ends_with(TMP_SUFFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}
