//! Build: runs every renderer over a loaded project and gathers the files of the output folder.

use crate::diagnostic::Diagnostic;
use crate::output::Files;
use crate::project::Project;

/// Renders every product of the project. Renderers add their files to the
/// set and their problems to `diags`; nothing is written here.
pub fn render(project: &Project, diags: &mut Vec<Diagnostic>) -> Files {
    let mut files = Files::default();
    crate::plan::render(project, &mut files, diags);
    files
}
