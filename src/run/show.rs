//! A step as a run shows it in the terminal: its line, then every block of its content (paragraphs, lists, code, notes, substeps) from the text views the checklists use, wrapped at 80 columns.

use std::fmt::Write as _;

use crate::procedure::{BlockKind, Step};
use crate::text::wrap;

use super::walk::Item;

/// Width the text is wrapped to.
pub(crate) const WIDTH: usize = 80;

/// The whole of an item: a rule with its label (and `position` of
/// `total` answered steps), its line, its content.
pub(crate) fn item(item: &Item<'_>, position: Option<(usize, usize)>) -> String {
    let mut out = String::new();
    if let Some(heading) = &item.heading {
        let _ = writeln!(out, "\n== {heading}");
    }
    let mut tags = Vec::new();
    if item.step.optional {
        tags.push("optional".to_owned());
    }
    if item.hold {
        tags.push("HOLD POINT".to_owned());
    }
    if item.group {
        tags.push("carried out by the steps below".to_owned());
    }
    let tags = if tags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", tags.join(", "))
    };
    let of = position.map_or(String::new(), |(n, total)| format!(" ({n} of {total})"));
    let head = format!("-- step {}{of}{tags} ", item.label);
    let fp = format!(" #{} --", super::fingerprint(item.step));
    let fill = WIDTH.saturating_sub(head.chars().count() + fp.chars().count());
    let _ = writeln!(out, "\n{head}{}{fp}", "-".repeat(fill));
    out.push_str(&step(item.step, ""));
    out
}

/// A step's text: its line (the first paragraph, or its title) and its
/// blocks, substeps numbered and indented under it.
pub(crate) fn step(step: &Step, pad: &str) -> String {
    let mut out = String::new();
    let first = step
        .content
        .first()
        .filter(|b| b.kind == BlockKind::Paragraph && !b.attached);
    let line = first
        .and_then(|b| b.view.lines.first())
        .map_or(step.title.clone(), |l| l.text.clone());
    let mut text = String::new();
    if !line.is_empty() {
        text = wrap(&line, WIDTH, pad, pad);
        text.push('\n');
    }
    out.push_str(&text);
    for block in step.content.iter().skip(usize::from(first.is_some())) {
        if block.kind == BlockKind::Substeps {
            for id in &block.steps {
                if let Some(sub) = step.substeps.iter().find(|s| &s.id == id) {
                    out.push_str(&substep(sub, pad));
                }
            }
            continue;
        }
        for l in &block.view.lines {
            if l.wrap {
                out.push_str(&wrap(
                    &l.text,
                    WIDTH,
                    &format!("{pad}{}", l.first),
                    &format!("{pad}{}", l.rest),
                ));
            } else {
                let _ = write!(out, "{pad}{}{}", l.first, l.text);
            }
            out.push('\n');
        }
    }
    out
}

fn substep(sub: &Step, pad: &str) -> String {
    let marker = format!("{pad}  {}. ", sub.number);
    let inner = " ".repeat(marker.chars().count());
    let body = step(sub, &inner);
    // the substep's number goes where its first line's indentation is
    match body.strip_prefix(inner.as_str()) {
        Some(rest) => format!("{marker}{rest}"),
        None => format!("{marker}\n{body}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substeps_are_numbered_and_indented() {
        let (project, _) = {
            let mut db = crate::source::SourceDb::default();
            let mut diags = Vec::new();
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/plans/substeps");
            let config = crate::config::load(&root, &Default::default(), &mut db, &mut diags)
                .expect("fixture loads");
            (crate::project::Project::load(config, db, &mut diags), diags)
        };
        let page = &project.pages[0];
        let plan = crate::plan::plan(&project, page, &mut Vec::new());
        let first = &plan.procedures[0].steps[0];
        let text = step(first, "");
        assert!(
            text.starts_with("Prepare the server:\n  1. Create the service account.\n"),
            "{text}"
        );
    }
}
