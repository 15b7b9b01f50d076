//! The loaded project: every page with its front matter and expanded text, ready for later stages.

use std::collections::BTreeSet;

use crate::blocks::{self, Node};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::frontmatter::{self, FrontMatter};
use crate::include::{self, Expansion, Limits};
use crate::loader::{self, ContentFile, Layout, PartialIndex};
use crate::markdown::Doc;
use crate::source::{FileId, SourceDb};
use crate::sourcemap::Origin;

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
    /// The page's block tree over [`Doc::text`], parsed once; every stage
    /// that needs the page's structure reads it.
    pub tree: Vec<Node<'static>>,
}

impl Page {
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
        let mut pages = Vec::with_capacity(loaded.pages.len());
        let mut used = BTreeSet::new();
        for pf in loaded.pages {
            let (front, body_start) = frontmatter::parse_page(pf.file, db.get(pf.file), diags);
            let expansion = include::expand(
                &db,
                &loaded.partials,
                pf.file,
                body_start,
                Limits::default(),
                diags,
            );
            let doc = Doc::parse(&expansion, diags);
            used.extend(expansion.used.iter().copied());
            let front = front.unwrap_or_else(|| FrontMatter {
                title: pf.name.clone(),
                ..FrontMatter::default()
            });
            let tree = blocks::page_tree(&doc);
            pages.push(Page {
                name: pf.name,
                file: pf.file,
                front,
                expansion,
                doc,
                tree,
            });
        }
        for &id in &loaded.partials.files {
            if !used.contains(&id) && !loaded.partials.is_shadowed(id) {
                let first = db.get(id).text.find('\n').unwrap_or(db.get(id).text.len());
                diags.push(
                    Diagnostic::warning(
                        "partial-unused",
                        format!("no page includes `{}`", db.get(id).path),
                    )
                    .at(id, 0, first)
                    .with_help("include it with `!include <name>` or delete it"),
                );
            }
        }
        Project {
            config,
            db,
            pages,
            partials: loaded.partials,
            content_files: loaded.content_files,
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
        let names: Vec<&str> = self.pages.iter().map(|p| p.name.as_str()).collect();
        let lower = key.to_lowercase();
        let mut found: Vec<String> = names
            .iter()
            .filter(|n| !lower.is_empty() && n.to_lowercase().contains(&lower))
            .map(|n| (*n).to_owned())
            .collect();
        for close in similar::get_close_matches(key, &names, 3, 0.6) {
            if !found.iter().any(|f| f == close) {
                found.push(close.to_owned());
            }
        }
        found.truncate(3);
        found
    }
}
