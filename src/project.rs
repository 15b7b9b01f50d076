//! The loaded project: every page with its front matter and expanded text, ready for later stages.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::frontmatter::{self, FrontMatter};
use crate::include::{self, Expansion, Limits};
use crate::loader::{self, ContentFile, Layout, PageFile, PartialIndex};
use crate::markdown::Doc;
use crate::source::{FileId, SourceDb};
use crate::sourcemap::Origin;
use crate::suggest::Suggestions;
use crate::templates::Templates;

/// One page of the docs, after loading, front matter and include expansion.
#[derive(Debug)]
pub struct Page {
    /// `a/b` for `content/a/b.md`.
    pub name: String,
    pub file: FileId,
    pub front: FrontMatter,
    pub expansion: Expansion,
    /// The expanded text prepared for Markdown parsing.
    pub doc: Doc,
}

/// Front-matter keys that make a page a redirect to the address they hold.
pub(crate) const REDIRECT_KEYS: [&str; 2] = ["redirect", "redirect_to"];

impl Page {
    /// Where a redirect page sends its readers: `redirect:` or `redirect_to:`
    /// in its front matter (a page or URL). A redirect page is no navigation
    /// entry, has no plan or checklist, and is built as a small page that
    /// forwards the browser.
    pub fn redirect(&self) -> Option<&str> {
        REDIRECT_KEYS
            .iter()
            .find_map(|k| self.front.meta.get(*k)?.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The old addresses that forward to this page: `redirect_from:` in its
    /// front matter, one string or a list of them.
    pub fn redirect_from(&self) -> Vec<&str> {
        let values = match self.front.meta.get("redirect_from") {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(serde_json::Value::as_str).collect()
            }
            _ => Vec::new(),
        };
        values
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Where the byte at `doc_offset` of [`Page::doc`] really comes from.
    pub fn origin(&self, doc_offset: usize) -> Option<Origin<'_>> {
        self.expansion.map.lookup(self.doc.to_expanded(doc_offset))
    }
}

/// A whole docs project in memory.
#[derive(Debug)]
pub struct Project {
    pub config: Config,
    pub db: SourceDb,
    pub pages: Vec<Page>,
    pub partials: PartialIndex,
    /// The files of `content/` the site copies as they are, sorted by output
    /// path (decided by [`loader::load`], like the pages).
    pub content_files: Vec<ContentFile>,
    /// The templates and assets every renderer uses, loaded with the pages.
    pub templates: Templates,
    /// "Did you mean" index of the page names, built at the first miss.
    suggestions: std::sync::OnceLock<Suggestions>,
}

impl Project {
    /// Loads and expands every page, adding every problem found to `diags`.
    pub fn load(config: Config, mut db: SourceDb, diags: &mut Vec<Diagnostic>) -> Project {
        let layout = Layout {
            root: config.root.clone(),
            content: config.content.clone(),
            partials: config.partials.clone(),
            out: config.out.clone(),
            formats: config.page_formats.clone(),
        };
        let loaded = loader::load(&layout, &mut db, diags);
        // pages are read on every core; their problems are then added in
        // page order, so nothing depends on the threads
        let read: Vec<(Page, Vec<Diagnostic>)> = loaded
            .pages
            .into_par_iter()
            .map(|pf| {
                let mut found = Vec::new();
                let page = read_page(&db, &loaded.partials, pf, Limits::default(), &mut found);
                (page, found)
            })
            .collect();
        let mut pages = Vec::with_capacity(read.len());
        let mut used = BTreeSet::new();
        for (page, found) in read {
            diags.extend(found);
            used.extend(page.expansion.used.iter().copied());
            pages.push(page);
        }
        let unused: Vec<FileId> = loaded
            .partials
            .files
            .iter()
            .copied()
            .filter(|id| !used.contains(id) && !loaded.partials.is_shadowed(*id))
            .collect();
        unused_partials(&db, unused, diags);
        let templates = Templates::load(&config, &mut db, diags);
        Project {
            config,
            db,
            pages,
            partials: loaded.partials,
            content_files: loaded.content_files,
            templates,
            suggestions: std::sync::OnceLock::new(),
        }
    }

    /// Finds a page by name (`a/b`) or by the path of its file.
    pub fn page(&self, key: &str) -> Option<&Page> {
        self.page_index(key).map(|i| &self.pages[i])
    }

    /// Index in [`Project::pages`] of the page `key` names: a page name
    /// first, then a path relative to the project folder, then a file path
    /// (absolute or relative to the current directory).
    pub fn page_index(&self, key: &str) -> Option<usize> {
        let key = key.replace('\\', "/");
        let key = key.strip_prefix("./").unwrap_or(&key);
        let key = key.strip_suffix('/').unwrap_or(key);
        let by = |matches: &dyn Fn(&Page) -> bool| self.pages.iter().position(matches);
        by(&|p| p.name == key)
            .or_else(|| by(&|p| self.db.get(p.file).path == key))
            .or_else(|| {
                let wanted = std::path::Path::new(key).canonicalize().ok()?;
                by(&|p| {
                    self.db
                        .get(p.file)
                        .abs
                        .canonicalize()
                        .is_ok_and(|a| a == wanted)
                })
            })
    }

    /// Page names closest to `key`, for "did you mean" help.
    pub fn suggest_pages(&self, key: &str) -> Vec<String> {
        let index = self
            .suggestions
            .get_or_init(|| Suggestions::new(self.pages.iter().map(|p| p.name.as_str())));
        index.suggest(key, 3, 0.6)
    }
}

/// Reads one page file: its front matter (the page's name is its title
/// when the front matter is unusable), its includes expanded within
/// `limits`, and its Markdown prepared.
pub(crate) fn read_page(
    db: &SourceDb,
    partials: &PartialIndex,
    pf: PageFile,
    limits: Limits,
    diags: &mut Vec<Diagnostic>,
) -> Page {
    let (front, body_start) = frontmatter::parse_page(pf.file, db.get(pf.file), diags);
    let expansion = include::expand(db, partials, pf.file, body_start, limits, diags);
    let doc = Doc::parse(&expansion, diags);
    let front = front.unwrap_or_else(|| FrontMatter {
        title: pf.name.clone(),
        ..FrontMatter::default()
    });
    Page {
        name: pf.name,
        file: pf.file,
        front,
        expansion,
        doc,
    }
}

/// How many unused partials get a warning of their own; the rest share one.
pub(crate) const UNUSED_LISTED: usize = 10;

/// A `partial-unused` warning for each of the first [`UNUSED_LISTED`]
/// partials no page includes (in path order), and one for all the others,
/// at the first of them: a chain of 10,000 partials cut by the depth limit
/// gives eleven warnings, not 9,968.
fn unused_partials(db: &SourceDb, mut unused: Vec<FileId>, diags: &mut Vec<Diagnostic>) {
    unused.sort_by(|a, b| db.get(*a).path.cmp(&db.get(*b).path));
    let first_line = |id: FileId| {
        let text = &db.get(id).text;
        text.find('\n').unwrap_or(text.len())
    };
    let listed = if unused.len() > UNUSED_LISTED + 1 {
        UNUSED_LISTED
    } else {
        unused.len()
    };
    for &id in &unused[..listed] {
        diags.push(
            Diagnostic::warning(
                "partial-unused",
                format!("no page includes `{}`", db.get(id).path),
            )
            .at(id, 0, first_line(id))
            .with_help("include it with `!include <name>` or delete it"),
        );
    }
    if let Some(&first) = unused.get(listed) {
        let more = unused.len() - listed;
        diags.push(
            Diagnostic::warning(
                "partial-unused",
                format!(
                    "no page includes `{}`, nor {} more partials after it",
                    db.get(first).path,
                    more - 1
                ),
            )
            .at(first, 0, first_line(first))
            .with_help(format!(
                "{more} partials are unused beyond the {UNUSED_LISTED} listed above; include them with `!include <name>` or delete them"
            )),
        );
    }
}
