//! Build: runs every renderer over a loaded project and gathers the files of the output folder.

use std::collections::BTreeSet;

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
    crate::plan::render(project, &mut files, diags);
    let templates = Templates::load(&project.config, &mut project.db, diags);
    // Pages that have a printable checklist: filled in once checklists are rendered.
    let checklists: BTreeSet<String> = BTreeSet::new();
    crate::site::render(project, &templates, &checklists, diags, &mut files);
    files
}
