//! The driver: the one way every command opens its project (settings, then load), applies strictness, reports problems, says what it did and turns that into an exit code.
//!
//! A command is a short function over a [`Session`]: it opens the project
//! with [`Session::open`] (or one page with [`Session::open_page`]), does its
//! work, and ends with [`Session::finish`], which promotes warnings under
//! `strict`, prints every diagnostic in the chosen form and counts the
//! errors. A command that cannot go on returns a [`Failed`] holding the
//! problems; [`Session::exit`] reports it. Nothing else prints diagnostics.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod progress;

use std::sync::Arc;

use crate::config::{self, Config, Overrides, CONFIG_FILE};
use crate::diagnostic::{self, Diagnostic, Format, Severity};
use crate::project::Project;
use crate::source::SourceDb;

/// How a command ends, as the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: done.
    Ok = 0,
    /// 1: errors were reported.
    Errors = 1,
    /// 2: the command line itself was wrong.
    Usage = 2,
    /// 3: `build --check` or `diff --exit-code` found differences, or
    /// `verify` found the copy stale.
    Differences = 3,
    /// 4: a run stopped before its end.
    Stopped = 4,
}

/// A command that could not go on: the problems that stopped it, with the
/// files they point into, and what was (not) done.
#[derive(Debug)]
pub(crate) struct Failed {
    pub db: SourceDb,
    pub diags: Vec<Diagnostic>,
    /// A closing remark for people (`nothing written: …`).
    pub note: Option<String>,
}

impl Failed {
    /// One problem that points into no file.
    pub(crate) fn one(d: Diagnostic) -> Failed {
        Failed {
            db: SourceDb::default(),
            diags: vec![d],
            note: None,
        }
    }
}

/// Everything a command needs besides its own arguments: where the project
/// is, the settings given as flags, and how to talk to people.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// The project folder (given, or found from the current folder).
    pub root: PathBuf,
    pub overrides: Overrides,
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
    started: Instant,
    stages: RefCell<Vec<(&'static str, Duration)>>,
    /// The spinner of a long command on a terminal (see [`Session::show_progress`]).
    progress: RefCell<Option<Arc<progress::Progress>>>,
}

impl Session {
    pub(crate) fn new(
        root: PathBuf,
        overrides: Overrides,
        color: bool,
        quiet: bool,
        verbose: bool,
    ) -> Self {
        Session {
            root,
            overrides,
            color,
            quiet,
            verbose,
            started: Instant::now(),
            stages: RefCell::new(Vec::new()),
            progress: RefCell::new(None),
        }
    }

    /// Shows a spinner with the current stage when the command runs for
    /// more than a second on a terminal (not with `-q`, in pipes or CI).
    /// For commands that end by themselves and ask nothing: build, check.
    pub(crate) fn show_progress(&self) {
        if !self.quiet && terminal() {
            *self.progress.borrow_mut() = Some(Arc::new(progress::Progress::start()));
        }
    }

    /// Runs one stage of a command, timing it for `-v`.
    pub(crate) fn time<T>(&self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        if let Some(p) = self.progress.borrow().as_ref() {
            p.stage(stage);
        }
        let start = Instant::now();
        let value = f();
        self.stages.borrow_mut().push((stage, start.elapsed()));
        value
    }

    /// Loads settings and every page with `overrides`; the problems found
    /// on the way come back with the project.
    pub(crate) fn open_with(
        &self,
        overrides: &Overrides,
    ) -> Result<(Project, Vec<Diagnostic>), Failed> {
        self.time("load", || load(&self.root, overrides))
    }

    /// [`Session::open_with`] the session's own settings.
    pub(crate) fn open(&self) -> Result<(Project, Vec<Diagnostic>), Failed> {
        self.open_with(&self.overrides)
    }

    /// Opens the project and finds the page `key` (a name or a file path);
    /// keeps only the problems of that page: in its own file, or reached
    /// through its own includes.
    pub(crate) fn open_page(&self, key: &str) -> Result<(Project, usize, Vec<Diagnostic>), Failed> {
        self.open_page_with(&self.overrides, key)
    }

    /// [`Session::open_page`] with other settings.
    pub(crate) fn open_page_with(
        &self,
        overrides: &Overrides,
        key: &str,
    ) -> Result<(Project, usize, Vec<Diagnostic>), Failed> {
        let (project, mut diags) = self.open_with(overrides)?;
        let Some(index) = project.page_index(key) else {
            let d = unknown_page(&project, key);
            return Err(Failed {
                db: project.db,
                diags: vec![d],
                note: None,
            });
        };
        let page = project.pages[index].file;
        diags.retain(|d| match (d.label, d.included_from.last()) {
            (None, _) => true,
            (Some(_), Some(outermost)) => outermost.file == page,
            (Some(l), None) => l.file == page,
        });
        Ok((project, index, diags))
    }

    /// Promotes warnings to errors when `strict`, prints every diagnostic in
    /// `format` and returns how many errors there were.
    pub(crate) fn finish(
        &self,
        db: &SourceDb,
        diags: &mut Vec<Diagnostic>,
        strict: bool,
        format: Format,
    ) -> usize {
        if strict {
            diagnostic::promote_warnings(diags);
        }
        self.report(db, diags, format)
    }

    /// Stops the spinner before anything else is printed.
    fn quiet_progress(&self) {
        if let Some(p) = self.progress.borrow_mut().take() {
            p.finish();
        }
    }

    /// Prints every diagnostic in the chosen form, then the count line;
    /// returns the number of errors.
    fn report(&self, db: &SourceDb, diags: &mut Vec<Diagnostic>, format: Format) -> usize {
        let (errors, warnings) = self.show(db, diags, format);
        if format == Format::Human && !self.quiet && (errors > 0 || warnings > 0) {
            eprintln!("{}", count_line(errors, warnings));
        }
        errors
    }

    /// Prints every diagnostic in the chosen form (in order, warnings left
    /// out with `-q`), without the count line: `serve` counts them in the
    /// line of each rebuild. Returns the numbers of errors and warnings.
    pub(crate) fn show(
        &self,
        db: &SourceDb,
        diags: &mut Vec<Diagnostic>,
        format: Format,
    ) -> (usize, usize) {
        self.quiet_progress();
        diagnostic::normalize(diags, db);
        let mut stdout = std::io::stdout().lock();
        let mut stderr = std::io::stderr().lock();
        for d in diags.iter() {
            let _ = match format {
                Format::Human if self.quiet && d.severity == Severity::Warning => Ok(()),
                Format::Human => {
                    stderr.write_all(diagnostic::render_human(d, db, self.color).as_bytes())
                }
                Format::Json => stdout.write_all(diagnostic::render_json(d, db).as_bytes()),
                Format::Github => stdout.write_all(diagnostic::render_github(d, db).as_bytes()),
            };
        }
        diagnostic::summary(diags)
    }

    /// Reports a failure and returns [`Exit::Errors`].
    pub(crate) fn exit(&self, failed: Failed) -> Exit {
        let Failed {
            db,
            mut diags,
            note,
        } = failed;
        self.report(&db, &mut diags, Format::Human);
        if let Some(note) = note {
            eprintln!("{note}");
        }
        Exit::Errors
    }

    /// A mistake in the command line that clap cannot see (a value of the
    /// wrong form): reports it and returns [`Exit::Usage`].
    pub(crate) fn usage(&self, d: Diagnostic) -> Exit {
        self.report(&SourceDb::default(), &mut vec![d], Format::Human);
        Exit::Usage
    }

    /// Problems that do not stop the command (a journal's cut last line, an
    /// answers file that could not be read to its end), reported as they come.
    pub(crate) fn report_now(&self, mut diags: Vec<Diagnostic>) {
        if !diags.is_empty() {
            self.report(&SourceDb::default(), &mut diags, Format::Human);
        }
    }

    /// A remark for people on stderr, unless `-q`.
    pub(crate) fn note(&self, message: &str) {
        self.quiet_progress();
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    /// A line for the person answering an interactive command (why an
    /// answer was refused) on stderr, even with `-q`: they are waiting for it.
    pub(crate) fn tell(&self, message: &str) {
        self.quiet_progress();
        eprintln!("{message}");
    }

    /// Writes a command's product to stdout; a reader that went away (a
    /// closed pipe) is no failure, any other write error is (`what` names
    /// the product: `the manual page`).
    pub(crate) fn print(&self, bytes: &[u8], what: &str) -> Result<Exit, Failed> {
        match std::io::stdout().lock().write_all(bytes) {
            Ok(()) => Ok(Exit::Ok),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
            Err(e) => Err(Failed::one(Diagnostic::error(
                "io",
                format!("cannot write {what}: {e}"),
            ))),
        }
    }

    /// The command's one summary line on stderr (`Built 2 pages … in 84 ms
    /// → site/ (0 warnings)`), unless `-q`; with `-v`, the time of each stage.
    pub(crate) fn summary(&self, what: &str, diags: &[Diagnostic]) {
        self.quiet_progress();
        if self.quiet {
            return;
        }
        let ms = self.started.elapsed().as_millis();
        let (errors, warnings) = diagnostic::summary(diags);
        let counts = match errors {
            0 => count(warnings, "warning"),
            _ => format!("{}, {}", count(errors, "error"), count(warnings, "warning")),
        };
        eprintln!("{what} in {ms} ms ({counts})");
        if self.verbose {
            for (stage, took) in self.stages.borrow().iter() {
                eprintln!("  {stage:<10} {:>6} ms", took.as_millis());
            }
        }
    }
}

/// Stderr is a terminal and this is no CI job.
fn terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// Loads the settings of the project at `root` (with `overrides`) and
/// every page: the one way a project is opened, for commands and `serve`.
pub(crate) fn load(
    root: &Path,
    overrides: &Overrides,
) -> Result<(Project, Vec<Diagnostic>), Failed> {
    let (config, db, mut diags) = settings(root, overrides)?;
    let project = Project::load(config, db, &mut diags);
    Ok((project, diags))
}

/// Reads the settings of the project at `root` (with `overrides`), with
/// the problems found; the first half of [`load`], for `build`, which
/// opens its output folder before it reads the pages.
pub(crate) fn settings(
    root: &Path,
    overrides: &Overrides,
) -> Result<(Config, SourceDb, Vec<Diagnostic>), Failed> {
    let mut diags = Vec::new();
    let mut db = SourceDb::default();
    match config::load(root, overrides, &mut db, &mut diags) {
        Some(config) => Ok((config, db, diags)),
        None => Err(Failed {
            db,
            diags,
            note: None,
        }),
    }
}

/// The project folder when `--root` is not given: the nearest folder, from
/// `start` up, holding `runsheet.toml` or `content/`; `start` itself when
/// there is none (the error then names it).
pub(crate) fn find_root(start: &Path) -> PathBuf {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file() || dir.join("content").is_dir())
        .map_or(start.clone(), Path::to_path_buf)
}

fn unknown_page(project: &Project, key: &str) -> Diagnostic {
    let suggestions = project.suggest_pages(key);
    let help = if suggestions.is_empty() {
        "a page is named after its file under the content folder: `a/b` for `content/a/b.md`"
            .to_owned()
    } else {
        let names: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        format!("did you mean {}?", names.join(" or "))
    };
    Diagnostic::error("page-unknown", format!("no page named `{key}`")).with_help(help)
}

fn count_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => format!("warning: {} emitted", plural(w, "warning")),
        (e, 0) => format!("error: {} found", plural(e, "error")),
        (e, w) => format!(
            "error: {} and {} found",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}

/// `n word` with the word in the plural unless `n` is 1.
pub(crate) fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_from_a_subfolder() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("docs");
        std::fs::create_dir_all(root.join("content/a/b")).unwrap();
        let found = find_root(&root.join("content/a/b"));
        assert_eq!(found, root);
        std::fs::write(tmp.path().join(CONFIG_FILE), "").unwrap();
        let other = tmp.path().join("other");
        std::fs::create_dir(&other).unwrap();
        assert_eq!(find_root(&other), tmp.path());
    }

    #[test]
    fn count_table() {
        assert_eq!(count(1, "page"), "1 page");
        assert_eq!(count(2, "page"), "2 pages");
        assert_eq!(count_line(0, 2), "warning: 2 warnings emitted");
        assert_eq!(count_line(1, 1), "error: 1 error and 1 warning found");
    }
}
