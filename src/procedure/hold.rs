//! Hold points: which steps need a second person's sign-off (`:::hold`, `Hold:`), and the `hold-missing` warning for risky steps without one.
//!
//! A step is a hold point when its own content holds a `:::hold` callout or
//! its text starts with `Hold:` (or `Hold point:`), in any case. A run
//! (`runsheet run`) stops at a hold point until someone other than the
//! operator signs it; checklists print a two-signature box there.
//!
//! `hold-missing` (off unless `hold_warnings = true`) warns at a step whose
//! text or code uses a destructive word ([`RISKY_WORDS`]) when no hold point
//! comes at or before it: earlier in its procedure (substeps included, in
//! reading order), or at or before the overview step whose `details` lead
//! into the procedure.

use std::collections::BTreeSet;

use super::{Block, BlockKind, Procedure, Source, Step};
use crate::diagnostic::Diagnostic;
use crate::source::SourceDb;
use crate::sourcemap::IncludeSite;

/// The callout kind that marks a hold point.
pub(crate) const HOLD_CALLOUT: &str = "hold";

/// Words (whole words, any case) that make a step risky enough to want a
/// hold point at or before it.
pub(crate) const RISKY_WORDS: &[&str] = &[
    "delete",
    "deletes",
    "deleted",
    "deleting",
    "deletion",
    "drop",
    "drops",
    "dropped",
    "dropping",
    "downgrade",
    "downgrades",
    "downgraded",
    "downgrading",
    "destroy",
    "destroys",
    "destroyed",
    "destroying",
    "purge",
    "purges",
    "purged",
    "purging",
    "truncate",
    "truncates",
    "truncated",
    "truncating",
    "wipe",
    "wipes",
    "wiped",
    "wiping",
    "erase",
    "erases",
    "erased",
    "erasing",
];

/// Whether a step with this title and content is a hold point.
pub(crate) fn is_hold(title: &str, content: &[Block]) -> bool {
    has_hold_prefix(title)
        || content.iter().any(|b| {
            b.kind == BlockKind::Note
                && b.callout
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(HOLD_CALLOUT))
        })
}

/// `Hold:` or `Hold point:` at the start of a step's text, in any case.
fn has_hold_prefix(text: &str) -> bool {
    let lower = text.trim_start().to_lowercase();
    lower.starts_with("hold:") || lower.starts_with("hold point:")
}

/// The first risky word of a step's text or code, if any.
pub(crate) fn risky_word(step: &Step) -> Option<String> {
    let code = step.code.iter().map(|c| c.content.as_str());
    std::iter::once(step.text.as_str())
        .chain(code)
        .flat_map(|t| t.split(|c: char| !c.is_alphanumeric()))
        .map(str::to_lowercase)
        .find(|w| RISKY_WORDS.contains(&w.as_str()))
}

/// `hold-missing` warnings for the procedures of one page, in page order.
pub(crate) fn lint(procedures: &[Procedure], db: &SourceDb, diags: &mut Vec<Diagnostic>) {
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for p in procedures {
        let mut held = covered.contains(p.id.as_str());
        walk(&p.steps, &mut held, &mut covered, &mut |step| {
            if let Some(word) = risky_word(step) {
                diags.push(warning(step, &word, db));
            }
        });
    }
}

/// Visits the steps in reading order; `risky` is called for a step with no
/// hold point at or before it.
fn walk<'p>(
    steps: &'p [Step],
    held: &mut bool,
    covered: &mut BTreeSet<&'p str>,
    risky: &mut dyn FnMut(&Step),
) {
    for step in steps {
        *held |= step.hold;
        if !*held {
            risky(step);
        }
        walk(&step.substeps, held, covered, risky);
        if let (true, Some(details)) = (*held, &step.details) {
            covered.extend(details.procedures.iter().map(String::as_str));
        }
    }
}

fn warning(step: &Step, word: &str, db: &SourceDb) -> Diagnostic {
    let d = Diagnostic::warning(
        "hold-missing",
        format!(
            "step {} says `{word}`, but no hold point comes at or before it",
            step.number
        ),
    )
    .with_help(
        "add a `:::hold` callout to this step (or an earlier one) so a second person signs \
         before it is carried out, or start the step with `Hold:`",
    );
    match locate(&step.source, db) {
        Some((file, offset, chain)) => d.at(file, offset, offset + 1).included_from(&chain),
        None => d,
    }
}

/// The file, byte offset and include chain of a plan [`Source`].
fn locate(
    source: &Source,
    db: &SourceDb,
) -> Option<(crate::source::FileId, usize, Vec<IncludeSite>)> {
    let find = |path: &str| db.ids().find(|id| db.get(*id).path == path);
    let offset_of = |id, line: usize, column: usize| {
        let file = db.get(id);
        let start = file.line_offset(line);
        let rest = &file.text[start..];
        start
            + rest
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(rest.len(), |(i, _)| i)
    };
    let file = find(&source.file)?;
    let chain = source
        .included_from
        .iter()
        .filter_map(|site| {
            let id = find(&site.file)?;
            let line = db.get(id).line_offset(site.line);
            let indent = db.get(id).text[line..].len() - db.get(id).text[line..].trim_start().len();
            Some(IncludeSite {
                file: id,
                offset: line + indent,
            })
        })
        .collect();
    Some((file, offset_of(file, source.line, source.column), chain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_table() {
        let cases = [
            ("Hold: drop the table", true),
            ("hold point: check", true),
            ("  HOLD: x", true),
            ("Holding the door", false),
            ("Hold the line", false),
        ];
        for (text, expected) in cases {
            assert_eq!(has_hold_prefix(text), expected, "{text:?}");
        }
    }
}
