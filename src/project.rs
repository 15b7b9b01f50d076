//! The loaded project: every page with its front matter and expanded text, ready for later stages.

use std::collections::BTreeSet;

use rayon::prelude::*;

use std::sync::OnceLock;

use crate::cache::{self, Cache, FileDigests, Record, Restorer};
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
use crate::updated::Dates;

/// One page of the docs, after loading, front matter and include expansion.
#[derive(Debug)]
pub struct Page {
    /// `a/b` for `content/a/b.md`.
    pub name: String,
    pub file: FileId,
    pub front: FrontMatter,
    pub expansion: Expansion,
    /// The expanded text prepared for Markdown parsing. For a page the build
    /// cache lets a build reuse, only its headings: it is not parsed.
    pub doc: Doc,
    /// What the build cache knows of the page, when a build keeps one.
    pub(crate) cached: Option<Box<PageCache>>,
}

/// A page's part in the build cache (see [`crate::cache`]).
#[derive(Debug)]
pub(crate) struct PageCache {
    /// The digest of the page's inputs.
    pub key: String,
    /// The problems its parse found (already reported with the load's).
    pub parse_diags: Vec<Diagnostic>,
    /// For a reused page, the problems its plan, checklists and HTML gave
    /// last time, restored, for the build to report again.
    pub render_diags: Vec<Diagnostic>,
    /// What the previous build made of it, when that can be used as it is.
    pub reused: Option<Record>,
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

/// Pages rendered together before their files are added: enough to keep
/// every core busy, few enough that their output is small beside the project.
pub(crate) const BATCH: usize = 256;

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
    /// The `build` and `shape` digests of the build cache, when a build keeps one.
    pub(crate) cache_keys: Option<(String, String)>,
    /// The revision the checklists name, worked out at the first need.
    revision: OnceLock<Option<String>>,
    /// The last-updated date of each page file, worked out at the first need.
    dates: OnceLock<Dates>,
}

impl Project {
    /// Loads and expands every page, adding every problem found to `diags`.
    pub fn load(config: Config, db: SourceDb, diags: &mut Vec<Diagnostic>) -> Project {
        Project::load_caching(config, db, diags, None)
    }

    /// [`Project::load`] for a build that keeps a cache: `previous` is the
    /// cache the last build left (an empty one when there is none). Pages it
    /// lets the build reuse are not parsed; the others are, and every page
    /// gets its inputs' digest for the next cache.
    pub(crate) fn load_caching(
        config: Config,
        mut db: SourceDb,
        diags: &mut Vec<Diagnostic>,
        previous: Option<Cache>,
    ) -> Project {
        let layout = Layout {
            root: config.root.clone(),
            content: config.content.clone(),
            partials: config.partials.clone(),
            out: config.out.clone(),
            formats: config.page_formats.clone(),
        };
        let loaded = loader::load(&layout, &mut db, diags);
        let templates = Templates::load(&config, &mut db, diags);
        let mut project = Project {
            config,
            db,
            pages: Vec::new(),
            partials: loaded.partials,
            content_files: loaded.content_files,
            templates,
            suggestions: std::sync::OnceLock::new(),
            cache_keys: None,
            revision: OnceLock::new(),
            dates: OnceLock::new(),
        };
        let mut previous = previous;
        if let Some(cache) = &mut previous {
            let build = project.build_key();
            if cache.build != build {
                cache.pages.clear();
            }
            project.cache_keys = Some((build, String::new()));
        }
        project.read_pages(loaded.pages, previous, diags);
        project
    }

    /// Reads, expands and (unless the cache has them) parses every page on
    /// every core; their problems are then added in page order, so nothing
    /// depends on the threads.
    fn read_pages(
        &mut self,
        files: Vec<PageFile>,
        previous: Option<Cache>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let caching = previous.is_some();
        let mut previous = previous.unwrap_or_default();
        let known = caching.then(|| (FileDigests::new(&self.db), Restorer::new(&self.db)));
        let (db, partials) = (&self.db, &self.partials);
        // each page takes its own record: a reused one moves into the page
        let files: Vec<(PageFile, Option<Record>)> = files
            .into_iter()
            .map(|pf| {
                let record = previous.pages.remove(&pf.name);
                (pf, record)
            })
            .collect();
        let pages: Vec<(Page, Vec<Diagnostic>)> = files
            .into_par_iter()
            .map(|(pf, record)| {
                let mut found = Vec::new();
                let known = known.as_ref().map(|(digests, restorer)| Known {
                    digests,
                    restorer,
                    record,
                });
                let page = read(db, partials, pf, Limits::default(), known, &mut found);
                (page, found)
            })
            .collect();
        let mut used = BTreeSet::new();
        for (page, found) in pages {
            diags.extend(found);
            used.extend(page.expansion.used.iter().copied());
            self.pages.push(page);
        }
        if caching {
            let shape = self.shape_key();
            if shape != previous.shape {
                // what pages read of one another changed: render them all
                self.parse_reused();
            }
            if let Some(keys) = &mut self.cache_keys {
                keys.1 = shape;
            }
        }
        let unused: Vec<FileId> = self
            .partials
            .files
            .iter()
            .copied()
            .filter(|id| !used.contains(id) && !self.partials.is_shadowed(*id))
            .collect();
        unused_partials(&self.db, unused, diags);
    }

    /// The `shape` digest of the cache: what pages read of one another
    /// (each page's name, file, front matter and headings) and the output
    /// paths of the content files.
    fn shape_key(&self) -> String {
        let mut parts = Vec::new();
        for page in &self.pages {
            let headings: Vec<(u8, &str, &str)> = page
                .doc
                .headings
                .iter()
                .map(|h| (h.level, h.anchor.as_str(), h.text.as_str()))
                .collect();
            let path = &self.db.get(page.file).path;
            let (front, ids) = (&page.front, &page.doc.html_ids);
            parts.push(format!(
                "{}\n{path}\n{front:?}\n{headings:?}\n{ids:?}",
                page.name
            ));
        }
        for file in &self.content_files {
            parts.push(file.output.clone());
        }
        cache::digest(parts.iter().map(String::as_bytes))
    }

    /// Parses the pages the cache would have let the build reuse.
    fn parse_reused(&mut self) {
        let parsed: Vec<Option<(Doc, Vec<Diagnostic>)>> = self
            .pages
            .par_iter()
            .map(|page| {
                page.cached.as_ref()?.reused.as_ref()?;
                let mut found = Vec::new();
                let doc = Doc::parse(&page.expansion, &mut found);
                Some((doc, found))
            })
            .collect();
        for (page, parsed) in self.pages.iter_mut().zip(parsed) {
            let (Some((doc, found)), Some(cached)) = (parsed, page.cached.as_mut()) else {
                continue;
            };
            // the restored parse problems were reported already: they are
            // the same as the ones this parse found
            page.doc = doc;
            cached.parse_diags = found;
            cached.render_diags.clear();
            cached.reused = None;
        }
    }

    /// The `build` digest of the cache: this binary, the settings, the
    /// templates, the revision and the dates.
    fn build_key(&self) -> String {
        cache::build_key(&self.config, &self.templates, self.revision(), self.dates())
    }

    /// The revision the checklists name ([`crate::revision::describe`]).
    pub(crate) fn revision(&self) -> &Option<String> {
        self.revision
            .get_or_init(|| crate::revision::describe(&self.config))
    }

    /// The last-updated date of every page file (empty unless the site shows them).
    pub(crate) fn dates(&self) -> &Dates {
        self.dates.get_or_init(|| {
            if self.config.site.last_updated {
                crate::updated::dates(&self.config.content)
            } else {
                Dates::new()
            }
        })
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
    read(db, partials, pf, limits, None, diags)
}

/// [`read_page`], and for a build that keeps a cache (`known`), the page's
/// part in it.
fn read(
    db: &SourceDb,
    partials: &PartialIndex,
    pf: PageFile,
    limits: Limits,
    known: Option<Known<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> Page {
    let (front, body_start) = frontmatter::parse_page(pf.file, db.get(pf.file), diags);
    let expansion = include::expand(db, partials, pf.file, body_start, limits, diags);
    let (doc, cached) = match known {
        None => (Doc::parse(&expansion, diags), None),
        Some(known) => {
            let (doc, cached) = known.doc(db, &pf, &expansion, diags);
            (doc, Some(Box::new(cached)))
        }
    };
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
        cached,
    }
}

/// What a build that keeps a cache knows before it reads a page.
struct Known<'a> {
    digests: &'a FileDigests,
    restorer: &'a Restorer<'a>,
    /// The page's record in the last build's cache, if any.
    record: Option<Record>,
}

impl Known<'_> {
    /// The page's [`Doc`] and its part in the cache. When the last build
    /// made the page from the same inputs (and its problems can be
    /// restored), the page is not parsed: it gets the recorded headings, and
    /// the recorded parse problems are reported again.
    fn doc(
        self,
        db: &SourceDb,
        pf: &PageFile,
        expansion: &Expansion,
        diags: &mut Vec<Diagnostic>,
    ) -> (Doc, PageCache) {
        let key = self.digests.page_key(db, &pf.name, pf.file, expansion);
        let restorer = self.restorer;
        let restored = self.record.filter(|r| r.key == key).and_then(|r| {
            let parse = restorer.restore(&r.parse_diags)?;
            let render = restorer.restore(&r.render_diags)?;
            Some((r, parse, render))
        });
        let Some((record, parse_diags, render_diags)) = restored else {
            let mut found = Vec::new();
            let doc = Doc::parse(expansion, &mut found);
            diags.extend(found.iter().cloned());
            let cached = PageCache {
                key,
                parse_diags: found,
                render_diags: Vec::new(),
                reused: None,
            };
            return (doc, cached);
        };
        diags.extend(parse_diags.iter().cloned());
        let doc = Doc::with_headings(record.headings.clone(), record.html_ids.clone());
        let cached = PageCache {
            key,
            parse_diags,
            render_diags,
            reused: Some(record),
        };
        (doc, cached)
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
