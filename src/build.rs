//! Build: runs every renderer over a loaded project and gathers the files of the output folder.

use crate::diagnostic::Diagnostic;
use crate::output::Files;
use crate::project::Project;
use crate::templates::Templates;

/// Renders every product of the project. Renderers add their files to the
/// set and their problems to `diags`; nothing is written here. The project
/// is mutable only so templates can be added to its source database (their
/// errors then point at the template's file and line).
pub fn render(project: &mut Project, diags: &mut Vec<Diagnostic>) -> Files {
    let mut files = Files::default();
    let plans = crate::plan::render(project, &mut files, diags);
    let templates = Templates::load(&project.config, &mut project.db, diags);
    let checklists = crate::checklist::render(project, &plans, &templates, &mut files, diags);
    crate::site::render(project, &templates, &checklists, diags, &mut files);
    files
}
