//! The command line: argument parsing, running a command and turning its outcome into an exit code.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::cmd::examples as ex;
use crate::config::{self, Overrides};
use crate::diagnostic::{self, Diagnostic, Format, Severity};
use crate::project::Project;
use crate::source::SourceDb;
use crate::templates::Templates;

const ABOUT: &str = "Compile Markdown procedures with !include partials into a docs site, printable checklists and JSON plans";

const LONG_ABOUT: &str = "\
runsheet reads a docs project: pages under content/ (Markdown with YAML front matter), \
partials under partials/ pulled in with `!include <name>` lines, and optional templates/. From \
that one source it builds an HTML docs site, a printable checklist of every numbered procedure \
(print-ready HTML, Markdown task list, plain text) and a JSON plan of every page for automation. \
Every problem is reported with its file, line and column, following include chains back to the \
partial where the text really is.

Start with `runsheet check`, then `runsheet build` (writes site/). Settings may also come from \
runsheet.toml in the project folder (content, partials, templates, out, base_path, strict); a \
flag beats the file. Exit codes: 0 ok, 1 errors, 2 usage errors, 3 differences (build --check, \
diff --exit-code).";

#[derive(Parser, Debug)]
#[command(name = "runsheet", version, about = ABOUT, long_about = LONG_ABOUT, after_help = ex::TOP)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct Global {
    /// Project folder holding content/, partials/ and runsheet.toml
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Folder of pages [default: <root>/content]
    #[arg(long, global = true, value_name = "DIR")]
    content: Option<PathBuf>,
    /// Folder of `!include` partials [default: <root>/partials]
    #[arg(long, global = true, value_name = "DIR")]
    partials: Option<PathBuf>,
    /// Folder of templates overriding the built-in ones [default: <root>/templates]
    #[arg(long, global = true, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// URL prefix under which absolute links point into the content, e.g. /docs
    #[arg(long, global = true, value_name = "PREFIX")]
    base_path: Option<String>,
    /// Print errors only: no warnings, no summary
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print what was checked or written
    #[arg(short, long, global = true)]
    verbose: bool,
    /// How numbered lists become procedures: `writer` joins a list the
    /// writer continued after code, a callout, an image or prose (the
    /// default); `commonmark` reads every list exactly as CommonMark does
    #[arg(long, global = true, value_enum, value_name = "READING")]
    lists: Option<crate::procedure::Reading>,
    /// Warn (`hold-missing`) about steps that delete, drop or downgrade
    /// without a hold point at or before them (`hold_warnings` in runsheet.toml)
    #[arg(long, global = true)]
    hold_warnings: bool,
    /// When to colour messages (NO_COLOR in the environment also turns colour off)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    site: crate::cmd::site_flags::SiteFlags,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--strict` / `--no-strict`: beat `strict` in runsheet.toml either way.
#[derive(Args, Clone, Copy, Debug)]
struct Strictness {
    /// Treat warnings as errors
    #[arg(long)]
    strict: bool,
    /// Treat warnings as warnings, even with `strict = true` in runsheet.toml
    #[arg(long, overrides_with = "strict")]
    no_strict: bool,
}

impl Strictness {
    /// `None` when neither flag was given: runsheet.toml decides.
    fn value(self) -> Option<bool> {
        match (self.strict, self.no_strict) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Human,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile every page into the site, checklists and plans
    #[command(
        long_about = "Compile every page into the output folder (default site/): the HTML \
site, printable checklists and JSON plans. Nothing is written when there is an error, and the \
previous output stays as it was. With --check nothing is written either: the command fails with \
exit code 3 and prints a unified diff when the folder differs from what a build would write.",
        after_help = ex::BUILD
    )]
    Build {
        /// Output folder [default: <root>/site]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write nothing; exit 3 with a diff if the output folder is out of date
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        strict: Strictness,
    },
    /// Report every problem in the project; writes nothing
    #[command(
        long_about = "Report every problem in the project: front matter, includes \
(missing, ambiguous, cycles, escapes, depth and size limits), callouts, unused partials, \
broken links and anchors, and template errors. \
Writes nothing. Exits 0 when there is no error, 1 otherwise.",
        after_help = ex::CHECK
    )]
    Check {
        /// Output form: human (stderr), json (one object a line on stdout) or github (Actions annotations on stdout)
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        strict: Strictness,
    },
    /// Build the site, serve it on 127.0.0.1 and rebuild on every change
    #[command(
        long_about = "Build the site into memory and serve it on http://127.0.0.1:PORT/ \
(--host to listen elsewhere, which makes the site visible on the network; --port 0 for any \
free port; --open to open it in the browser). Changes to the content, partials and templates folders and to runsheet.toml trigger a rebuild, \
and open pages reload by themselves. A failed build keeps the server running: pages show the \
errors (so does the terminal) until they are fixed. Nothing is written to disk.",
        after_help = ex::SERVE
    )]
    Serve {
        /// Port to listen on (0: any free port, printed)
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Address to listen on; anything but 127.0.0.1 or localhost makes the site visible on the network
        #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
        host: String,
        /// Open the site in the browser once it is served
        #[arg(long)]
        open: bool,
        #[command(flatten)]
        strict: Strictness,
    },
    /// Print a page's JSON plan on stdout
    #[command(
        long_about = "Print the JSON plan of one page on stdout: its numbered procedures as \
steps with ids, numbers, text, code, notes, links, details and source locations. PAGE is a page \
name such as `a/b` (for content/a/b.md) or the path of the page's file. Problems found on that \
page are reported on stderr; an error (or an unknown page) exits 1 and prints no plan. With \
--strict (or `strict = true` in runsheet.toml) its warnings count as errors.",
        after_help = ex::PLAN
    )]
    Plan {
        /// Page name (`a/b`) or path of the page's file
        page: String,
        #[command(flatten)]
        strict: Strictness,
    },
    /// Print a page's printable checklist on stdout
    #[command(
        long_about = "Print the checklist of one page on stdout: every numbered procedure as \
steps to tick, substeps indented, notes and code kept with their step, and steps that link to a \
later section carrying that section's steps. --format html is the print-ready page (A4 and \
Letter), md a GitHub task list to paste into a change ticket, text plain `[ ] 1.` lines wrapped \
at 80 columns. The revision in the header is the last commit touching the project's inputs, or \
RUNSHEET_REVISION. Problems found on that page are reported on stderr; an error exits 1 and \
prints no checklist. With --strict (or `strict = true` in runsheet.toml) its warnings count as \
errors.",
        after_help = ex::CHECKLIST
    )]
    Checklist {
        /// Page name (`a/b`) or path of the page's file
        page: String,
        /// Which form to print
        #[arg(long, value_enum, default_value_t = crate::checklist::Format::Text)]
        format: crate::checklist::Format,
        #[command(flatten)]
        strict: Strictness,
    },
    /// Show step-level changes between two revisions of the plans
    #[command(
        long_about = "Show what changed, step by step, between two revisions of the plans. OLD \
and NEW are each a plan file, a built output folder (holding plans/), a project folder (holding \
content/), or a git revision of the project at --root (HEAD~3, a tag, a branch). Procedures and \
steps are matched by their stable ids: a step is added, removed, changed (with the fields that \
changed) or only renumbered. A project folder or revision is read with its own runsheet.toml; \
--content and --partials do not apply to it.\n\nExit codes: 0, or 3 with --exit-code when the \
plans differ; 1 when a side cannot be read.",
        after_help = ex::DIFF
    )]
    Diff {
        /// The earlier revision
        old: String,
        /// The later revision
        new: String,
        /// human (a line per change, old and new text) or json (`{"changes": [...]}`)
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// Exit 3 when there are changes
        #[arg(long)]
        exit_code: bool,
    },
    /// Print the JSON Schema (draft 2020-12) of a plan (or of a run journal's lines) on stdout
    #[command(after_help = ex::SCHEMA)]
    Schema {
        /// The schema of a run journal's lines instead of a plan's
        #[arg(long)]
        run: bool,
    },
    /// Walk through a procedure step by step, recording every answer in a run journal
    #[command(long_about = RUN_ABOUT, after_help = ex::RUN)]
    Run(crate::run::command::RunArgs),
    /// Print the record of a run (every step's outcome, who, when, holds) for a change ticket
    #[command(
        long_about = "Print the record of a run from its journal: every step with its outcome \
(done, skipped, failed or open), who recorded it and when, notes, hold points with their \
approvers, the total duration and the plan digest the run went against. --format md is ready to \
paste into a change ticket, html prints like the checklists, json is for tools. RUN is a run id, \
a unique start of one, or a journal file.",
        after_help = ex::REPORT
    )]
    Report(crate::run::command::ReportArgs),
    /// Say whether a printed copy (by its plan digest) is still current, and what changed since
    #[command(
        long_about = "Say whether a printed checklist is still current. DIGEST is the plan \
digest printed at the top of the copy (`sha256:…`) or its first 8 or more hex digits. It is \
looked up among the plans of the current build, the plans in the output folder (an earlier \
build) and the plan copies beside run journals. Exit 0 when the copy is current; 3 when it is \
stale, listing the steps changed since with their old and new fingerprints; 1 when no plan has \
that digest.",
        after_help = ex::VERIFY
    )]
    Verify(crate::run::command::VerifyArgs),
    /// Start a project: settings, a home page and an example procedure
    #[command(
        long_about = "Write a small working project into DIR (default: the current folder): \
runsheet.toml listing every setting with its default, content/index.md, an example procedure \
page with a callout and an `!include`d partial, and a .gitignore for site/ and runs/. Nothing is \
overwritten: when any of these files exists, they are named, nothing is written and the exit \
code is 1. `runsheet build` and `runsheet check --strict` work there at once.",
        after_help = ex::INIT
    )]
    Init {
        /// Folder to write the project into (made when missing)
        #[arg(value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Print a shell completion script on stdout
    #[command(after_help = ex::COMPLETIONS)]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout
    #[command(after_help = ex::MAN)]
    Man,
}

const RUN_ABOUT: &str = "\
Walk an operator through a procedure in the terminal: each step is shown whole (paragraphs, code, \
notes, substeps), and answered `done`, `skip REASON`, `fail NOTE` or with a `note TEXT`; `back` \
reopens the step before, `quit` pauses the run. An overview step whose details link to a later \
section walks into that section's steps. A hold point (a `:::hold` callout, or a step starting \
`Hold:`) stops the run until someone other than the operator signs it (`approve NAME`, or \
--approver). Every answer is appended to the run's journal (runs/<run>.jsonl, flushed to disk \
before the next prompt), so a killed terminal loses nothing: `--resume RUN` continues, and says \
which steps changed if the page did. `--no-input --answers FILE` reads the answers one a line \
(docs/run.md). Exit codes: 0 the run is complete, 1 errors, 4 the run stopped before its end.";

/// Runs runsheet with the given arguments and returns the process exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let code = match &cli.command {
        Command::Check { format, strict } => check(&cli.global, *format, strict.value()),
        Command::Build { out, check, strict } => {
            build(&cli.global, out.clone(), *check, strict.value())
        }
        Command::Serve {
            port,
            host,
            open,
            strict,
        } => crate::serve::run(&crate::serve::Options {
            root: cli.global.root.clone(),
            overrides: cli.global.overrides(strict.value()),
            host: host.clone(),
            port: *port,
            open: *open,
            color: cli.global.color(),
            quiet: cli.global.quiet,
        }),
        Command::Plan { page, strict } => plan(&cli.global, page, strict.value()),
        Command::Diff {
            old,
            new,
            format,
            exit_code,
        } => diff(&cli.global, old, new, *format, *exit_code),
        Command::Checklist {
            page,
            format,
            strict,
        } => checklist(&cli.global, page, *format, strict.value()),
        Command::Schema { run } => {
            let schema = if *run {
                crate::run::journal::schema()
            } else {
                crate::plan::schema()
            };
            print!("{}", crate::plan::to_json(&schema));
            0
        }
        Command::Run(args) => crate::run::command::run(&cli.global.context(), args),
        Command::Report(args) => crate::run::command::report(&cli.global.context(), args),
        Command::Verify(args) => crate::run::command::verify(&cli.global.context(), args),
        Command::Init { dir } => crate::cmd::init::run(dir, cli.global.color(), cli.global.quiet),
        Command::Completions { shell } => crate::cmd::completions::run(*shell, &mut Cli::command()),
        Command::Man => crate::cmd::man::run(&Cli::command()),
    };
    ExitCode::from(code)
}

impl Global {
    fn overrides(&self, strict: Option<bool>) -> Overrides {
        self.overrides_with_out(None, strict)
    }

    fn overrides_with_out(&self, out: Option<PathBuf>, strict: Option<bool>) -> Overrides {
        Overrides {
            content: self.content.clone(),
            partials: self.partials.clone(),
            templates: self.templates.clone(),
            out,
            base_path: self.base_path.clone(),
            strict,
            lists: self.lists,
            hold_warnings: self.hold_warnings.then_some(true),
            runs: None,
            site: self.site.overrides(),
        }
    }

    fn context(&self) -> crate::run::command::Context {
        crate::run::command::Context {
            root: self.root.clone(),
            overrides: self.overrides(None),
            color: self.color(),
            quiet: self.quiet,
            verbose: self.verbose,
        }
    }

    fn color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

/// Loads the project; `None` (with diagnostics) when the settings are unusable.
fn open(
    g: &Global,
    overrides: &Overrides,
    diags: &mut Vec<Diagnostic>,
) -> Result<Project, SourceDb> {
    let mut db = SourceDb::default();
    match config::load(&g.root, overrides, &mut db, diags) {
        Some(config) => Ok(Project::load(config, db, diags)),
        None => Err(db),
    }
}

fn check(g: &Global, format: Format, strict: Option<bool>) -> u8 {
    let mut diags = Vec::new();
    let overrides = g.overrides(strict);
    let (db, pages, strict) = match open(g, &overrides, &mut diags) {
        Ok(mut p) => {
            // rendering finds what only rendering can: broken links, template errors
            let _ = crate::build::render(&mut p, &mut diags);
            let strict = p.config.strict;
            (p.db, p.pages.len(), strict)
        }
        Err(db) => (db, 0, strict.unwrap_or(false)),
    };
    if strict {
        diagnostic::promote_warnings(&mut diags);
    }
    let errors = report(g, &db, &mut diags, format);
    if g.verbose {
        eprintln!("checked {pages} page(s)");
    }
    u8::from(errors > 0)
}

fn build(g: &Global, out: Option<PathBuf>, check_only: bool, strict: Option<bool>) -> u8 {
    let mut diags = Vec::new();
    let overrides = g.overrides_with_out(out, strict);
    let mut project = match open(g, &overrides, &mut diags) {
        Ok(p) => p,
        Err(db) => {
            report(g, &db, &mut diags, Format::Human);
            return 1;
        }
    };
    // an output folder that would put the sources at risk is refused before
    // anything is rendered, read from it or written
    let guard = crate::output::Guard::new(&project.config);
    if let Err(d) = guard.check(&project.config.out) {
        report(g, &project.db, &mut vec![d], Format::Human);
        eprintln!("nothing written");
        return 1;
    }
    let files = crate::build::render(&mut project, &mut diags);
    if project.config.strict {
        diagnostic::promote_warnings(&mut diags);
    }
    if report(g, &project.db, &mut diags, Format::Human) > 0 {
        eprintln!("nothing written: fix the errors above");
        return 1;
    }
    let out = &project.config.out;
    if check_only {
        return match crate::output::diff(out, &files) {
            None => {
                if !g.quiet {
                    eprintln!("`{}` is up to date", out.display());
                }
                0
            }
            Some(diff) => {
                let _ = std::io::stdout().lock().write_all(diff.as_bytes());
                eprintln!("`{}` differs from what a build would write", out.display());
                3
            }
        };
    }
    match crate::output::write(out, &files, &guard) {
        Ok(()) => {
            if !g.quiet {
                eprintln!(
                    "built {} page(s) into `{}` ({} files)",
                    project.pages.len(),
                    out.display(),
                    files.len()
                );
            }
            0
        }
        Err(d) => {
            let mut diags = vec![d];
            report(g, &project.db, &mut diags, Format::Human);
            1
        }
    }
}

/// Loads the project and finds the page `key`; keeps only the diagnostics of
/// that page (its own file and the partials it uses). `Err` holds the exit code.
fn open_page(
    g: &Global,
    key: &str,
    strict: Option<bool>,
) -> Result<(Project, usize, Vec<Diagnostic>), u8> {
    let mut diags = Vec::new();
    let project = match open(g, &g.overrides(strict), &mut diags) {
        Ok(p) => p,
        Err(db) => {
            report(g, &db, &mut diags, Format::Human);
            return Err(1);
        }
    };
    let Some(index) = project.page_index(key) else {
        let mut unknown = vec![unknown_page(&project, key)];
        report(g, &project.db, &mut unknown, Format::Human);
        return Err(1);
    };
    // only this page's problems: in its own text, or reached through its own includes
    let page = &project.pages[index];
    diags.retain(|d| match (d.label, d.included_from.last()) {
        (None, _) => true,
        (Some(_), Some(outermost)) => outermost.file == page.file,
        (Some(l), None) => l.file == page.file,
    });
    Ok((project, index, diags))
}

fn plan(g: &Global, key: &str, strict: Option<bool>) -> u8 {
    let (project, index, mut diags) = match open_page(g, key, strict) {
        Ok(found) => found,
        Err(code) => return code,
    };
    crate::site::check_links(&project, &project.pages[index], &mut diags);
    let plan = crate::plan::plan(&project, &project.pages[index], &mut diags);
    if project.config.strict {
        diagnostic::promote_warnings(&mut diags);
    }
    if report(g, &project.db, &mut diags, Format::Human) > 0 {
        eprintln!("no plan printed: fix the errors above");
        return 1;
    }
    let _ = std::io::stdout()
        .lock()
        .write_all(crate::plan::to_json(&plan).as_bytes());
    0
}

fn checklist(g: &Global, key: &str, format: crate::checklist::Format, strict: Option<bool>) -> u8 {
    let (mut project, index, mut diags) = match open_page(g, key, strict) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let templates = Templates::load(&project.config, &mut project.db, &mut diags);
    let page = &project.pages[index];
    crate::site::check_links(&project, page, &mut diags);
    let plan = crate::plan::plan(&project, page, &mut diags);
    if plan.procedures.is_empty() {
        diags.push(
            Diagnostic::error(
                "checklist-empty",
                format!(
                    "`{}` has no numbered procedure, so it has no checklist",
                    page.name
                ),
            )
            .at(page.file, 0, 0)
            .with_help("a checklist is made of the page's numbered lists (`1.` items)"),
        );
    }
    if project.config.strict {
        diagnostic::promote_warnings(&mut diags);
    }
    if report(g, &project.db, &mut diags, Format::Human) > 0 {
        eprintln!("no checklist printed: fix the errors above");
        return 1;
    }
    match crate::checklist::render_one(&project, page, &plan, &templates, format) {
        Ok(text) => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            0
        }
        Err(d) => {
            report(g, &project.db, &mut vec![d], Format::Human);
            1
        }
    }
}

fn diff(g: &Global, old: &str, new: &str, format: DiffFormat, exit_code: bool) -> u8 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let scratch =
        std::env::temp_dir().join(format!("runsheet-diff-{}-{nanos}", std::process::id()));
    let result = diff_sides(g, old, new, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let (old_plans, new_plans) = match result {
        Ok(sides) => sides,
        Err(code) => return code,
    };
    let changes = crate::diff::diff(&old_plans, &new_plans);
    let text = match format {
        DiffFormat::Human => crate::diff::render_human(&changes),
        DiffFormat::Json => crate::diff::render_json(&changes),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if changes.is_empty() && format == DiffFormat::Human && !g.quiet {
        eprintln!("no step-level changes between `{old}` and `{new}`");
    }
    if exit_code && !changes.is_empty() {
        3
    } else {
        0
    }
}

fn diff_sides(
    g: &Global,
    old: &str,
    new: &str,
    scratch: &std::path::Path,
) -> Result<(crate::diff::Plans, crate::diff::Plans), u8> {
    let mut old_plans = diff_side(g, old, &scratch.join("old"))?;
    let mut new_plans = diff_side(g, new, &scratch.join("new"))?;
    // a single plan file against a folder: compare that page only
    use crate::diff::{classify, Side};
    if matches!(classify(old), Side::PlanFile(_)) {
        new_plans.retain(|name, _| old_plans.contains_key(name));
    }
    if matches!(classify(new), Side::PlanFile(_)) {
        old_plans.retain(|name, _| new_plans.contains_key(name));
    }
    Ok((old_plans, new_plans))
}

/// The plans of one side of a diff, by page name.
fn diff_side(g: &Global, arg: &str, scratch: &std::path::Path) -> Result<crate::diff::Plans, u8> {
    use crate::diff::{self, Side};
    let fail = |message: String| {
        let mut diags = vec![Diagnostic::error("diff-input", message).with_help(
            "give a plan file, an output folder with plans/, a project folder, or a git revision",
        )];
        report(g, &SourceDb::default(), &mut diags, Format::Human);
        1
    };
    let root = match diff::classify(arg) {
        Side::PlanFile(path) => return diff::read_plan_file(&path).map_err(fail),
        Side::Site(dir) => return diff::read_site(&dir).map_err(fail),
        Side::Project(dir) => dir,
        Side::Revision(rev) => {
            std::fs::create_dir_all(scratch).map_err(|e| fail(e.to_string()))?;
            let root = diff::checkout_revision(&g.root, &rev, scratch).map_err(fail)?;
            // a revision from before the project existed has no pages yet
            if !root.join("content").is_dir() && !root.join(config::CONFIG_FILE).is_file() {
                return Ok(diff::Plans::new());
            }
            root
        }
    };
    let overrides = Overrides {
        base_path: g.base_path.clone(),
        ..Overrides::default()
    };
    let mut diags = Vec::new();
    let mut db = SourceDb::default();
    let Some(config) = config::load(&root, &overrides, &mut db, &mut diags) else {
        report(g, &db, &mut diags, Format::Human);
        return Err(1);
    };
    let project = Project::load(config, db, &mut diags);
    let mut plans = diff::Plans::new();
    for page in &project.pages {
        let plan = crate::plan::plan(&project, page, &mut diags);
        let value = serde_json::to_value(&plan).expect("plans serialise");
        plans.insert(page.name.clone(), value);
    }
    if report(g, &project.db, &mut diags, Format::Human) > 0 {
        eprintln!("cannot compare `{arg}`: fix the errors above");
        return Err(1);
    }
    Ok(plans)
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

/// Prints every diagnostic in the chosen form; returns the number of errors.
fn report(g: &Global, db: &SourceDb, diags: &mut Vec<Diagnostic>, format: Format) -> usize {
    diagnostic::normalize(diags, db);
    let (errors, warnings) = diagnostic::summary(diags);
    let color = g.color();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    for d in diags.iter() {
        let _ = match format {
            Format::Human if g.quiet && d.severity == Severity::Warning => Ok(()),
            Format::Human => stderr.write_all(diagnostic::render_human(d, db, color).as_bytes()),
            Format::Json => stdout.write_all(diagnostic::render_json(d, db).as_bytes()),
            Format::Github => stdout.write_all(diagnostic::render_github(d, db).as_bytes()),
        };
    }
    if format == Format::Human && !g.quiet && (errors > 0 || warnings > 0) {
        let _ = writeln!(stderr, "{}", summary_line(errors, warnings));
    }
    errors
}

fn summary_line(errors: usize, warnings: usize) -> String {
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
