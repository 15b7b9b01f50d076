//! Include expansion against fixture projects: the expanded Markdown of each
//! page and, line by line, where each line came from (the source map).

use crate::common;

use std::fmt::Write as _;
use std::path::Path;

use runsheet::{Page, Project};

fn load(root: &Path) -> (Project, Vec<runsheet::Diagnostic>) {
    common::load(root)
}

/// One line per expanded line: `text  <- file:line:col (<- include site)*`.
fn source_map_listing(project: &Project, page: &Page) -> String {
    let mut out = String::new();
    let mut offset = 0;
    for line in page.expansion.text.split_inclusive('\n') {
        // the first character that is not indentation added by an include
        let lead = line.len() - line.trim_start().len();
        let at = if line.trim().is_empty() {
            offset
        } else {
            offset + lead
        };
        let origin = page.expansion.map.lookup(at).expect("every byte is mapped");
        let loc = origin.locate(&project.db);
        let _ = write!(
            out,
            "{:<48} <- {}:{}:{}",
            line.trim_end_matches('\n'),
            loc.file,
            loc.line,
            loc.column
        );
        for (file, line) in &loc.included_from {
            let _ = write!(out, " <- {file}:{line}");
        }
        out.push('\n');
        offset += line.len();
    }
    out
}

#[test]
fn expansion_goldens() {
    let mut results = Vec::new();
    for case in common::cases("expand") {
        let (project, diags) = load(&case);
        assert!(
            diags.is_empty(),
            "{}: unexpected diagnostics {:?}",
            case.display(),
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        for page in &project.pages {
            let expected = case.join("expected");
            results.push(common::golden(
                &expected.join(format!("{}.md", page.name)),
                &page.expansion.text,
            ));
            results.push(common::golden(
                &expected.join(format!("{}.map", page.name)),
                &source_map_listing(&project, page),
            ));
        }
    }
    common::all_ok(results);
}

#[test]
fn expansion_is_deterministic() {
    for case in common::cases("expand") {
        let (a, _) = load(&case);
        let (b, _) = load(&case);
        for (pa, pb) in a.pages.iter().zip(&b.pages) {
            assert_eq!(pa.expansion.text, pb.expansion.text);
        }
    }
}
