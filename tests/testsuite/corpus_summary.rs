//! The real-docs corpus as a regression suite: how runsheet reads every `.md` page of `../shared/corpus/octopus-docs` (procedures, step numbers, notes, diagnostics by code), compared with `tests/golden/corpus-summary.txt` (rewritten with `RUNSHEET_BLESS=1`).

use crate::common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use runsheet::internals as diagnostic;
use runsheet::internals::Procedure;
use runsheet::internals::SourceDb;
use runsheet::plan::{self, Plan};
use runsheet::Overrides;
use runsheet::Project;
use runsheet::{Diagnostic, Severity};

/// The corpus loaded as `.ci/run` checks it, with every diagnostic of a check.
fn load_corpus(corpus: &std::path::Path) -> (Project, Vec<Diagnostic>) {
    let overrides = Overrides {
        content: Some(corpus.join("src/pages/docs")),
        partials: Some(corpus.join("src/shared-content")),
        base_path: Some("/docs".into()),
        // the `.md` form: its `.mdx` twins are summarised by the MDX tests
        page_formats: Some(vec![runsheet::internals::PageFormat::Md]),
        ..Overrides::default()
    };
    let (project, mut diags) = common::load_with(corpus, &overrides);
    // rendering finds what only rendering can (links, templates), as `check` does
    let mut files = runsheet::internals::Files::default();
    let _ = runsheet::internals::render(&project, &mut files, &mut diags);
    diagnostic::normalize(&mut diags, &project.db);
    (project, diags)
}

/// True for a page file the summary covers: `.md` pages only.
fn is_md(path: &str) -> bool {
    path.ends_with(".md")
}

/// `overview: steps 1 2 3 (2 substeps), notes 1, closing notes 0`.
fn procedure_line(p: &Procedure) -> String {
    let numbers: Vec<String> = p.steps.iter().map(|s| s.number.to_string()).collect();
    let substeps = count_substeps(&p.steps);
    format!(
        "{}: steps {} ({substeps} substeps), notes {}, closing notes {}",
        p.id,
        numbers.join(" "),
        p.notes.len(),
        p.closing_notes.len()
    )
}

fn count_substeps(steps: &[runsheet::internals::Step]) -> usize {
    steps
        .iter()
        .map(|s| s.substeps.len() + count_substeps(&s.substeps))
        .sum()
}

fn page_block(file: &str, plan: &Plan) -> String {
    let mut out = format!("{file}: procedures {}\n", plan.procedures.len());
    for p in &plan.procedures {
        let _ = writeln!(out, "  {}", procedure_line(p));
    }
    out
}

/// The file a diagnostic is about: the page that brought it in when it
/// comes through includes, else its own file.
fn page_of<'a>(d: &Diagnostic, db: &'a SourceDb) -> Option<&'a str> {
    let file = d
        .included_from
        .last()
        .map(|site| site.file)
        .or(d.label.map(|l| l.file))?;
    Some(db.get(file).path.as_str())
}

/// Diagnostics by code (and severity), leaving out those about pages that
/// are not `.md`.
fn diagnostic_counts(diags: &[Diagnostic], db: &SourceDb) -> String {
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for d in diags {
        if page_of(d, db).is_some_and(|p| p.ends_with(".mdx")) {
            continue;
        }
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        *counts.entry((d.code, severity)).or_default() += 1;
    }
    let mut out = format!("diagnostics: {}\n", counts.values().sum::<usize>());
    for ((code, severity), n) in counts {
        let _ = writeln!(out, "  {severity}[{code}]: {n}");
    }
    out
}

fn summary(project: &Project, diags: &[Diagnostic]) -> String {
    let mut out = String::from(
        "# How runsheet reads the octopus-docs corpus (.md pages), as `.ci/run` checks it.\n\
         # Per page: procedures; per procedure: step numbers, substeps, lead and closing notes.\n\n",
    );
    for page in &project.pages {
        let file = &project.db.get(page.file).path;
        if !is_md(file) {
            continue;
        }
        let plan = plan::plan(project, page, &mut Vec::new());
        out.push_str(&page_block(file, &plan));
    }
    out.push('\n');
    out.push_str(&diagnostic_counts(diags, &project.db));
    out
}

#[test]
fn corpus_reads_as_the_golden_summary_says() {
    let Some(corpus) = common::corpus() else {
        eprintln!("note: skipping the corpus summary: ../shared/corpus/octopus-docs is not there");
        return;
    };
    let (project, diags) = load_corpus(&corpus);
    let golden = common::repo().join("tests/golden/corpus-summary.txt");
    if let Err(diff) = common::golden(&golden, &summary(&project, &diags)) {
        panic!("{diff}");
    }
}
