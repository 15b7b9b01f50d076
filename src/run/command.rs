//! The `run`, `report` and `verify` commands: arguments, loading the project and the journal, and exit codes.
//!
//! Exit codes: 0 ok (a run completed, a copy is current); 1 errors; 2 usage
//! errors; 3 `verify` found the copy stale; 4 a run stopped before its end
//! (`quit`, the answers ran out, a resume declined): resume it with
//! `runsheet run --resume RUN`.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::answers::{self, Input, Script, Terminal};
use super::clock::{self, Clock};
use super::journal::{self, Event, EventKind, Header, HeaderKind, Journal, Writer};
use super::session::{self, say, End, Session, State};
use super::walk::{self, Selection};
use super::{invalid, report};
use crate::config::Overrides;
use crate::diagnostic::{Diagnostic, Format, Severity};
use crate::driver::{Exit, Failed};
use crate::plan::{self, Plan};
use crate::project::Project;
use crate::source::SourceDb;

/// What every run command gets from the driver.
pub(crate) type Context = crate::driver::Session;

#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// Page name (`a/b`) or path of the page's file
    #[arg(required_unless_present = "resume")]
    pub page: Option<String>,
    /// Procedure to run: its id, the last part of its id (`overview`) or its
    /// title [default: every procedure of the page, as its checklist shows them]
    pub procedure: Option<String>,
    /// Who carries out the steps [default: git's user.name, else the login name]
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Who signs hold points (never the operator) [default: asked at each hold point]
    #[arg(long, value_name = "NAME")]
    pub approver: Option<String>,
    /// Folder of run journals [default: `runs` in runsheet.toml, else <root>/runs]
    #[arg(long, value_name = "DIR")]
    pub runs: Option<PathBuf>,
    /// Never prompt: every answer comes from --answers
    #[arg(long, requires = "answers")]
    pub no_input: bool,
    /// Read the answers one a line from FILE (`-` for stdin); see docs/run.md
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Continue the run RUN (its id, a unique start of it, or its journal file)
    #[arg(long, value_name = "RUN", conflicts_with_all = ["page", "procedure"])]
    pub resume: Option<String>,
    /// Go on without asking when the page changed since the run started
    #[arg(long)]
    pub yes: bool,
}

/// The forms of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    Md,
    Html,
    Json,
}

#[derive(Args, Debug)]
pub(crate) struct ReportArgs {
    /// The run: its id, a unique start of it, or its journal file
    pub run: String,
    /// md (to paste into a change ticket), html (to print) or json
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// Folder of run journals [default: `runs` in runsheet.toml, else <root>/runs]
    #[arg(long, value_name = "DIR")]
    pub runs: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The plan digest printed on the copy (`sha256:…`), or its first 8 or more hex digits
    pub digest: String,
    /// Output folder whose plans/ hold earlier builds [default: <root>/site]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Folder of run journals and their plan copies [default: <root>/runs]
    #[arg(long, value_name = "DIR")]
    pub runs: Option<PathBuf>,
}

/// `runsheet run`.
pub(crate) fn run(ctx: &Context, args: &RunArgs) -> Result<Exit, Failed> {
    let clock = Clock::from_env().map_err(Failed::one)?;
    let mut input: Box<dyn Input> = match (&args.answers, std::io::stdin().is_terminal()) {
        (Some(path), _) => Box::new(Script::open(path).map_err(Failed::one)?),
        (None, true) => Box::new(Terminal::default()),
        (None, false) => Box::new(Script::stdin()),
    };
    let exit = match &args.resume {
        Some(key) => resume(ctx, args, key, &clock, input.as_mut()),
        None => start(ctx, args, &clock, input.as_mut()),
    };
    ctx.report_now(input.failure().into_iter().collect());
    exit
}

fn start(
    ctx: &Context,
    args: &RunArgs,
    clock: &Clock,
    input: &mut dyn Input,
) -> Result<Exit, Failed> {
    let Some(key) = args.page.as_deref() else {
        return Err(failed("name the page to run, or --resume RUN".into()));
    };
    let (project, index) = open_page(ctx, args.runs.clone(), key)?;
    let page = &project.pages[index];
    let plan = plan::plan(&project, page, &mut Vec::new());
    let selection = match args.procedure.as_deref() {
        Some(p) => {
            let found = walk::find_procedure(&plan, p).map_err(Failed::one)?;
            Selection::Procedure(found.id.clone())
        }
        None => Selection::Page,
    };
    let items = walk::items(&plan, &selection);
    if items.iter().all(|it| it.group) {
        return Err(Failed::one(Diagnostic::error(
            "run-empty",
            format!("`{}` has no numbered steps to run", page.name),
        )));
    }
    let operator = operator(args.operator.as_deref(), &project.config.root).map_err(Failed::one)?;
    let runs = &project.config.runs;
    std::fs::create_dir_all(runs).map_err(|e| {
        failed(format!(
            "cannot create the runs folder `{}`: {e}",
            runs.display()
        ))
    })?;
    let now = clock.now();
    let id = run_id(runs, now, &page.name);
    let procedure = match &selection {
        Selection::Procedure(id) => plan.procedures.iter().find(|p| &p.id == id),
        Selection::Page => None,
    };
    let header = Header {
        kind: HeaderKind::Run,
        journal_version: journal::JOURNAL_VERSION,
        run: id.clone(),
        page: page.name.clone(),
        title: page.front.title.clone(),
        source: project.db.get(page.file).path.clone(),
        procedure: procedure.map(|p| p.id.clone()),
        procedure_title: procedure.and_then(|p| p.title.clone()),
        digest: plan.digest.clone(),
        runsheet: env!("CARGO_PKG_VERSION").into(),
        operator: operator.clone(),
        time: clock::format(now),
    };
    let path = runs.join(format!("{id}.{}", journal::EXTENSION));
    journal::write_atomic(&plan_copy(&path), &plan_copy_text(&plan)).map_err(|e| {
        failed(format!(
            "cannot write `{}`: {e}",
            plan_copy(&path).display()
        ))
    })?;
    let writer = Writer::create(&path, &header).map_err(|e| {
        failed(format!(
            "cannot create the journal `{}`: {e}",
            path.display()
        ))
    })?;
    banner(&header, &path, "started", &plan.digest);
    let session = Session {
        ctx,
        items: &items,
        state: State::default(),
        writer,
        clock,
        operator,
        approver: args.approver.clone(),
        input,
    };
    finish(session, &id)
}

fn resume(
    ctx: &Context,
    args: &RunArgs,
    key: &str,
    clock: &Clock,
    input: &mut dyn Input,
) -> Result<Exit, Failed> {
    let project = open(ctx, args.runs.clone())?;
    let journal = open_journal(ctx, &project, key)?;
    if journal.completed() {
        ctx.note(&format!(
            "run `{}` is already complete; see `runsheet report {}`",
            journal.id(),
            journal.id()
        ));
        return Ok(Exit::Ok);
    }
    let h = &journal.header;
    let Some(index) = project.page_index(&h.page) else {
        return Err(Failed::one(Diagnostic::error(
            "page-unknown",
            format!(
                "run `{}` is of page `{}`, which no longer exists",
                h.run, h.page
            ),
        )));
    };
    let page = &project.pages[index];
    let plan = plan::plan(&project, page, &mut Vec::new());
    let selection = match &h.procedure {
        Some(id) if plan.procedures.iter().any(|p| &p.id == id) => Selection::Procedure(id.clone()),
        Some(id) => {
            return Err(Failed::one(Diagnostic::error(
                "procedure-unknown",
                format!(
                    "run `{}` is of procedure `{id}`, which `{}` no longer has",
                    h.run, h.page
                ),
            )))
        }
        None => Selection::Page,
    };
    let operator = operator(args.operator.as_deref(), &project.config.root).map_err(Failed::one)?;
    let mut notes = Vec::new();
    if journal.digest() != plan.digest {
        match changed_page(ctx, &journal, &plan, &selection, args.yes, input)
            .map_err(Failed::one)?
        {
            Some(note) => notes.push(note),
            None => {
                ctx.note("not resumed; the journal is as it was");
                return Ok(Exit::Stopped);
            }
        }
        journal::write_atomic(&plan_copy(&journal.path), &plan_copy_text(&plan))
            .map_err(|e| failed(format!("cannot write the plan copy: {e}")))?;
    }
    if !journal.warnings.is_empty() {
        notes.push("a cut last line of the journal was dropped".into());
    }
    let mut writer = Writer::reopen(&journal).map_err(|e| {
        failed(format!(
            "cannot append to `{}`: {e}",
            journal.path.display()
        ))
    })?;
    let resumed = Event {
        kind: EventKind::Resumed,
        step: None,
        number: None,
        label: None,
        title: None,
        fingerprint: None,
        operator: operator.clone(),
        time: clock::format(clock.now()),
        note: (!notes.is_empty()).then(|| notes.join("; ")),
        approver: None,
        digest: Some(plan.digest.clone()),
    };
    writer
        .event(&resumed)
        .map_err(|e| failed(format!("cannot write the journal: {e}")))?;
    banner(h, &journal.path, "resumed", &plan.digest);
    let items = walk::items(&plan, &selection);
    let session = Session {
        ctx,
        items: &items,
        state: State::from_journal(&journal),
        writer,
        clock,
        operator,
        approver: args.approver.clone(),
        input,
    };
    finish(session, journal.id())
}

/// Runs the session and turns its end into the command's.
fn finish(mut session: Session<'_>, id: &str) -> Result<Exit, Failed> {
    match session.run() {
        End::Completed => {
            say(&format!(
                "\nrun `{id}` is complete; `runsheet report {id}` prints its record"
            ));
            Ok(Exit::Ok)
        }
        End::Paused => {
            say(&format!(
                "\nrun `{id}` is paused; `runsheet run --resume {id}` continues it"
            ));
            Ok(Exit::Stopped)
        }
        End::Failed(d) => Err(Failed {
            db: SourceDb::default(),
            diags: vec![d],
            note: Some(format!(
                "the journal keeps every answer so far; `runsheet run --resume {id}` continues the run"
            )),
        }),
    }
}

/// The page changed since the run's plan: shows how, and asks whether to
/// go on. `Ok(Some(note))` to go on, `Ok(None)` when declined.
fn changed_page(
    ctx: &Context,
    journal: &Journal,
    plan: &Plan,
    selection: &Selection,
    yes: bool,
    input: &mut dyn Input,
) -> Result<Option<String>, Diagnostic> {
    let mut out = format!(
        "The page has changed since this run's plan ({} → {}).\n",
        journal.digest(),
        plan.digest
    );
    // a copy of version 2 (a run started before version 3) or 3
    let old = std::fs::read_to_string(plan_copy(&journal.path))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| crate::diff::spelled_out(v).ok());
    let note = match &old {
        Some(old) => {
            let changes = relevant_changes(old, plan, selection);
            if changes.is_empty() {
                out.push_str("None of this run's steps changed.\n");
            } else {
                out.push_str(&crate::diff::render_human(&changes));
                out.push_str(&answered_changes(journal, &changes));
            }
            summary(&changes)
        }
        None => {
            out.push_str(&format!(
                "The copy of the run's plan (`{}`) is missing, so the changed steps cannot be listed.\n",
                plan_copy(&journal.path).display()
            ));
            "page changed (no plan copy to compare)".to_owned()
        }
    };
    say(&out);
    if yes {
        say("going on with the changed page (--yes)");
        return Ok(Some(note));
    }
    loop {
        let Some((line, at)) = input.line("go on with the changed page? [yes/no]> ") else {
            return Ok(None);
        };
        match answers::yes_no(&line) {
            Ok(true) => return Ok(Some(note)),
            Ok(false) => return Ok(None),
            Err(bad) => session::refuse(ctx, &*input, &at, &bad, "")?,
        }
    }
}

/// The step changes of the procedures a run covers.
fn relevant_changes(
    old: &serde_json::Value,
    plan: &Plan,
    selection: &Selection,
) -> Vec<crate::diff::Change> {
    let name = plan.page.name.clone();
    let new = plan::as_v2(plan);
    let mut covered: BTreeSet<String> = BTreeSet::new();
    if let Selection::Procedure(id) = selection {
        covered.insert(id.clone());
        for p in [old, &new] {
            let procedures = p["procedures"].as_array().into_iter().flatten();
            for proc_ in procedures.filter(|v| v["id"] == id.as_str()) {
                for step in proc_["steps"].as_array().into_iter().flatten() {
                    for linked in step["details"]["procedures"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        covered.extend(linked.as_str().map(str::to_owned));
                    }
                }
            }
        }
    }
    let olds = [(name.clone(), old.clone())].into_iter().collect();
    let news = [(name, new)].into_iter().collect();
    crate::diff::diff(&olds, &news)
        .into_iter()
        .filter(|c| {
            c.step.is_some()
                && (covered.is_empty() || c.procedure.as_ref().is_some_and(|p| covered.contains(p)))
        })
        .collect()
}

/// Steps that already have an outcome and changed since.
fn answered_changes(journal: &Journal, changes: &[crate::diff::Change]) -> String {
    let state = State::from_journal(journal);
    let answered: Vec<String> = changes
        .iter()
        .filter(|c| c.kind != crate::diff::ChangeKind::Renumbered)
        .filter_map(|c| {
            let id = c.step.as_ref()?;
            let outcome = state.outcome.get(id)?;
            Some(format!("`{id}` ({})", outcome.as_str()))
        })
        .collect();
    if answered.is_empty() {
        String::new()
    } else {
        format!(
            "Already answered before the change: {}. Use `back` to answer again.\n",
            answered.join(", ")
        )
    }
}

fn summary(changes: &[crate::diff::Change]) -> String {
    use crate::diff::ChangeKind::*;
    let n = |k| changes.iter().filter(|c| c.kind == k).count();
    format!(
        "page changed: {} step(s) changed, {} added, {} removed, {} renumbered",
        n(Changed),
        n(Added),
        n(Removed),
        n(Renumbered)
    )
}

/// `runsheet report`.
pub(crate) fn report(ctx: &Context, args: &ReportArgs) -> Result<Exit, Failed> {
    let project = open(ctx, args.runs.clone())?;
    let journal = open_journal(ctx, &project, &args.run)?;
    let copy = std::fs::read_to_string(plan_copy(&journal.path))
        .ok()
        .and_then(|t| serde_json::from_str::<Plan>(&t).ok())
        .filter(|p| p.digest == journal.digest());
    let current = project
        .page_index(&journal.header.page)
        .map(|i| plan::plan(&project, &project.pages[i], &mut Vec::new()))
        .filter(|p| p.digest == journal.digest());
    let source = match (&copy, &current) {
        (Some(p), _) => Some((p, "plan copy")),
        (None, Some(p)) => Some((p, "current plan")),
        _ => None,
    };
    let view = report::report(&journal, source);
    let text = match args.format {
        ReportFormat::Json => report::to_json(&view),
        ReportFormat::Md => render(project, "report.md", &view)?,
        ReportFormat::Html => render(project, "report.html", &view)?,
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(Exit::Ok)
}

/// A report through the project's template `name`.
fn render(project: Project, name: &str, view: &report::Report) -> Result<String, Failed> {
    project.templates.render(name, view).map_err(|d| Failed {
        db: project.db,
        diags: vec![d],
        note: None,
    })
}

/// `runsheet verify`.
pub(crate) fn verify(ctx: &Context, args: &VerifyArgs) -> Result<Exit, Failed> {
    let prefix = match super::verify::normalize(&args.digest) {
        Ok(p) => p,
        Err(d) => return Ok(ctx.usage(d)),
    };
    let mut ctx = ctx.clone();
    ctx.overrides.out = args.out.clone();
    let project = open(&ctx, args.runs.clone())?;
    let mut plans = crate::diff::Plans::new();
    for page in &project.pages {
        let plan = plan::plan(&project, page, &mut Vec::new());
        plans.insert(page.name.clone(), plan::as_v2(&plan));
    }
    let stored = super::verify::stored(&project.config.out, &project.config.runs);
    let verdict = super::verify::verify(&prefix, &plans, &stored).map_err(Failed::one)?;
    let _ = std::io::stdout()
        .lock()
        .write_all(super::verify::render(&verdict).as_bytes());
    Ok(match verdict {
        super::verify::Verdict::Current { .. } => Exit::Ok,
        super::verify::Verdict::Stale { .. } => Exit::Differences,
    })
}

/// Where the plan copy of the journal at `path` is kept: `<run>.plan.json`.
pub(crate) fn plan_copy(journal: &Path) -> PathBuf {
    journal.with_extension("plan.json")
}

/// What a plan copy holds: the plan as `runsheet plan` prints it (schema
/// version 3, expanded: sources and step text spelled out for whoever opens
/// the copy). Copies of earlier runs may be compact or version 2; all read.
fn plan_copy_text(plan: &Plan) -> String {
    plan::to_pretty_json(plan, plan::Encoding::Expanded)
}

/// A new run id: `<UTC date>-<time>-<page>`, with `-2`, `-3` … when taken.
fn run_id(runs: &Path, now: clock::Seconds, page: &str) -> String {
    let base = format!(
        "{}-{}",
        clock::compact(now),
        crate::slug::slugify(&page.replace('/', " "))
    );
    (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|id| {
            let path = runs.join(format!("{id}.{}", journal::EXTENSION));
            !path.exists() && !plan_copy(&path).exists()
        })
        .expect("some id is free")
}

/// Finds a run's journal: a path to it, `<runs>/<key>.jsonl`, or the one
/// journal of `<runs>` whose id starts with `key`.
pub(crate) fn find_run(runs: &Path, key: &str) -> Result<PathBuf, Diagnostic> {
    let as_path = Path::new(key);
    if as_path.is_file() {
        return Ok(as_path.to_owned());
    }
    let exact = runs.join(format!("{key}.{}", journal::EXTENSION));
    if exact.is_file() {
        return Ok(exact);
    }
    let mut ids: Vec<String> = std::fs::read_dir(runs)
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(&format!(".{}", journal::EXTENSION))
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    let matching: Vec<&String> = ids.iter().filter(|id| id.starts_with(key)).collect();
    match matching.as_slice() {
        [one] => Ok(runs.join(format!("{one}.{}", journal::EXTENSION))),
        [] if ids.is_empty() => Err(invalid(format!(
            "no run `{key}`: `{}` holds no run journals",
            runs.display()
        ))),
        [] => Err(invalid(format!(
            "no run `{key}` in `{}`; the latest are: {}",
            runs.display(),
            ids.iter()
                .rev()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        many => Err(invalid(format!(
            "`{key}` is the start of {} runs: {}",
            many.len(),
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Who runs the steps: `--operator`, else git's `user.name`, else the login name.
fn operator(flag: Option<&str>, root: &Path) -> Result<String, Diagnostic> {
    if let Some(name) = flag.map(str::trim).filter(|n| !n.is_empty()) {
        return Ok(name.to_owned());
    }
    let git = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["config", "user.name"])
        .output();
    if let Ok(out) = git {
        let name = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if out.status.success() && !name.is_empty() {
            return Ok(name);
        }
    }
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .ok_or_else(|| invalid("cannot tell who runs the steps: pass --operator NAME"))
}

fn banner(h: &Header, path: &Path, what: &str, digest: &str) {
    let procedure = match (&h.procedure, &h.procedure_title) {
        (Some(id), Some(title)) => format!("{title} ({id})"),
        (Some(id), None) => id.clone(),
        _ => "every procedure of the page".into(),
    };
    say(&format!(
        "run {} {what}\npage:      {} ({})\nprocedure: {procedure}\nplan:      {}\noperator:  {}\njournal:   {}\n\n{}",
        h.run,
        h.title,
        h.source,
        digest,
        h.operator,
        path.display(),
        super::session::HELP
    ));
}

/// The settings of the session with `--runs` when given.
fn with_runs(ctx: &Context, runs: Option<PathBuf>) -> Overrides {
    let mut overrides = ctx.overrides.clone();
    overrides.runs = runs.or(overrides.runs);
    overrides
}

/// Loads the project; its settings' errors stop the command (a page's own
/// errors do not: a run or report of another page goes on).
fn open(ctx: &Context, runs: Option<PathBuf>) -> Result<Project, Failed> {
    let (project, mut diags) = ctx.open_with(&with_runs(ctx, runs))?;
    diags.retain(|d| d.severity == Severity::Error && d.label.is_none());
    if diags.is_empty() {
        Ok(project)
    } else {
        Err(Failed {
            db: project.db,
            diags,
            note: None,
        })
    }
}

/// Loads the project and finds the page `key`; its errors stop the run
/// (its warnings are shown with `-v`).
fn open_page(ctx: &Context, runs: Option<PathBuf>, key: &str) -> Result<(Project, usize), Failed> {
    let (project, index, mut diags) = ctx.open_page_with(&with_runs(ctx, runs), key)?;
    if !ctx.verbose {
        diags.retain(|d| d.severity == Severity::Error);
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Err(Failed {
            db: project.db,
            diags,
            note: Some("not run: fix the errors above".into()),
        });
    }
    ctx.finish(&project.db, &mut diags, false, Format::Human);
    Ok((project, index))
}

/// Finds and reads the journal of the run `key`; a cut last line is reported
/// as a warning.
fn open_journal(ctx: &Context, project: &Project, key: &str) -> Result<Journal, Failed> {
    let journal = find_run(&project.config.runs, key)
        .and_then(|p| journal::read(&p))
        .map_err(Failed::one)?;
    ctx.report_now(journal.warnings.clone());
    Ok(journal)
}

/// A `run-invalid` failure that points into no file.
fn failed(message: String) -> Failed {
    Failed::one(invalid(message))
}
