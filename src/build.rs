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

use crate::cache::{Cache, DiagRecord, Record};
use crate::checklist;
use crate::diagnostic::Diagnostic;
use crate::output::Files;
use crate::plan::{self, IndexEntry};
use crate::project::{Page, Project, BATCH};
use crate::site::{PageSink, SitePage};
use serde::{Deserialize, Serialize};

/// What a build made.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Procedures over all pages.
    pub procedures: usize,
    /// Pages with a checklist.
    pub checklists: usize,
    /// Pages the build cache let the build reuse as the last build made them.
    pub reused: usize,
    /// The build cache for the next build, when the project keeps one.
    pub(crate) cache: Option<Cache>,
}

/// Renders every product of the project into `files`. Renderers read the
/// project (its templates were loaded with it) and add their problems to
/// `diags`; whether anything reaches the disk is up to `files`. A page the
/// build cache lets the build reuse is not rendered: its files are kept as
/// they are and its problems reported again; when the project keeps a
/// cache, the one for the next build comes back with the counts.
pub fn render(project: &Project, files: &mut Files, diags: &mut Vec<Diagnostic>) -> Rendered {
    let mut records = Records::new(project, files);
    let mut entries = Vec::with_capacity(project.pages.len());
    let mut checklists = BTreeSet::new();
    let mut procedures = 0;
    let reused = project
        .pages
        .iter()
        .filter(|p| p.cached.as_ref().is_some_and(|c| c.reused.is_some()))
        .count();
    for batch in project.pages.chunks(BATCH) {
        let done: Vec<Products> = batch
            .par_iter()
            .map(|page| products(project, page))
            .collect();
        for (page, made) in batch.iter().zip(done) {
            procedures += made.procedures;
            if made.checklist {
                checklists.insert(page.name.clone());
            }
            records.start(project, page, &made);
            entries.extend(made.entry);
            diags.extend(made.diags);
            for (path, digest) in &made.kept {
                files.keep(path, digest);
            }
            let paths: Vec<String> = made.files.iter().map(|(p, _)| p.clone()).collect();
            files.add_all(made.files);
            records.add_files(page, paths.iter().map(String::as_str), files);
        }
    }
    plan::add_index(entries, files);
    crate::site::render(project, &checklists, diags, files, &mut records);
    for path in files.collisions() {
        diags.push(collision(project, path));
    }
    Rendered {
        procedures,
        checklists: checklists.len(),
        reused,
        cache: records.cache,
    }
}

/// The plan file and checklists of one page, and what the build needs to
/// know of its plan once the plan is gone.
struct Products {
    files: Vec<(String, Vec<u8>)>,
    /// Files of a reused page, kept as the output folder holds them.
    kept: Vec<(String, String)>,
    entry: Option<IndexEntry>,
    procedures: usize,
    checklist: bool,
    diags: Vec<Diagnostic>,
}

fn products(project: &Project, page: &Page) -> Products {
    if let Some((cached, reused)) = page
        .cached
        .as_ref()
        .and_then(|c| Some((c, c.reused.as_ref()?)))
    {
        let summary: Summary = reused
            .products
            .as_ref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or_default();
        return Products {
            files: Vec::new(),
            // the site keeps the page itself
            kept: reused
                .files
                .iter()
                .filter(|(path, _)| *path != crate::output::paths::page(&page.name))
                .cloned()
                .collect(),
            entry: summary.entry,
            procedures: summary.procedures,
            checklist: summary.checklist,
            diags: cached.render_diags.clone(),
        };
    }
    let mut diags = Vec::new();
    let planned = plan::plan_file(project, page, &mut diags);
    let mut files: Vec<(String, Vec<u8>)> = planned
        .file
        .into_iter()
        .map(|(path, json)| (path, json.into_bytes()))
        .collect();
    let forms = checklist::forms(project, page, &planned.plan);
    let checklist = !forms.is_empty();
    for (path, result) in forms {
        match result {
            Ok(text) => files.push((path, text.into_bytes())),
            Err(d) => diags.push(d),
        }
    }
    Products {
        files,
        kept: Vec::new(),
        entry: planned.entry,
        procedures: planned.plan.procedures.len(),
        checklist,
        diags,
    }
}

/// The build cache being made for the next build, page by page; nothing
/// when the project keeps no cache or the files go nowhere.
pub(crate) struct Records {
    cache: Option<Cache>,
}

impl Records {
    fn new(project: &Project, files: &Files) -> Records {
        let cache = match &project.cache_keys {
            Some((build, shape)) if files.can_be_kept() => {
                Some(Cache::new(build.clone(), shape.clone()))
            }
            _ => None,
        };
        Records { cache }
    }

    fn page(&mut self, page: &Page) -> Option<&mut Record> {
        self.cache.as_mut()?.pages.get_mut(&page.name)
    }

    /// Opens the record of `page` with what its plan and checklists gave.
    fn start(&mut self, project: &Project, page: &Page, made: &Products) {
        let (Some(cache), Some(cached)) = (self.cache.as_mut(), page.cached.as_ref()) else {
            return;
        };
        let db = &project.db;
        let record = match &cached.reused {
            Some(reused) => reused.clone(),
            None => Record {
                key: cached.key.clone(),
                headings: page.doc.headings.clone(),
                html_ids: page.doc.html_ids.clone(),
                parse_diags: cached
                    .parse_diags
                    .iter()
                    .map(|d| DiagRecord::of(d, db))
                    .collect(),
                render_diags: made.diags.iter().map(|d| DiagRecord::of(d, db)).collect(),
                files: Vec::new(),
                products: serde_json::value::to_raw_value(&Summary {
                    entry: made.entry.clone(),
                    procedures: made.procedures,
                    checklist: made.checklist,
                })
                .ok(),
                search: None,
            },
        };
        cache.pages.insert(page.name.clone(), record);
    }

    /// Records the digests of `paths`, files of a freshly rendered `page`.
    pub(crate) fn add_files<'a>(
        &mut self,
        page: &Page,
        paths: impl Iterator<Item = &'a str>,
        files: &Files,
    ) {
        if page.cached.as_ref().is_some_and(|c| c.reused.is_some()) {
            return;
        }
        if let Some(record) = self.page(page) {
            for path in paths {
                if let Some(digest) = files.token(path) {
                    record.files.push((path.to_owned(), digest.to_owned()));
                }
            }
        }
    }
}

impl PageSink for Records {
    fn page_done(&mut self, project: &Project, page: &Page, made: SitePage<'_>, files: &Files) {
        if page.cached.as_ref().is_some_and(|c| c.reused.is_some()) {
            return;
        }
        if let Some(path) = made.html {
            self.add_files(page, std::iter::once(path), files);
        }
        if let Some(record) = self.page(page) {
            record.search = made
                .search
                .and_then(|e| serde_json::value::to_raw_value(e).ok());
            let db = &project.db;
            let diags = made.diags.iter().map(|d| DiagRecord::of(d, db));
            record.render_diags.extend(diags);
        }
    }
}

/// What the build cache keeps of a page's plan and checklists.
#[derive(Default, Serialize, Deserialize)]
struct Summary {
    entry: Option<IndexEntry>,
    procedures: usize,
    checklist: bool,
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
