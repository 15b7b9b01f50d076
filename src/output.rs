//! Output: the files a build produces, written all-or-nothing into a marked folder, or compared with it.
// A build fails at most once, with one diagnostic: its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use similar::TextDiff;

use crate::config::Config;
use crate::diagnostic::Diagnostic;

mod commit;
pub(crate) mod paths;

use commit::{Change, Swapped};

/// Name of the file that marks a folder as written by runsheet. It also
/// lists every file runsheet wrote there with the SHA-256 of its bytes, so
/// that a later build replaces those files, and only while they are
/// unchanged. The list is never trusted on its own: a file is replaced or
/// removed only when its bytes still match the digest beside its name.
pub const MARKER: &str = ".runsheet-output";

const MARKER_HEADER: &str = "# This folder is written by runsheet. On every build it replaces the files listed below\n# whose bytes still match their SHA-256, and keeps anything else.\n";

/// Every file of a build, by path relative to the output folder (`/` separators).
///
/// A set made with [`Files::default`] keeps every file's bytes in memory
/// (`serve`, `build --check`, tests); one made with [`Files::staged`] writes
/// each file into the stage of its output folder as it is added and keeps
/// only its digest, so a build holds one batch of output at a time, and
/// [`finish`] puts the stage in place; one made with [`Files::paths_only`]
/// keeps the paths alone (`check`, which writes nothing).
#[derive(Debug, Default)]
pub struct Files {
    files: BTreeMap<String, Body>,
    /// Paths added more than once: two products claimed the same file.
    collisions: BTreeSet<String>,
    mode: Mode,
}

/// Where the bytes of added files go.
#[derive(Debug)]
enum Mode {
    /// Bytes in memory; `earlier` holds the files of the last build made
    /// in memory (`serve`), which this one may keep ([`Files::after`]).
    Memory {
        earlier: BTreeMap<String, Arc<[u8]>>,
    },
    Stage(Box<Stage>),
    PathsOnly,
}

/// What a set keeps of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    Bytes(Arc<[u8]>),
    /// Written to the stage, or found unchanged in the output folder.
    Staged {
        digest: String,
        change: Change,
    },
    Dropped,
}

impl PartialEq for Files {
    fn eq(&self, other: &Files) -> bool {
        self.files == other.files && self.collisions == other.collisions
    }
}

impl Default for Mode {
    fn default() -> Mode {
        Mode::Memory {
            earlier: BTreeMap::new(),
        }
    }
}

impl Files {
    /// A set in memory that may keep the files of `earlier` (a set in
    /// memory too) that the build cache says are still right, without
    /// copying their bytes.
    pub(crate) fn after(earlier: &Files) -> Files {
        let earlier = earlier
            .files
            .iter()
            .filter_map(|(path, body)| match body {
                Body::Bytes(bytes) => Some((path.clone(), Arc::clone(bytes))),
                _ => None,
            })
            .collect();
        Files {
            mode: Mode::Memory { earlier },
            ..Files::default()
        }
    }

    /// A set that keeps no bytes, only paths (and collisions).
    pub fn paths_only() -> Files {
        Files {
            mode: Mode::PathsOnly,
            ..Files::default()
        }
    }

    /// A set that writes every file into a stage beside `out` as it is
    /// added (see [`commit`]); [`finish`] then replaces `out` with it, and
    /// dropping the set unfinished removes the stage. Refused, with nothing
    /// written, when `guard` refuses `out` or `out` holds files runsheet did
    /// not write and has no marker.
    pub fn staged(out: &Path, guard: &Guard) -> Result<Files, Diagnostic> {
        Ok(Files {
            mode: Mode::Stage(Box::new(Stage::open(out, guard)?)),
            ..Files::default()
        })
    }

    /// Adds a file; a second file at the same path wins, and the path is
    /// recorded as a collision for [`Files::collisions`].
    pub fn add(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        let path = path.into();
        let body = self.body(&path, bytes.into());
        self.insert(path, body);
    }

    /// Adds every file of `batch`, in order, as [`Files::add`] does; a
    /// staged set hashes and writes them on every core.
    pub fn add_all(&mut self, batch: Vec<(String, Vec<u8>)>) {
        let bodies: Vec<(String, Body)> = match &self.mode {
            Mode::Stage(stage) => batch
                .into_par_iter()
                .map(|(path, bytes)| {
                    let body = stage.put(&path, &bytes);
                    (path, body)
                })
                .collect(),
            _ => batch
                .into_iter()
                .map(|(path, bytes)| {
                    let body = self.body(&path, bytes);
                    (path, body)
                })
                .collect(),
        };
        for (path, body) in bodies {
            self.insert(path, body);
        }
    }

    fn body(&self, path: &str, bytes: Vec<u8>) -> Body {
        match &self.mode {
            Mode::Memory { .. } => Body::Bytes(bytes.into()),
            Mode::Stage(stage) => stage.put(path, &bytes),
            Mode::PathsOnly => Body::Dropped,
        }
    }

    fn insert(&mut self, path: String, body: Body) {
        if self.files.insert(path.clone(), body).is_some() {
            self.collisions.insert(path);
        }
    }

    /// The bytes of a file kept in memory (`None` in a staged or paths-only set).
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        match self.files.get(path)? {
            Body::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// Lets go of the earlier files ([`Files::after`]) once this set is whole.
    pub(crate) fn forget_earlier(&mut self) {
        if let Mode::Memory { earlier } = &mut self.mode {
            earlier.clear();
        }
    }

    /// Whether the last build's file at `path` is still there as that
    /// build made it, so [`Files::keep`] can take it as it is: in an output
    /// folder, listed in the marker with this digest ([`Files::token`]) and
    /// unchanged on disk; in memory, among the earlier files (which nobody
    /// else changes).
    pub(crate) fn can_keep(&self, path: &str, token: &str) -> bool {
        match &self.mode {
            Mode::Stage(stage) => stage.existing.digests.get(path).is_some_and(|d| d == token),
            Mode::Memory { earlier } => earlier.contains_key(path),
            Mode::PathsOnly => false,
        }
    }

    /// Adds the last build's file at `path` as it is, without writing or
    /// copying its bytes; false (nothing added) unless [`Files::can_keep`].
    pub(crate) fn keep(&mut self, path: &str, token: &str) -> bool {
        let body = match &self.mode {
            _ if !self.can_keep(path, token) => return false,
            Mode::Memory { earlier } => Body::Bytes(Arc::clone(&earlier[path])),
            _ => Body::Staged {
                digest: token.to_owned(),
                change: Change::Same,
            },
        };
        self.insert(path.to_owned(), body);
        true
    }

    /// What the build cache records of a file added at `path`, for
    /// [`Files::can_keep`] to check: its digest when it goes to an output
    /// folder, nothing (an empty token) when it stays in memory.
    pub(crate) fn token(&self, path: &str) -> Option<&str> {
        match self.files.get(path)? {
            Body::Staged { digest, .. } => Some(digest),
            Body::Bytes(_) => Some(""),
            Body::Dropped => None,
        }
    }

    /// Whether a later build may keep files of this one ([`Files::keep`]):
    /// files that go to an output folder or stay in memory.
    pub(crate) fn can_be_kept(&self) -> bool {
        !matches!(self.mode, Mode::PathsOnly)
    }

    /// The build cache the previous build left in the output folder.
    pub(crate) fn previous_cache(&self) -> Option<Vec<u8>> {
        match &self.mode {
            Mode::Stage(stage) => fs::read(commit::cache_path(&stage.out)).ok(),
            _ => None,
        }
    }

    /// Whether a file was added at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Every path with the bytes kept in memory (empty for files that were not kept).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(k, v)| {
            let bytes: &[u8] = match v {
                Body::Bytes(bytes) => bytes,
                _ => &[],
            };
            (k.as_str(), bytes)
        })
    }

    /// Every path, in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
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

    /// The digest the marker records for each file, and whether it changed.
    fn staged_entries(&self) -> impl Iterator<Item = (&str, &str, Change)> {
        self.files.iter().filter_map(|(path, body)| match body {
            Body::Staged { digest, change } => Some((path.as_str(), digest.as_str(), *change)),
            _ => None,
        })
    }
}

/// A build's output being assembled beside the output folder: files that
/// changed are written as they come, unchanged ones are linked at the end.
#[derive(Debug)]
struct Stage {
    /// The output folder, a symlink to it followed.
    out: PathBuf,
    /// The stage folder, a sibling of `out`.
    dir: PathBuf,
    existing: Existing,
    /// The first file that could not be written.
    failed: std::sync::Mutex<Option<Diagnostic>>,
    /// Set once the stage took the place of `out` (or was used to update it).
    done: bool,
}

impl Stage {
    /// Checks `out` and makes an empty, marked stage beside it.
    fn open(out: &Path, guard: &Guard) -> Result<Stage, Diagnostic> {
        guard.check(out)?;
        // a symlinked output folder is written through, not replaced
        let out = match fs::symlink_metadata(out) {
            Ok(m) if m.file_type().is_symlink() => {
                out.canonicalize().map_err(|e| io_error("follow", out, e))?
            }
            _ => out.to_owned(),
        };
        if out.is_dir() && read_marker(&out).is_some() {
            commit::roll_back(&out)?;
            // a marker a kill stopped before it was renamed into place
            let _ = fs::remove_file(out.join(format!("{MARKER}{}", commit::TMP_SUFFIX)));
        }
        commit::remove_leftovers(&out);
        let existing = inspect(&out)?;
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
        }
        let dir = commit::sibling(&out, "stage");
        commit::create_stage(&dir)?;
        Ok(Stage {
            out,
            dir,
            existing,
            failed: std::sync::Mutex::new(None),
            done: false,
        })
    }

    /// Hashes a file and writes it into the stage unless the output folder
    /// already holds these bytes as runsheet wrote them.
    fn put(&self, rel: &str, bytes: &[u8]) -> Body {
        let digest = sha256_hex(bytes);
        let change = match self.existing.digests.get(rel) {
            Some(d) if *d == digest => Change::Same,
            _ => Change::Write,
        };
        if change == Change::Write {
            if let Err(d) = commit::write_new(&self.dir.join(rel), bytes) {
                let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
                failed.get_or_insert(d);
            }
        }
        Body::Staged { digest, change }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The project's own files, which no build may write over or delete: the
/// content, partials and templates folders and `runsheet.toml`. Paths are
/// absolute with symlinks resolved, so they compare with the output folder.
#[derive(Clone, Debug)]
pub struct Guard {
    root: PathBuf,
    /// Each source folder, with what to call it in a message.
    folders: Vec<(PathBuf, &'static str)>,
}

impl Guard {
    pub fn new(config: &Config) -> Guard {
        Guard {
            root: resolve(&config.root),
            folders: vec![
                (resolve(&config.content), "content"),
                (resolve(&config.partials), "partials"),
                (resolve(&config.templates), "templates"),
            ],
        }
    }

    /// Refuses an output folder that would put the project's sources at
    /// risk: the file-system root, the project folder or one holding it, a
    /// folder holding a source folder or lying inside one. Decided from the
    /// paths alone, before anything is read, written or walked.
    pub fn check(&self, out: &Path) -> Result<(), Diagnostic> {
        let target = resolve(out);
        let refuse = |why: String| {
            Err(Diagnostic::error(
                "output-refused",
                format!("refusing to write into `{}`: {why}", out.display()),
            )
            .with_help("choose an output folder of its own, such as `site/`, with `--out DIR` or `out` in runsheet.toml"))
        };
        if target.parent().is_none() {
            return refuse("it is the root of the file system".into());
        }
        if self.root.starts_with(&target) {
            let what = if self.root == target { "is" } else { "holds" };
            return refuse(format!("it {what} the project folder"));
        }
        for (folder, name) in &self.folders {
            if *folder == target {
                return refuse(format!("it is the {name} folder"));
            }
            if folder.starts_with(&target) {
                return refuse(format!("it holds the {name} folder"));
            }
            if target.starts_with(folder) {
                return refuse(format!("it lies inside the {name} folder"));
            }
        }
        Ok(())
    }
}

/// `path` made absolute, with symlinks resolved as far as it exists and `.`
/// and `..` resolved in the part that does not exist yet. Reads no folder.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            resolve(parent).join(name)
        }
        // `..`, `.` or a root: the last component is not a name
        (Some(parent), None) if path.ends_with("..") => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            let up = resolve(parent);
            up.parent().map_or(up.clone(), Path::to_path_buf)
        }
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// The lowercase hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `bytes` as lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    /// Files runsheet wrote last time and nobody changed since: listed in
    /// the marker, regular files, their bytes matching the listed digest.
    ours: BTreeSet<String>,
    /// Files someone else put there, or changed: kept, never deleted.
    theirs: Vec<String>,
    /// Those of `theirs` the marker lists, but whose bytes do not match.
    changed: BTreeSet<String>,
    /// The digest the marker gives each of `ours`.
    digests: BTreeMap<String, String>,
}

/// One file as the marker records it: its SHA-256 and, when the marker
/// has them, its size and modification time as runsheet left it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Recorded {
    digest: Option<String>,
    stamp: Option<(u64, u128)>,
}

/// The entries of a folder's marker, by path; `None` when there is no marker.
fn read_marker(out: &Path) -> Option<BTreeMap<String, Recorded>> {
    let text = fs::read_to_string(out.join(MARKER)).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("This folder"))
            .map(marker_entry)
            .collect(),
    )
}

/// One marker line: `<sha256> <size> <mtime ns>  <path>`, `<sha256>  <path>`
/// (earlier runsheets), or a bare path (older still).
fn marker_entry(line: &str) -> (String, Recorded) {
    let Some((head, path)) = line.split_once("  ") else {
        return (line.to_owned(), Recorded::default());
    };
    let mut parts = head.split(' ');
    let digest = parts
        .next()
        .filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()));
    let Some(digest) = digest else {
        return (line.to_owned(), Recorded::default());
    };
    let size = parts.next().and_then(|n| n.parse().ok());
    let mtime = parts.next().and_then(|n| n.parse().ok());
    let recorded = Recorded {
        digest: Some(digest.to_ascii_lowercase()),
        stamp: size.zip(mtime),
    };
    (path.to_owned(), recorded)
}

/// A file's size and modification time (nanoseconds since the epoch).
fn stamp(meta: &fs::Metadata) -> Option<(u64, u128)> {
    let mtime = meta.modified().ok()?;
    let nanos = mtime.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), nanos))
}

/// Every file below `dir`, as `/`-separated relative paths, the marker left
/// out. Symlinks are listed, never followed.
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
        .filter(|rel| {
            rel != MARKER
                && rel != commit::JOURNAL
                && !rel.starts_with(&format!("{}/", commit::BACKUP))
                && !rel.ends_with(commit::TMP_SUFFIX)
        })
        .collect()
}

/// True when `rel`, found in `out`, is a file runsheet wrote there and
/// nobody changed since: a regular file (never a symlink) outside the
/// project's sources whose bytes match the digest the marker gives it. A
/// file with the size and modification time the marker recorded is taken
/// as unchanged without reading it; any other is read and hashed.
fn unchanged(out: &Path, rel: &str, recorded: &Recorded) -> bool {
    let Some(digest) = &recorded.digest else {
        return false;
    };
    let path = out.join(rel);
    let Ok(meta) = fs::symlink_metadata(&path) else {
        return false;
    };
    // `guard` refused an output folder overlapping the sources before it was
    // walked, and the walk follows no symlink: a regular file found here is
    // never one of the sources, so no path needs resolving
    if !meta.file_type().is_file() {
        return false;
    }
    if recorded.stamp.is_some() && stamp(&meta) == recorded.stamp {
        return true;
    }
    fs::read(&path).is_ok_and(|bytes| sha256_hex(&bytes) == *digest)
}

/// Refuses a folder runsheet did not write: it exists, is not empty and has
/// no marker. Otherwise tells runsheet's unchanged files from the others.
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
        Some(listed) => {
            let mut existing = Existing::default();
            for rel in present {
                match listed.get(&rel) {
                    Some(recorded) if unchanged(out, &rel, recorded) => {
                        if let Some(d) = &recorded.digest {
                            existing.digests.insert(rel.clone(), d.clone());
                        }
                        existing.ours.insert(rel);
                    }
                    Some(_) => {
                        existing.changed.insert(rel.clone());
                        existing.theirs.push(rel);
                    }
                    None => existing.theirs.push(rel),
                }
            }
            Ok(existing)
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

/// The error for a product that would overwrite a file runsheet may not replace.
fn clash(out: &Path, rel: &str, existing: &Existing) -> Diagnostic {
    if existing.changed.contains(rel) {
        return Diagnostic::error(
            "output-refused",
            format!(
                "`{rel}` in `{}` is not as runsheet wrote it (changed since, or written by an older runsheet), and the build would overwrite it",
                out.display()
            ),
        )
        .with_help("move that file out of the output folder, or delete it if its changes can go");
    }
    Diagnostic::error(
        "output-refused",
        format!(
            "`{rel}` in `{}` was not written by runsheet, and the build would overwrite it",
            out.display()
        ),
    )
    .with_help("move that file out of the output folder")
}

/// Writes the marker of `dir`, which holds the staged `files`: each file's
/// SHA-256 (computed once, when it was added), size and modification time
/// as written.
fn write_marker(dir: &Path, files: &Files) -> Result<(), Diagnostic> {
    let entries: Vec<(&str, &str, Change)> = files.staged_entries().collect();
    let lines: Vec<String> = entries
        .par_iter()
        .map(|(path, digest, _)| {
            let stamp = fs::symlink_metadata(dir.join(path))
                .ok()
                .and_then(|m| stamp(&m));
            let (size, mtime) = stamp.unwrap_or((0, 0));
            format!("{digest} {size} {mtime}  {path}\n")
        })
        .collect();
    let mut text = String::from(MARKER_HEADER);
    text.extend(lines);
    commit::replace_atomically(&dir.join(MARKER), text.as_bytes())
}

/// Writes `files` to `out`, changing only what changed: files with the same
/// bytes as last time are left alone, timestamps included. Files someone
/// added to `out` by hand are kept (a product at the same path is an
/// error). The switch to the new output is atomic where the platform allows
/// and journaled where it does not (see [`commit`]). Nothing is written when
/// the folder is refused, either by `guard` (it would put the project's
/// sources at risk) or because it holds files runsheet did not write.
///
/// `files` are kept in memory; a build stages its files as it renders them
/// ([`Files::staged`]) and ends with [`finish`].
pub fn write(out: &Path, files: &Files, guard: &Guard) -> Result<(), Diagnostic> {
    let mut staged = Files::staged(out, guard)?;
    let batch = files
        .iter()
        .map(|(path, bytes)| (path.to_owned(), bytes.to_vec()))
        .collect();
    staged.add_all(batch);
    finish(staged)
}

/// Puts a staged set of files in the place of its output folder: unchanged
/// files are linked into the stage, files added by hand linked across, the
/// marker written, and the stage swapped in (or, for a folder that cannot
/// be moved, the changed files replaced in place). When no file changed,
/// nothing is touched. A set that is not staged is an error.
pub(crate) fn finish(mut files: Files) -> Result<(), Diagnostic> {
    let Mode::Stage(mut stage) = std::mem::take(&mut files.mode) else {
        return Err(Diagnostic::error(
            "output-failed",
            "internal error: the files of this build were not staged",
        ));
    };
    let failed = stage
        .failed
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    if let Some(d) = failed {
        return Err(d);
    }
    let (out, existing) = (&stage.out, &stage.existing);
    if let Some(rel) = existing.theirs.iter().find(|p| files.contains(p)) {
        return Err(clash(out, rel, existing));
    }
    if out.is_dir() && !commit::needed(&files, existing) {
        // no file changes; a marker listing anything else is written anew
        let listed = read_marker(out).unwrap_or_default();
        let same = listed.keys().map(String::as_str).eq(files.paths());
        if !same {
            write_marker(out, &files)?;
        }
        return Ok(());
    }
    let swapped = commit::complete_stage(out, &stage.dir, &files, existing)
        .and_then(|()| commit::swap(out, &stage.dir));
    let result = match swapped {
        Ok(Swapped::Done) => {
            stage.done = true;
            Ok(())
        }
        Ok(Swapped::Immovable) => commit::in_place(out, &stage.dir, &files, existing),
        Err(d) => Err(d),
    };
    drop(stage);
    result
}

/// Leaves `cache` beside `out` (or removes the old one), unless it is there
/// already. It is written after the output: a cache that does not match the
/// output is harmless, since a page is reused only when the files the cache
/// names are in the output with the digests it gives (see [`crate::cache`]).
pub(crate) fn write_cache(out: &Path, cache: Option<&[u8]>) -> Result<(), Diagnostic> {
    let out = fs::canonicalize(out).unwrap_or_else(|_| out.to_owned());
    let path = commit::cache_path(&out);
    match cache {
        Some(bytes) if fs::read(&path).ok().as_deref() != Some(bytes) => {
            commit::replace_atomically(&path, bytes)
        }
        Some(_) => Ok(()),
        None => {
            let _ = fs::remove_file(&path);
            Ok(())
        }
    }
}

/// What runsheet wrote under `out` (the files its marker lists, or every
/// file when there is no marker), except the marker.
fn read_tree(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let listed = read_marker(out);
    list_files(out)
        .into_iter()
        .filter(|rel| listed.as_ref().is_none_or(|l| l.contains_key(rel)))
        .filter_map(|rel| fs::read(out.join(&rel)).ok().map(|b| (rel, b)))
        .collect()
}

/// A unified diff between `out` on disk and `files`; `None` when they are the same.
pub(crate) fn diff(out: &Path, files: &Files) -> Option<String> {
    let on_disk = read_tree(out);
    let mut report = String::new();
    let paths: BTreeSet<&str> = on_disk
        .keys()
        .map(String::as_str)
        .chain(files.paths())
        .collect();
    for path in paths {
        let old = on_disk.get(path).map(Vec::as_slice);
        let new = files
            .contains(path)
            .then(|| files.get(path).unwrap_or_default());
        if old == new {
            continue;
        }
        let text = |b: Option<&[u8]>| {
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

    /// A guard for a project in `dir` whose sources are `dir/content`,
    /// `dir/partials` and `dir/templates`.
    fn guard(dir: &Path) -> Guard {
        Guard::new(&Config {
            root: dir.to_owned(),
            content: dir.join("content"),
            partials: dir.join("partials"),
            templates: dir.join("templates"),
            out: dir.join("site"),
            base_path: String::new(),
            strict: false,
            lists: Default::default(),
            hold_warnings: false,
            runs: dir.join("runs"),
            page_formats: None,
            site: Default::default(),
        })
    }

    fn write(out: &Path, files: &Files) -> Result<(), Diagnostic> {
        super::write(out, files, &guard(out.parent().unwrap()))
    }

    /// The journaled in-place update, as a build does it when the output
    /// folder cannot be moved.
    fn write_in_place(out: &Path, files: &Files, existing: &Existing) {
        let mut staged = Files::staged(out, &guard(out.parent().unwrap())).unwrap();
        let batch = files
            .iter()
            .map(|(p, b)| (p.to_owned(), b.to_vec()))
            .collect();
        staged.add_all(batch);
        let Mode::Stage(stage) = &staged.mode else {
            unreachable!("a staged set")
        };
        assert_eq!(stage.existing.ours, existing.ours);
        commit::in_place(out, &stage.dir, &staged, &stage.existing).unwrap();
        assert!(!out.join(commit::JOURNAL).exists());
        assert!(!out.join(commit::BACKUP).exists());
    }

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
        write_in_place(&out, &files(&[("a.html", "two")]), &existing);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "two");
        assert!(!out.join("old").exists(), "emptied folders go too");
        assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");
        let marker: Vec<(String, Option<String>)> = read_marker(&out)
            .unwrap()
            .into_iter()
            .map(|(path, r)| (path, r.digest))
            .collect();
        assert_eq!(marker, [("a.html".to_owned(), Some(sha256_hex(b"two")))]);
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
    fn a_marker_is_no_licence_to_delete() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        fs::create_dir_all(&out).unwrap();
        fs::create_dir_all(tmp.path().join("content")).unwrap();
        fs::write(tmp.path().join("content/other.md"), "source").unwrap();
        for name in ["bare.txt", "forged.txt", "unlisted.txt"] {
            fs::write(out.join(name), "mine").unwrap();
        }
        let forged = format!(
            "{MARKER_HEADER}bare.txt\n{}  forged.txt\n../content/other.md\n{}  ../content/other.md\n",
            sha256_hex(b"not mine"),
            sha256_hex(b"source"),
        );
        fs::write(out.join(MARKER), forged).unwrap();
        write(&out, &files(&[("a.html", "one")])).unwrap();
        for name in ["bare.txt", "forged.txt", "unlisted.txt"] {
            assert_eq!(
                fs::read_to_string(out.join(name)).unwrap(),
                "mine",
                "{name}"
            );
        }
        assert_eq!(
            fs::read_to_string(tmp.path().join("content/other.md")).unwrap(),
            "source"
        );
        // the same, updated in place
        let existing = inspect(&out).unwrap();
        assert_eq!(existing.ours.iter().collect::<Vec<_>>(), ["a.html"]);
        write_in_place(&out, &files(&[("b.html", "two")]), &existing);
        assert!(
            !out.join("a.html").exists(),
            "an unchanged file of ours goes"
        );
        assert_eq!(fs::read_to_string(out.join("bare.txt")).unwrap(), "mine");
    }

    #[test]
    fn a_changed_file_of_ours_is_kept_and_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write(&out, &files(&[("a.html", "one"), ("b.html", "two")])).unwrap();
        fs::write(out.join("b.html"), "edited by hand").unwrap();
        let err = write(&out, &files(&[("b.html", "three")])).unwrap_err();
        assert_eq!(err.code, "output-refused");
        assert!(
            err.message.contains("not as runsheet wrote it"),
            "{}",
            err.message
        );
        write(&out, &files(&[("a.html", "one")])).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("b.html")).unwrap(),
            "edited by hand"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_never_ours() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        fs::create_dir_all(&out).unwrap();
        fs::create_dir_all(tmp.path().join("content")).unwrap();
        fs::write(tmp.path().join("content/a.md"), "source").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("content/a.md"), out.join("link")).unwrap();
        let marker = format!("{MARKER_HEADER}{}  link\n", sha256_hex(b"source"));
        fs::write(out.join(MARKER), marker).unwrap();
        let existing = inspect(&out).unwrap();
        assert!(existing.ours.is_empty());
        write(&out, &files(&[("a.html", "one")])).unwrap();
        assert!(fs::symlink_metadata(out.join("link")).is_ok());
        assert_eq!(
            fs::read_to_string(tmp.path().join("content/a.md")).unwrap(),
            "source"
        );
    }

    #[test]
    fn guard_refuses_folders_that_hold_or_lie_in_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("project");
        fs::create_dir_all(root.join("content/sub")).unwrap();
        fs::create_dir_all(root.join("partials")).unwrap();
        let g = guard(&root);
        let cases: &[(PathBuf, Option<&str>)] = &[
            (root.join("site"), None),
            (root.join("build/site"), None),
            (tmp.path().join("elsewhere"), None),
            (root.clone(), Some("it is the project folder")),
            (root.join("."), Some("it is the project folder")),
            (root.join("site/.."), Some("it is the project folder")),
            (root.join("new/.."), Some("it is the project folder")),
            (tmp.path().to_owned(), Some("it holds the project folder")),
            (root.join("content"), Some("it is the content folder")),
            (root.join("content/.."), Some("it is the project folder")),
            (
                root.join("content/gen"),
                Some("it lies inside the content folder"),
            ),
            (
                root.join("content/sub/x"),
                Some("it lies inside the content folder"),
            ),
            (
                root.join("partials/x"),
                Some("it lies inside the partials folder"),
            ),
            (
                root.join("templates/x"),
                Some("it lies inside the templates folder"),
            ),
            (
                PathBuf::from("/"),
                Some("it is the root of the file system"),
            ),
        ];
        for (out, expected) in cases {
            let got = g.check(out).err().map(|d| d.message);
            match (expected, &got) {
                (None, None) => {}
                (Some(want), Some(message)) if message.contains(want) => {}
                _ => panic!("{}: expected {expected:?}, got {got:?}", out.display()),
            }
        }
    }

    #[test]
    fn collisions_are_recorded() {
        let mut f = Files::default();
        f.add("a", "1");
        f.add("b", "2");
        f.add("a", "3");
        assert_eq!(f.collisions().collect::<Vec<_>>(), ["a"]);
    }

    fn mtime(path: &Path) -> std::time::SystemTime {
        fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn only_changed_files_are_written() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write(
            &out,
            &files(&[("a.html", "one"), ("b/c.html", "two"), ("d.html", "x")]),
        )
        .unwrap();
        let (a, c, marker) = (
            mtime(&out.join("a.html")),
            mtime(&out.join("b/c.html")),
            mtime(&out.join(MARKER)),
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        // nothing changed: nothing is touched, not even the marker
        write(
            &out,
            &files(&[("a.html", "one"), ("b/c.html", "two"), ("d.html", "x")]),
        )
        .unwrap();
        assert_eq!(mtime(&out.join(MARKER)), marker);
        // one file changed, one gone: the others keep their timestamps
        write(&out, &files(&[("a.html", "one"), ("b/c.html", "three")])).unwrap();
        assert_eq!(mtime(&out.join("a.html")), a);
        assert_ne!(mtime(&out.join("b/c.html")), c);
        assert_eq!(fs::read_to_string(out.join("b/c.html")).unwrap(), "three");
        assert!(!out.join("d.html").exists());
        let siblings: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(siblings, ["site"], "no stage or old folder is left");
    }

    #[test]
    fn leftovers_of_a_killed_build_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write(&out, &files(&[("a.html", "one")])).unwrap();
        let stage = tmp.path().join(".site.runsheet-stage-4242");
        fs::create_dir_all(stage.join("x")).unwrap();
        fs::write(stage.join(MARKER), MARKER_HEADER).unwrap();
        let empty = tmp.path().join(".site.runsheet-old-77");
        fs::create_dir(&empty).unwrap();
        // killed while its first marker was being written
        let unfinished = tmp.path().join(".site.runsheet-stage-99");
        fs::create_dir(&unfinished).unwrap();
        fs::write(unfinished.join(MARKER), "").unwrap();
        fs::write(
            unfinished.join(format!("{MARKER}{}", commit::TMP_SUFFIX)),
            "# Th",
        )
        .unwrap();
        // killed before the output's new marker was renamed into place
        let tmp_marker = out.join(format!("{MARKER}{}", commit::TMP_SUFFIX));
        fs::write(&tmp_marker, "# This folder").unwrap();
        let foreign = tmp.path().join(".site.runsheet-stage-1");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("mine.txt"), "keep me").unwrap();
        write(&out, &files(&[("a.html", "two")])).unwrap();
        assert!(!stage.exists() && !empty.exists() && !unfinished.exists());
        assert!(!tmp_marker.exists(), "a half-written marker is removed");
        assert!(
            foreign.join("mine.txt").exists(),
            "a folder not provably ours stays"
        );
    }

    #[test]
    fn an_interrupted_in_place_update_is_rolled_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let v1 = files(&[("a.html", "one"), ("b.html", "two")]);
        write(&out, &v1).unwrap();
        let marker = fs::read_to_string(out.join(MARKER)).unwrap();
        // a crash halfway through an in-place update: a.html replaced, c.html
        // created, the marker already rewritten
        let backup = out.join(commit::BACKUP);
        fs::create_dir_all(&backup).unwrap();
        fs::hard_link(out.join("a.html"), backup.join("a.html")).unwrap();
        fs::hard_link(out.join(MARKER), backup.join(MARKER)).unwrap();
        fs::write(
            out.join(commit::JOURNAL),
            format!("restore a.html\ncreate c.html\nrestore {MARKER}\n"),
        )
        .unwrap();
        fs::remove_file(out.join("a.html")).unwrap();
        fs::write(out.join("a.html"), "half").unwrap();
        fs::write(out.join("c.html"), "new").unwrap();
        fs::remove_file(out.join(MARKER)).unwrap();
        fs::write(out.join(MARKER), format!("{MARKER_HEADER}garbage")).unwrap();
        write(&out, &v1).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "one");
        assert!(!out.join("c.html").exists());
        assert_eq!(fs::read_to_string(out.join(MARKER)).unwrap(), marker);
        assert!(!out.join(commit::JOURNAL).exists() && !backup.exists());
    }
}
