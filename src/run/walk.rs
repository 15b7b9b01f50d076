//! The steps of a run in reading order: a procedure's steps, and under an overview step with `details` the steps of the procedures it links to.
//!
//! Every step the operator answers is an [`Item`]. An overview step whose
//! linked section has steps is a *group*: it is shown, its hold point (if
//! any) is signed, and it is carried out through its linked steps, which
//! follow it with labels such as `9.4`. Substeps are part of their step's
//! content: they are shown with it and answered with it.

use std::collections::BTreeSet;

use crate::plan::Plan;
use crate::procedure::{Procedure, Step};

/// One step of a run.
#[derive(Clone, Debug)]
pub struct Item<'p> {
    pub step: &'p Step,
    /// The procedure the step belongs to.
    pub procedure: &'p Procedure,
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
pub enum Selection {
    Page,
    Procedure(String),
}

/// The procedures a selection starts from.
pub fn roots<'p>(plan: &'p Plan, selection: &Selection) -> Vec<&'p Procedure> {
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
pub fn items<'p>(plan: &'p Plan, selection: &Selection) -> Vec<Item<'p>> {
    let mut out = Vec::new();
    let several = matches!(selection, Selection::Page) && roots(plan, selection).len() > 1;
    for procedure in roots(plan, selection) {
        let heading = several.then(|| title(procedure));
        for (i, step) in procedure.steps.iter().enumerate() {
            let linked = linked(plan, step);
            let index = out.len();
            out.push(Item {
                step,
                procedure,
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
                        procedure: p,
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
pub fn find_procedure<'p>(plan: &'p Plan, key: &str) -> Result<&'p Procedure, String> {
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
        [] => Err(format!(
            "no procedure of `{}` is `{key}`; name one of {}",
            plan.page.name,
            ids(&mut plan.procedures.iter())
        )),
        many => Err(format!(
            "`{key}` names more than one procedure of `{}`: {}",
            plan.page.name,
            ids(&mut many.iter().copied())
        )),
    }
}
