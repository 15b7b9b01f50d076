//! The build cache: what each page's render gave last time, keyed by everything it was made from, so a build renders only the pages whose inputs changed.
//!
//! A build leaves `.site.runsheet-cache` beside its output folder `site`:
//! for every page, the digest of its inputs (its file, and every partial its
//! expansion used), the digests of the files made from it (plan, checklists,
//! HTML page), what the build needs of it once it is gone (its headings,
//! search entry, plan index entry, counts) and the warnings it gave. Two
//! digests cover what every page depends on: `build` (this runsheet binary,
//! the settings, the templates and assets, the revision and last-updated
//! dates) and `shape` (every page's name, front matter and headings, and the
//! content files: what navigation, links and the home page read of other
//! pages).
//!
//! The next build into the same folder reuses a page, without parsing or
//! rendering it, when `build` and `shape` are unchanged, the page's inputs
//! have the same digest, and each of its files is still in the folder as
//! that build wrote it (the marker vouches for it). Anything else renders the
//! page again, so a reused page's bytes are always those a full build makes.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::diagnostic::{codes, Diagnostic, Label, Severity};
use crate::markdown::Heading;
use crate::output::Files;
use crate::source::{FileId, SourceDb};
use crate::sourcemap::{Expansion, IncludeSite};
use crate::templates::Templates;

/// Changes whenever the cache's own layout does; an older cache is ignored.
const FORMAT: u32 = 2;

/// The cache one build leaves for the next.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Cache {
    format: u32,
    /// Digest of what every page depends on (see the module docs).
    pub build: String,
    /// Digest of what pages read of each other.
    pub shape: String,
    /// Every page of the build, by name.
    pub pages: BTreeMap<String, Record>,
}

/// What one page gave a build.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Record {
    /// Digest of the page's inputs ([`page_key`]).
    pub key: String,
    pub headings: Vec<Heading>,
    /// The anchors the page's raw HTML sets, which links of other pages may name.
    pub html_ids: Vec<String>,
    /// Warnings found while parsing the page.
    pub parse_diags: Vec<DiagRecord>,
    /// Warnings found while planning and rendering it.
    pub render_diags: Vec<DiagRecord>,
    /// Each file made from the page, with its SHA-256.
    pub files: Vec<(String, String)>,
    /// What the build needs of the page's plan and checklists once they
    /// are gone, as `build` writes it (JSON kept as text until it is read).
    pub products: Option<Box<RawValue>>,
    /// The page's search entry, as the site writes it.
    pub search: Option<Box<RawValue>>,
}

/// A diagnostic with file paths in place of file ids.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct DiagRecord {
    severity: Severity,
    code: String,
    message: String,
    label: Option<(String, usize, usize)>,
    help: Option<String>,
    /// `(file, offset)` of each include site, innermost first.
    via: Vec<(String, usize)>,
    also_via: u32,
}

impl DiagRecord {
    pub(crate) fn of(d: &Diagnostic, db: &SourceDb) -> DiagRecord {
        let path = |file: FileId| db.get(file).path.clone();
        DiagRecord {
            severity: d.severity,
            code: d.code.to_owned(),
            message: d.message.clone(),
            label: d.label.map(|l| (path(l.file), l.start, l.end)),
            help: d.help.as_deref().map(str::to_owned),
            via: d
                .included_from
                .iter()
                .map(|s| (path(s.file), s.offset))
                .collect(),
            also_via: d.also_via,
        }
    }

    /// The diagnostic again, its paths found in `files`; `None` when a path
    /// or the code is unknown (the page is then rendered afresh).
    fn diagnostic(&self, files: &HashMap<&str, FileId>) -> Option<Diagnostic> {
        let code = codes::lookup(&self.code)?.name;
        let mut d = match self.severity {
            Severity::Error => Diagnostic::error(code, self.message.clone()),
            Severity::Warning => Diagnostic::warning(code, self.message.clone()),
        };
        if let Some((path, start, end)) = &self.label {
            d.label = Some(Label {
                file: *files.get(path.as_str())?,
                start: *start,
                end: *end,
            });
        }
        d.help = self.help.as_deref().map(Into::into);
        let via: Option<Vec<IncludeSite>> = self
            .via
            .iter()
            .map(|(path, offset)| {
                Some(IncludeSite {
                    file: *files.get(path.as_str())?,
                    offset: *offset,
                })
            })
            .collect();
        d.included_from = via?.into();
        d.also_via = self.also_via;
        Some(d)
    }
}

/// Diagnostics of a [`Record`], restored against `db`.
pub(crate) struct Restorer<'a> {
    files: HashMap<&'a str, FileId>,
}

impl<'a> Restorer<'a> {
    pub(crate) fn new(db: &'a SourceDb) -> Restorer<'a> {
        let files = db.ids().map(|id| (db.get(id).path.as_str(), id)).collect();
        Restorer { files }
    }

    /// Every diagnostic of `records`, or `None` when one cannot be restored.
    pub(crate) fn restore(&self, records: &[DiagRecord]) -> Option<Vec<Diagnostic>> {
        records.iter().map(|r| r.diagnostic(&self.files)).collect()
    }
}

impl Cache {
    /// The cache the previous build left beside the output `files` will go
    /// to, keeping only the pages whose files are all still there as that
    /// build wrote them; `None` when there is none or it is unreadable.
    pub(crate) fn previous(files: &Files) -> Option<Cache> {
        let bytes = files.previous_cache()?;
        let cache: Cache = serde_json::from_slice(&bytes).ok()?;
        (cache.format == FORMAT).then(|| cache.keepable(files))
    }

    /// The cache without the pages some file of which `files` cannot keep
    /// as the last build made it ([`Files::can_keep`]).
    pub(crate) fn keepable(mut self, files: &Files) -> Cache {
        // a reused page's HTML comes from its record: it must be there
        self.pages.retain(|name, r| {
            let page = crate::output::paths::page(name);
            r.files.iter().any(|(path, _)| *path == page)
                && r.files.iter().all(|(path, d)| files.can_keep(path, d))
        });
        self
    }

    /// A cache to fill with the records of this build.
    pub(crate) fn new(build: String, shape: String) -> Cache {
        Cache {
            format: FORMAT,
            build,
            shape,
            pages: BTreeMap::new(),
        }
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Feeds `parts` to a SHA-256, each with its length so no two lists of
/// parts hash alike, and gives the hex digest.
pub(crate) fn digest<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    crate::output::hex(&hasher.finalize())
}

/// The digest of what every page's output depends on: this binary (its
/// version, size and time), the settings, the templates and assets, the
/// revision the checklists name and the last-updated dates.
pub(crate) fn build_key(
    config: &Config,
    templates: &Templates,
    revision: &Option<String>,
    dates: &BTreeMap<String, String>,
) -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{:?} {:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    // the output folder is where the cache is, not what pages are made of
    let settings = format!(
        "{:?}",
        Config {
            out: Default::default(),
            ..config.clone()
        }
    );
    let dates = format!("{dates:?}");
    let revision = format!("{revision:?}");
    let parts = [
        env!("CARGO_PKG_VERSION").as_bytes(),
        exe.as_bytes(),
        settings.as_bytes(),
        revision.as_bytes(),
        dates.as_bytes(),
    ];
    digest(parts.into_iter().chain(templates.sources()))
}

/// The SHA-256 of every file read, by [`FileId`], worked out once on every
/// core: a partial many pages include is hashed once, not once per page.
pub(crate) struct FileDigests(Vec<[u8; 32]>);

impl FileDigests {
    pub(crate) fn new(db: &SourceDb) -> FileDigests {
        use rayon::prelude::*;
        let ids: Vec<FileId> = db.ids().collect();
        let digests = ids
            .par_iter()
            .map(|id| Sha256::digest(db.get(*id).text.as_bytes()).into())
            .collect();
        FileDigests(digests)
    }

    /// The digest of one page's inputs: its name, and the path and text of
    /// its file and of every partial its expansion used.
    pub(crate) fn page_key(
        &self,
        db: &SourceDb,
        name: &str,
        file: FileId,
        expansion: &Expansion,
    ) -> String {
        let mut parts: Vec<&[u8]> = vec![name.as_bytes()];
        for id in std::iter::once(file).chain(expansion.used.iter().copied()) {
            parts.push(db.get(id).path.as_bytes());
            parts.push(&self.0[id.0 as usize]);
        }
        digest(parts)
    }
}
