//! Templates: built-in minijinja templates and assets, overridden by name from the project's `templates/` folder.
//!
//! Every renderer (the site, and later the checklists) goes through one
//! [`Templates`] value. Built-in templates live in the repository's
//! `templates/` folder and are compiled into the binary; a file of the same
//! name in the project's templates folder replaces one. Files below
//! `templates/assets/` are not templates: they are copied into the site's
//! `assets/` folder as they are, and a project file there replaces the
//! built-in asset of the same name (or adds a new one, such as a logo).
//! Other files are templates when their extension is one of
//! [`TEMPLATE_EXTENSIONS`] (`.html`, `.md`, `.txt`, `.j2` …), and ignored otherwise.
//!
//! Every template, built-in or not, is added to the [`SourceDb`] so a syntax
//! or render error becomes a `template-error` diagnostic pointing at the
//! template's own file and line. Output is HTML-escaped for templates whose
//! name ends in `.html` (so front-matter text is always escaped there) and left
//! as it is for `.md` and `.txt` templates.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use serde::Serialize;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::loader::display_path;
use crate::source::{decode, FileId, FileKind, SourceDb, SourceFile};
use crate::text::escape_html as escape;

/// Built-in templates, by name.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("page.html", include_str!("../templates/page.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("redirect.html", include_str!("../templates/redirect.html")),
    (
        "checklist.html",
        include_str!("../templates/checklist.html"),
    ),
    ("checklist.md", include_str!("../templates/checklist.md")),
    ("checklist.txt", include_str!("../templates/checklist.txt")),
    ("report.md", include_str!("../templates/report.md")),
    ("report.html", include_str!("../templates/report.html")),
];

/// Built-in assets, by path below `assets/`.
const BUILTIN_ASSETS: &[(&str, &str)] = &[
    ("site.css", include_str!("../templates/assets/site.css")),
    ("site.js", include_str!("../templates/assets/site.js")),
];

/// The folder below a templates folder whose files are assets, not templates.
const ASSETS_DIR: &str = "assets";

/// Extensions of the files of a templates folder that are templates; others (a README, notes) are ignored.
const TEMPLATE_EXTENSIONS: &[&str] = &["html", "htm", "md", "txt", "xml", "json", "j2", "jinja"];

/// Most instructions one render of a template may run. The largest page
/// runsheet accepts (50,000 lines, every one a step) takes about 4 million
/// for its checklist; a template that loops for ever is stopped within a
/// second (release build) with a `template-error`.
pub(crate) const FUEL: u64 = 20_000_000;

/// The templates and assets of one build.
pub struct Templates {
    env: Environment<'static>,
    /// Template name → the file it was read from (built-ins included) and its text.
    files: BTreeMap<String, (FileId, String)>,
    /// Names the project's own folder provides.
    overridden: BTreeMap<String, FileId>,
    /// Asset path below `assets/` → bytes.
    assets: BTreeMap<String, Vec<u8>>,
    /// Load errors, reported once; a render that needs a broken template returns the first.
    broken: Vec<Diagnostic>,
    /// Templates that ran out of fuel once, with that error: later renders
    /// of them fail at once instead of burning the same fuel for every page.
    exhausted: Mutex<BTreeMap<String, Diagnostic>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("templates", &self.files.keys().collect::<Vec<_>>())
            .field("assets", &self.assets.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Templates {
    /// Loads the built-in templates and assets, then the project's own
    /// (`config.templates`, when it exists), reporting unreadable files and
    /// template syntax errors to `diags`.
    pub fn load(config: &Config, db: &mut SourceDb, diags: &mut Vec<Diagnostic>) -> Templates {
        let mut env = Environment::new();
        env.set_debug(true);
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        // a block tag's own line leaves no blank line behind, which the
        // Markdown and text templates rely on
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        // a template that loops for ever stops instead of hanging the build
        env.set_fuel(Some(FUEL));
        env.add_filter(
            "wrap",
            |text: String, width: usize, first: Option<String>, rest: Option<String>| {
                crate::text::wrap(
                    &text,
                    width,
                    first.as_deref().unwrap_or(""),
                    rest.as_deref().unwrap_or(""),
                )
            },
        );
        env.add_filter("css_string", |text: String| {
            minijinja::Value::from_safe_string(crate::text::css_string(&text))
        });
        env.add_filter("fence", |code: String| crate::text::fence_for(&code));
        env.add_filter("md_escape", |text: String| crate::text::md_escape(&text));
        env.add_filter("prefix_lines", |text: String, prefix: String| {
            crate::text::prefix_lines(&text, &prefix)
        });
        // escape the five HTML specials only (minijinja's own escaper also
        // turns `/` into `&#x2f;`, which makes every URL unreadable)
        env.set_formatter(|out, state, value| {
            if let (AutoEscape::Html, false, Some(s)) =
                (state.auto_escape(), value.is_safe(), value.as_str())
            {
                return out.write_str(&escape(s)).map_err(Error::from);
            }
            minijinja::escape_formatter(out, state, value)
        });
        let mut templates = Templates {
            env,
            files: BTreeMap::new(),
            overridden: BTreeMap::new(),
            assets: BTreeMap::new(),
            broken: Vec::new(),
            exhausted: Mutex::new(BTreeMap::new()),
        };
        for (path, text) in BUILTIN_ASSETS {
            templates
                .assets
                .insert((*path).to_owned(), text.as_bytes().to_vec());
        }
        templates.load_overrides(config, db, diags);
        for (name, source) in BUILTIN_TEMPLATES {
            templates.add_builtin(name, source, db, diags);
        }
        templates
    }

    /// Registers a built-in template (for instance `checklist.html`), unless
    /// the project's templates folder already provides one of that name.
    pub fn add_builtin(
        &mut self,
        name: &str,
        source: &str,
        db: &mut SourceDb,
        diags: &mut Vec<Diagnostic>,
    ) {
        if self.overridden.contains_key(name) {
            return;
        }
        let id = db.add(SourceFile::new(
            format!("<built-in>/{name}"),
            Path::new("<built-in>").join(name),
            FileKind::Template,
            source.to_owned(),
        ));
        self.add(name, id, db, diags);
    }

    fn add(&mut self, name: &str, id: FileId, db: &SourceDb, diags: &mut Vec<Diagnostic>) {
        let text = db.get(id).text.clone();
        self.files.insert(name.to_owned(), (id, text.clone()));
        if let Err(e) = self.env.add_template_owned(name.to_owned(), text) {
            let d = self.diagnostic(&e);
            diags.push(d.clone());
            self.broken.push(d);
        }
    }

    fn load_overrides(&mut self, config: &Config, db: &mut SourceDb, diags: &mut Vec<Diagnostic>) {
        let dir = &config.templates;
        if !dir.is_dir() {
            return;
        }
        let walker = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker.flatten() {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel.to_string_lossy().replace('\\', "/");
            let display = display_path(&config.root, entry.path());
            let bytes = match std::fs::read(entry.path()) {
                Ok(b) => b,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        "io",
                        format!("cannot read `{display}`: {e}"),
                    ));
                    continue;
                }
            };
            if let Some(asset) = rel.strip_prefix(&format!("{ASSETS_DIR}/")) {
                self.assets.insert(asset.to_owned(), bytes);
                continue;
            }
            let ext = rel.rsplit_once('.').map_or("", |(_, e)| e);
            if !TEMPLATE_EXTENSIONS.contains(&ext) {
                continue;
            }
            match decode(&bytes) {
                Ok(text) => {
                    let id = db.add(SourceFile::new(
                        display,
                        entry.path().to_owned(),
                        FileKind::Template,
                        text,
                    ));
                    self.overridden.insert(rel.clone(), id);
                    self.add(&rel, id, db, diags);
                }
                Err(offset) => diags.push(
                    Diagnostic::error(
                        "not-utf8",
                        format!("`{display}` is not valid UTF-8 (invalid byte at offset {offset})"),
                    )
                    .with_help("save the template as UTF-8"),
                ),
            }
        }
    }

    /// True when a template of that name exists.
    /// Every template's name and text and every asset's path and bytes, in
    /// order: what the build cache digests to know that the same templates
    /// render alike.
    pub(crate) fn sources(&self) -> impl Iterator<Item = &[u8]> {
        let templates = self
            .files
            .iter()
            .flat_map(|(name, (_, text))| [name.as_bytes(), text.as_bytes()]);
        let assets = self
            .assets
            .iter()
            .flat_map(|(path, bytes)| [path.as_bytes(), bytes.as_slice()]);
        templates.chain(assets)
    }

    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// The file a template was read from: the project's own file or the built-in one.
    pub fn file(&self, name: &str) -> Option<FileId> {
        self.files.get(name).map(|(id, _)| *id)
    }

    /// Renders template `name` with `context` (any serialisable value, such as
    /// `minijinja::context! { .. }`). Errors are `template-error` diagnostics
    /// pointing at the template's file and line.
    pub fn render<S: Serialize>(&self, name: &str, context: S) -> Result<String, Diagnostic> {
        if let Some(first) = self.broken.first() {
            return Err(first.clone());
        }
        if let Some(d) = self.exhausted().get(name) {
            return Err(d.clone());
        }
        let template = self
            .env
            .get_template(name)
            .map_err(|e| self.diagnostic(&e))?;
        template.render(context).map_err(|e| {
            let d = self.diagnostic(&e);
            if e.kind() == ErrorKind::OutOfFuel {
                self.exhausted().insert(name.to_owned(), d.clone());
            }
            d
        })
    }

    fn exhausted(&self) -> MutexGuard<'_, BTreeMap<String, Diagnostic>> {
        self.exhausted.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every asset, by path below `assets/`, built-in ones replaced by the project's.
    pub fn assets(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.assets.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Turns a minijinja error into a `template-error` diagnostic at the template's line.
    fn diagnostic(&self, e: &Error) -> Diagnostic {
        if e.kind() == ErrorKind::OutOfFuel {
            return self.out_of_fuel(e);
        }
        let mut message = e.kind().to_string();
        if let Some(detail) = e.detail() {
            message = format!("{message}: {detail}");
        }
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            message = format!("{message}: {inner}");
            source = inner.source();
        }
        let d = self.locate(Diagnostic::error("template-error", message), e);
        match e.name() {
            Some(name) if !self.files.contains_key(name) => d,
            Some(name) if !self.overridden.contains_key(name) => d.with_help(format!(
                "this is runsheet's built-in template; put your own `{name}` in the templates folder to replace it"
            )),
            Some(_) => d.with_help("see https://docs.rs/minijinja for the template syntax"),
            None => d,
        }
    }

    /// The `template-error` of a render stopped after [`FUEL`] instructions.
    fn out_of_fuel(&self, e: &Error) -> Diagnostic {
        let name = e.name().unwrap_or("a template");
        let d = Diagnostic::error(
            "template-error",
            format!("`{name}` ran more than {FUEL} instructions and was stopped: does it loop for ever?"),
        );
        self.locate(d, e).with_help(
            "look for a loop that never ends or runs over a huge range (`range(…)` nested in `range(…)`), or a macro that calls itself",
        )
    }

    /// Points `d` at the template file and line of `e`, when known.
    fn locate(&self, mut d: Diagnostic, e: &Error) -> Diagnostic {
        if let Some((id, text)) = e.name().and_then(|n| self.files.get(n)) {
            let (start, end) = match (e.range(), e.line()) {
                (Some(r), _) if r.end <= text.len() && r.start <= r.end => (r.start, r.end),
                (_, Some(line)) => {
                    let start = text
                        .match_indices('\n')
                        .nth(line.saturating_sub(2))
                        .filter(|_| line > 1)
                        .map_or(0, |(i, _)| i + 1);
                    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                    (start, end)
                }
                _ => (0, 0),
            };
            d = d.at(*id, start, end);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::PathBuf;

    fn config(templates: PathBuf) -> Config {
        Config {
            root: templates.parent().unwrap().to_owned(),
            content: PathBuf::new(),
            partials: PathBuf::new(),
            templates,
            out: PathBuf::new(),
            base_path: String::new(),
            strict: false,
            lists: Default::default(),
            hold_warnings: false,
            runs: PathBuf::new(),
            page_formats: None,
            site: Default::default(),
        }
    }

    #[test]
    fn overrides_win_and_errors_point_at_the_line() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("templates");
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join("page.html"), "<p>{{ page.title }}</p>\n").unwrap();
        std::fs::write(dir.join("broken.html"), "ok\n{% if %}\n").unwrap();
        std::fs::write(dir.join("assets/logo.svg"), "<svg/>").unwrap();
        let mut db = SourceDb::default();
        let mut diags = Vec::new();
        let t = Templates::load(&config(dir), &mut db, &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, "template-error");
        let label = diags[0].label.unwrap();
        let f = db.get(label.file);
        assert_eq!(f.path, "templates/broken.html");
        assert_eq!(f.line_col(label.start).0, 2);
        assert!(t.assets().any(|(p, _)| p == "logo.svg"));
        assert!(t.assets().any(|(p, _)| p == "site.css"));
        // a broken template fails every render with the same diagnostic
        let err = t.render("page.html", minijinja::context! {}).unwrap_err();
        assert_eq!(err.label, diags[0].label);
    }

    #[test]
    fn a_template_that_loops_for_ever_runs_out_of_fuel() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("templates");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("page.html"),
            "<p>Page</p>\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        )
        .unwrap();
        let mut db = SourceDb::default();
        let mut diags = Vec::new();
        let mut t = Templates::load(&config(dir), &mut db, &mut diags);
        t.env.set_fuel(Some(100_000));
        assert!(diags.is_empty(), "{diags:?}");
        let err = t.render("page.html", minijinja::context! {}).unwrap_err();
        assert_eq!(err.code, "template-error");
        assert!(
            err.message.contains("`page.html` ran more than")
                && err.message.contains("loop for ever"),
            "{}",
            err.message
        );
        let label = err.label.unwrap();
        assert_eq!(db.get(label.file).path, "templates/page.html");
        assert_eq!(db.get(label.file).line_col(label.start).0, 2);
        // the next page fails at once with the same error
        let again = t.render("page.html", minijinja::context! {}).unwrap_err();
        assert_eq!(again.label, err.label);
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let mut db = SourceDb::default();
        let mut diags = Vec::new();
        let mut t = Templates::load(&config(tmp.path().join("none")), &mut db, &mut diags);
        t.add_builtin("x.html", "{{ v }}", &mut db, &mut diags);
        t.add_builtin("x.txt", "{{ v }}\n{{ missing.attr }}", &mut db, &mut diags);
        assert!(diags.is_empty());
        let ctx = minijinja::context! { v => "<b>&" };
        assert_eq!(t.render("x.html", &ctx).unwrap(), "&lt;b&gt;&amp;");
        let err = t.render("x.txt", &ctx).unwrap_err();
        assert_eq!(err.code, "template-error");
        let label = err.label.unwrap();
        assert_eq!(db.get(label.file).path, "<built-in>/x.txt");
        assert_eq!(db.get(label.file).line_col(label.start).0, 2);
    }
}
