//! Is a printed copy still current? Finds the plan a digest (or a unique prefix of it) belongs to, and lists the steps that changed since.
//!
//! A printed checklist carries its plan digest at the top and a fingerprint
//! beside every step. `runsheet verify DIGEST` looks for that digest among
//! the plans of the current build, the plans in the output folder (an
//! earlier build: `site/plans/`) and the plan copies kept beside run
//! journals (`runs/*.plan.json`). The copy is *current* when the digest is
//! the page's digest in the current build; otherwise it is *stale*, and the
//! step-level changes from the plan it was printed from to the current one
//! are listed (through [`crate::diff`]), with the old and new fingerprints.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::diff::{self, Change, ChangeKind, Plans};

/// At least this many hex digits of a digest must be given.
pub(crate) const MIN_PREFIX: usize = 8;

/// A plan that a digest may belong to.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub page: String,
    pub digest: String,
    pub plan: Value,
    /// Where it was found: `current build`, or a file's path.
    pub from: String,
}

/// What `verify` found.
#[derive(Clone, Debug)]
pub(crate) enum Verdict {
    /// The digest is a page's digest in the current build.
    Current { page: String, digest: String },
    /// The digest is an older plan of a page.
    Stale {
        page: String,
        digest: String,
        /// The page's digest now; null when the page is gone.
        now: Option<String>,
        from: String,
        changes: Vec<Change>,
    },
}

/// `sha256:3F2A…` or `3f2a…` as lowercase hex digits; at least
/// [`MIN_PREFIX`] of them.
pub(crate) fn normalize(input: &str) -> Result<String, Diagnostic> {
    let t = input.trim();
    let hex = t
        .strip_prefix("sha256:")
        .or_else(|| t.strip_prefix("SHA256:"))
        .unwrap_or(t)
        .to_ascii_lowercase();
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) || hex.len() > 64 {
        return Err(unknown(format!(
            "`{input}` is not a plan digest: give the `sha256:…` digest printed at the top of the checklist, or its first {MIN_PREFIX} or more hex digits"
        )));
    }
    if hex.len() < MIN_PREFIX {
        return Err(unknown(format!(
            "`{input}` is too short: give at least {MIN_PREFIX} hex digits of the digest"
        )));
    }
    Ok(hex)
}

/// The plans of the current build as candidates.
pub(crate) fn current(plans: &Plans) -> Vec<Candidate> {
    plans
        .iter()
        .filter_map(|(page, plan)| candidate(page, plan, "current build"))
        .collect()
}

fn candidate(page: &str, plan: &Value, from: &str) -> Option<Candidate> {
    Some(Candidate {
        page: page.to_owned(),
        digest: plan.get("digest")?.as_str()?.to_owned(),
        plan: plan.clone(),
        from: from.to_owned(),
    })
}

/// The plans in an output folder (`plans/**/*.json`) and the plan copies
/// of a runs folder (`*.plan.json`); unreadable files are passed over.
pub(crate) fn stored(out: &Path, runs: &Path) -> Vec<Candidate> {
    let mut found = Vec::new();
    if out.join("plans").is_dir() {
        if let Ok(plans) = diff::read_site(out) {
            for (page, plan) in &plans {
                let from = out.join("plans").display().to_string();
                found.extend(candidate(page, plan, &from));
            }
        }
    }
    let Ok(entries) = std::fs::read_dir(runs) else {
        return found;
    };
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".plan.json"))
        .collect();
    paths.sort();
    for path in paths {
        if let Ok(plans) = diff::read_plan_file(&path) {
            for (page, plan) in &plans {
                found.extend(candidate(page, plan, &path.display().to_string()));
            }
        }
    }
    found
}

/// Finds the plan `prefix` (normalized hex) names and compares it with the
/// current build.
pub(crate) fn verify(
    prefix: &str,
    current: &Plans,
    stored: &[Candidate],
) -> Result<Verdict, Diagnostic> {
    let now = self::current(current);
    let wanted = format!("sha256:{prefix}");
    let mut digests: Vec<&str> = now
        .iter()
        .chain(stored)
        .map(|c| c.digest.as_str())
        .filter(|d| d.starts_with(&wanted))
        .collect();
    digests.sort_unstable();
    digests.dedup();
    let digest = match digests.as_slice() {
        [one] => one.to_string(),
        [] => {
            return Err(unknown(format!(
                "no plan with digest `{wanted}…` in the current build, the output folder's plans, or the plan copies of the runs folder"
            )))
        }
        many => {
            return Err(unknown(format!(
                "`{prefix}` is the start of {} digests ({}); give more digits",
                many.len(),
                many.join(", ")
            )))
        }
    };
    if let Some(c) = now.iter().find(|c| c.digest == digest) {
        return Ok(Verdict::Current {
            page: c.page.clone(),
            digest,
        });
    }
    let old = stored
        .iter()
        .find(|c| c.digest == digest)
        .expect("the digest came from a candidate");
    let olds: Plans = [(old.page.clone(), old.plan.clone())].into_iter().collect();
    let news: Plans = current
        .get(&old.page)
        .map(|p| (old.page.clone(), p.clone()))
        .into_iter()
        .collect();
    Ok(Verdict::Stale {
        page: old.page.clone(),
        digest,
        now: current
            .get(&old.page)
            .and_then(|p| p.get("digest")?.as_str().map(str::to_owned)),
        from: old.from.clone(),
        changes: diff::diff(&olds, &news),
    })
}

fn unknown(message: String) -> Diagnostic {
    Diagnostic::error("digest-unknown", message)
}

/// The verdict for people.
pub(crate) fn render(verdict: &Verdict) -> String {
    let mut out = String::new();
    match verdict {
        Verdict::Current { page, digest } => {
            let _ = writeln!(
                out,
                "current: this copy of `{page}` matches the current build\n  plan digest {digest}"
            );
        }
        Verdict::Stale {
            page,
            digest,
            now,
            from,
            changes,
        } => {
            match now {
                Some(now) => {
                    let _ = writeln!(
                        out,
                        "stale: this copy of `{page}` was made from plan {digest}\n  the page's plan is now {now}\n  the old plan was found in {from}\n\nchanged since:"
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "stale: this copy of `{page}` was made from plan {digest}; the page no longer exists\n  the old plan was found in {from}"
                    );
                }
            }
            if now.is_some() {
                out.push_str(&diff::render_human(changes));
                let prints = fingerprints(changes);
                if !prints.is_empty() {
                    out.push_str("\nstep fingerprints (as printed → now):\n");
                    out.push_str(&prints);
                }
            }
        }
    }
    out
}

/// A line per changed, added or removed step: its number, old and new fingerprint.
fn fingerprints(changes: &[Change]) -> String {
    let fp = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| {
                let id = v.get("id")?.as_str()?;
                let md = v.get("markdown")?.as_str()?;
                Some(format!("#{}", super::fingerprint_of(id, md)))
            })
            .unwrap_or_else(|| "—".into())
    };
    let mut out = String::new();
    for c in changes.iter().filter(|c| c.step.is_some()) {
        if c.kind == ChangeKind::Renumbered {
            continue;
        }
        let v = c.new.as_ref().or(c.old.as_ref());
        let number = v
            .and_then(|v| v.get("number"))
            .map(|n| format!("{n}. "))
            .unwrap_or_default();
        let title = v.and_then(|v| v.get("title")?.as_str()).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:>9} → {:<9}  {number}{title}",
            fp(&c.old),
            fp(&c.new)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_table() {
        let full = "a".repeat(64);
        assert_eq!(normalize(&format!("sha256:{full}")).unwrap(), full);
        assert_eq!(normalize("  3F2A1B4C ").unwrap(), "3f2a1b4c");
        assert!(normalize("3f2a").unwrap_err().message.contains("too short"));
        assert!(normalize("xyz12345").is_err());
        assert!(normalize("").is_err());
    }
}
