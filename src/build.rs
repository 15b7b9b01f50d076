//! Build: runs every renderer over a loaded project and gathers the files of the output folder.

use crate::checklist;
use crate::diagnostic::Diagnostic;
use crate::output::Files;
use crate::project::Project;

/// What a build made: its files, and what they hold.
#[derive(Debug)]
pub struct Rendered {
    pub files: Files,
    /// Procedures over all pages.
    pub procedures: usize,
    /// Pages with a checklist.
    pub checklists: usize,
}

/// Renders every product of the project. Renderers read the project (its
/// templates were loaded with it) and add their files to the set and their
/// problems to `diags`; nothing is written here.
pub fn render(project: &Project, diags: &mut Vec<Diagnostic>) -> Rendered {
    let mut files = Files::default();
    let plans = crate::plan::render(project, &mut files, diags);
    let templates = &project.templates;
    let checklists = checklist::render(project, &plans, templates, &mut files, diags);
    crate::site::render(project, templates, &checklists, diags, &mut files);
    for path in files.collisions() {
        diags.push(collision(project, path));
    }
    Rendered {
        files,
        procedures: plans.iter().map(|p| p.procedures.len()).sum(),
        checklists: checklists.len(),
    }
}

/// An `output-collision` error naming what wants to be written at `path`.
fn collision(project: &Project, path: &str) -> Diagnostic {
    let mut claims = Vec::new();
    let mut at = None;
    for page in &project.pages {
        let file = &project.db.get(page.file).path;
        for (product, what) in crate::output::paths::products(&page.name) {
            if product == path {
                claims.push(format!("{what} `{file}`"));
                at.get_or_insert(page.file);
            }
        }
    }
    if project.config.content.join(path).is_file() {
        claims.push(format!("the content file `{}`", path));
    }
    if claims.len() < 2 {
        claims.push("a file runsheet writes itself".to_owned());
    }
    let d = Diagnostic::error(
        "output-collision",
        format!(
            "two products would be written to `{path}`: {}",
            claims.join(" and ")
        ),
    )
    .with_help("rename one of the files, so each product has a path of its own");
    match at {
        Some(file) => d.at(file, 0, 0),
        None => d,
    }
}
