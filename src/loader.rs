//! Loading: walks `content/` and `partials/`, decodes every file and names pages and partials.
//!
//! The walk of `content/` ([`load`]) is the one place that decides what the
//! content folder publishes: its pages (`*.md` and `*.mdx`, as
//! [`Layout::formats`] allows) and the other files the site copies
//! ([`ContentFile`]). Where one folder holds a page in both forms (`a.md`
//! and `a.mdx`), the setting picks one; without it, that is an
//! `output-collision` error (both would be written to `a.html`). Hidden files and folders are skipped, and so are
//! the partials and output folders when they lie inside it. A symlink is
//! followed only while its target stays inside `content/`; one that leads out
//! is neither a page nor a file to copy, and gets a `content-escape` warning.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;
use crate::frontmatter;
use crate::mdx::PageFormat;
use crate::source::{decode, FileId, FileKind, SourceDb, SourceFile};
use crate::suggest::Suggestions;

/// A page file found under `content/`, before its front matter is read.
#[derive(Clone, Debug)]
pub(crate) struct PageFile {
    /// `a/b` for `content/a/b.md`, `a` for `content/a/index.md`, `index` for `content/index.md`.
    pub name: String,
    pub file: FileId,
}

/// What a partial name can point at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PartialRef {
    File(FileId),
    /// A symlink whose target lies outside `partials/`: never read.
    Escaping(String),
}

/// Why a partial name did not resolve to exactly one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    Missing {
        suggestions: Vec<String>,
    },
    /// Two or more partials have the name: their paths and the names that reach each.
    Ambiguous(Vec<(String, String)>),
    Escape(String),
    /// The only file of that name cannot be a partial: its path, and why
    /// (`None` when reading it already reported the problem, as `not-utf8`).
    Unusable(String, Option<String>),
}

/// Why an `import` path names no partial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// No partial there: the closest partial paths, and a file found there
    /// that is not a partial (outside the partials folder).
    Missing {
        suggestions: Vec<String>,
        not_partial: Option<String>,
    },
    Escape(String),
}

/// Every partial, findable by file name (`name.md`, `name.include.md`,
/// `name.mdx`, `name.include.mdx`), by path relative to `partials/`, and by
/// that path with its extension (which always names one file).
#[derive(Debug, Default)]
pub struct PartialIndex {
    by_name: BTreeMap<String, BTreeSet<PartialRef>>,
    by_path: BTreeMap<String, BTreeSet<PartialRef>>,
    /// Path below `partials/`, extension included.
    by_file: BTreeMap<String, PartialRef>,
    /// The same path, by file.
    file_name: BTreeMap<FileId, String>,
    body_start: BTreeMap<FileId, usize>,
    /// Symlinked folders below `partials/` whose target lies outside it.
    escaping_dirs: Vec<String>,
    /// Canonical path of every readable partial (for `import` paths).
    canon: BTreeMap<PathBuf, FileId>,
    /// Twins (`x.md` beside `x.mdx`) the page formats setting did not choose.
    shadowed: BTreeSet<FileId>,
    /// Where `import` paths are looked for, and may lead.
    places: Places,
    /// Every readable partial, in path order.
    pub files: Vec<FileId>,
    /// "Did you mean" index of every name above, built at the first miss.
    suggestions: std::sync::OnceLock<Suggestions>,
    /// Files named like partials that cannot be one, by the names that would
    /// reach them: their path, and why (`None` when already reported).
    unusable: BTreeMap<String, (String, Option<String>)>,
}

/// The project's folders, absolute and without `.` or `..`.
#[derive(Debug, Default)]
struct Places {
    root: PathBuf,
    content: PathBuf,
    partials: PathBuf,
}

impl PartialIndex {
    fn insert(&mut self, rel: &str, target: PartialRef) {
        let Some(stem) = rel.strip_suffix(".mdx").or_else(|| rel.strip_suffix(".md")) else {
            return;
        };
        self.by_file.insert(rel.to_owned(), target.clone());
        if let PartialRef::File(id) = target {
            self.file_name.insert(id, rel.to_owned());
        }
        let mut stems = vec![stem];
        if let Some(short) = stem.strip_suffix(".include") {
            stems.push(short);
        }
        for stem in stems {
            let base = stem.rsplit('/').next().unwrap_or(stem);
            self.by_name
                .entry(base.to_owned())
                .or_default()
                .insert(target.clone());
            self.by_path
                .entry(stem.to_owned())
                .or_default()
                .insert(target.clone());
        }
    }

    /// Records a `.md` path below `partials/` that is not a readable file.
    fn insert_unusable(&mut self, rel: &str, path: String, why: Option<String>) {
        let stem = rel.strip_suffix(".md").unwrap_or(rel);
        let base = stem.rsplit('/').next().unwrap_or(stem);
        let short = |s: &str| s.strip_suffix(".include").map(str::to_owned);
        for name in [
            Some(stem.to_owned()),
            Some(base.to_owned()),
            short(stem),
            short(base),
        ]
        .into_iter()
        .flatten()
        {
            self.unusable
                .entry(name)
                .or_insert_with(|| (path.clone(), why.clone()));
        }
    }

    /// Finds the one partial `name` refers to.
    pub fn resolve(&self, name: &str, db: &SourceDb) -> Result<FileId, ResolveError> {
        if escapes(name) {
            return Err(ResolveError::Escape(format!(
                "`{name}` points outside the partials folder"
            )));
        }
        if let Some(dir) = self.escaping_dirs.iter().find(|d| {
            name.strip_prefix(d.as_str())
                .is_some_and(|r| r.starts_with('/'))
        }) {
            return Err(ResolveError::Escape(format!(
                "`{dir}` is a symlink to a folder outside the partials folder"
            )));
        }
        // `./name` is the file right below `partials/`; `a/name` a path below it
        let (table, name) = match name.strip_prefix("./") {
            Some(rest) => (&self.by_path, rest),
            None if name.contains('/') => (&self.by_path, name),
            None => (&self.by_name, name),
        };
        match table.get(name) {
            None => match self.by_file.get(name) {
                Some(PartialRef::File(id)) => Ok(*id),
                Some(PartialRef::Escaping(path)) => Err(ResolveError::Escape(format!(
                    "`{path}` is a symlink to a file outside the partials folder"
                ))),
                None => match self.unusable.get(name) {
                    Some((path, why)) => Err(ResolveError::Unusable(path.clone(), why.clone())),
                    None => Err(ResolveError::Missing {
                        suggestions: self.suggest(name),
                    }),
                },
            },
            Some(set) if set.len() == 1 => match set.iter().next() {
                Some(PartialRef::File(id)) => Ok(*id),
                Some(PartialRef::Escaping(path)) => Err(ResolveError::Escape(format!(
                    "`{path}` is a symlink to a file outside the partials folder"
                ))),
                None => unreachable!("set has one element"),
            },
            Some(set) => Err(ResolveError::Ambiguous(
                set.iter()
                    .map(|r| match r {
                        PartialRef::File(id) => (db.get(*id).path.clone(), self.include_name(r)),
                        PartialRef::Escaping(p) => (p.clone(), self.include_name(r)),
                    })
                    .collect(),
            )),
        }
    }

    /// The name that reaches exactly this partial: its path below
    /// `partials/` without `.md`/`.include.md`, `./name` at the top; with
    /// its extension when a twin in the other form shares that name.
    fn include_name(&self, target: &PartialRef) -> String {
        let (stem, shared) = self
            .by_path
            .iter()
            .filter(|(_, set)| set.contains(target))
            .map(|(stem, set)| (stem.as_str(), set.len() > 1))
            .min_by_key(|(stem, _)| stem.len())
            .unwrap_or(("", false));
        let with_extension = self
            .by_file
            .iter()
            .find(|(_, r)| *r == target)
            .map(|(rel, _)| rel.as_str());
        let stem = match with_extension {
            Some(rel) if shared => rel,
            _ => stem,
        };
        if stem.contains('/') {
            stem.to_owned()
        } else {
            format!("./{stem}")
        }
    }

    fn suggest(&self, name: &str) -> Vec<String> {
        let index = self.suggestions.get_or_init(|| {
            Suggestions::new(
                self.by_name
                    .keys()
                    .chain(self.by_path.keys())
                    .map(String::as_str),
            )
        });
        let mut found = index.suggest(name, 3, 0.7);
        found.dedup();
        found
    }

    /// Where the partial's text starts once its own front matter is dropped.
    pub fn body_start(&self, id: FileId) -> usize {
        self.body_start.get(&id).copied().unwrap_or(0)
    }

    /// The partial's path below `partials/`, extension included: a name
    /// `resolve` always maps back to exactly this partial.
    pub fn exact_name(&self, id: FileId) -> Option<&str> {
        self.file_name.get(&id).map(String::as_str)
    }

    /// True for a twin (`x.md` beside `x.mdx`) that the page formats setting
    /// did not choose: it belongs to the other form of the docs.
    pub fn is_shadowed(&self, id: FileId) -> bool {
        self.shadowed.contains(&id)
    }

    /// Where twins (`x.md` and `x.mdx` in one folder) both answer a name,
    /// keeps the form listed first in `formats`; without a setting both stay
    /// (and the name is ambiguous).
    fn prefer(&mut self, formats: Option<&[PageFormat]>) {
        let Some(order) = formats else {
            return;
        };
        let rank = |rel: &str| {
            PageFormat::of(Path::new(rel))
                .and_then(|f| order.iter().position(|o| *o == f))
                .unwrap_or(usize::MAX)
        };
        let mut losers = BTreeSet::new();
        for (rel, target) in &self.by_file {
            let stem = Path::new(rel).with_extension("");
            for form in PageFormat::ALL {
                let twin = format!("{}.{}", stem.to_string_lossy(), form.extension());
                if twin != *rel && self.by_file.contains_key(&twin) && rank(&twin) < rank(rel) {
                    losers.insert(target.clone());
                }
            }
        }
        for set in self.by_name.values_mut().chain(self.by_path.values_mut()) {
            set.retain(|r| !losers.contains(r));
        }
        self.shadowed = losers
            .into_iter()
            .filter_map(|r| match r {
                PartialRef::File(id) => Some(id),
                PartialRef::Escaping(_) => None,
            })
            .collect();
    }

    /// Finds the partial an MDX `import` path names, written in the file at
    /// `from`: relative to the project folder, to the importing file's folder
    /// or to the partials folder (the importing file's folder first for
    /// `./` and `../` paths). A path never leads out of the project.
    pub fn resolve_import(
        &self,
        path: &str,
        from: &Path,
        db: &SourceDb,
    ) -> Result<FileId, ImportError> {
        let written = path.replace('\\', "/");
        if written.starts_with('/') || written.as_bytes().get(1) == Some(&b':') {
            return Err(ImportError::Escape(format!("`{path}` is an absolute path")));
        }
        let here = lexical(from.parent().unwrap_or(Path::new("")));
        let p = &self.places;
        let bases = if written.starts_with("./") || written.starts_with("../") {
            [&here, &p.root, &p.partials]
        } else {
            [&p.root, &here, &p.partials]
        };
        let mut inside = false;
        let mut not_partial = None;
        for base in bases {
            let candidate = lexical(&base.join(&written));
            if ![&p.root, &p.content, &p.partials]
                .iter()
                .any(|dir| candidate.starts_with(dir))
            {
                continue;
            }
            inside = true;
            if let Some(why) = self.escaping_file(&candidate) {
                return Err(ImportError::Escape(why));
            }
            let Ok(canon) = candidate.canonicalize() else {
                continue;
            };
            match self.canon.get(&canon) {
                Some(id) => return Ok(*id),
                None if canon.is_file() => {
                    not_partial.get_or_insert_with(|| display_path(&p.root, &candidate));
                }
                None => {}
            }
        }
        if !inside {
            return Err(ImportError::Escape(format!(
                "`{path}` leads out of the project folder"
            )));
        }
        Err(ImportError::Missing {
            suggestions: self.suggest_import(&written, db),
            not_partial,
        })
    }

    /// Why `candidate` (below the partials folder) is a partial never read: a
    /// symlink that leads out of the partials folder.
    fn escaping_file(&self, candidate: &Path) -> Option<String> {
        let rel = candidate.strip_prefix(&self.places.partials).ok()?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        let escaping = |r: &String| rel == *r || rel.starts_with(&format!("{r}/"));
        match self.by_file.get(&rel) {
            Some(PartialRef::Escaping(path)) => Some(format!(
                "`{path}` is a symlink to a file outside the partials folder"
            )),
            _ => self
                .escaping_dirs
                .iter()
                .find(|d| escaping(d))
                .map(|d| format!("`{d}` is a symlink to a folder outside the partials folder")),
        }
    }

    /// The partial paths closest to an import path as written, each partial
    /// once, in the form closer to the one written: its path as shown
    /// (relative to the project) or its path below `partials/`.
    fn suggest_import(&self, written: &str, db: &SourceDb) -> Vec<String> {
        let written = written.trim_start_matches("./");
        let ratio = |form: &str| similar::TextDiff::from_chars(written, form).ratio();
        let mut scored: Vec<(f32, String)> = self
            .by_file
            .iter()
            .filter_map(|(rel, r)| match r {
                PartialRef::File(id) => Some([db.get(*id).path.as_str(), rel.as_str()]),
                PartialRef::Escaping(_) => None,
            })
            .filter_map(|forms| {
                forms
                    .into_iter()
                    .map(|f| (ratio(f), f.to_owned()))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
            })
            .filter(|(score, _)| *score >= 0.7)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        // paths share long folder prefixes: keep the ones about as close as the best
        let best = scored.first().map_or(0.0, |(score, _)| *score);
        scored
            .into_iter()
            .take_while(|(score, _)| *score >= best - 0.05)
            .take(3)
            .map(|(_, f)| f)
            .collect()
    }
}

/// `path` made absolute, with `.` and `..` folded (no file system access
/// beyond the current directory).
fn lexical(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = PathBuf::new();
    for part in abs.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// True when a partial name would leave `partials/`: `..`, absolute or drive paths.
pub(crate) fn escapes(name: &str) -> bool {
    name.starts_with('/')
        || name.starts_with('\\')
        || name.as_bytes().get(1) == Some(&b':')
        || name.split(['/', '\\']).any(|part| part == "..")
}

/// The folders to load, with how to display them relative to the project.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub root: PathBuf,
    pub content: PathBuf,
    pub partials: PathBuf,
    /// The output folder: never read as content, even when inside `content/`.
    pub out: PathBuf,
    /// The page forms to read, the preferred first where one folder holds a
    /// page in two forms; `None`: every form, and such twins collide.
    pub formats: Option<Vec<PageFormat>>,
}

impl Layout {
    /// True when pages of `format` are read.
    fn reads(&self, format: PageFormat) -> bool {
        self.formats.as_ref().is_none_or(|f| f.contains(&format))
    }
}

/// A file of `content/` that the site publishes as it is (an image, a download).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentFile {
    /// Its path in the output folder, which is also its path below `content/` (`/` separators).
    pub output: String,
    /// The file on disk (below the content folder; when it is a symlink, the link itself).
    pub source: PathBuf,
    /// `source` as diagnostics show it, relative to the project folder (`content/img/a.png`).
    pub display: String,
}

/// Everything read from disk.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub pages: Vec<PageFile>,
    pub partials: PartialIndex,
    /// Every file of `content/` to publish as it is, sorted by output path.
    pub content_files: Vec<ContentFile>,
}

/// Extensions of content files that are sources, not files to publish.
const SOURCE_EXTENSIONS: &[&str] = &["md", "mdx", "markdown"];

/// Path as shown to users: relative to the project folder when inside it.
pub(crate) fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

fn read_file(
    db: &mut SourceDb,
    root: &Path,
    path: &Path,
    kind: FileKind,
    diags: &mut Vec<Diagnostic>,
) -> Option<FileId> {
    let display = display_path(root, path);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::error("io", format!("cannot read `{display}`: {e}"))
                    .with_help("check the file's permissions"),
            );
            return None;
        }
    };
    match decode(&bytes) {
        Ok(text) => Some(db.add(SourceFile::new(display, path.to_owned(), kind, text))),
        Err(offset) => {
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            let id = db.add(SourceFile::new(
                display.clone(),
                path.to_owned(),
                kind,
                lossy,
            ));
            diags.push(
                Diagnostic::error(
                    "not-utf8",
                    format!("`{display}` is not valid UTF-8 (invalid byte at offset {offset})"),
                )
                .at(id, offset, offset + 1)
                .with_help("save the file as UTF-8"),
            );
            None
        }
    }
}

fn is_hidden(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.')
}

/// Walks the content and partials folders.
pub(crate) fn load(layout: &Layout, db: &mut SourceDb, diags: &mut Vec<Diagnostic>) -> Loaded {
    let mut loaded = Loaded::default();
    let partials_canon = layout.partials.canonicalize().ok();
    load_partials(
        layout,
        partials_canon.as_deref(),
        db,
        diags,
        &mut loaded.partials,
    );
    let walk = walk_content(layout, partials_canon, diags);
    for escape in walk.escapes {
        report_escape(layout, db, escape, diags);
    }
    loaded.content_files = walk.files;
    let mut names: BTreeMap<String, FileId> = BTreeMap::new();
    for (path, twin) in pick_forms(walk.pages, layout.formats.as_deref()) {
        let rel = path.strip_prefix(&layout.content).unwrap_or(&path);
        let name = page_name(rel);
        let Some(id) = read_file(db, &layout.root, &path, FileKind::Page, diags) else {
            continue;
        };
        if let Some(twin) = twin {
            diags.push(twin_collision(
                db,
                id,
                &display_path(&layout.root, &twin),
                &name,
            ));
        }
        if let Some(other) = names.get(&name) {
            let other = db.get(*other).path.clone();
            diags.push(
                Diagnostic::error(
                    "page-duplicate",
                    format!(
                        "`{}` and `{other}` are both the page `{name}`",
                        db.get(id).path
                    ),
                )
                .at(id, 0, 0)
                .with_help("rename one of them: `a.md` and `a/index.md` name the same page"),
            );
            continue;
        }
        names.insert(name.clone(), id);
        loaded.pages.push(PageFile { name, file: id });
    }
    loaded.pages.sort_by(|a, b| a.name.cmp(&b.name));
    loaded
}

/// Pairs twins (`a.md` and `a.mdx` in one folder): keeps the form listed
/// first in `formats`; without a setting keeps the `.md` page and returns the
/// other beside it (an `output-collision`). Every other page is kept alone.
fn pick_forms(
    pages: Vec<PathBuf>,
    formats: Option<&[PageFormat]>,
) -> Vec<(PathBuf, Option<PathBuf>)> {
    let mut groups: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for path in pages {
        groups
            .entry(path.with_extension(""))
            .or_default()
            .push(path);
    }
    let rank = |p: &PathBuf| {
        let form = PageFormat::of(p);
        let listed = formats.and_then(|order| order.iter().position(|f| Some(*f) == form));
        (listed.unwrap_or(usize::MAX), form)
    };
    let mut kept = Vec::new();
    for (_, mut group) in groups {
        group.sort_by_key(rank);
        let mut forms = group.into_iter();
        let Some(first) = forms.next() else {
            continue;
        };
        let twin = if formats.is_none() {
            forms.next()
        } else {
            None
        };
        kept.push((first, twin));
    }
    kept
}

/// The `output-collision` of a page written in both forms, at the one kept.
fn twin_collision(db: &SourceDb, kept: FileId, twin: &str, name: &str) -> Diagnostic {
    let path = &db.get(kept).path;
    Diagnostic::error(
        "output-collision",
        format!(
            "`{path}` and `{twin}` are the same page `{name}` in two forms: both would be written to `{}`",
            crate::output::paths::page(name)
        ),
    )
    .at(kept, 0, 0)
    .with_help(
        "choose the form to read: `page_formats = [\"mdx\"]` in runsheet.toml or `--page-formats mdx` (`mdx,md` reads both and prefers `.mdx` where a folder has both), or delete one",
    )
}

/// What one walk of the content folder finds.
#[derive(Debug, Default)]
struct ContentWalk {
    /// Page files (`*.md`, `*.mdx` as the layout reads them), in walk order.
    pages: Vec<PathBuf>,
    /// Files to copy, sorted by output path.
    files: Vec<ContentFile>,
    /// Symlinks whose target lies outside the content folder: never read.
    escapes: Vec<Escape>,
}

#[derive(Debug)]
struct Escape {
    path: PathBuf,
    is_dir: bool,
}

/// Walks `content/` once, sorting what it holds into pages, files to copy
/// and symlinks that lead out of it (see the module documentation).
fn walk_content(
    layout: &Layout,
    partials_canon: Option<PathBuf>,
    diags: &mut Vec<Diagnostic>,
) -> ContentWalk {
    let mut walk = ContentWalk::default();
    let Ok(content) = layout.content.canonicalize() else {
        return walk;
    };
    let skip: Vec<PathBuf> = partials_canon
        .into_iter()
        .chain(layout.out.canonicalize().ok())
        .collect();
    let mut leaving = Vec::new();
    let walker = WalkDir::new(&layout.content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if is_hidden(e) {
                return false;
            }
            let target = e.path().canonicalize().ok();
            match &target {
                Some(t) if !t.starts_with(&content) => {
                    leaving.push(Escape {
                        path: e.path().to_owned(),
                        is_dir: e.file_type().is_dir(),
                    });
                    false
                }
                Some(t) => !skip.iter().any(|s| t.starts_with(s)),
                // a dangling link: nothing to publish
                None => false,
            }
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "io",
                    format!("cannot walk the content folder: {e}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        let extension = path.extension().map(|e| e.to_string_lossy());
        if !entry.file_type().is_file() {
            continue;
        }
        if PageFormat::of(path).is_some_and(|f| layout.reads(f)) {
            walk.pages.push(path.to_owned());
        } else if !extension.is_some_and(|e| SOURCE_EXTENSIONS.contains(&e.as_ref())) {
            let rel = path.strip_prefix(&layout.content).unwrap_or(path);
            walk.files.push(ContentFile {
                output: rel.to_string_lossy().replace('\\', "/"),
                source: path.to_owned(),
                display: display_path(&layout.root, path),
            });
        }
    }
    walk.files.sort_by(|a, b| a.output.cmp(&b.output));
    walk.escapes = leaving;
    walk
}

/// Warns about a symlink that leads out of the content folder, at its own path.
fn report_escape(layout: &Layout, db: &mut SourceDb, escape: Escape, diags: &mut Vec<Diagnostic>) {
    let display = display_path(&layout.root, &escape.path);
    let target = std::fs::read_link(&escape.path)
        .map_or_else(|_| "?".to_owned(), |t| t.display().to_string());
    let (what, help) = if escape.is_dir {
        (
            "a folder",
            "the symlink points outside the content folder; copy the files in instead",
        )
    } else {
        (
            "a file",
            "the symlink points outside the content folder; copy the file in instead",
        )
    };
    // the symlink is not a source: an empty file gives the warning its path
    let id = db.add(SourceFile::new(
        display.clone(),
        escape.path,
        FileKind::Page,
        String::new(),
    ));
    diags.push(
        Diagnostic::warning(
            "content-escape",
            format!("`{display}` is a symlink to {what} outside the content folder (`{target}`): not published"),
        )
        .at(id, 0, 0)
        .with_help(help),
    );
}

fn load_partials(
    layout: &Layout,
    canon: Option<&Path>,
    db: &mut SourceDb,
    diags: &mut Vec<Diagnostic>,
    index: &mut PartialIndex,
) {
    index.places = Places {
        root: lexical(&layout.root),
        content: lexical(&layout.content),
        partials: lexical(&layout.partials),
    };
    if !layout.partials.is_dir() {
        return;
    }
    let walker = WalkDir::new(&layout.partials)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_hidden(e));
    for entry in walker.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(&layout.partials).unwrap_or(path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        if entry.path_is_symlink() && path.is_dir() {
            if !inside(path, canon) {
                index.escaping_dirs.push(rel);
            }
            continue;
        }
        if PageFormat::of(path).is_none() {
            continue;
        }
        if entry.path_is_symlink() {
            if !(inside(path, canon) && path.is_file()) {
                index.insert(&rel, PartialRef::Escaping(display_path(&layout.root, path)));
                continue;
            }
        } else if !entry.file_type().is_file() {
            let display = display_path(&layout.root, path);
            let why = if entry.file_type().is_dir() {
                "is a folder, not a file"
            } else {
                "is not a regular file"
            };
            index.insert_unusable(&rel, display, Some(why.to_owned()));
            continue;
        }
        let Some(id) = read_file(db, &layout.root, path, FileKind::Partial, diags) else {
            index.insert_unusable(&rel, display_path(&layout.root, path), None);
            continue;
        };
        index.add_file(id, &rel, db, diags);
        if let Ok(canon) = path.canonicalize() {
            index.canon.entry(canon).or_insert(id);
        }
    }
    index.prefer(layout.formats.as_deref());
}

impl PartialIndex {
    /// Adds the partial file `id`, at `rel` below `partials/`: finds where
    /// its text starts (its own front matter dropped) and makes it findable.
    fn add_file(&mut self, id: FileId, rel: &str, db: &SourceDb, diags: &mut Vec<Diagnostic>) {
        let (body, problem) = partial_body_start(&db.get(id).text);
        if let Some((at, message)) = problem {
            diags.push(
                Diagnostic::error(
                    "front-matter-invalid",
                    format!("invalid YAML in the partial's front matter: {message}"),
                )
                .at(id, at, at + 1)
                .with_help(
                    "fix the YAML, or remove the block: a partial's front matter is never included",
                ),
            );
        }
        self.body_start.insert(id, body);
        self.files.push(id);
        self.insert(rel, PartialRef::File(id));
    }

    /// An index of partials held in memory, `(path below partials/, text)`
    /// each, as [`load`] would build it from those files (for the fuzz
    /// targets and property tests; paths not ending in `.md` are skipped).
    pub(crate) fn in_memory(
        files: &[(String, String)],
        db: &mut SourceDb,
        diags: &mut Vec<Diagnostic>,
    ) -> PartialIndex {
        let mut index = PartialIndex::default();
        let mut sorted: Vec<&(String, String)> = files.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (rel, text) in sorted {
            if !rel.ends_with(".md") {
                continue;
            }
            let path = format!("partials/{rel}");
            let id = db.add(SourceFile::new(
                path.clone(),
                path.into(),
                FileKind::Partial,
                text.clone(),
            ));
            index.add_file(id, rel, db, diags);
        }
        index
    }
}

/// True when `path` resolves to somewhere below the canonical partials folder.
fn inside(path: &Path, canon: Option<&Path>) -> bool {
    match (path.canonicalize(), canon) {
        (Ok(target), Some(root)) => target.starts_with(root),
        _ => false,
    }
}

/// A partial's own front matter is dropped, but only when it really is
/// front matter: a partial may just as well open with a `---` thematic
/// break. A block that reads like YAML keys but does not parse is an error
/// (its offset and the YAML message are returned); it is dropped all the same.
fn partial_body_start(text: &str) -> (usize, Option<(usize, String)>) {
    let split = frontmatter::split(text);
    let Some(yaml) = split.yaml else {
        return (0, None);
    };
    if let Some(at) = frontmatter::too_deep(&text[yaml.clone()]) {
        let problem = format!(
            "lists or mappings are nested more than {} deep",
            frontmatter::MAX_FLOW_DEPTH
        );
        return match looks_like_keys(&text[yaml.clone()]) {
            true => (split.body_start, Some((yaml.start + at, problem))),
            false => (0, None),
        };
    }
    match serde_norway::from_str::<serde_norway::Value>(&text[yaml.clone()]) {
        Ok(serde_norway::Value::Mapping(m)) if !m.is_empty() => (split.body_start, None),
        Ok(_) => (0, None),
        Err(e) if looks_like_keys(&text[yaml.clone()]) => {
            let at = yaml.start + e.location().map_or(0, |l| l.index());
            let message = e.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            (split.body_start, Some((at, message)))
        }
        Err(_) => (0, None),
    }
}

/// True when the first non-blank line of a block starts like `key:`.
fn looks_like_keys(block: &str) -> bool {
    let Some(line) = block.lines().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let key_len: usize = line
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .map(char::len_utf8)
        .sum();
    key_len > 0 && line[key_len..].trim_start().starts_with(':')
}

/// The page name for a path relative to `content/`.
pub(crate) fn page_name(rel: &Path) -> String {
    let s = rel.to_string_lossy().replace('\\', "/");
    let stem = s
        .strip_suffix(".mdx")
        .or_else(|| s.strip_suffix(".md"))
        .unwrap_or(&s);
    if stem == "index" {
        return "index".to_owned();
    }
    stem.strip_suffix("/index").unwrap_or(stem).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_name_table() {
        let cases = [
            ("a.md", "a"),
            ("a/b.md", "a/b"),
            ("a/index.md", "a"),
            ("index.md", "index"),
            ("a/b/index.md", "a/b"),
            ("reindex.md", "reindex"),
            ("a/b.mdx", "a/b"),
            ("a/index.mdx", "a"),
            ("index.mdx", "index"),
        ];
        for (rel, name) in cases {
            assert_eq!(page_name(Path::new(rel)), name, "{rel}");
        }
    }

    #[test]
    fn escape_table() {
        let cases = [
            ("upgrade-backup", false),
            ("upgrade/backup", false),
            ("v1.2/notes", false),
            ("../secret", true),
            ("a/../../b", true),
            ("/etc/passwd", true),
            ("C:/x", true),
            ("..", true),
        ];
        for (name, expected) in cases {
            assert_eq!(escapes(name), expected, "{name}");
        }
    }

    #[test]
    fn partial_front_matter_only_when_a_mapping() {
        let cases = [
            ("---\ntitle: x\n---\nbody\n", 17),
            ("---\n\nSome text\n\n---\nmore\n", 0),
            ("no front matter\n", 0),
        ];
        for (text, start) in cases {
            assert_eq!(partial_body_start(text), (start, None), "{text:?}");
        }
        let deep = format!("---\nx: {}\n---\nBody\n", "[".repeat(100_000));
        assert_eq!(partial_body_start(&deep).1.map(|(at, _)| at), Some(7 + 64));
        let (start, problem) = partial_body_start("---\nbad: [\n---\nBody\n");
        assert_eq!(start, 15);
        assert!(problem.is_some_and(|(at, _)| at >= 4));
    }

    #[test]
    fn twins_collide_unless_a_form_is_preferred() {
        use PageFormat::{Md, Mdx};
        let paths = |list: &[&str]| list.iter().map(PathBuf::from).collect::<Vec<_>>();
        let pages = paths(&[
            "c/a.md",
            "c/a.mdx",
            "c/b.mdx",
            "c/i/index.md",
            "c/i/index.mdx",
        ]);
        let shown = |kept: Vec<(PathBuf, Option<PathBuf>)>| {
            kept.into_iter()
                .map(|(p, t)| {
                    let t = t.map_or(String::new(), |t| format!(" + {}", t.display()));
                    format!("{}{t}", p.display())
                })
                .collect::<Vec<_>>()
        };
        let cases: [(Option<&[PageFormat]>, &[&str]); 3] = [
            (
                None,
                &[
                    "c/a.md + c/a.mdx",
                    "c/b.mdx",
                    "c/i/index.md + c/i/index.mdx",
                ],
            ),
            (Some(&[Mdx, Md]), &["c/a.mdx", "c/b.mdx", "c/i/index.mdx"]),
            (Some(&[Md, Mdx]), &["c/a.md", "c/b.mdx", "c/i/index.md"]),
        ];
        for (formats, expected) in cases {
            assert_eq!(
                shown(pick_forms(pages.clone(), formats)),
                expected,
                "{formats:?}"
            );
        }
    }

    #[test]
    fn partial_twins_answer_by_the_preferred_form() {
        use PageFormat::Mdx;
        let mut db = SourceDb::default();
        let mut index = PartialIndex::default();
        let mut add = |rel: &str| {
            let id = db.add(SourceFile::new(
                format!("partials/{rel}"),
                rel.into(),
                FileKind::Partial,
                String::new(),
            ));
            index.insert(rel, PartialRef::File(id));
            id
        };
        let md = add("t/x.include.md");
        let mdx = add("t/x.include.mdx");
        let alone = add("y.mdx");
        assert_eq!(index.resolve("y", &db), Ok(alone));
        assert_eq!(index.resolve("t/x.include.mdx", &db), Ok(mdx));
        assert_eq!(index.exact_name(md), Some("t/x.include.md"));
        assert_eq!(
            index.resolve("x", &db),
            Err(ResolveError::Ambiguous(vec![
                ("partials/t/x.include.md".into(), "t/x.include.md".into()),
                ("partials/t/x.include.mdx".into(), "t/x.include.mdx".into()),
            ]))
        );
        index.prefer(Some(&[Mdx]));
        assert_eq!(index.resolve("x", &db), Ok(mdx));
        assert_eq!(index.resolve("t/x", &db), Ok(mdx));
        assert_eq!(index.resolve("t/x.include.md", &db), Ok(md));
        assert!(index.is_shadowed(md) && !index.is_shadowed(mdx));
    }

    #[test]
    fn import_paths_resolve_from_three_places_and_never_leave() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let files = [
            "src/pages/docs/guide/page.mdx",
            "src/pages/docs/guide/local.include.md",
            "src/shared/up/backup.include.md",
            "src/pages/docs/other.md",
            "outside.md",
        ];
        for f in files {
            let path = if f == "outside.md" {
                tmp.path().join(f)
            } else {
                root.join(f)
            };
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "text\n").unwrap();
        }
        let layout = Layout {
            root: root.clone(),
            content: root.join("src/pages/docs"),
            partials: root.join("src/shared"),
            out: root.join("site"),
            formats: None,
        };
        let mut db = SourceDb::default();
        let mut diags = Vec::new();
        let loaded = load(&layout, &mut db, &mut diags);
        let page = root.join("src/pages/docs/guide/page.mdx");
        let backup = loaded.partials.files[0];
        let resolve = |p: &str| loaded.partials.resolve_import(p, &page, &db);
        assert_eq!(resolve("src/shared/up/backup.include.md"), Ok(backup));
        assert_eq!(resolve("up/backup.include.md"), Ok(backup));
        assert_eq!(
            resolve("./../../../shared/up/backup.include.md"),
            Ok(backup)
        );
        assert_eq!(
            resolve("src/shared/up/bakup.include.md"),
            Err(ImportError::Missing {
                suggestions: vec!["src/shared/up/backup.include.md".into()],
                not_partial: None
            })
        );
        assert_eq!(
            resolve("./local.include.md"),
            Err(ImportError::Missing {
                suggestions: vec![],
                not_partial: Some("src/pages/docs/guide/local.include.md".into())
            })
        );
        for outside in ["../../../../../outside.md", "/etc/passwd.md"] {
            assert!(
                matches!(resolve(outside), Err(ImportError::Escape(_))),
                "{outside}"
            );
        }
    }

    #[test]
    fn index_finds_by_name_path_and_include_suffix() {
        let mut db = SourceDb::default();
        let mut index = PartialIndex::default();
        let mut add = |rel: &str, index: &mut PartialIndex| {
            let id = db.add(SourceFile::new(
                format!("partials/{rel}"),
                rel.into(),
                FileKind::Partial,
                String::new(),
            ));
            index.insert(rel, PartialRef::File(id));
            id
        };
        let a = add("upgrade/backup.include.md", &mut index);
        let b = add("x/dup.md", &mut index);
        let c = add("y/dup.include.md", &mut index);
        let _ = (b, c);
        let top = add("w.md", &mut index);
        let deep = add("deep/w.include.md", &mut index);
        assert_eq!(index.resolve("backup", &db), Ok(a));
        assert_eq!(index.resolve("backup.include", &db), Ok(a));
        assert_eq!(index.resolve("upgrade/backup", &db), Ok(a));
        assert_eq!(index.resolve("x/dup", &db), Ok(b));
        assert_eq!(index.resolve("./w", &db), Ok(top));
        assert_eq!(index.resolve("deep/w", &db), Ok(deep));
        assert_eq!(
            index.resolve("w", &db),
            Err(ResolveError::Ambiguous(vec![
                ("partials/w.md".into(), "./w".into()),
                ("partials/deep/w.include.md".into(), "deep/w".into())
            ]))
        );
        assert_eq!(
            index.resolve("dup", &db),
            Err(ResolveError::Ambiguous(vec![
                ("partials/x/dup.md".into(), "x/dup".into()),
                ("partials/y/dup.include.md".into(), "y/dup".into())
            ]))
        );
        assert_eq!(
            index.resolve("bakup", &db),
            Err(ResolveError::Missing {
                suggestions: vec!["backup".into()]
            })
        );
        assert!(matches!(
            index.resolve("../etc", &db),
            Err(ResolveError::Escape(_))
        ));
    }
}
