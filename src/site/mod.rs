//! The HTML site: every page rendered through the `page.html` template, with navigation, search index, assets and content files.
//!
//! Layout of the output (all links relative, so it works from `file://` and
//! from any web server, under any path):
//! - page `a/b` (from `content/a/b.md`) → `a/b.html`; page `a` (from
//!   `content/a/index.md`) → `a.html`, beside the folder `a/`; `index` →
//!   `index.html`. Plans and checklists follow the same names
//!   (`plans/a.json`, `checklists/a.html`), except the root page's plan,
//!   `plans/index.page.json`: every link to a product takes its path from the
//!   function that owns it ([`crate::plan::plan_path`],
//!   [`crate::checklist::checklist_path`], [`links::page_path`]);
//! - `assets/`: the built-in (or overridden) CSS and JS, `nav.js` (the
//!   navigation tree) and `search-index.js`; `search-index.json` at the root;
//! - every other file of `content/` that is not Markdown (images, downloads)
//!   is copied to the same path ([`content_files`] lists them). The loader
//!   decides, in one walk, which pages and files `content/` publishes: a
//!   symlink is followed only while its target stays inside `content/`; one
//!   that leads out is neither a page nor a file (no page, plan, checklist,
//!   search or navigation entry) and gets a `content-escape` warning, so a
//!   build never publishes a file from elsewhere on the machine.
//!
//! Ids in a page: headings keep the anchors of [`crate::markdown::Doc::headings`]
//! (plans and links use them too); the layout's own elements and each `!toc`
//! block take ids starting with [`html::LAYOUT_ID_PREFIX`] (`rs:main`,
//! `rs:search-input`, `rs:toc-1`), which no generated anchor can be.

pub mod attrs;
pub mod html;
pub mod links;
pub mod nav;
pub mod search;

use rayon::prelude::*;
use std::collections::BTreeSet;

use minijinja::{context, Value};
use serde::Serialize;

use crate::checklist::{checklist_path, Format as ChecklistFormat};
use crate::diagnostic::Diagnostic;
pub use crate::loader::ContentFile;
use crate::output::{paths, Files};
use crate::plan::plan_path;
use crate::project::{Page, Project};
use crate::templates::Templates;

use links::{encode_path, page_path, relative, root_prefix, SiteIndex};
use nav::{Nav, NavLink};

/// The site's name when there is no `content/index.md` to take it from.
const DEFAULT_TITLE: &str = "Documentation";

#[derive(Serialize)]
struct Crumb {
    title: String,
    url: Option<String>,
}

#[derive(Serialize)]
struct TocEntry<'a> {
    level: u8,
    text: &'a str,
    anchor: &'a str,
}

/// Renders every page, the navigation, the search index and the assets into
/// `files`, after the files copied from `content/`. `checklists` names the
/// pages that have a printable checklist (the pages with procedures); each
/// such page links to it.
pub fn render(
    project: &Project,
    templates: &Templates,
    checklists: &BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
    files: &mut Files,
) {
    let copied = copy_content_files(&project.content_files, files, diags);
    let index = SiteIndex::new(project, copied);
    let nav = Nav::build(project);
    let site = SiteInfo::new(project, &nav);
    // pages render on every core; their files, search entries and warnings
    // are then added in page order, so the output does not depend on threads
    let rendered: Vec<RenderedPage> = project
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, page)| {
            let mut found = Vec::new();
            let body = html::render_body(page, project, &index, &mut found);
            let entry = search_entry(page, &body.text);
            let ctx = page_context(project, &nav, &site, checklists, i, page, body.html);
            RenderedPage {
                html: templates.render("page.html", ctx),
                entry,
                diags: found,
            }
        })
        .collect();
    let mut entries = Vec::with_capacity(project.pages.len());
    let mut template_failed = false;
    for (page, rendered) in project.pages.iter().zip(rendered) {
        diags.extend(rendered.diags);
        entries.push(rendered.entry);
        match rendered.html {
            Ok(html) => files.add(page_path(&page.name), html),
            // every page uses the same template: report it once
            Err(d) if !template_failed => {
                diags.push(d);
                template_failed = true;
            }
            Err(_) => {}
        }
    }
    for (path, bytes) in templates.assets() {
        files.add(paths::asset(path), bytes);
    }
    files.add(paths::NAV_SCRIPT, nav.script(project));
    let (json, js) = search::files(&entries);
    files.add(paths::SEARCH_INDEX, json);
    files.add(paths::SEARCH_SCRIPT, js);
}

/// One page as rendered on some thread.
struct RenderedPage {
    html: Result<String, Diagnostic>,
    entry: search::Entry,
    diags: Vec<Diagnostic>,
}

/// The search index entry of a page whose body's plain text is `text`.
fn search_entry(page: &Page, text: &str) -> search::Entry {
    search::Entry {
        u: encode_path(&page_path(&page.name)),
        t: page.front.title.clone(),
        d: page.front.description.clone().unwrap_or_default(),
        h: page
            .doc
            .headings
            .iter()
            .map(|h| (h.anchor.clone(), h.text.clone()))
            .collect(),
        x: search::excerpt(text),
    }
}

/// Reports the `link-broken` and `anchor-broken` warnings a build reports for
/// `page` (links written in its own file and in the partials it includes),
/// without rendering any HTML: for commands that handle one page, such as
/// `runsheet plan PAGE`.
pub fn check_links(project: &Project, page: &Page, diags: &mut Vec<Diagnostic>) {
    let copied = project.content_files.iter().map(|f| f.output.clone());
    let index = SiteIndex::new(project, copied.collect());
    html::check_links(page, project, &index, diags);
}

/// What every page shows about the site itself.
struct SiteInfo {
    title: String,
    /// Path of the home page relative to the root.
    home: Option<String>,
}

impl SiteInfo {
    fn new(project: &Project, nav: &Nav) -> SiteInfo {
        let title = project
            .pages
            .iter()
            .find(|p| p.name == "index")
            .map_or_else(|| DEFAULT_TITLE.to_owned(), |p| p.front.title.clone());
        SiteInfo {
            title,
            home: nav.home().map(|i| page_path(&project.pages[i].name)),
        }
    }
}

fn page_context(
    project: &Project,
    nav: &Nav,
    site: &SiteInfo,
    checklists: &BTreeSet<String>,
    i: usize,
    page: &Page,
    content: String,
) -> Value {
    let path = page_path(&page.name);
    let link = |to: &str| encode_path(&relative(&path, to));
    let crumb = |l: NavLink| Crumb {
        title: l.title,
        url: l.path.map(|p| link(&p)),
    };
    let neighbour = |j: Option<usize>| {
        j.map(|j| {
            let p = &project.pages[j];
            Crumb {
                title: p.front.title.clone(),
                url: Some(link(&page_path(&p.name))),
            }
        })
    };
    let (prev, next) = nav.prev_next(i);
    let toc: Vec<TocEntry<'_>> = html::toc_headings(&page.doc.headings)
        .map(|h| TocEntry {
            level: h.level,
            text: &h.text,
            anchor: &h.anchor,
        })
        .collect();
    let checklist = checklists
        .contains(&page.name)
        .then(|| link(&checklist_path(&page.name, ChecklistFormat::Html)));
    context! {
        site => context! {
            title => site.title,
            home => site.home.as_deref().map(link),
        },
        root => root_prefix(&path),
        page => context! {
            name => page.name,
            title => page.front.title,
            description => page.front.description,
            position => page.front.position,
            meta => Value::from_serialize(&page.front.meta),
            path => encode_path(&path),
            source => project.db.get(page.file).path,
            plan => link(&plan_path(page)),
            checklist => checklist,
        },
        content => Value::from_safe_string(content),
        toc => toc,
        toc_inline => page.doc.text.contains(crate::markdown::TOC_MARKER),
        breadcrumb => nav.breadcrumb(i, project).into_iter().map(crumb).collect::<Vec<_>>(),
        prev => neighbour(prev),
        next => neighbour(next),
    }
}

/// Every file the site copies from `content/`, sorted by output path: every
/// file that is not a Markdown source, skipping hidden files and folders, the
/// partials and output folders when they lie inside it, and symlinks whose
/// target is outside it (the loader decides, see [`crate::loader`]). [`render`]
/// adds each of them to the output with [`Files::add`] before the generated
/// files, so a check of the output paths that two products want can name the
/// content file behind a path.
pub fn content_files(project: &Project) -> Vec<ContentFile> {
    project.content_files.clone()
}

/// Adds the content files to the output. Returns their output paths.
fn copy_content_files(
    content: &[ContentFile],
    files: &mut Files,
    diags: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let mut copied = BTreeSet::new();
    for file in content {
        match std::fs::read(&file.source) {
            Ok(bytes) => {
                files.add(file.output.clone(), bytes);
                copied.insert(file.output.clone());
            }
            Err(e) => diags.push(Diagnostic::error(
                "io",
                format!("cannot read `{}`: {e}", file.display),
            )),
        }
    }
    copied
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Overrides};
    use crate::source::SourceDb;

    fn project(pages: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let tmp = tempfile::tempdir().unwrap();
        for (rel, text) in pages {
            let path = tmp.path().join("content").join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut db = SourceDb::default();
        let mut diags = Vec::new();
        let config = config::load(tmp.path(), &Overrides::default(), &mut db, &mut diags).unwrap();
        let project = Project::load(config, db, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        (tmp, project)
    }

    fn page(title: &str, position: Option<i64>) -> String {
        match position {
            Some(p) => format!("---\ntitle: {title}\nposition: {p}\n---\n\nText.\n"),
            None => format!("---\ntitle: {title}\n---\n\nText.\n"),
        }
    }

    #[test]
    fn navigation_orders_by_position_then_title() {
        let (_tmp, project) = project(&[
            ("index.md", &page("Home", None)),
            ("zeta.md", &page("Zeta", Some(1))),
            ("alpha.md", &page("alpha", None)),
            ("beta.md", &page("Beta", None)),
            ("ops/index.md", &page("Operations", Some(2))),
            ("ops/restore.md", &page("Restore", None)),
            ("ops/backup.md", &page("Backup", None)),
            ("loose/thing.md", &page("Thing", None)),
        ]);
        let nav = Nav::build(&project);
        let titles = |i: Option<usize>| i.map(|i| project.pages[i].front.title.as_str());
        let mut order = Vec::new();
        let mut at = nav.home();
        while let Some(i) = at {
            order.push(titles(Some(i)).unwrap());
            at = nav.prev_next(i).1;
        }
        assert_eq!(
            order,
            [
                "Home",
                "Zeta",
                "Operations",
                "Backup",
                "Restore",
                "alpha",
                "Beta",
                "Thing"
            ]
        );
        let restore = project
            .pages
            .iter()
            .position(|p| p.name == "ops/restore")
            .unwrap();
        let crumbs: Vec<_> = nav
            .breadcrumb(restore, &project)
            .into_iter()
            .map(|l| (l.title, l.path))
            .collect();
        assert_eq!(
            crumbs,
            [
                ("Home".to_owned(), Some("index.html".to_owned())),
                ("Operations".to_owned(), Some("ops.html".to_owned())),
            ]
        );
        let thing = project
            .pages
            .iter()
            .position(|p| p.name == "loose/thing")
            .unwrap();
        assert_eq!(nav.breadcrumb(thing, &project)[1].title, "Loose");
        assert_eq!(nav.breadcrumb(thing, &project)[1].path, None);
    }

    #[test]
    fn pages_with_procedures_link_their_checklist() {
        let (_tmp, project) = project(&[
            ("index.md", &page("Home", None)),
            ("ops/backup.md", &page("Backup", None)),
        ]);
        let mut diags = Vec::new();
        let mut files = Files::default();
        let checklists = BTreeSet::from(["ops/backup".to_owned()]);
        render(
            &project,
            &project.templates,
            &checklists,
            &mut diags,
            &mut files,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let text = |p: &str| String::from_utf8(files.get(p).unwrap().to_vec()).unwrap();
        let backup = text("ops/backup.html");
        assert!(backup.contains("href=\"../checklists/ops/backup.html\">Printable checklist</a>"));
        assert!(backup.contains("href=\"../plans/ops/backup.json\""));
        let index = text("index.html");
        assert!(!index.contains("checklists/"));
        assert!(index.contains("href=\"plans/index.page.json\""));
    }
}
