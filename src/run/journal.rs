//! The run journal: an append-only JSON Lines file per run, every line flushed to disk as it is written, read back even when its last line was cut.
//!
//! The first line is the run's [`Header`]; every later line is an
//! [`Event`]. Every key is always written (`null` when it does not apply),
//! in a fixed order, so journals compare line by line. `runsheet schema
//! --run` prints the JSON Schema every line validates against.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::invalid;
use crate::diagnostic::Diagnostic;

/// The journal format's version, in every header.
pub(crate) const JOURNAL_VERSION: u32 = 1;

/// The extension of journal files.
pub(crate) const EXTENSION: &str = "jsonl";

/// The first line of a journal: which run, of what, by whom, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Header {
    /// Always `run`.
    #[serde(rename = "type")]
    pub kind: HeaderKind,
    /// Always 1 for this format.
    #[schemars(range(min = 1, max = 1))]
    pub journal_version: u32,
    /// The run id, also the journal's file name without `.jsonl`.
    pub run: String,
    /// The page name (`a/b`).
    pub page: String,
    /// The page's title.
    pub title: String,
    /// The page's file, relative to the project folder.
    pub source: String,
    /// The procedure id that was run; null when the whole page was run.
    pub procedure: Option<String>,
    /// That procedure's title.
    pub procedure_title: Option<String>,
    /// The plan digest of the page when the run started.
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub digest: String,
    /// The runsheet version that started the run.
    pub runsheet: String,
    /// Who started the run.
    pub operator: String,
    /// When the run started, UTC, RFC 3339.
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"))]
    pub time: String,
}

/// The header's `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum HeaderKind {
    Run,
}

/// One thing that happened during a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Event {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The step's id; null for events of the whole run.
    pub step: Option<String>,
    /// The step's number in its procedure.
    pub number: Option<u64>,
    /// The step's number as the run showed it (`9.4` for step 4 of the
    /// section that overview step 9 links to).
    pub label: Option<String>,
    /// The step's title as it was shown.
    pub title: Option<String>,
    /// The step's fingerprint (as printed on checklists) when it was shown.
    #[schemars(regex(pattern = r"^[0-9a-f]{8}$"))]
    pub fingerprint: Option<String>,
    /// Who recorded the event.
    pub operator: String,
    /// When, UTC, RFC 3339.
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"))]
    pub time: String,
    /// The note (`done`, `failed`, `note`), the reason (`skipped`), or what
    /// a `resumed` event found.
    pub note: Option<String>,
    /// Who signed a hold point (`approved`), or the name refused (`refused`).
    pub approver: Option<String>,
    /// The page's plan digest from this event on (`resumed` only).
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub digest: Option<String>,
}

/// The kinds of events.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EventKind {
    /// The step was carried out.
    Done,
    /// The step was not carried out; `note` says why.
    Skipped,
    /// The step was tried and failed; `note` says what happened.
    Failed,
    /// A remark on the step; its outcome stays as it was.
    Note,
    /// A second person signed the step's hold point.
    Approved,
    /// A signature was refused: the name is the operator's own.
    Refused,
    /// The operator went back to the step; its outcome is open again.
    Reopened,
    /// The operator stopped the run; it can be resumed.
    Paused,
    /// The run was resumed (by `operator`, against `digest`).
    Resumed,
    /// Every step has an outcome.
    Completed,
}

impl EventKind {
    /// An outcome of a step (done, skipped, failed) rather than a remark.
    pub(crate) fn is_outcome(self) -> bool {
        matches!(
            self,
            EventKind::Done | EventKind::Skipped | EventKind::Failed
        )
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EventKind::Done => "done",
            EventKind::Skipped => "skipped",
            EventKind::Failed => "failed",
            EventKind::Note => "note",
            EventKind::Approved => "approved",
            EventKind::Refused => "refused",
            EventKind::Reopened => "reopened",
            EventKind::Paused => "paused",
            EventKind::Resumed => "resumed",
            EventKind::Completed => "completed",
        }
    }
}

/// Any line of a journal, for the schema.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
#[schemars(title = "runsheet run journal line")]
enum Line {
    Header(Header),
    Event(Event),
}

/// The JSON Schema (draft 2020-12) every line of a journal validates
/// against: the header or an event, every key required.
pub(crate) fn schema() -> Value {
    crate::plan::strict_schema::<Line>()
}

/// A journal read back from disk.
#[derive(Clone, Debug)]
pub(crate) struct Journal {
    pub path: PathBuf,
    pub header: Header,
    pub events: Vec<Event>,
    /// Problems that did not stop the reading (a cut last line).
    pub warnings: Vec<Diagnostic>,
    /// Byte length of the complete lines; shorter than the file when its
    /// last line was cut.
    pub complete_len: u64,
    /// The file's last line has no newline (cut, or complete but unterminated).
    pub unterminated: bool,
}

impl Journal {
    /// The run id.
    pub(crate) fn id(&self) -> &str {
        &self.header.run
    }

    /// The plan digest the run goes on against: the header's, or the last
    /// `resumed` event's.
    pub(crate) fn digest(&self) -> &str {
        self.events
            .iter()
            .rev()
            .find_map(|e| e.digest.as_deref())
            .unwrap_or(&self.header.digest)
    }

    /// Whether the last event is `completed`.
    pub(crate) fn completed(&self) -> bool {
        self.events
            .last()
            .is_some_and(|e| e.kind == EventKind::Completed)
    }
}

/// Reads a journal. A last line without its newline that is not valid JSON
/// is a write cut short: it is ignored, with a warning. Any other bad line
/// is an error naming `file:line:column`.
pub(crate) fn read(path: &Path) -> Result<Journal, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| invalid(format!("cannot read `{}`: {e}", path.display())))?;
    let shown = path.display();
    let mut header = None;
    let mut events = Vec::new();
    let mut warnings = Vec::new();
    let mut complete_len = 0u64;
    let mut offset = 0usize;
    let unterminated = !bytes.is_empty() && !bytes.ends_with(b"\n");
    let mut number = 0;
    while offset < bytes.len() {
        number += 1;
        let end = bytes[offset..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|i| offset + i);
        let line = &bytes[offset..end.unwrap_or(bytes.len())];
        let last = end.is_none_or(|e| e + 1 == bytes.len());
        let parsed = parse_line(line, header.is_none());
        match parsed {
            Err(_) if end.is_none() => {
                warnings.push(Diagnostic::warning("journal-truncated", format!(
                    "{shown}:{number}: the last line is cut short (a write that did not finish); it is ignored"
                )));
                break;
            }
            Err((column, message)) => {
                return Err(invalid(format!("{shown}:{number}:{column}: {message}")));
            }
            Ok(Parsed::Header(h)) => header = Some(*h),
            Ok(Parsed::Event(e)) => events.push(*e),
            Ok(Parsed::Blank) if !last => {
                return Err(invalid(format!(
                    "{shown}:{number}:1: an empty line in a journal"
                )));
            }
            Ok(Parsed::Blank) => {}
        }
        complete_len = end.map_or(bytes.len(), |e| e + 1) as u64;
        offset = end.map_or(bytes.len(), |e| e + 1);
    }
    let header = header.ok_or_else(|| invalid(format!("{shown}:1:1: the journal is empty")))?;
    Ok(Journal {
        path: path.to_owned(),
        header,
        events,
        warnings,
        complete_len,
        unterminated,
    })
}

enum Parsed {
    Header(Box<Header>),
    Event(Box<Event>),
    Blank,
}

/// One line: the header when `first`, an event otherwise. Errors give the
/// 1-based column and a message.
fn parse_line(line: &[u8], first: bool) -> Result<Parsed, (usize, String)> {
    let Ok(text) = std::str::from_utf8(line) else {
        return Err((1, "the line is not UTF-8".into()));
    };
    if text.trim().is_empty() {
        return if first {
            Err((1, "the journal starts with an empty line".into()))
        } else {
            Ok(Parsed::Blank)
        };
    }
    let column = |e: &serde_json::Error| {
        // serde_json counts columns in bytes on the line; make it characters
        let byte = e.column().max(1);
        text.get(..byte.min(text.len()))
            .map_or(byte, |s| s.chars().count().max(1))
    };
    if first {
        serde_json::from_str::<Header>(text)
            .map(|h| Parsed::Header(Box::new(h)))
            .map_err(|e| (column(&e), format!("not a run journal header: {e}")))
    } else {
        serde_json::from_str::<Event>(text)
            .map(|e| Parsed::Event(Box::new(e)))
            .map_err(|e| (column(&e), format!("not a run journal event: {e}")))
    }
}

/// Appends lines to a journal, each written whole and flushed to disk
/// (fsync) before the call returns.
#[derive(Debug)]
pub(crate) struct Writer {
    file: File,
    pub path: PathBuf,
}

impl Writer {
    /// Creates a new journal at `path` (never overwriting one) and writes its header.
    pub(crate) fn create(path: &Path, header: &Header) -> std::io::Result<Writer> {
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(path)?;
        sync_dir(path);
        let mut writer = Writer {
            file,
            path: path.to_owned(),
        };
        writer.line(header)?;
        Ok(writer)
    }

    /// Opens a journal read earlier to append to it. A cut last line is
    /// dropped first (it never was a record); a complete last line without
    /// its newline gets one.
    pub(crate) fn reopen(journal: &Journal) -> std::io::Result<Writer> {
        let file = OpenOptions::new().append(true).open(&journal.path)?;
        let len = file.metadata()?.len();
        if len > journal.complete_len {
            file.set_len(journal.complete_len)?;
        }
        let mut writer = Writer {
            file,
            path: journal.path.clone(),
        };
        if journal.unterminated && len == journal.complete_len {
            writer.file.write_all(b"\n")?;
            writer.file.sync_data()?;
        }
        Ok(writer)
    }

    /// Appends an event.
    pub(crate) fn event(&mut self, event: &Event) -> std::io::Result<()> {
        self.line(event)
    }

    fn line<T: Serialize>(&mut self, value: &T) -> std::io::Result<()> {
        let mut text = serde_json::to_string(value).map_err(std::io::Error::other)?;
        text.push('\n');
        self.file.write_all(text.as_bytes())?;
        self.file.sync_data()
    }
}

/// Flushes the folder holding `path`, so a new file's name survives a crash.
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Writes `text` to `path` through a temporary file and a rename, flushed to disk.
pub(crate) fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_data()?;
    }
    std::fs::rename(&tmp, path)?;
    sync_dir(path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            kind: HeaderKind::Run,
            journal_version: JOURNAL_VERSION,
            run: "r".into(),
            page: "p".into(),
            title: "P".into(),
            source: "content/p.md".into(),
            procedure: None,
            procedure_title: None,
            digest: format!("sha256:{}", "0".repeat(64)),
            runsheet: "0".into(),
            operator: "Ada".into(),
            time: "2024-05-01T10:00:00Z".into(),
        }
    }

    fn event(kind: EventKind) -> Event {
        Event {
            kind,
            step: Some("p/a".into()),
            number: Some(1),
            label: Some("1".into()),
            title: Some("A".into()),
            fingerprint: Some("00000000".into()),
            operator: "Ada".into(),
            time: "2024-05-01T10:01:00Z".into(),
            note: None,
            approver: None,
            digest: None,
        }
    }

    #[test]
    fn written_lines_read_back_and_a_cut_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let mut w = Writer::create(&path, &header()).unwrap();
        w.event(&event(EventKind::Done)).unwrap();
        let whole = std::fs::read(&path).unwrap();
        // a second event cut halfway
        let line = serde_json::to_string(&event(EventKind::Failed)).unwrap();
        let mut cut = whole.clone();
        cut.extend_from_slice(&line.as_bytes()[..line.len() / 2]);
        std::fs::write(&path, &cut).unwrap();
        let j = read(&path).unwrap();
        assert_eq!(j.events.len(), 1);
        assert_eq!(j.warnings.len(), 1, "{:?}", j.warnings);
        assert!(j.warnings[0]
            .message
            .contains(":3: the last line is cut short"));
        // appending drops the cut line first
        let mut w = Writer::reopen(&j).unwrap();
        w.event(&event(EventKind::Skipped)).unwrap();
        let j = read(&path).unwrap();
        assert!(j.warnings.is_empty());
        let kinds: Vec<EventKind> = j.events.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [EventKind::Done, EventKind::Skipped]);
    }

    #[test]
    fn a_bad_middle_line_is_an_error_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let head = serde_json::to_string(&header()).unwrap();
        std::fs::write(&path, format!("{head}\n{{\"type\": 5}}\n{head}\n")).unwrap();
        let err = read(&path).unwrap_err().message;
        assert!(err.contains("r.jsonl:2:"), "{err}");
        std::fs::write(&path, "").unwrap();
        assert!(read(&path)
            .unwrap_err()
            .message
            .contains(":1:1: the journal is empty"));
    }

    #[test]
    fn a_complete_unterminated_line_is_kept_and_terminated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let head = serde_json::to_string(&header()).unwrap();
        let done = serde_json::to_string(&event(EventKind::Done)).unwrap();
        std::fs::write(&path, format!("{head}\n{done}")).unwrap();
        let j = read(&path).unwrap();
        assert_eq!(j.events.len(), 1);
        assert!(j.warnings.is_empty());
        Writer::reopen(&j)
            .unwrap()
            .event(&event(EventKind::Note))
            .unwrap();
        assert_eq!(read(&path).unwrap().events.len(), 2);
    }
}
