//! Runs: walking an operator through a procedure with a record (`runsheet run`), the run journal, its report, and checking a printed copy (`runsheet verify`).
//!
//! The pieces, one module each: [`clock`] (UTC time, injectable for
//! tests), [`journal`] (the append-only JSON Lines record of a run and its
//! schema), [`walk`] (the steps of a run in reading order), [`answers`]
//! (what an operator may answer, typed or scripted), [`show`] (a step as
//! text), [`session`] (the run itself: prompts, hold points), [`command`]
//! (the `run`, `report` and `verify` commands, resume), [`report`] (the record of a run
//! for a change ticket) and [`verify`] (is a printed copy still current?).
//! `docs/run.md` describes the commands and formats.

use sha2::{Digest, Sha256};

pub(crate) mod answers;
pub(crate) mod clock;
pub(crate) mod command;
pub(crate) mod journal;
pub(crate) mod report;
pub(crate) mod session;
pub(crate) mod show;
pub(crate) mod verify;
pub(crate) mod walk;

use crate::diagnostic::Diagnostic;
use crate::procedure::Step;

/// A `run-invalid` error: a run, journal, answer or setting a run command
/// cannot go on with.
pub(crate) fn invalid(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error("run-invalid", message)
}

/// How many hex digits of a step's SHA-256 make its fingerprint.
pub(crate) const FINGERPRINT_LEN: usize = 8;

/// A step's short fingerprint: the first [`FINGERPRINT_LEN`] hex digits of
/// the SHA-256 of its id, a newline and its Markdown (its own content, notes
/// included, substeps excluded: each substep has its own fingerprint).
/// Printed checklists show it beside every step; run journals record it.
pub(crate) fn fingerprint(step: &Step) -> String {
    fingerprint_of(&step.id, &step.markdown)
}

/// [`fingerprint`] from a step's id and Markdown.
pub(crate) fn fingerprint_of(id: &str, markdown: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(id.as_bytes());
    hash.update(b"\n");
    hash.update(markdown.as_bytes());
    hash.finalize()
        .iter()
        .take(FINGERPRINT_LEN / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_eight_hex_digits_of_id_and_markdown() {
        let a = fingerprint_of("p/a", "Do it.");
        assert_eq!(a.len(), 8);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, fingerprint_of("p/b", "Do it."));
        assert_ne!(a, fingerprint_of("p/a", "Do it now."));
        assert_eq!(a, fingerprint_of("p/a", "Do it."));
    }
}
