//! The record of a run for a change ticket: every step with its outcome, who and when, notes, hold points and their approvers, the duration and the plan digest, as Markdown, print-ready HTML or JSON.
//!
//! The steps come from the copy of the plan the run kept beside its journal
//! (`<run>.plan.json`), so steps that were never answered are listed too;
//! without that copy, from the current plan when its digest is the run's,
//! else from the journal's events alone.

use std::collections::BTreeMap;

use serde::Serialize;

use super::clock;
use super::journal::{Event, EventKind, Journal};
use super::walk::{self, Selection};
use crate::plan::Plan;

/// The report's format version, in its JSON form.
pub(crate) const REPORT_VERSION: u32 = 1;

/// A run as a record.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Report {
    pub report_version: u32,
    pub run: String,
    pub page: String,
    pub title: String,
    pub source: String,
    /// The procedure run; null for the whole page.
    pub procedure: Option<String>,
    pub procedure_title: Option<String>,
    /// The plan digest the run started against.
    pub digest: String,
    /// Later digests the run went on against, after the page changed.
    pub later_digests: Vec<String>,
    /// The runsheet version that started the run.
    pub runsheet: String,
    /// Everyone who recorded something, in order of appearance.
    pub operators: Vec<String>,
    pub started: String,
    /// When the run was completed; null while it is not.
    pub finished: Option<String>,
    /// From the start to the last event.
    pub duration_seconds: i64,
    pub duration: String,
    /// `completed`, `paused` (stopped on purpose) or `in progress`.
    pub status: String,
    pub counts: Counts,
    pub steps: Vec<StepRecord>,
    /// Starts, pauses, resumes and the completion, in order.
    pub sessions: Vec<SessionRecord>,
    /// Where the step list came from: `plan copy`, `current plan` or `journal`.
    pub steps_from: String,
}

/// How many steps ended how.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Counts {
    pub done: usize,
    pub skipped: usize,
    pub failed: usize,
    pub open: usize,
}

/// One step of the run and what happened to it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct StepRecord {
    pub id: String,
    pub label: String,
    /// 0 for a procedure's own steps, 1 under an overview step.
    pub depth: usize,
    pub title: String,
    pub fingerprint: Option<String>,
    /// An overview step carried out by the steps under it: its outcome
    /// follows from theirs.
    pub group: bool,
    pub hold: bool,
    /// `done`, `skipped`, `failed`, or null while open.
    pub outcome: Option<String>,
    /// Who recorded the outcome, and when.
    pub operator: Option<String>,
    pub time: Option<String>,
    /// The outcome's note (the reason, for a skipped step).
    pub note: Option<String>,
    /// Who signed the hold point, and when.
    pub approver: Option<String>,
    pub approved_at: Option<String>,
    /// Names refused as approver (the operator's own).
    pub refused: Vec<String>,
    /// Free notes.
    pub notes: Vec<NoteRecord>,
    /// Every event of the step, in order.
    pub history: Vec<HistoryRecord>,
    /// The step is not in the plan the report was made from (the page changed).
    pub unlisted: bool,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct NoteRecord {
    pub operator: String,
    pub time: String,
    pub text: String,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct HistoryRecord {
    pub event: String,
    pub operator: String,
    pub time: String,
    pub note: Option<String>,
    pub approver: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct SessionRecord {
    /// `started`, `paused`, `resumed` or `completed`.
    pub event: String,
    pub operator: String,
    pub time: String,
    pub note: Option<String>,
    pub digest: Option<String>,
}

/// Builds the report of `journal`; `plan` is the plan its steps come from
/// (with `steps_from` naming it), if any.
pub(crate) fn report(journal: &Journal, plan: Option<(&Plan, &str)>) -> Report {
    let h = &journal.header;
    let by_step = events_by_step(&journal.events);
    let mut steps = match plan {
        Some((plan, _)) => {
            let selection = match &h.procedure {
                Some(id) => Selection::Procedure(id.clone()),
                None => Selection::Page,
            };
            let items = walk::items(plan, &selection);
            items
                .iter()
                .map(|it| {
                    let mut r = record(
                        &it.step.id,
                        &it.label,
                        &it.step.title,
                        by_step.get(it.step.id.as_str()),
                    );
                    r.depth = it.depth;
                    r.group = it.group;
                    r.hold = it.hold;
                    r.fingerprint = Some(super::fingerprint(it.step));
                    r
                })
                .collect()
        }
        None => Vec::new(),
    };
    // steps the journal knows and the plan does not (or there is no plan)
    for (id, events) in ordered(&journal.events) {
        if steps.iter().any(|s: &StepRecord| s.id == id) {
            continue;
        }
        let last = events.last().expect("a step with events");
        let mut r = record(
            id,
            last.label.as_deref().unwrap_or(""),
            last.title.as_deref().unwrap_or(""),
            Some(&events),
        );
        r.unlisted = plan.is_some();
        r.depth = usize::from(r.label.contains('.'));
        r.hold = events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Approved | EventKind::Refused));
        steps.push(r);
    }
    derive_groups(&mut steps);
    let counts = count(&steps);
    let start = clock::parse(&h.time).unwrap_or(0);
    let last = journal
        .events
        .iter()
        .filter_map(|e| clock::parse(&e.time))
        .max()
        .unwrap_or(start);
    let mut operators = vec![h.operator.clone()];
    for e in &journal.events {
        if !operators.contains(&e.operator) {
            operators.push(e.operator.clone());
        }
    }
    let finished = journal
        .completed()
        .then(|| journal.events.last().map(|e| e.time.clone()))
        .flatten();
    let status = if journal.completed() {
        "completed"
    } else if journal
        .events
        .last()
        .is_some_and(|e| e.kind == EventKind::Paused)
    {
        "paused"
    } else {
        "in progress"
    };
    let mut later_digests: Vec<String> = Vec::new();
    for d in journal.events.iter().filter_map(|e| e.digest.as_ref()) {
        let latest = later_digests.last().unwrap_or(&h.digest);
        if d != latest {
            later_digests.push(d.clone());
        }
    }
    Report {
        report_version: REPORT_VERSION,
        run: h.run.clone(),
        page: h.page.clone(),
        title: h.title.clone(),
        source: h.source.clone(),
        procedure: h.procedure.clone(),
        procedure_title: h.procedure_title.clone(),
        digest: h.digest.clone(),
        later_digests,
        runsheet: h.runsheet.clone(),
        operators,
        started: h.time.clone(),
        finished,
        duration_seconds: last - start,
        duration: clock::duration(last - start),
        status: status.into(),
        counts,
        steps,
        sessions: sessions(journal),
        steps_from: plan.map_or("journal", |(_, from)| from).into(),
    }
}

fn events_by_step(events: &[Event]) -> BTreeMap<&str, Vec<&Event>> {
    let mut map: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in events {
        if let Some(step) = &e.step {
            map.entry(step.as_str()).or_default().push(e);
        }
    }
    map
}

/// Steps with events, in the order they first appear.
fn ordered(events: &[Event]) -> Vec<(&str, Vec<&Event>)> {
    let mut out: Vec<(&str, Vec<&Event>)> = Vec::new();
    for e in events {
        let Some(step) = e.step.as_deref() else {
            continue;
        };
        match out.iter_mut().find(|(id, _)| *id == step) {
            Some((_, list)) => list.push(e),
            None => out.push((step, vec![e])),
        }
    }
    out
}

/// A step's record from its events.
fn record(id: &str, label: &str, title: &str, events: Option<&Vec<&Event>>) -> StepRecord {
    let mut r = StepRecord {
        id: id.to_owned(),
        label: label.to_owned(),
        depth: 0,
        title: title.to_owned(),
        fingerprint: None,
        group: false,
        hold: false,
        outcome: None,
        operator: None,
        time: None,
        note: None,
        approver: None,
        approved_at: None,
        refused: Vec::new(),
        notes: Vec::new(),
        history: Vec::new(),
        unlisted: false,
    };
    for e in events.into_iter().flatten() {
        r.history.push(HistoryRecord {
            event: e.kind.as_str().into(),
            operator: e.operator.clone(),
            time: e.time.clone(),
            note: e.note.clone(),
            approver: e.approver.clone(),
        });
        match e.kind {
            k if k.is_outcome() => {
                r.outcome = Some(k.as_str().into());
                r.operator = Some(e.operator.clone());
                r.time = Some(e.time.clone());
                r.note = e.note.clone();
            }
            EventKind::Reopened => {
                r.outcome = None;
                r.operator = None;
                r.time = None;
                r.note = None;
            }
            EventKind::Note => r.notes.push(NoteRecord {
                operator: e.operator.clone(),
                time: e.time.clone(),
                text: e.note.clone().unwrap_or_default(),
            }),
            EventKind::Approved => {
                r.approver = e.approver.clone();
                r.approved_at = Some(e.time.clone());
            }
            EventKind::Refused => r.refused.extend(e.approver.clone()),
            _ => {}
        }
    }
    r
}

/// An overview step's outcome follows from the steps under it: failed if
/// one failed, skipped if all were skipped, done when all have an outcome.
fn derive_groups(steps: &mut [StepRecord]) {
    for i in 0..steps.len() {
        if !steps[i].group {
            continue;
        }
        let children: Vec<&StepRecord> = steps[i + 1..]
            .iter()
            .take_while(|s| s.depth > steps[i].depth && !s.unlisted)
            .collect();
        let outcomes: Vec<Option<&str>> = children.iter().map(|c| c.outcome.as_deref()).collect();
        let outcome = if outcomes.contains(&Some("failed")) {
            Some("failed")
        } else if outcomes.iter().any(Option::is_none) {
            None
        } else if outcomes.iter().all(|o| *o == Some("skipped")) {
            Some("skipped")
        } else {
            Some("done")
        };
        let last = children.iter().filter_map(|c| c.time.clone()).max();
        steps[i].outcome = outcome.map(str::to_owned);
        steps[i].time = outcome.and(last);
    }
}

fn count(steps: &[StepRecord]) -> Counts {
    let mut c = Counts::default();
    for s in steps.iter().filter(|s| !s.group && !s.unlisted) {
        match s.outcome.as_deref() {
            Some("done") => c.done += 1,
            Some("skipped") => c.skipped += 1,
            Some("failed") => c.failed += 1,
            _ => c.open += 1,
        }
    }
    c
}

fn sessions(journal: &Journal) -> Vec<SessionRecord> {
    let h = &journal.header;
    let mut out = vec![SessionRecord {
        event: "started".into(),
        operator: h.operator.clone(),
        time: h.time.clone(),
        note: None,
        digest: Some(h.digest.clone()),
    }];
    for e in &journal.events {
        if matches!(
            e.kind,
            EventKind::Paused | EventKind::Resumed | EventKind::Completed
        ) {
            out.push(SessionRecord {
                event: e.kind.as_str().into(),
                operator: e.operator.clone(),
                time: e.time.clone(),
                note: e.note.clone(),
                digest: e.digest.clone(),
            });
        }
    }
    out
}

/// The JSON form: the report, pretty-printed, with a final newline.
pub(crate) fn to_json(report: &Report) -> String {
    crate::plan::to_json(report)
}
