//! `runsheet diff OLD NEW`: step-level changes between two plan files, output folders, project folders or git revisions.

use std::io::Write;
use std::path::Path;

use crate::config::{self, Overrides};
use crate::diagnostic::Format;
use crate::diff::{self, Plans, Side};
use crate::driver::{Exit, Failed, Session};
use crate::project::Project;
use crate::source::SourceDb;

/// How `diff` prints its changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiffFormat {
    /// A line per change, old and new text.
    Human,
    /// `{"changes": [...]}`.
    Json,
}

pub(crate) fn run(
    s: &Session,
    old: &str,
    new: &str,
    format: DiffFormat,
    exit_code: bool,
) -> Result<Exit, Failed> {
    let scratch = tempfile::Builder::new()
        .prefix("runsheet-diff-")
        .tempdir()
        .map_err(|e| {
            Failed::one(diff::input_error(format!(
                "cannot make a scratch folder: {e}"
            )))
        })?;
    let (old_plans, new_plans) = sides(s, old, new, scratch.path())?;
    let changes = diff::diff(&old_plans, &new_plans);
    let text = match format {
        DiffFormat::Human => diff::render_human(&changes),
        DiffFormat::Json => diff::render_json(&changes),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if changes.is_empty() && format == DiffFormat::Human {
        s.note(&format!(
            "no step-level changes between `{old}` and `{new}`"
        ));
    }
    Ok(if exit_code && !changes.is_empty() {
        Exit::Differences
    } else {
        Exit::Ok
    })
}

fn sides(s: &Session, old: &str, new: &str, scratch: &Path) -> Result<(Plans, Plans), Failed> {
    let mut old_plans = side(s, old, &scratch.join("old"))?;
    let mut new_plans = side(s, new, &scratch.join("new"))?;
    // a single plan file against a folder: compare that page only
    if matches!(diff::classify(old), Side::PlanFile(_)) {
        new_plans.retain(|name, _| old_plans.contains_key(name));
    }
    if matches!(diff::classify(new), Side::PlanFile(_)) {
        old_plans.retain(|name, _| new_plans.contains_key(name));
    }
    Ok((old_plans, new_plans))
}

/// The plans of one side of a diff, by page name.
fn side(s: &Session, arg: &str, scratch: &Path) -> Result<Plans, Failed> {
    let root = match diff::classify(arg) {
        Side::PlanFile(path) => return diff::read_plan_file(&path).map_err(Failed::one),
        Side::Site(dir) => return diff::read_site(&dir).map_err(Failed::one),
        Side::Project(dir) => dir,
        Side::Revision(rev) => {
            std::fs::create_dir_all(scratch)
                .map_err(|e| Failed::one(diff::input_error(e.to_string())))?;
            let root = diff::checkout_revision(&s.root, &rev, scratch).map_err(Failed::one)?;
            // a revision from before the project existed has no pages yet
            if !root.join("content").is_dir() && !root.join(config::CONFIG_FILE).is_file() {
                return Ok(Plans::new());
            }
            root
        }
    };
    project_plans(s, &root, arg)
}

/// The plans of the project at `root`, read with its own settings.
fn project_plans(s: &Session, root: &Path, arg: &str) -> Result<Plans, Failed> {
    let overrides = Overrides {
        base_path: s.overrides.base_path.clone(),
        page_formats: s.overrides.page_formats.clone(),
        ..Overrides::default()
    };
    let mut diags = Vec::new();
    let mut db = SourceDb::default();
    let Some(config) = config::load(root, &overrides, &mut db, &mut diags) else {
        return Err(Failed {
            db,
            diags,
            note: None,
        });
    };
    let project = Project::load(config, db, &mut diags);
    let mut plans = Plans::new();
    for page in &project.pages {
        let plan = crate::plan::plan(&project, page, &mut diags);
        plans.insert(page.name.clone(), crate::plan::as_v2(&plan));
    }
    if s.finish(&project.db, &mut diags, false, Format::Human) > 0 {
        return Err(Failed {
            db: SourceDb::default(),
            diags: Vec::new(),
            note: Some(format!("cannot compare `{arg}`: fix the errors above")),
        });
    }
    Ok(plans)
}
