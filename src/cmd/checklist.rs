//! `runsheet checklist PAGE`: prints one page's checklist (text, Markdown or print-ready HTML) on stdout.

use std::io::Write;

use crate::checklist::{self, Format as Form};
use crate::diagnostic::{Diagnostic, Format};
use crate::driver::{count, Exit, Failed, Session};

pub(crate) fn run(s: &Session, key: &str, form: Form) -> Result<Exit, Failed> {
    let (mut project, index, mut diags) = s.open_page(key)?;
    let page = &project.pages[index];
    crate::site::check_links(&project, page, &mut diags);
    let plan = s.time("plan", || crate::plan::plan(&project, page, &mut diags));
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
    if s.finish(
        &project.db,
        &mut diags,
        project.config.strict,
        Format::Human,
    ) > 0
    {
        s.note("no checklist printed: fix the errors above");
        return Ok(Exit::Errors);
    }
    let text =
        checklist::render_one(&project, page, &plan, &project.templates, form).map_err(|d| {
            Failed {
                db: std::mem::take(&mut project.db),
                diags: vec![d],
                note: None,
            }
        })?;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    s.summary(
        &format!(
            "Checklist of `{}`: {}",
            page.name,
            count(plan.procedures.len(), "procedure")
        ),
        &diags,
    );
    Ok(Exit::Ok)
}
