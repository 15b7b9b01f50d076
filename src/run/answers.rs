//! What an operator may answer, typed at a prompt or read one a line from an answers file (`--answers FILE`), and where the lines come from.
//!
//! At a step: `done [NOTE]` (`d`), `skip REASON` (`s`), `fail NOTE` (`f`),
//! `note TEXT` (`n`), `back` (`b`), `quit` (`q`), `help` (`?`). At a hold
//! point: `approve NAME` (`a NAME`; at a terminal the bare name will do),
//! `back`, `quit`. At a question: `yes` (`y`) or `no`. In an answers file,
//! blank lines and lines starting with `#` are skipped.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::diagnostic::Diagnostic;

/// Why an answer does not fit, to say before asking again (at a terminal)
/// or to stop a scripted run with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BadAnswer(pub String);

impl std::fmt::Display for BadAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn bad<T>(message: impl Into<String>) -> Result<T, BadAnswer> {
    Err(BadAnswer(message.into()))
}

/// One answer at a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StepAnswer {
    Done(Option<String>),
    Skip(Option<String>),
    Fail(Option<String>),
    Note(String),
    Back,
    Quit,
    Help,
}

/// One answer at a hold point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HoldAnswer {
    Approve(String),
    Back,
    Quit,
    Help,
}

/// The first word of `line` (lowercased) and the rest, trimmed.
fn split(line: &str) -> (String, Option<String>) {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    (
        word.to_lowercase(),
        (!rest.is_empty()).then(|| rest.to_owned()),
    )
}

/// Reads an answer at a step; `Err` says what is wrong with it.
pub(crate) fn step_answer(line: &str) -> Result<StepAnswer, BadAnswer> {
    let (word, rest) = split(line);
    let answer = match word.as_str() {
        "d" | "done" => StepAnswer::Done(rest),
        "s" | "skip" | "skipped" => StepAnswer::Skip(rest),
        "f" | "fail" | "failed" => StepAnswer::Fail(rest),
        "n" | "note" => match rest {
            Some(text) => StepAnswer::Note(text),
            None => return bad("`note` needs its text: `note TEXT`"),
        },
        "b" | "back" if rest.is_none() => StepAnswer::Back,
        "q" | "quit" if rest.is_none() => StepAnswer::Quit,
        "?" | "h" | "help" => StepAnswer::Help,
        "" => return bad("empty answer"),
        _ => return bad(format!("`{}` is not an answer here", line.trim())),
    };
    Ok(answer)
}

/// Reads an answer at a hold point. `bare_name`: any other text is the
/// approver's name (at a terminal); otherwise only `approve NAME` signs.
pub(crate) fn hold_answer(line: &str, bare_name: bool) -> Result<HoldAnswer, BadAnswer> {
    let (word, rest) = split(line);
    match (word.as_str(), rest) {
        ("a" | "approve" | "approved", Some(name)) => Ok(HoldAnswer::Approve(name)),
        ("a" | "approve" | "approved", None) => {
            bad("`approve` needs the approver's name: `approve NAME`")
        }
        ("b" | "back", None) => Ok(HoldAnswer::Back),
        ("q" | "quit", None) => Ok(HoldAnswer::Quit),
        ("?" | "h" | "help", _) => Ok(HoldAnswer::Help),
        ("", _) => bad("empty answer"),
        _ if bare_name && step_answer(line).is_err() => {
            Ok(HoldAnswer::Approve(line.trim().to_owned()))
        }
        _ => bad(format!(
            "`{}` does not sign a hold point: answer `approve NAME`",
            line.trim()
        )),
    }
}

/// Reads a yes/no answer.
pub(crate) fn yes_no(line: &str) -> Result<bool, BadAnswer> {
    match split(line).0.as_str() {
        "y" | "yes" => Ok(true),
        "n" | "no" => Ok(false),
        _ => bad(format!("`{}`: answer `yes` or `no`", line.trim())),
    }
}

/// Where answers come from.
pub(crate) trait Input {
    /// Prints `prompt` and returns the next answer with where it was read
    /// (`answers.txt:7`), or `None` at the end of the input.
    fn line(&mut self, prompt: &str) -> Option<(String, String)>;
    /// A person types the answers: a bad answer is explained and asked
    /// again, instead of stopping the run.
    fn interactive(&self) -> bool;
    /// Why the input ended before its end, when it could not be read on.
    fn failure(&mut self) -> Option<Diagnostic> {
        None
    }
}

/// A person at a terminal: the prompt goes to stdout, the answer comes
/// from stdin.
#[derive(Debug, Default)]
pub(crate) struct Terminal {
    line: usize,
}

impl Input for Terminal {
    fn line(&mut self, prompt: &str) -> Option<(String, String)> {
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "{prompt}");
        let _ = out.flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = writeln!(out);
                None
            }
            Ok(_) => {
                self.line += 1;
                Some((
                    line.trim_end_matches(['\n', '\r']).to_owned(),
                    "terminal".into(),
                ))
            }
        }
    }

    fn interactive(&self) -> bool {
        true
    }
}

/// Answers read one a line from a file or from a pipe; each is echoed
/// after its prompt so the output reads like a transcript.
pub(crate) struct Script {
    name: String,
    lines: Box<dyn Iterator<Item = std::io::Result<String>>>,
    number: usize,
    /// The read error that ended the answers early.
    failure: Option<Diagnostic>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script").field("name", &self.name).finish()
    }
}

impl Script {
    /// Answers from a file (`-` for stdin).
    pub(crate) fn open(path: &Path) -> Result<Script, Diagnostic> {
        if path == Path::new("-") {
            return Ok(Script::stdin());
        }
        let file = std::fs::File::open(path).map_err(|e| {
            super::invalid(format!(
                "cannot read the answers file `{}`: {e}",
                path.display()
            ))
        })?;
        Ok(Script::new(
            path.display().to_string(),
            std::io::BufReader::new(file),
        ))
    }

    /// Answers piped to stdin, read as they come.
    pub(crate) fn stdin() -> Script {
        Script::new("stdin".into(), std::io::BufReader::new(std::io::stdin()))
    }

    fn new(name: String, reader: impl BufRead + 'static) -> Script {
        Script {
            name,
            lines: Box::new(reader.lines()),
            number: 0,
            failure: None,
        }
    }
}

impl Input for Script {
    fn line(&mut self, prompt: &str) -> Option<(String, String)> {
        loop {
            let line = match self.lines.next()? {
                Ok(l) => l,
                Err(e) => {
                    let message = format!("cannot read {}: {e}", self.name);
                    self.failure = Some(super::invalid(message));
                    return None;
                }
            };
            self.number += 1;
            let line = line.trim_end_matches('\r').to_owned();
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{prompt}{}", line.trim());
            let _ = out.flush();
            return Some((line, format!("{}:{}", self.name, self.number)));
        }
    }

    fn interactive(&self) -> bool {
        false
    }

    fn failure(&mut self) -> Option<Diagnostic> {
        self.failure.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_answer_table() {
        let cases = [
            ("done", Ok(StepAnswer::Done(None))),
            (
                "d  all good ",
                Ok(StepAnswer::Done(Some("all good".into()))),
            ),
            (
                "Skip not on this server",
                Ok(StepAnswer::Skip(Some("not on this server".into()))),
            ),
            ("s", Ok(StepAnswer::Skip(None))),
            (
                "fail share full",
                Ok(StepAnswer::Fail(Some("share full".into()))),
            ),
            ("n took 20 min", Ok(StepAnswer::Note("took 20 min".into()))),
            ("b", Ok(StepAnswer::Back)),
            ("QUIT", Ok(StepAnswer::Quit)),
            ("?", Ok(StepAnswer::Help)),
        ];
        for (line, expected) in cases {
            assert_eq!(step_answer(line), expected, "{line:?}");
        }
        for bad in ["", "note", "yes", "back now", "approve Bob"] {
            assert!(step_answer(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hold_answer_table() {
        assert_eq!(
            hold_answer("approve Grace Hopper", false),
            Ok(HoldAnswer::Approve("Grace Hopper".into()))
        );
        assert_eq!(
            hold_answer("Grace Hopper", true),
            Ok(HoldAnswer::Approve("Grace Hopper".into()))
        );
        assert!(hold_answer("Grace Hopper", false).is_err());
        assert!(hold_answer("done", true).is_err());
        assert!(hold_answer("approve", true).is_err());
        assert_eq!(hold_answer("q", false), Ok(HoldAnswer::Quit));
    }

    #[test]
    fn yes_no_table() {
        assert_eq!(yes_no("y"), Ok(true));
        assert_eq!(yes_no("No"), Ok(false));
        assert!(yes_no("maybe").is_err());
    }
}
