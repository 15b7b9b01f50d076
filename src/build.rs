//! Build: runs every renderer over a loaded project and adds the files of the output folder to a [`Files`] set.
//!
//! Pages go through in batches of [`BATCH`]: each batch is planned and its
//! checklists rendered on every core, then its files are added to the set in
//! page order (a staged set writes them out and keeps only their digests) and
//! its plans dropped, so a build holds one batch of output at a time whatever
//! the number of pages, and the output does not depend on the threads. The
//! site's pages follow, batch by batch too (see [`crate::site::render`]).

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::checklist;
use crate::diagnostic::Diagnostic;
use crate::output::Files;
use crate::plan::{self, IndexEntry};
use crate::project::{Page, Project};

/// Pages rendered together before their files are added: enough to keep
/// every core busy, few enough that their output is small beside the project.
pub(crate) const BATCH: usize = 256;

/// What a build made.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rendered {
    /// Procedures over all pages.
    pub procedures: usize,
    /// Pages with a checklist.
    pub checklists: usize,
}

/// Renders every product of the project into `files`. Renderers read the
/// project (its templates were loaded with it) and add their problems to
/// `diags`; whether anything reaches the disk is up to `files`.
pub fn render(project: &Project, files: &mut Files, diags: &mut Vec<Diagnostic>) -> Rendered {
    let revision = crate::revision::describe(&project.config);
    let mut entries = Vec::with_capacity(project.pages.len());
    let mut checklists = BTreeSet::new();
    let mut procedures = 0;
    for batch in project.pages.chunks(BATCH) {
        let done: Vec<Products> = batch
            .par_iter()
            .map(|page| products(project, page, &revision))
            .collect();
        for (page, made) in batch.iter().zip(done) {
            diags.extend(made.diags);
            procedures += made.procedures;
            entries.extend(made.entry);
            if made.checklist {
                checklists.insert(page.name.clone());
            }
            files.add_all(made.files);
        }
    }
    plan::add_index(entries, files);
    crate::site::render(project, &project.templates, &checklists, diags, files);
    for path in files.collisions() {
        diags.push(collision(project, path));
    }
    Rendered {
        procedures,
        checklists: checklists.len(),
    }
}

/// The plan file and checklists of one page, and what the build needs to
/// know of its plan once the plan is gone.
struct Products {
    files: Vec<(String, Vec<u8>)>,
    entry: Option<IndexEntry>,
    procedures: usize,
    checklist: bool,
    diags: Vec<Diagnostic>,
}

fn products(project: &Project, page: &Page, revision: &Option<String>) -> Products {
    let mut diags = Vec::new();
    let planned = plan::plan_file(project, page, &mut diags);
    let mut files: Vec<(String, Vec<u8>)> = planned
        .file
        .into_iter()
        .map(|(path, json)| (path, json.into_bytes()))
        .collect();
    let forms = checklist::forms(project, page, &planned.plan, &project.templates, revision);
    let checklist = !forms.is_empty();
    for (path, result) in forms {
        match result {
            Ok(text) => files.push((path, text.into_bytes())),
            Err(d) => diags.push(d),
        }
    }
    Products {
        files,
        entry: planned.entry,
        procedures: planned.plan.procedures.len(),
        checklist,
        diags,
    }
}

/// An `output-collision` error naming what wants to be written at `path`.
fn collision(project: &Project, path: &str) -> Diagnostic {
    let mut claims = Vec::new();
    let mut at = None;
    for page in &project.pages {
        let file = &project.db.get(page.file).path;
        for (product, what) in crate::output::paths::products(&page.name) {
            if product == path {
                claims.push(format!("{what} `{file}`"));
                at.get_or_insert(page.file);
            }
        }
    }
    if project.config.content.join(path).is_file() {
        claims.push(format!("the content file `{}`", path));
    }
    if claims.len() < 2 {
        claims.push("a file runsheet writes itself".to_owned());
    }
    let d = Diagnostic::error(
        "output-collision",
        format!(
            "two products would be written to `{path}`: {}",
            claims.join(" and ")
        ),
    )
    .with_help("rename one of the files, so each product has a path of its own");
    match at {
        Some(file) => d.at(file, 0, 0),
        None => d,
    }
}
