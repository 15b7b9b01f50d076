//! `runsheet check`: reports every problem of the project, writes nothing.

use crate::diagnostic::Format;
use crate::driver::{count, Exit, Failed, Session};

pub(crate) fn run(s: &Session, format: Format) -> Result<Exit, Failed> {
    s.show_progress();
    let (project, mut diags) = match s.open() {
        Ok(opened) => opened,
        // unusable settings are reported in the chosen form too
        Err(mut failed) => {
            let strict = s.overrides.strict.unwrap_or(false);
            s.finish(&failed.db, &mut failed.diags, strict, format);
            return Ok(Exit::Errors);
        }
    };
    // rendering finds what only rendering can: broken links, template errors
    // nothing is written: the files' paths are kept (for collisions), not their bytes
    let mut files = crate::output::Files::paths_only();
    let built = s.time("render", || {
        crate::build::render(&project, &mut files, &mut diags)
    });
    let strict = project.config.strict;
    let errors = s.finish(&project.db, &mut diags, strict, format);
    s.summary(
        &format!(
            "Checked {}, {}",
            count(project.pages.len(), "page"),
            count(built.procedures, "procedure")
        ),
        &diags,
    );
    Ok(if errors > 0 { Exit::Errors } else { Exit::Ok })
}
