//! The command line: the clap definitions of every command and flag, and the dispatch to `cmd::*` through the driver.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::cmd::diff::DiffFormat;
use crate::cmd::examples as ex;
use crate::config::Overrides;
use crate::diagnostic::Format;
use crate::driver::{find_root, Exit, Failed, Session};

const ABOUT: &str = "Compile Markdown procedures with !include partials into a docs site, printable checklists and JSON plans";

const LONG_ABOUT: &str = "\
runsheet reads a docs project: pages under content/ (Markdown or MDX with YAML front matter), \
partials under partials/ pulled in with `!include <name>` lines or imported by MDX pages as \
components (`<Name />`), and optional templates/. From \
that one source it builds an HTML docs site, a printable checklist of every numbered procedure \
(print-ready HTML, Markdown task list, plain text) and a JSON plan of every page for automation. \
Every problem is reported with its file, line and column, following include chains back to the \
partial where the text really is.

Start with `runsheet check`, then `runsheet build` (writes site/). Settings may also come from \
runsheet.toml in the project folder (content, partials, templates, out, base_path, strict, lists, \
page_formats); a flag beats the file. Exit codes: 0 ok, 1 errors, 2 usage errors, 3 differences (build --check, \
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
    /// Project folder holding content/, partials/ and runsheet.toml [default: the nearest
    /// folder, from the current one up, holding runsheet.toml or content/]
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
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
    /// Page forms to read, comma-separated, the preferred first where a
    /// folder holds a page in both forms (`a.md` and `a.mdx`): `md`, `mdx`,
    /// `mdx,md` [default: both, and such a page is an error]
    #[arg(
        long,
        global = true,
        value_enum,
        value_delimiter = ',',
        num_args = 1,
        value_name = "FORMS"
    )]
    page_formats: Option<Vec<crate::mdx::PageFormat>>,
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
        #[arg(short, long, value_name = "DIR")]
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
(missing, ambiguous, cycles, escapes, depth and size limits), MDX imports and components, \
callouts, unused partials, broken links and anchors, and template errors. \
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
steps with ids, numbers, title, text, Markdown, content blocks, code, notes, links, details and \
source locations. PAGE is a page name such as `a/b` (for content/a/b.md) or the path of the \
page's file. The plan is printed expanded: every source spelled out as `{file, line, column, \
included_from}` and every step with its title, text and markdown. --compact prints the compact \
encoding a build writes to plans/<page>.json instead (a `files` table, sources as `[file, line, \
column]`, derived fields left out); both are plan schema version 3, validate against `runsheet \
schema` and read back into the same plan. Problems found on that page are reported on stderr; \
an error (or an unknown page) exits 1 and prints no plan. With --strict (or `strict = true` in \
runsheet.toml) its warnings count as errors.",
        after_help = ex::PLAN
    )]
    Plan {
        /// Page name (`a/b`) or path of the page's file
        page: String,
        /// Print the compact encoding of a build's plan files instead of the expanded one
        ///
        /// The compact encoding lists the files once (`files`), writes every source as `[file,
        /// line, column]` and leaves out what a step's content says already (its markdown, a
        /// title or text that can be derived): plans/<page>.json, indented.
        #[arg(long)]
        compact: bool,
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
        format: crate::cmd::diff::DiffFormat,
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
    let session = cli.global.session(cli.command.strictness());
    if session.verbose {
        session.note(&format!("project folder: {}", session.root.display()));
    }
    let exit = match execute(&cli.command, &session) {
        Ok(exit) => exit,
        Err(failed) => session.exit(failed),
    };
    ExitCode::from(exit as u8)
}

/// Hands the command to its own function.
fn execute(command: &Command, s: &Session) -> Result<Exit, Failed> {
    use crate::cmd;
    match command {
        Command::Check { format, .. } => cmd::check::run(s, *format),
        Command::Build { out, check, .. } => cmd::build::run(s, out.clone(), *check),
        Command::Serve {
            port, host, open, ..
        } => crate::serve::run(
            s,
            &crate::serve::Options {
                host: host.clone(),
                port: *port,
                open: *open,
            },
        ),
        Command::Plan { page, compact, .. } => {
            let encoding = if *compact {
                crate::plan::Encoding::Compact
            } else {
                crate::plan::Encoding::Expanded
            };
            cmd::plan::run(s, page, encoding)
        }
        Command::Checklist { page, format, .. } => cmd::checklist::run(s, page, *format),
        Command::Diff {
            old,
            new,
            format,
            exit_code,
        } => cmd::diff::run(s, old, new, *format, *exit_code),
        Command::Schema { run } => {
            let schema = if *run {
                crate::run::journal::schema()
            } else {
                crate::plan::schema()
            };
            print!("{}", crate::plan::to_json(&schema));
            Ok(Exit::Ok)
        }
        Command::Run(args) => crate::run::command::run(s, args),
        Command::Report(args) => crate::run::command::report(s, args),
        Command::Verify(args) => crate::run::command::verify(s, args),
        Command::Init { dir } => cmd::init::run(s, dir),
        Command::Completions { shell } => cmd::completions::run(s, *shell, &mut Cli::command()),
        Command::Man => cmd::man::run(s, &Cli::command()),
    }
}

impl Command {
    /// `--strict` / `--no-strict` of the commands that take them.
    fn strictness(&self) -> Option<bool> {
        match self {
            Command::Check { strict, .. }
            | Command::Build { strict, .. }
            | Command::Serve { strict, .. }
            | Command::Plan { strict, .. }
            | Command::Checklist { strict, .. } => strict.value(),
            _ => None,
        }
    }
}

impl Global {
    fn session(&self, strict: Option<bool>) -> Session {
        let root = match &self.root {
            Some(root) => root.clone(),
            None => find_root(Path::new(".")),
        };
        let overrides = Overrides {
            content: self.content.clone(),
            partials: self.partials.clone(),
            templates: self.templates.clone(),
            out: None,
            base_path: self.base_path.clone(),
            strict,
            lists: self.lists,
            hold_warnings: self.hold_warnings.then_some(true),
            runs: None,
            page_formats: self.page_formats.clone(),
            site: self.site.overrides(),
        };
        Session::new(root, overrides, self.color(), self.quiet, self.verbose)
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
