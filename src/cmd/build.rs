//! `runsheet build`: renders the site, checklists and plans and writes them, all or nothing (or compares them with `--check`).

use std::io::Write;
use std::path::PathBuf;

use crate::cache::Cache;
use crate::diagnostic::{Diagnostic, Format};
use crate::driver::{count, Exit, Failed, Session};
use crate::output::{self, Guard};
use crate::project::Project;

pub(crate) fn run(s: &Session, out: Option<PathBuf>, check_only: bool) -> Result<Exit, Failed> {
    s.show_progress();
    let overrides = crate::config::Overrides {
        out,
        ..s.overrides.clone()
    };
    let (config, db, mut diags) = crate::driver::settings(&s.root, &overrides)?;
    // an output folder that would put the sources at risk is refused before
    // anything is rendered, read from it or written
    let guard = Guard::new(&config);
    if let Err(d) = guard.check(&config.out) {
        return Err(Failed {
            db,
            diags: vec![d],
            note: Some("nothing written".into()),
        });
    }
    if check_only {
        let project = s.time("load", || Project::load(config, db, &mut diags));
        return Ok(check(s, &project, diags));
    }
    // the files are written into a stage beside the output folder as they
    // are rendered; it takes the folder's place only when the build is whole
    let mut files = match output::Files::staged(&config.out, &guard) {
        Ok(files) => files,
        Err(d) => {
            // a folder that is not ours: every other problem is reported too
            diags.push(d);
            output::Files::paths_only()
        }
    };
    // pages the last build made from the same inputs are not made again
    let previous = Cache::previous(&files).unwrap_or_default();
    let project = s.time("load", || {
        Project::load_caching(config, db, &mut diags, Some(previous))
    });
    let built = s.time("render", || {
        crate::build::render(&project, &mut files, &mut diags)
    });
    if s.finish(
        &project.db,
        &mut diags,
        project.config.strict,
        Format::Human,
    ) > 0
    {
        drop(files);
        s.note("nothing written: fix the errors above");
        return Ok(Exit::Errors);
    }
    let out = &project.config.out;
    let written = s.time("write", || {
        output::finish(files).and_then(|()| {
            // beside the output, for the next build
            let cache = built.cache.as_ref().map(Cache::to_bytes);
            output::write_cache(out, cache.as_deref())
        })
    });
    if let Err(d) = written {
        return Err(Failed {
            db: project.db,
            diags: vec![d],
            note: None,
        });
    }
    s.summary(
        &format!(
            "Built {}{}, {}, {} → {}",
            count(project.pages.len(), "page"),
            reused_note(built.reused),
            count(built.procedures, "procedure"),
            count(built.checklists, "checklist"),
            out.display()
        ),
        &diags,
    );
    Ok(Exit::Ok)
}

/// How many pages came unchanged from the last build, for the summary line.
fn reused_note(reused: usize) -> String {
    match reused {
        0 => String::new(),
        n => format!(" ({n} unchanged, reused)"),
    }
}

/// `build --check`: renders in memory and prints how the output folder differs.
fn check(s: &Session, project: &Project, mut diags: Vec<Diagnostic>) -> Exit {
    let mut files = output::Files::default();
    s.time("render", || {
        crate::build::render(project, &mut files, &mut diags)
    });
    if s.finish(
        &project.db,
        &mut diags,
        project.config.strict,
        Format::Human,
    ) > 0
    {
        s.note("nothing written: fix the errors above");
        return Exit::Errors;
    }
    let out = &project.config.out;
    match output::diff(out, &files) {
        None => {
            s.note(&format!("`{}` is up to date", out.display()));
            Exit::Ok
        }
        Some(diff) => {
            s.note(&format!(
                "`{}` differs from what a build would write",
                out.display()
            ));
            let _ = std::io::stdout().lock().write_all(diff.as_bytes());
            Exit::Differences
        }
    }
}
