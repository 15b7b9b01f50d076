//! The steps of a run in reading order: a procedure's steps, and under an overview step with `details` the steps of the procedures it links to.
//!
//! Every step the operator answers is an [`Item`]. An overview step whose
//! linked section has steps is a *group*: it is shown, its hold point (if
//! any) is signed, and it is carried out through its linked steps, which
//! follow it with labels such as `9.4`. Substeps are part of their step's
//! content: they are shown with it and answered with it. A section linked
//! from two overview steps is walked under the first one only (its steps
//! have one id each, and so one outcome); the second is answered itself.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::plan::Plan;
use crate::procedure::{Procedure, Step};

/// One step of a run.
#[derive(Clone, Debug)]
pub(crate) struct Item<'p> {
    pub step: &'p Step,
    /// The number shown: `3`, or `9.4` under overview step 9 (`3.2.1` when
    /// the linked section holds several procedures).
    pub label: String,
    /// 0 for a procedure's own steps, 1 under an overview step.
    pub depth: usize,
    /// An overview step carried out through its linked steps: never asked
    /// for an outcome itself.
    pub group: bool,
    /// The step, or one of its substeps, is a hold point.
    pub hold: bool,
    /// The overview step (index into the items) this step is under.
    pub parent: Option<usize>,
    /// The title of the section or procedure that starts at this step, when
    /// it is the first step shown under it.
    pub heading: Option<String>,
}

/// What a run covers: one procedure, or every procedure of the page the
/// checklist shows on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Selection {
    Page,
    Procedure(String),
}

/// The procedures a selection starts from.
pub(crate) fn roots<'p>(plan: &'p Plan, selection: &Selection) -> Vec<&'p Procedure> {
    match selection {
        Selection::Procedure(id) => plan.procedures.iter().filter(|p| &p.id == id).collect(),
        Selection::Page => {
            let absorbed = absorbed(plan);
            plan.procedures
                .iter()
                .filter(|p| !absorbed.contains(p.id.as_str()))
                .collect()
        }
    }
}

/// Ids of the procedures some step's `details` link to.
fn absorbed(plan: &Plan) -> BTreeSet<&str> {
    plan.procedures
        .iter()
        .flat_map(|p| &p.steps)
        .filter_map(|s| s.details.as_ref())
        .flat_map(|d| d.procedures.iter().map(String::as_str))
        .collect()
}

/// Every step of the run, in reading order.
pub(crate) fn items<'p>(plan: &'p Plan, selection: &Selection) -> Vec<Item<'p>> {
    let mut out = Vec::new();
    let several = matches!(selection, Selection::Page) && roots(plan, selection).len() > 1;
    // a section linked from two overview steps is walked under the first
    let mut walked: BTreeSet<&str> = roots(plan, selection)
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    for procedure in roots(plan, selection) {
        let heading = several.then(|| title(procedure));
        for (i, step) in procedure.steps.iter().enumerate() {
            let mut linked = linked(plan, step);
            linked.retain(|p| walked.insert(p.id.as_str()));
            let index = out.len();
            out.push(Item {
                step,
                label: step.number.to_string(),
                depth: 0,
                group: linked.iter().any(|p| !p.steps.is_empty()),
                hold: any_hold(step),
                parent: None,
                heading: heading.clone().filter(|_| i == 0),
            });
            let numbered = linked.len() > 1;
            for (k, p) in linked.iter().enumerate() {
                for (j, sub) in p.steps.iter().enumerate() {
                    let label = if numbered {
                        format!("{}.{}.{}", step.number, k + 1, sub.number)
                    } else {
                        format!("{}.{}", step.number, sub.number)
                    };
                    out.push(Item {
                        step: sub,
                        label,
                        depth: 1,
                        group: false,
                        hold: any_hold(sub),
                        parent: Some(index),
                        heading: (j == 0).then(|| title(p)),
                    });
                }
            }
        }
    }
    out
}

/// The procedures a step's `details` name, in order.
fn linked<'p>(plan: &'p Plan, step: &Step) -> Vec<&'p Procedure> {
    step.details
        .iter()
        .flat_map(|d| &d.procedures)
        .filter_map(|id| plan.procedures.iter().find(|p| &p.id == id))
        .collect()
}

fn title(p: &Procedure) -> String {
    p.title.clone().unwrap_or_else(|| p.id.clone())
}

/// The step or any of its substeps is a hold point.
fn any_hold(step: &Step) -> bool {
    step.hold || step.substeps.iter().any(any_hold)
}

/// Finds the procedure `key` names: its id, the last segments of its id
/// (`overview` for `recommended-approach/overview`), or its title (any
/// case). `Err` lists the ids to choose from.
pub(crate) fn find_procedure<'p>(plan: &'p Plan, key: &str) -> Result<&'p Procedure, Diagnostic> {
    let key = key.trim();
    if let Some(p) = plan.procedures.iter().find(|p| p.id == key) {
        return Ok(p);
    }
    let suffix = format!("/{key}");
    let lower = key.to_lowercase();
    let found: Vec<&Procedure> = plan
        .procedures
        .iter()
        .filter(|p| {
            p.id.ends_with(&suffix)
                || p.title
                    .as_deref()
                    .is_some_and(|t| t.to_lowercase() == lower)
        })
        .collect();
    let ids = |list: &mut dyn Iterator<Item = &Procedure>| {
        list.map(|p| format!("`{}`", p.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(unknown(format!(
            "no procedure of `{}` is `{key}`; name one of {}",
            plan.page.name,
            ids(&mut plan.procedures.iter())
        ))),
        many => Err(unknown(format!(
            "`{key}` names more than one procedure of `{}`: {}",
            plan.page.name,
            ids(&mut many.iter().copied())
        ))),
    }
}

fn unknown(message: String) -> Diagnostic {
    Diagnostic::error("procedure-unknown", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Plan {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut db = crate::source::SourceDb::default();
        let mut diags = Vec::new();
        let config = crate::config::load(root, &Default::default(), &mut db, &mut diags)
            .expect("the sample project loads");
        let project = crate::project::Project::load(config, db, &mut diags);
        let page = project
            .page("upgrading-major-releases")
            .expect("the sample guide");
        crate::plan::plan(&project, page, &mut diags)
    }

    #[test]
    fn the_overview_walks_into_its_linked_sections() {
        let plan = sample();
        let items = items(
            &plan,
            &Selection::Procedure("recommended-approach/overview".into()),
        );
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(&labels[..5], ["1", "1.1", "1.2", "1.3", "2"]);
        assert_eq!(items.iter().filter(|i| i.group).count(), 9);
        assert_eq!(items.iter().filter(|i| !i.group).count(), 42);
        let hold: Vec<&str> = items
            .iter()
            .filter(|i| i.hold)
            .map(|i| i.label.as_str())
            .collect();
        assert_eq!(hold, ["9.4"]);
        assert_eq!(items[1].parent, Some(0));
        assert_eq!(
            items[1].heading.as_deref(),
            Some("Download the same version as the main instance")
        );
    }

    #[test]
    fn the_whole_page_walks_every_shown_procedure_once() {
        let plan = sample();
        let items = items(&plan, &Selection::Page);
        let mut ids: Vec<&str> = items.iter().map(|i| i.step.id.as_str()).collect();
        let total = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), total, "a step is walked twice");
        let headings: Vec<&str> = items
            .iter()
            .filter(|i| i.depth == 0)
            .filter_map(|i| i.heading.as_deref())
            .collect();
        assert_eq!(
            headings,
            [
                "Back up Octopus Deploy before upgrading",
                "Overview",
                "Alternative Approach"
            ]
        );
    }

    #[test]
    fn procedures_are_found_by_id_end_or_title() {
        let plan = sample();
        for key in ["recommended-approach/overview", "overview", "OVERVIEW"] {
            assert_eq!(
                find_procedure(&plan, key).map(|p| p.id.as_str()).ok(),
                Some("recommended-approach/overview"),
                "{key}"
            );
        }
        let err = find_procedure(&plan, "nothing").unwrap_err().message;
        assert!(
            err.contains("name one of `back-up-octopus-deploy-before-upgrading`"),
            "{err}"
        );
    }
}
