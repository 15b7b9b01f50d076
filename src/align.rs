//! Details alignment: scores step titles against later headings and aligns the two in order.
//!
//! The rule in prose is in `docs/procedures.md` ("details"). In short: each
//! step's first sentence and each heading become sets of normalised words;
//! their Dice coefficient, nudged up when both start with the same word and
//! down when the heading starts with a different verb, is the score; a
//! dynamic programme then links steps to headings in order, each heading at
//! most once, maximising the total score of links at or above [`THRESHOLD`].

use std::collections::BTreeSet;

/// A step and a heading scoring below this never link.
pub(crate) const THRESHOLD: f64 = 0.55;
/// Added when the step and the heading start with the same word.
pub(crate) const SAME_FIRST_WORD: f64 = 0.1;
/// Subtracted when the heading starts with a verb the step does not start with.
pub(crate) const OTHER_VERB: f64 = 0.2;

/// Words that carry no meaning for matching a step to a heading.
const STOP_WORDS: &[&str] = &[
    "a", "all", "an", "and", "any", "are", "as", "at", "be", "by", "do", "for", "from", "how",
    "if", "in", "into", "is", "it", "its", "of", "on", "or", "our", "so", "that", "the", "then",
    "this", "to", "up", "using", "we", "with", "you", "your",
];

/// Lowercased words of `text` without punctuation and stop words, each
/// lightly stemmed so `Installing`, `installed` and `install` compare equal;
/// `back up` (and `backing up`, `backed up`) reads as `backup`.
pub(crate) fn words(text: &str) -> Vec<String> {
    let raw: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let w = raw[i].as_str();
        i += 1;
        if matches!(w, "back" | "backing" | "backed") && raw.get(i).is_some_and(|n| n == "up") {
            out.push("backup".to_owned());
            i += 1;
        } else if !STOP_WORDS.contains(&w) {
            out.push(stem(w));
        }
    }
    out
}

/// Strips one common English suffix (`ing`, `ed`, `es`, `s`, `e`), keeping at least three letters.
fn stem(word: &str) -> String {
    if !word.ends_with("ss") {
        for suffix in ["ing", "ed", "es", "s", "e"] {
            if let Some(base) = word.strip_suffix(suffix).filter(|b| b.chars().count() >= 3) {
                return base.to_owned();
            }
        }
    }
    word.to_owned()
}

/// The first sentence of `text`: up to the first `.`, `!` or `?` followed by
/// whitespace or the end (so `v2.1` and `file.txt` do not end it).
pub(crate) fn first_sentence(text: &str) -> &str {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|(_, n)| n.is_whitespace()) {
            return &text[..i + c.len_utf8()];
        }
    }
    text
}

/// Dice coefficient of two word sets: `2 × shared / (|a| + |b|)`, from 0 to 1.
pub(crate) fn dice(a: &[String], b: &[String]) -> f64 {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(&b).count() as f64 / (a.len() + b.len()) as f64
}

/// A heading prepared for scoring.
struct HeadingWords {
    words: Vec<String>,
    /// Its first word reads as a verb: a gerund (`Installing …`) or the
    /// first word of one of the procedure's steps.
    starts_with_verb: bool,
}

/// The score of one step (its words) against one heading; 0 when they
/// share no meaning beyond the step's verb (see [`shares_meaning`]).
fn score(step: &[String], heading: &HeadingWords) -> f64 {
    if !shares_meaning(step, &heading.words) {
        return 0.0;
    }
    let base = dice(step, &heading.words);
    match (step.first(), heading.words.first()) {
        (Some(s), Some(h)) if s == h => base + SAME_FIRST_WORD,
        (Some(_), Some(_)) if heading.starts_with_verb => base - OTHER_VERB,
        _ => base,
    }
}

/// The guard against links by a shared verb alone ("Select the runbook" and
/// "Selecting tenants"): the heading must share a word with the step other
/// than the step's first word, or consist only of the step's words.
pub(crate) fn shares_meaning(step: &[String], heading: &[String]) -> bool {
    let Some((_, rest)) = step.split_first() else {
        return false;
    };
    !heading.is_empty()
        && (heading.iter().any(|w| rest.contains(w)) || heading.iter().all(|w| step.contains(w)))
}

/// The `steps × headings` score table for step titles and heading texts.
pub(crate) fn scores(steps: &[&str], headings: &[&str]) -> Vec<Vec<f64>> {
    let steps: Vec<Vec<String>> = steps.iter().map(|s| words(first_sentence(s))).collect();
    let verbs: BTreeSet<&String> = steps.iter().filter_map(|w| w.first()).collect();
    let headings: Vec<HeadingWords> = headings
        .iter()
        .map(|h| {
            let words = words(h);
            let gerund = h
                .split(|c: char| !c.is_alphanumeric())
                .find(|w| !w.is_empty())
                .is_some_and(|w| w.to_lowercase().ends_with("ing"));
            let starts_with_verb = gerund || words.first().is_some_and(|w| verbs.contains(w));
            HeadingWords {
                words,
                starts_with_verb,
            }
        })
        .collect();
    steps
        .iter()
        .map(|s| headings.iter().map(|h| score(s, h)).collect())
        .collect()
}

/// Links step titles to heading texts in order, each heading at most once,
/// maximising the total score. Returns, per step, the heading's index.
pub(crate) fn align(steps: &[&str], headings: &[&str]) -> Vec<Option<usize>> {
    align_scores(&scores(steps, headings), THRESHOLD)
}

/// The in-order alignment of a precomputed `steps × headings` score table:
/// only pairs at or above `threshold` may link, links never cross, and the
/// sum of linked scores is the largest possible.
pub(crate) fn align_scores(scores: &[Vec<f64>], threshold: f64) -> Vec<Option<usize>> {
    let n = scores.len();
    let m = scores.first().map_or(0, Vec::len);
    // best[i][j]: the best total for steps i.. and headings j..
    let mut best = vec![vec![0.0f64; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let skip = best[i + 1][j].max(best[i][j + 1]);
            let s = scores[i][j];
            best[i][j] = if s >= threshold {
                skip.max(s + best[i + 1][j + 1])
            } else {
                skip
            };
        }
    }
    let mut links = vec![None; n];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        let s = scores[i][j];
        if s >= threshold && best[i][j] == s + best[i + 1][j + 1] {
            links[i] = Some(j);
            i += 1;
            j += 1;
        } else if best[i][j] == best[i + 1][j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_table() {
        let cases = [
            (
                "Back up the test instance database.",
                "backup test instanc databas",
            ),
            ("Backing up the folders", "backup folder"),
            ("Installing that version", "install version"),
            ("Do an in-place upgrade", "plac upgrad"),
            (
                "Test and verify the upgraded instance",
                "test verify upgrad instanc",
            ),
            ("Disabling targets, triggers", "disabl target trigger"),
            ("Access the process", "access process"),
        ];
        for (text, expected) in cases {
            assert_eq!(words(text).join(" "), expected, "{text:?}");
        }
    }

    #[test]
    fn first_sentence_table() {
        let cases = [
            (
                "Test cloned instance.  Verify all API scripts.",
                "Test cloned instance.",
            ),
            (
                "Install v2.1 of file.txt now",
                "Install v2.1 of file.txt now",
            ),
            ("Done? Then go", "Done?"),
            ("", ""),
        ];
        for (text, expected) in cases {
            assert_eq!(first_sentence(text), expected, "{text:?}");
        }
    }

    #[test]
    fn score_table() {
        let steps = [
            "Enable maintenance mode on the main instance.",
            "Upgrade cloned instance.",
            "Test cloned instance.  Verify all API scripts, CI integrations, and deployments work.",
            "Backup the test instance database.",
        ];
        let headings = [
            "Maintenance Mode",
            "Testing the upgraded instance",
            "Back up the test instance database",
        ];
        let s = scores(&steps, &headings);
        let cases = [
            // no shared first word, but "Maintenance" is no verb: plain Dice 4/7
            (0, 0, 0.57, 0.58),
            // "Testing" is a verb other than "Upgrade": 2/3 - 0.2
            (1, 1, 0.46, 0.47),
            // first sentence only, same first word: 2/3 + 0.1
            (2, 1, 0.76, 0.77),
            // "Backup" and "Back up" agree: 1 + 0.1
            (3, 2, 1.09, 1.11),
        ];
        for (i, j, low, high) in cases {
            assert!((low..high).contains(&s[i][j]), "{i},{j} = {}", s[i][j]);
        }
        assert_eq!(align(&steps, &headings), [Some(0), None, Some(1), Some(2)]);
    }

    #[test]
    fn a_shared_verb_alone_never_links() {
        let cases = [
            // Dice 1/2 + 0.1 would link these
            ("Select the runbook.", "Selecting tenants", false),
            ("Select the runbook.", "Select a runbook", true),
            ("Backup the database.", "Backup", true),
            ("Install Octopus.", "Install", true),
            ("Download the MSI.", "Download the installer", false),
            ("Enable maintenance mode.", "Maintenance mode", true),
        ];
        for (step, heading, links) in cases {
            let step = words(first_sentence(step));
            assert_eq!(
                shares_meaning(&step, &words(heading)),
                links,
                "{step:?} / {heading}"
            );
        }
        assert_eq!(
            align(&["Select the runbook."], &["Selecting tenants"]),
            [None]
        );
    }

    /// A score table and the links expected from it.
    type Case<'a> = (&'a [&'a [f64]], &'a [Option<usize>]);

    #[test]
    fn alignment_is_in_order_and_uses_each_heading_once() {
        let cases: [Case<'_>; 5] = [
            // a clear diagonal
            (&[&[0.9, 0.1], &[0.1, 0.8]], &[Some(0), Some(1)]),
            // both steps like heading 0 best: only one gets it
            (&[&[0.9, 0.1], &[0.8, 0.2]], &[Some(0), None]),
            // crossing pairs are not allowed; the larger total wins
            (&[&[0.1, 0.9], &[0.6, 0.1]], &[Some(1), None]),
            // below the threshold nothing links
            (&[&[0.4, 0.3]], &[None]),
            // the best total, not the best first pick
            (&[&[0.55, 0.0], &[0.95, 0.6]], &[Some(0), Some(1)]),
        ];
        for (scores, expected) in cases {
            let scores: Vec<Vec<f64>> = scores.iter().map(|r| r.to_vec()).collect();
            assert_eq!(align_scores(&scores, 0.5), expected, "{scores:?}");
        }
        assert_eq!(align_scores(&[], 0.5), Vec::<Option<usize>>::new());
    }
}
