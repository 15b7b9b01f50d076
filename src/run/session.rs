//! The run itself: shows each step, asks for its outcome, stops at hold points until a second person signs, and appends every answer to the journal before going on.

use std::collections::{BTreeMap, BTreeSet};

use super::answers::{self, BadAnswer, HoldAnswer, Input, StepAnswer};
use super::clock::{self, Clock};
use super::journal::{Event, EventKind, Journal, Writer};
use super::show;
use super::walk::Item;
use crate::diagnostic::Diagnostic;
use crate::driver;

/// What every step's events add up to so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    /// Step id → its outcome (done, skipped, failed); absent while open.
    pub outcome: BTreeMap<String, EventKind>,
    /// Steps whose hold point has been signed.
    pub approved: BTreeSet<String>,
}

impl State {
    /// The state after the events of a journal.
    pub(crate) fn from_journal(journal: &Journal) -> State {
        let mut state = State::default();
        for e in &journal.events {
            state.apply(e);
        }
        state
    }

    pub(crate) fn apply(&mut self, e: &Event) {
        let Some(step) = &e.step else { return };
        match e.kind {
            k if k.is_outcome() => {
                self.outcome.insert(step.clone(), k);
            }
            EventKind::Reopened => {
                self.outcome.remove(step);
            }
            EventKind::Approved => {
                self.approved.insert(step.clone());
            }
            _ => {}
        }
    }
}

/// How a session ended.
#[derive(Debug)]
pub(crate) enum End {
    /// Every step has an outcome.
    Completed,
    /// The operator quit, or the input ended; the run can be resumed.
    Paused,
    /// A bad scripted answer, or the journal could not be written.
    Failed(Diagnostic),
}

/// One sitting of a run.
pub(crate) struct Session<'a> {
    /// The command's driver session: how to talk to the operator.
    pub ctx: &'a driver::Session,
    pub items: &'a [Item<'a>],
    pub state: State,
    pub writer: Writer,
    pub clock: &'a Clock,
    pub operator: String,
    /// `--approver`: signs every hold point without asking.
    pub approver: Option<String>,
    pub input: &'a mut dyn Input,
}

/// What to do after a prompt.
enum Flow {
    /// Go on to the next open step.
    Next,
    /// Go back to the step before this one.
    Back,
    Quit,
    /// The input ended.
    Ended,
}

/// The help shown on `?`.
pub(crate) const HELP: &str = "\
answers: done [NOTE] (d) · skip REASON (s) · fail NOTE (f) · note TEXT (n)
         back (b) · quit (q) · help (?)
at a hold point: approve NAME (a NAME) — someone other than the operator";

impl Session<'_> {
    /// Walks the open steps until the run is complete, paused or fails.
    pub(crate) fn run(&mut self) -> End {
        let mut cursor = self.first_open();
        let mut shown_group = None;
        while let Some(i) = cursor {
            let flow = match self.visit(i, &mut shown_group) {
                Ok(flow) => flow,
                Err(message) => return End::Failed(message),
            };
            cursor = match flow {
                Flow::Next => self.first_open(),
                Flow::Back => {
                    shown_group = None;
                    match self.back(i) {
                        Ok(c) => Some(c),
                        Err(message) => return End::Failed(message),
                    }
                }
                Flow::Quit | Flow::Ended => {
                    let note = matches!(flow, Flow::Ended).then(|| "the input ended".to_owned());
                    if let Err(m) = self.record(EventKind::Paused, None, note, None) {
                        return End::Failed(m);
                    }
                    return End::Paused;
                }
            };
        }
        match self.record(EventKind::Completed, None, None, None) {
            Ok(()) => End::Completed,
            Err(m) => End::Failed(m),
        }
    }

    /// Where step `i` is among the steps answered (groups left out), 1-based, and how many there are.
    fn position(&self, i: usize) -> (usize, usize) {
        let answered = |it: &&Item<'_>| !it.group;
        (
            self.items[..=i].iter().filter(answered).count(),
            self.items.iter().filter(answered).count(),
        )
    }

    /// The first step that is answered (not a group) and has no outcome.
    fn first_open(&self) -> Option<usize> {
        self.items
            .iter()
            .position(|it| !it.group && !self.state.outcome.contains_key(&it.step.id))
    }

    /// Reopens the answered step before `i`; returns its index (or `i`
    /// when there is none).
    fn back(&mut self, i: usize) -> Result<usize, Diagnostic> {
        let Some(j) = (0..i).rev().find(|k| !self.items[*k].group) else {
            say("(this is the first step; there is nothing to go back to)");
            return Ok(i);
        };
        self.record(EventKind::Reopened, Some(j), None, None)?;
        Ok(j)
    }

    /// Shows step `i` (and the overview step it is under, once), has its
    /// hold point signed, and records its outcome.
    fn visit(&mut self, i: usize, shown_group: &mut Option<usize>) -> Result<Flow, Diagnostic> {
        let items = self.items;
        let item = &items[i];
        if let Some(p) = item.parent.filter(|p| *shown_group != Some(*p)) {
            *shown_group = Some(p);
            say(&show::item(&items[p], None));
            if items[p].hold && !self.state.approved.contains(&items[p].step.id) {
                match self.sign(p)? {
                    Flow::Next => {}
                    other => return Ok(other),
                }
            }
        }
        say(&show::item(item, Some(self.position(i))));
        if item.hold && !self.state.approved.contains(&item.step.id) {
            match self.sign(i)? {
                Flow::Next => {}
                other => return Ok(other),
            }
        }
        self.ask(i)
    }

    /// Asks for step `i`'s outcome until one is recorded.
    fn ask(&mut self, i: usize) -> Result<Flow, Diagnostic> {
        let prompt = format!("step {}> ", self.items[i].label);
        loop {
            let Some((line, at)) = self.input.line(&prompt) else {
                return Ok(Flow::Ended);
            };
            let answer = match answers::step_answer(&line) {
                Ok(a) => a,
                Err(bad) => {
                    self.bad_answer(&at, &bad)?;
                    continue;
                }
            };
            let (kind, note) = match answer {
                StepAnswer::Help => {
                    say(HELP);
                    continue;
                }
                StepAnswer::Back => return Ok(Flow::Back),
                StepAnswer::Quit => return Ok(Flow::Quit),
                StepAnswer::Note(text) => {
                    self.record(EventKind::Note, Some(i), Some(text), None)?;
                    continue;
                }
                StepAnswer::Done(note) => (EventKind::Done, note),
                StepAnswer::Skip(reason) => match self.needed(i, reason, "reason for skipping")? {
                    Some(reason) => (EventKind::Skipped, Some(reason)),
                    None => return Ok(Flow::Ended),
                },
                StepAnswer::Fail(note) => match self.needed(i, note, "what happened")? {
                    Some(note) => (EventKind::Failed, Some(note)),
                    None => return Ok(Flow::Ended),
                },
            };
            self.record(kind, Some(i), note, None)?;
            return Ok(Flow::Next);
        }
    }

    /// A skip reason or a failure note: as given, asked for at a terminal,
    /// `optional step` for skipping an optional step; an error in a script.
    fn needed(
        &mut self,
        i: usize,
        given: Option<String>,
        what: &str,
    ) -> Result<Option<String>, Diagnostic> {
        if let Some(text) = given {
            return Ok(Some(text));
        }
        if what.starts_with("reason") && self.items[i].step.optional {
            return Ok(Some("optional step".into()));
        }
        if !self.input.interactive() {
            return Err(super::invalid(format!(
                "step {}: `{}` needs {what} on the same line",
                self.items[i].label,
                if what.starts_with("reason") {
                    "skip"
                } else {
                    "fail"
                }
            )));
        }
        loop {
            let Some((line, _)) = self.input.line(&format!("{what}> ")) else {
                return Ok(None);
            };
            if !line.trim().is_empty() {
                return Ok(Some(line.trim().to_owned()));
            }
        }
    }

    /// Stops at the hold point of step `i` until someone other than the
    /// operator signs it.
    fn sign(&mut self, i: usize) -> Result<Flow, Diagnostic> {
        let label = self.items[i].label.clone();
        say(&format!(
            "\nHOLD POINT: step {label} needs a second person's signature before it is carried out.\n\
             The approver must not be the operator ({}).",
            self.operator
        ));
        if let Some(name) = self.approver.clone() {
            if self.try_sign(i, &name)? {
                say(&format!("signed by {name} (--approver)"));
                return Ok(Flow::Next);
            }
        }
        let prompt = format!("approver for step {label}> ");
        loop {
            let Some((line, at)) = self.input.line(&prompt) else {
                return Ok(Flow::Ended);
            };
            match answers::hold_answer(&line, self.input.interactive()) {
                Ok(HoldAnswer::Approve(name)) => {
                    if self.try_sign(i, &name)? {
                        say(&format!("signed by {name}"));
                        return Ok(Flow::Next);
                    }
                }
                Ok(HoldAnswer::Back) => return Ok(Flow::Back),
                Ok(HoldAnswer::Quit) => return Ok(Flow::Quit),
                Ok(HoldAnswer::Help) => say(HELP),
                Err(bad) => self.bad_answer(&at, &bad)?,
            }
        }
    }

    /// Signs step `i`'s hold point with `name`, unless it is the
    /// operator's: then the refusal is recorded and `false` returned.
    fn try_sign(&mut self, i: usize, name: &str) -> Result<bool, Diagnostic> {
        if same_person(name, &self.operator) {
            self.ctx.tell(&format!(
                "error: `{}` is the operator of this run; a hold point needs a second person to sign it",
                name.trim()
            ));
            self.record(
                EventKind::Refused,
                Some(i),
                None,
                Some(name.trim().to_owned()),
            )?;
            return Ok(false);
        }
        self.record(
            EventKind::Approved,
            Some(i),
            None,
            Some(name.trim().to_owned()),
        )?;
        Ok(true)
    }

    /// A bad answer: explained and asked again at a terminal; an error
    /// that stops a scripted run.
    fn bad_answer(&self, at: &str, bad: &BadAnswer) -> Result<(), Diagnostic> {
        refuse(self.ctx, &*self.input, at, bad, " (`?` for help)")
    }

    /// Appends an event (about step `i`, if any) to the journal and applies it.
    fn record(
        &mut self,
        kind: EventKind,
        i: Option<usize>,
        note: Option<String>,
        approver: Option<String>,
    ) -> Result<(), Diagnostic> {
        let item = i.map(|i| &self.items[i]);
        let event = Event {
            kind,
            step: item.map(|it| it.step.id.clone()),
            number: item.map(|it| it.step.number),
            label: item.map(|it| it.label.clone()),
            title: item.map(|it| it.step.title.clone()),
            fingerprint: item.map(|it| super::fingerprint(it.step)),
            operator: self.operator.clone(),
            time: clock::format(self.clock.now()),
            note,
            approver,
            digest: None,
        };
        self.writer.event(&event).map_err(|e| {
            super::invalid(format!(
                "cannot write the journal `{}`: {e}",
                self.writer.path.display()
            ))
        })?;
        self.state.apply(&event);
        Ok(())
    }
}

/// A line (or lines) of the run's transcript on stdout, flushed at once:
/// steps, hold points, the banner, how the run ended.
pub(crate) fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", text.trim_end_matches('\n'));
    let _ = out.flush();
}

/// A bad answer read `at` (`answers.txt:7`): at a terminal it is explained
/// (with `hint`) and the question asked again (`Ok`); from a script, it
/// stops the run.
pub(crate) fn refuse(
    ctx: &driver::Session,
    input: &dyn Input,
    at: &str,
    bad: &BadAnswer,
    hint: &str,
) -> Result<(), Diagnostic> {
    if input.interactive() {
        ctx.tell(&format!("{bad}{hint}"));
        Ok(())
    } else {
        Err(super::invalid(format!("{at}: {bad}")))
    }
}

/// Whether two names are the same person's: case, surrounding and repeated
/// spaces ignored.
pub(crate) fn same_person(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_person_table() {
        assert!(same_person("Ada Lovelace", " ada  lovelace "));
        assert!(!same_person("Ada", "Grace"));
    }
}
