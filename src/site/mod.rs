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
//!   [`crate::output::paths::checklist`], [`links::page_path`]);
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

pub(crate) mod extras;
pub(crate) mod html;
pub(crate) mod links;
pub(crate) mod nav;
pub(crate) mod search;

use rayon::prelude::*;
use std::collections::BTreeSet;

use minijinja::{context, Value};
use serde::Serialize;

use crate::diagnostic::Diagnostic;
pub(crate) use crate::loader::ContentFile;
use crate::output::{paths, Files};
use crate::plan::plan_path;
use crate::project::{Page, Project, BATCH};
use crate::templates::Templates;
use crate::updated::Dates;

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
/// such page links to it. Redirect pages become small forwarding pages; the
/// site also gets `404.html`, `sitemap.xml` (with `base_url`) and, without
/// `content/index.md`, a generated home page listing every page.
pub fn render(
    project: &Project,
    checklists: &BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
    files: &mut Files,
    sink: &mut dyn PageSink,
) {
    let templates = &project.templates;
    let copied = copy_content_files(&project.content_files, files, diags);
    let index = SiteIndex::new(project, copied);
    let nav = Nav::build(project);
    let generated_home =
        !project.pages.iter().any(|p| p.name == "index") && !files.contains("index.html");
    let site = SiteInfo::new(project, &nav, &index, generated_home, diags);
    let dates = project.dates();
    let mut errors = TemplateErrors::default();
    let pages = Pages {
        project,
        templates,
        nav: &nav,
        site: &site,
        index: &index,
        checklists,
        dates,
    };
    let entries = pages.render_all(files, diags, sink, &mut errors);
    for (path, html) in old_addresses(project, templates, diags) {
        match html {
            Ok(html) => files.add(path, html),
            Err(d) => errors.report(d, diags),
        }
    }
    if generated_home {
        let body = extras::page_list(project, &nav);
        match templates.render("page.html", home_context(project, &nav, &site, body)) {
            Ok(html) => files.add("index.html", html),
            Err(d) => errors.report(d, diags),
        }
    }
    match templates.render("404.html", not_found_context(project, &site)) {
        Ok(html) => files.add("404.html", html),
        Err(d) => errors.report(d, diags),
    }
    if let Some(base_url) = &project.config.site.base_url {
        let mut listed: Vec<(String, Option<String>)> = Vec::new();
        if generated_home {
            listed.push(("index.html".to_owned(), None));
        }
        for page in project.pages.iter().filter(|p| p.redirect().is_none()) {
            listed.push((page_path(&page.name), page_date(project, page, dates)));
        }
        files.add("sitemap.xml", extras::sitemap(base_url, &listed));
    }
    for (path, bytes) in templates.assets() {
        files.add(paths::asset(path), bytes);
    }
    files.add(paths::NAV_SCRIPT, nav.script(project));
    let (json, js) = search::files(&entries);
    files.add(paths::SEARCH_INDEX, json);
    files.add(paths::SEARCH_SCRIPT, js);
}

/// Template errors: every page uses the same template, so each build
/// reports the first one only.
#[derive(Default)]
struct TemplateErrors {
    reported: bool,
}

impl TemplateErrors {
    fn report(&mut self, d: Diagnostic, diags: &mut Vec<Diagnostic>) {
        if !self.reported {
            diags.push(d);
            self.reported = true;
        }
    }
}

/// What every page of the site is rendered with.
struct Pages<'a> {
    project: &'a Project,
    templates: &'a Templates,
    nav: &'a Nav,
    site: &'a SiteInfo,
    index: &'a SiteIndex,
    checklists: &'a BTreeSet<String>,
    dates: &'a Dates,
}

impl Pages<'_> {
    /// Every page on every core, a batch at a time; their files, search
    /// entries and warnings are then added in page order, so the output does
    /// not depend on threads, and only one batch of pages is held at a time.
    /// `sink` hears of each page once its files are added. Returns the
    /// search entries, in page order.
    fn render_all(
        &self,
        files: &mut Files,
        diags: &mut Vec<Diagnostic>,
        sink: &mut dyn PageSink,
        errors: &mut TemplateErrors,
    ) -> Vec<search::Entry> {
        let mut entries = Vec::with_capacity(self.project.pages.len());
        for (n, batch) in self.project.pages.chunks(BATCH).enumerate() {
            let first = n * BATCH;
            let rendered: Vec<RenderedPage> = batch
                .par_iter()
                .enumerate()
                .map(|(i, page)| self.render(first + i, page))
                .collect();
            let mut html = Vec::with_capacity(batch.len());
            let mut made = Vec::with_capacity(batch.len());
            for (page, rendered) in batch.iter().zip(rendered) {
                let path = page_path(&page.name);
                let made_html = match rendered.html {
                    Ok(Html::Made(text)) => {
                        html.push((path.clone(), text.into_bytes()));
                        true
                    }
                    Ok(Html::Kept(digest)) => {
                        files.keep(&path, &digest);
                        false
                    }
                    Err(d) => {
                        errors.report(d, diags);
                        false
                    }
                };
                made.push((
                    page,
                    made_html.then_some(path),
                    rendered.entry,
                    rendered.diags,
                ));
            }
            files.add_all(html);
            for (page, path, entry, found) in made {
                let site_page = SitePage {
                    html: path.as_deref(),
                    search: entry.as_ref(),
                    diags: &found,
                };
                sink.page_done(self.project, page, site_page, files);
                diags.extend(found);
                entries.extend(entry);
            }
        }
        entries
    }

    /// Page `i` of the project: its HTML, search entry and warnings.
    fn render(&self, i: usize, page: &Page) -> RenderedPage {
        let project = self.project;
        if let Some(reused) = page.cached.as_ref().and_then(|c| c.reused.as_ref()) {
            // its problems come back with its plan's (crate::build)
            let path = page_path(&page.name);
            let digest = reused.files.iter().find(|(p, _)| *p == path);
            return RenderedPage {
                html: Ok(Html::Kept(
                    digest.map(|(_, d)| d.clone()).unwrap_or_default(),
                )),
                entry: reused
                    .search
                    .as_ref()
                    .and_then(|raw| serde_json::from_str(raw.get()).ok()),
                diags: Vec::new(),
            };
        }
        let mut found = Vec::new();
        if let Some(target) = page.redirect() {
            let from = page_path(&page.name);
            let to = extras::destination(project, self.index, page, &from, target, &mut found);
            return RenderedPage {
                html: extras::redirect_page(self.templates, &to).map(Html::Made),
                entry: None,
                diags: found,
            };
        }
        let body = html::render_body(page, project, self.index, &mut found);
        let entry = search_entry(page, &body.text);
        let updated = page_date(project, page, self.dates);
        let ctx = page_context(
            project,
            self.nav,
            self.site,
            self.checklists,
            (i, page),
            updated,
            body.html,
        );
        RenderedPage {
            html: self.templates.render("page.html", ctx).map(Html::Made),
            entry: Some(entry),
            diags: found,
        }
    }
}

/// The stubs at the old addresses pages list in `redirect_from:`, by output path.
fn old_addresses(
    project: &Project,
    templates: &Templates,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Result<String, Diagnostic>)> {
    let mut out = Vec::new();
    for page in &project.pages {
        for address in page.redirect_from() {
            let Some(from) = extras::old_address_path(address, &project.config.base_path) else {
                let at = extras::key_line(&project.db.get(page.file).text, &["redirect_from"]);
                diags.push(
                    Diagnostic::warning(
                        "redirect-invalid",
                        format!("`redirect_from: {address}` is not an address of this site"),
                    )
                    .at(page.file, at.0, at.1)
                    .with_help("write the old path of the page, such as `/old/name`, under `base_path` when one is set"),
                );
                continue;
            };
            let title = Some(page.front.title.clone());
            let to = extras::to_path(project, &from, &page_path(&page.name), "", title);
            out.push((from, extras::redirect_page(templates, &to)));
        }
    }
    out
}

/// The last-updated date of `page`'s own file.
fn page_date(project: &Project, page: &Page, dates: &Dates) -> Option<String> {
    let abs = &project.db.get(page.file).abs;
    let rel = abs.strip_prefix(&project.config.content).ok()?;
    dates
        .get(&rel.to_string_lossy().replace('\\', "/"))
        .cloned()
}

/// One page as rendered on some thread.
struct RenderedPage {
    html: Result<Html, Diagnostic>,
    /// `None` for a redirect page, which search does not list.
    entry: Option<search::Entry>,
    diags: Vec<Diagnostic>,
}

/// A page's HTML: made by this build, or kept from the last (with its digest).
enum Html {
    Made(String),
    Kept(String),
}

/// What the site made of one page it rendered.
pub struct SitePage<'a> {
    /// The page's HTML file, when this build made it.
    pub(crate) html: Option<&'a str>,
    pub(crate) search: Option<&'a search::Entry>,
    pub(crate) diags: &'a [Diagnostic],
}

/// Told what the site made of each page, in page order, once its files are
/// added (the build cache records it); `()` is told and does nothing.
pub trait PageSink {
    fn page_done(&mut self, project: &Project, page: &Page, made: SitePage<'_>, files: &Files);
}

impl PageSink for () {
    fn page_done(&mut self, _: &Project, _: &Page, _: SitePage<'_>, _: &Files) {}
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
    /// Paths of the favicon and logo relative to the root, when they are content files.
    favicon: Option<String>,
    logo: Option<String>,
    /// The footer's Markdown as HTML.
    footer: Option<String>,
}

impl SiteInfo {
    fn new(
        project: &Project,
        nav: &Nav,
        index: &SiteIndex,
        generated_home: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> SiteInfo {
        let settings = &project.config.site;
        let title = settings.title.clone().unwrap_or_else(|| {
            project
                .pages
                .iter()
                .find(|p| p.name == "index")
                .map_or_else(|| DEFAULT_TITLE.to_owned(), |p| p.front.title.clone())
        });
        let home = if generated_home {
            Some("index.html".to_owned())
        } else {
            nav.home().map(|i| page_path(&project.pages[i].name))
        };
        SiteInfo {
            title,
            home,
            favicon: content_file_setting("favicon", settings.favicon.as_deref(), index, diags),
            logo: content_file_setting("logo", settings.logo.as_deref(), index, diags),
            footer: settings.footer.as_deref().map(markdown_html),
        }
    }

    /// The `site` value of a template context, for a page at `path` (or, with
    /// `root` set, for a page that may be served at any address: `404.html`).
    fn context(&self, path: &str, absolute_root: Option<&str>) -> Value {
        let link = |to: &str| match absolute_root {
            Some(root) => format!("{root}{}", encode_path(to)),
            None => encode_path(&relative(path, to)),
        };
        context! {
            title => self.title,
            home => self.home.as_deref().map(link),
            favicon => self.favicon.as_deref().map(link),
            logo => self.logo.as_deref().map(link),
            footer => self.footer.clone().map(Value::from_safe_string),
        }
    }
}

/// A `favicon` or `logo` setting: the path when the content folder has that
/// file, else a `link-broken` warning and `None`.
fn content_file_setting(
    key: &str,
    path: Option<&str>,
    index: &SiteIndex,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let path = path?;
    if index.files.contains(path) {
        return Some(path.to_owned());
    }
    diags.push(
        Diagnostic::warning(
            "link-broken",
            format!("`{key} = \"{path}\"` in runsheet.toml names no file of the content folder"),
        )
        .with_help(format!(
            "put the file under the content folder and give its path relative to it, such as `{key} = \"img/{key}.png\"`"
        )),
    );
    None
}

/// Markdown (the `footer` setting) as HTML.
fn markdown_html(text: &str) -> String {
    crate::markdown::to_html(text)
}

fn page_context(
    project: &Project,
    nav: &Nav,
    site: &SiteInfo,
    checklists: &BTreeSet<String>,
    (i, page): (usize, &Page),
    updated: Option<String>,
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
        .then(|| link(&paths::checklist(&page.name, "html")));
    let source = &project.db.get(page.file).path;
    let settings = &project.config.site;
    context! {
        site => site.context(&path, None),
        root => root_prefix(&path),
        page => context! {
            name => page.name,
            title => page.front.title,
            description => page.front.description,
            position => page.front.position,
            meta => Value::from_serialize(&page.front.meta),
            path => encode_path(&path),
            source => source,
            plan => link(&plan_path(page)),
            checklist => checklist,
            updated => updated,
            edit_url => settings.edit_url.as_deref().map(|u| u.replace("{path}", &encode_path(source))),
            canonical => canonical(settings.base_url.as_deref(), &path),
        },
        content => Value::from_safe_string(content),
        toc => toc,
        toc_inline => page.doc.text.contains(crate::markdown::TOC_MARKER),
        breadcrumb => nav.breadcrumb(i, project).into_iter().map(crumb).collect::<Vec<_>>(),
        prev => neighbour(prev),
        next => neighbour(next),
    }
}

/// The absolute address of the page at `path` on a site published at `base_url`.
fn canonical(base_url: Option<&str>, path: &str) -> Option<String> {
    let base = base_url?;
    Some(if path == "index.html" {
        base.to_owned()
    } else {
        format!("{base}{}", encode_path(path))
    })
}

/// The context of the generated home page (no `content/index.md`).
fn home_context(project: &Project, nav: &Nav, site: &SiteInfo, body: String) -> Value {
    let path = "index.html";
    let next = nav.home().map(|j| {
        let p = &project.pages[j];
        Crumb {
            title: p.front.title.clone(),
            url: Some(encode_path(&page_path(&p.name))),
        }
    });
    context! {
        site => site.context(path, None),
        root => "",
        page => context! {
            name => "index",
            title => site.title,
            path => path,
            generated => true,
            canonical => canonical(project.config.site.base_url.as_deref(), path),
        },
        content => Value::from_safe_string(body),
        toc => Vec::<TocEntry<'_>>::new(),
        breadcrumb => Vec::<Crumb>::new(),
        next => next,
    }
}

/// The context of `404.html`, which a server shows at any address: its links
/// start at `base_url`, or at `/` without one.
fn not_found_context(project: &Project, site: &SiteInfo) -> Value {
    let root = project.config.site.base_url.as_deref().unwrap_or("/");
    context! {
        site => site.context("404.html", Some(root)),
        root => root,
        page => context! {
            name => "404",
            title => "Page not found",
            path => "404.html",
        },
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
        render(&project, &checklists, &mut diags, &mut files, &mut ());
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
