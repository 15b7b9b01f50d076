//! `runsheet plan PAGE [--compact]`: prints one page's JSON plan on stdout, expanded (or compact, as a build writes it).

use std::io::Write;

use crate::diagnostic::Format;
use crate::driver::{count, Exit, Failed, Session};
use crate::plan::Encoding;

pub(crate) fn run(s: &Session, key: &str, encoding: Encoding) -> Result<Exit, Failed> {
    let (project, index, mut diags) = s.open_page(key)?;
    let page = &project.pages[index];
    crate::site::check_links(&project, page, &mut diags);
    let plan = s.time("plan", || crate::plan::plan(&project, page, &mut diags));
    if s.finish(
        &project.db,
        &mut diags,
        project.config.strict,
        Format::Human,
    ) > 0
    {
        s.note("no plan printed: fix the errors above");
        return Ok(Exit::Errors);
    }
    let _ = std::io::stdout()
        .lock()
        .write_all(crate::plan::to_pretty_json(&plan, encoding).as_bytes());
    s.summary(
        &format!(
            "Planned `{}`: {}",
            page.name,
            count(plan.procedures.len(), "procedure")
        ),
        &diags,
    );
    Ok(Exit::Ok)
}
