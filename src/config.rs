//! Settings: `runsheet.toml` in the project folder, overridden by command-line flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::source::{decode, FileKind, SourceDb, SourceFile};

/// How lists are read into procedures (`lists` in `runsheet.toml`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Reading {
    /// As the writer meant them: a list interrupted by code, a callout, an
    /// image or prose and then continued with the next number is one
    /// procedure, and the blocks between belong to the step above
    /// (`docs/procedures.md`, section 4).
    #[default]
    Writer,
    /// Exactly as CommonMark reads them: every list is its own procedure.
    Commonmark,
}

/// A form of page or partial file runsheet reads.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum PageFormat {
    /// Markdown, `*.md`: `!include <name>` partials.
    Md,
    /// MDX, `*.mdx`: `import` lines and `<Component />` tags as well.
    Mdx,
}

impl PageFormat {
    /// Every form, in the order runsheet names them.
    pub const ALL: [PageFormat; 2] = [PageFormat::Md, PageFormat::Mdx];

    /// The file extension of the form, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            PageFormat::Md => "md",
            PageFormat::Mdx => "mdx",
        }
    }

    /// The form of a file, by its extension.
    pub fn of(path: &Path) -> Option<PageFormat> {
        let ext = path.extension()?;
        PageFormat::ALL.into_iter().find(|f| ext == f.extension())
    }
}

/// The name of the optional settings file in the project folder.
pub(crate) const CONFIG_FILE: &str = "runsheet.toml";

/// `runsheet.toml` as written: every key optional, paths relative to the project folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    content: Option<PathBuf>,
    partials: Option<PathBuf>,
    templates: Option<PathBuf>,
    out: Option<PathBuf>,
    base_path: Option<String>,
    strict: Option<bool>,
    lists: Option<Reading>,
    hold_warnings: Option<bool>,
    runs: Option<PathBuf>,
    page_formats: Option<Vec<PageFormat>>,
    title: Option<String>,
    base_url: Option<String>,
    edit_url: Option<String>,
    favicon: Option<String>,
    logo: Option<String>,
    footer: Option<String>,
    last_updated: Option<bool>,
}

/// Every key `runsheet.toml` knows, in the order `runsheet init` writes them.
/// A unit test checks it against what the file parser accepts.
pub(crate) const KEYS: &[&str] = &[
    "content",
    "partials",
    "templates",
    "out",
    "runs",
    "base_path",
    "strict",
    "lists",
    "hold_warnings",
    "title",
    "base_url",
    "edit_url",
    "favicon",
    "logo",
    "footer",
    "last_updated",
    "page_formats",
];

/// Site settings given as flags (`--title`, `--base-url`, `--edit-url`); they beat the file.
#[derive(Clone, Debug, Default)]
pub struct SiteOverrides {
    pub title: Option<String>,
    pub base_url: Option<String>,
    pub edit_url: Option<String>,
}

/// What the site shows about itself, from `runsheet.toml` and the flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The site's name; `None`: the index page's title (or "Documentation").
    pub title: Option<String>,
    /// Where the site is published, ending in `/` (`https://docs.example.com/ops/`):
    /// canonical links and `sitemap.xml`.
    pub base_url: Option<String>,
    /// "Edit this page" link; `{path}` is the page's source path relative to the project folder.
    pub edit_url: Option<String>,
    /// Path of a content file (relative to the content folder) used as the favicon.
    pub favicon: Option<String>,
    /// Path of a content file (relative to the content folder) shown beside the title.
    pub logo: Option<String>,
    /// Markdown shown at the foot of every page.
    pub footer: Option<String>,
    /// Show each page's last-updated date from git.
    pub last_updated: bool,
}

impl Default for Site {
    fn default() -> Site {
        Site {
            title: None,
            base_url: None,
            edit_url: None,
            favicon: None,
            logo: None,
            footer: None,
            last_updated: true,
        }
    }
}

/// `https://x.org/docs` becomes `https://x.org/docs/`; blank becomes `None`.
pub(crate) fn normalize_base_url(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    Some(format!("{}/", t.trim_end_matches('/')))
}

/// A content path as written in settings (`/img/logo.png`, `img\logo.png`) → `img/logo.png`.
fn content_path(s: &str) -> Option<String> {
    let t = s.trim().replace('\\', "/");
    let t = t.trim_start_matches("./").trim_start_matches('/');
    (!t.is_empty()).then(|| t.to_owned())
}

/// Values given on the command line; they beat the file. Paths are relative
/// to the current directory.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub content: Option<PathBuf>,
    pub partials: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub base_path: Option<String>,
    /// `--strict` (`Some(true)`) or `--no-strict` (`Some(false)`).
    pub strict: Option<bool>,
    /// `--lists writer|commonmark`.
    pub lists: Option<Reading>,
    /// `--hold-warnings`.
    pub hold_warnings: Option<bool>,
    /// `--runs DIR`: where run journals are kept.
    pub runs: Option<PathBuf>,
    /// `--page-formats md,mdx`.
    pub page_formats: Option<Vec<PageFormat>>,
    /// `--title`, `--base-url`, `--edit-url`.
    pub site: SiteOverrides,
}

/// The settings a run uses, with every path resolved.
#[derive(Clone, Debug)]
pub struct Config {
    pub root: PathBuf,
    pub content: PathBuf,
    pub partials: PathBuf,
    pub templates: PathBuf,
    pub out: PathBuf,
    /// URL prefix under which absolute links point into the content: `""` or `/docs`.
    pub base_path: String,
    pub strict: bool,
    /// How numbered lists are read into procedures.
    pub lists: Reading,
    /// Warn (`hold-missing`) about risky steps without a hold point.
    pub hold_warnings: bool,
    /// The folder of run journals (`runsheet run`), default `<root>/runs`.
    pub runs: PathBuf,
    /// The page forms to read, preferred first where a folder holds a page
    /// in two forms; `None` (not set): `.md` and `.mdx`, and such a page is
    /// an `output-collision`.
    pub page_formats: Option<Vec<PageFormat>>,
    /// What the site shows about itself.
    pub site: Site,
}

/// `/docs/` and `docs` become `/docs`; `/` and `` become ``.
pub(crate) fn normalize_base_path(s: &str) -> String {
    let trimmed = s.trim().trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

/// Parses the text of a `runsheet.toml`; the known keys it sets, in the
/// order of [`KEYS`], or the parser's error.
#[cfg(test)]
pub(crate) fn parse_settings(text: &str) -> Result<Vec<String>, toml::de::Error> {
    toml::from_str::<FileConfig>(text)?;
    let table: toml::Table = toml::from_str(text)?;
    Ok(KEYS
        .iter()
        .filter(|k| table.contains_key(**k))
        .map(|k| (*k).to_owned())
        .collect())
}

/// A flag's text, else the file's; blank text counts as unset.
fn pick_text(flag: &Option<String>, file: Option<String>) -> Option<String> {
    flag.clone()
        .or(file)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Reads `runsheet.toml` (when present) and applies the overrides.
pub fn load(
    root: &Path,
    overrides: &Overrides,
    db: &mut SourceDb,
    diags: &mut Vec<Diagnostic>,
) -> Option<Config> {
    if !root.is_dir() {
        diags.push(
            Diagnostic::error(
                "project-invalid",
                format!("project folder `{}` does not exist", root.display()),
            )
            .with_help("pass the folder that holds `content/` with `--root DIR`"),
        );
        return None;
    }
    let path = root.join(CONFIG_FILE);
    let file = if path.is_file() {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "config-invalid",
                    format!("cannot read {CONFIG_FILE}: {e}"),
                ));
                return None;
            }
        };
        let Ok(text) = decode(&bytes) else {
            diags.push(
                Diagnostic::error("not-utf8", format!("{CONFIG_FILE} is not valid UTF-8"))
                    .with_help("save the file as UTF-8"),
            );
            return None;
        };
        let id = db.add(SourceFile::new(
            CONFIG_FILE.into(),
            path.clone(),
            FileKind::Config,
            text,
        ));
        match toml::from_str::<FileConfig>(&db.get(id).text) {
            Ok(c) => c,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                diags.push(
                    Diagnostic::error("config-invalid", e.message().to_owned())
                        .at(id, span.start, span.end)
                        .with_help(format!("known settings: {}", KEYS.join(", "))),
                );
                return None;
            }
        }
    } else {
        FileConfig::default()
    };
    let pick = |flag: &Option<PathBuf>, file: Option<PathBuf>, default: &str| match flag {
        Some(p) => p.clone(),
        None => root.join(file.unwrap_or_else(|| default.into())),
    };
    let config = Config {
        root: root.to_owned(),
        content: pick(&overrides.content, file.content, "content"),
        partials: pick(&overrides.partials, file.partials, "partials"),
        templates: pick(&overrides.templates, file.templates, "templates"),
        out: pick(&overrides.out, file.out, "site"),
        base_path: normalize_base_path(
            overrides
                .base_path
                .as_deref()
                .or(file.base_path.as_deref())
                .unwrap_or(""),
        ),
        strict: overrides.strict.or(file.strict).unwrap_or(false),
        lists: overrides.lists.or(file.lists).unwrap_or_default(),
        hold_warnings: overrides
            .hold_warnings
            .or(file.hold_warnings)
            .unwrap_or(false),
        runs: pick(&overrides.runs, file.runs, "runs"),
        page_formats: overrides
            .page_formats
            .clone()
            .or(file.page_formats)
            .map(|f| unique(&f)),
        site: Site {
            title: pick_text(&overrides.site.title, file.title),
            base_url: pick_text(&overrides.site.base_url, file.base_url)
                .and_then(|u| normalize_base_url(&u)),
            edit_url: pick_text(&overrides.site.edit_url, file.edit_url),
            favicon: file.favicon.as_deref().and_then(content_path),
            logo: file.logo.as_deref().and_then(content_path),
            footer: file.footer.filter(|f| !f.trim().is_empty()),
            last_updated: file.last_updated.unwrap_or(true),
        },
    };
    if config.page_formats.as_ref().is_some_and(Vec::is_empty) {
        let span = config_key_span(db, "page_formats");
        let mut d = Diagnostic::error("config-invalid", "`page_formats` lists no form").with_help(
            "list the page forms to read, the preferred first: `page_formats = [\"mdx\", \"md\"]`",
        );
        if let Some((id, range)) = span {
            d = d.at(id, range.start, range.end);
        }
        diags.push(d);
        return None;
    }
    if !config.content.is_dir() {
        diags.push(
            Diagnostic::error(
                "project-invalid",
                format!("no content folder at `{}`", config.content.display()),
            )
            .with_help("run runsheet in a folder holding `content/`, pass `--root DIR` or `--content DIR`, or start a project with `runsheet init`"),
        );
        return None;
    }
    if overrides.partials.is_some() && !config.partials.is_dir() {
        diags.push(
            Diagnostic::error(
                "project-invalid",
                format!("no partials folder at `{}`", config.partials.display()),
            )
            .with_help("pass the folder that holds the `!include` partials with `--partials DIR`"),
        );
        return None;
    }
    Some(config)
}

/// The formats in the order given, each once.
fn unique(formats: &[PageFormat]) -> Vec<PageFormat> {
    let mut out: Vec<PageFormat> = Vec::with_capacity(formats.len());
    for f in formats {
        if !out.contains(f) {
            out.push(*f);
        }
    }
    out
}

/// Where `key` is written in runsheet.toml, when it was read.
fn config_key_span(
    db: &SourceDb,
    key: &str,
) -> Option<(crate::source::FileId, std::ops::Range<usize>)> {
    let id = db.ids().find(|id| db.get(*id).kind == FileKind::Config)?;
    let text = &db.get(id).text;
    let at = text
        .match_indices(key)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')?;
    Some((id, at..at + key.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_table() {
        let cases = [
            ("", ""),
            ("/", ""),
            ("/docs", "/docs"),
            ("docs/", "/docs"),
            ("/a/b/", "/a/b"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_base_path(input), expected, "{input:?}");
        }
    }

    #[test]
    fn page_formats_keep_their_order_once() {
        use PageFormat::{Md, Mdx};
        let cases: [(&[PageFormat], &[PageFormat]); 3] = [
            (&[Mdx, Md], &[Mdx, Md]),
            (&[Md, Md, Mdx, Md], &[Md, Mdx]),
            (&[], &[]),
        ];
        for (given, expected) in cases {
            assert_eq!(unique(given), expected, "{given:?}");
        }
    }

    #[test]
    fn base_url_and_content_path_tables() {
        let urls = [
            ("", None),
            ("  ", None),
            ("https://x.org", Some("https://x.org/")),
            ("https://x.org/docs/", Some("https://x.org/docs/")),
            ("https://x.org/docs//", Some("https://x.org/docs/")),
        ];
        for (input, expected) in urls {
            assert_eq!(normalize_base_url(input).as_deref(), expected, "{input:?}");
        }
        let paths = [
            ("logo.png", Some("logo.png")),
            ("/img/logo.png", Some("img/logo.png")),
            ("./img/logo.png", Some("img/logo.png")),
            ("img\\logo.png", Some("img/logo.png")),
            ("", None),
        ];
        for (input, expected) in paths {
            assert_eq!(content_path(input).as_deref(), expected, "{input:?}");
        }
    }

    /// The parser's own list of known keys, read from its error for an unknown one.
    fn parser_keys() -> Vec<String> {
        let err = toml::from_str::<FileConfig>("no_such_setting = 1").unwrap_err();
        let message = err.message().to_owned();
        let list = message.split("expected one of").nth(1).unwrap_or("");
        list.split(',')
            .map(|k| k.trim().trim_matches('`').to_owned())
            .filter(|k| !k.is_empty())
            .collect()
    }

    #[test]
    fn keys_list_every_setting_the_file_accepts() {
        let mut parsed = parser_keys();
        let mut listed: Vec<String> = KEYS.iter().map(|k| (*k).to_owned()).collect();
        parsed.sort();
        listed.sort();
        assert_eq!(parsed, listed);
    }
}
