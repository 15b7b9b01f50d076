//! Plan diffs: step-level changes between two revisions of the same pages' JSON plans.
//!
//! Works on plans as JSON values in their spelled-out form (schema version
//! 2's layout, [`crate::plan::as_v2`]): a version 3 plan file (either
//! encoding) is read and spelled out so first, so plan files of versions 2
//! and 3 compare with each other field by field. Procedures and steps are matched by their stable `id`s; a
//! step that only changed its number (because a step was inserted or removed
//! before it) is reported as renumbered.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;

/// What happened to a page, procedure or step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChangeKind {
    Added,
    Removed,
    Changed,
    Renumbered,
}

/// One change between the old and the new plans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Change {
    pub kind: ChangeKind,
    /// Page name.
    pub page: String,
    /// Procedure id, when the change is inside a procedure.
    pub procedure: Option<String>,
    /// Step id, when the change is a step's.
    pub step: Option<String>,
    /// Fields that differ (for `changed` and `renumbered`).
    pub fields: Vec<String>,
    /// The step, procedure or page before (null when added).
    pub old: Option<Value>,
    /// The step, procedure or page after (null when removed).
    pub new: Option<Value>,
}

/// Plans by page name.
pub(crate) type Plans = BTreeMap<String, Value>;

const STEP_FIELDS: &[&str] = &[
    "title", "text", "markdown", "optional", "code", "notes", "links", "details",
];
const PROCEDURE_FIELDS: &[&str] = &["title", "heading_path", "intro"];

/// Every change from `old` to `new`, in page, procedure and step order.
pub(crate) fn diff(old: &Plans, new: &Plans) -> Vec<Change> {
    let mut changes = Vec::new();
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        match (old.get(name), new.get(name)) {
            (Some(o), None) => changes.push(page_change(ChangeKind::Removed, name, Some(o), None)),
            (None, Some(n)) => changes.push(page_change(ChangeKind::Added, name, None, Some(n))),
            (Some(o), Some(n)) => diff_procedures(name, o, n, &mut changes),
            (None, None) => {}
        }
    }
    changes
}

fn page_change(kind: ChangeKind, page: &str, old: Option<&Value>, new: Option<&Value>) -> Change {
    let summary = |v: &Value| v.get("page").cloned().unwrap_or(Value::Null);
    Change {
        kind,
        page: page.to_owned(),
        procedure: None,
        step: None,
        fields: Vec::new(),
        old: old.map(summary),
        new: new.map(summary),
    }
}

fn by_id(list: Option<&Value>) -> Vec<(&str, &Value)> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| Some((v.get("id")?.as_str()?, v)))
                .collect()
        })
        .unwrap_or_default()
}

fn find<'a>(list: &[(&str, &'a Value)], id: &str) -> Option<&'a Value> {
    list.iter().find(|(i, _)| *i == id).map(|(_, v)| *v)
}

fn differing(old: &Value, new: &Value, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| old.get(**f) != new.get(**f))
        .map(|f| (*f).to_owned())
        .collect()
}

fn without_steps(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(obj) = v.as_object_mut() {
        obj.remove("steps");
        obj.remove("substeps");
    }
    v
}

fn diff_procedures(page: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
    let olds = by_id(old.get("procedures"));
    let news = by_id(new.get("procedures"));
    let change = |kind, id: &str, fields, o: Option<&Value>, n: Option<&Value>| Change {
        kind,
        page: page.to_owned(),
        procedure: Some(id.to_owned()),
        step: None,
        fields,
        old: o.map(without_steps),
        new: n.map(without_steps),
    };
    for (id, o) in &olds {
        if find(&news, id).is_none() {
            out.push(change(ChangeKind::Removed, id, Vec::new(), Some(o), None));
        }
    }
    for (id, n) in &news {
        match find(&olds, id) {
            None => out.push(change(ChangeKind::Added, id, Vec::new(), None, Some(n))),
            Some(o) => {
                let fields = differing(o, n, PROCEDURE_FIELDS);
                if !fields.is_empty() {
                    out.push(change(ChangeKind::Changed, id, fields, Some(o), Some(n)));
                }
                diff_steps(page, id, o.get("steps"), n.get("steps"), out);
            }
        }
    }
}

fn diff_steps(
    page: &str,
    procedure: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<Change>,
) {
    let olds = by_id(old);
    let news = by_id(new);
    let change = |kind, id: &str, fields, o: Option<&Value>, n: Option<&Value>| Change {
        kind,
        page: page.to_owned(),
        procedure: Some(procedure.to_owned()),
        step: Some(id.to_owned()),
        fields,
        old: o.map(without_steps),
        new: n.map(without_steps),
    };
    // a step whose id changed because it was reworded is paired with the
    // removed step it most resembles, and reported as changed
    let removed: Vec<(&str, &Value)> = olds
        .iter()
        .filter(|(id, _)| find(&news, id).is_none())
        .copied()
        .collect();
    let added: Vec<(&str, &Value)> = news
        .iter()
        .filter(|(id, _)| find(&olds, id).is_none())
        .copied()
        .collect();
    let pairs = pair_reworded(&removed, &added);
    for (id, o) in &removed {
        if !pairs.iter().any(|(r, _)| r == id) {
            out.push(change(ChangeKind::Removed, id, Vec::new(), Some(o), None));
        }
    }
    for (id, n) in &news {
        let (o, renamed) = match (find(&olds, id), pairs.iter().find(|(_, a)| a == id)) {
            (Some(o), _) => (o, false),
            (None, Some((r, _))) => (find(&olds, r).expect("paired with an old step"), true),
            (None, None) => {
                out.push(change(ChangeKind::Added, id, Vec::new(), None, Some(n)));
                continue;
            }
        };
        let mut fields = differing(o, n, STEP_FIELDS);
        if renamed {
            fields.insert(0, "id".to_owned());
        }
        if !fields.is_empty() && o.get("number") != n.get("number") {
            fields.push("number".to_owned());
        }
        if !fields.is_empty() {
            out.push(change(ChangeKind::Changed, id, fields, Some(o), Some(n)));
        } else if o.get("number") != n.get("number") {
            out.push(change(
                ChangeKind::Renumbered,
                id,
                vec!["number".into()],
                Some(o),
                Some(n),
            ));
        }
        diff_steps(page, procedure, o.get("substeps"), n.get("substeps"), out);
    }
}

/// How alike two steps' texts must be (0 to 1) to count as one step reworded.
const REWORDED: f32 = 0.6;

/// Pairs removed and added steps whose texts are alike, best pairs first;
/// returns `(removed id, added id)`.
fn pair_reworded<'a>(
    removed: &[(&'a str, &Value)],
    added: &[(&'a str, &Value)],
) -> Vec<(&'a str, &'a str)> {
    let mut scored = Vec::new();
    for (r, rv) in removed {
        for (a, av) in added {
            let (rt, at) = (text(Some(rv), "text"), text(Some(av), "text"));
            let ratio = similar::TextDiff::from_words(rt.as_str(), at.as_str()).ratio();
            if ratio >= REWORDED {
                scored.push((ratio, *r, *a));
            }
        }
    }
    scored.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for (_, r, a) in scored {
        if !pairs.iter().any(|(pr, pa)| *pr == r || *pa == a) {
            pairs.push((r, a));
        }
    }
    pairs
}

fn number(v: Option<&Value>) -> String {
    v.and_then(|v| v.get("number"))
        .map(|n| format!("{n}."))
        .unwrap_or_default()
}

fn text(v: Option<&Value>, key: &str) -> String {
    v.and_then(|v| v.get(key))
        .map(|t| match t {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

/// The human form: one block per page, a line per change, word diffs for text.
pub(crate) fn render_human(changes: &[Change]) -> String {
    let mut out = String::new();
    let mut page = None;
    for c in changes {
        if page != Some(&c.page) {
            let _ = writeln!(out, "{}{}", if page.is_some() { "\n" } else { "" }, c.page);
            page = Some(&c.page);
        }
        let sign = match c.kind {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
            ChangeKind::Renumbered => '#',
        };
        let subject = c
            .step
            .as_deref()
            .or(c.procedure.as_deref())
            .unwrap_or(&c.page);
        let what = match (c.step.is_some(), c.procedure.is_some()) {
            (true, _) => "step",
            (false, true) => "procedure",
            _ => "page",
        };
        match c.kind {
            ChangeKind::Added | ChangeKind::Removed => {
                let v = c.new.as_ref().or(c.old.as_ref());
                let number = number(v);
                let gap = if number.is_empty() { "" } else { " " };
                let _ = writeln!(
                    out,
                    "  {sign} {what} {subject} {number}{gap}{}",
                    text(v, "title")
                );
            }
            ChangeKind::Renumbered => {
                let _ = writeln!(
                    out,
                    "  {sign} step {subject} renumbered {} → {}",
                    number(c.old.as_ref()),
                    number(c.new.as_ref())
                );
            }
            ChangeKind::Changed => {
                let (was, now) = (number(c.old.as_ref()), number(c.new.as_ref()));
                let numbers = if was == now {
                    now
                } else {
                    format!("{was} → {now}")
                };
                let _ = writeln!(
                    out,
                    "  {sign} {what} {subject} {numbers}: {} changed",
                    c.fields.join(", ")
                );
                // `title` and `markdown` follow from `text`: show the text alone then
                let shown: Vec<&str> = if c.fields.iter().any(|f| f == "text") {
                    vec!["text"]
                } else {
                    c.fields
                        .iter()
                        .map(String::as_str)
                        .filter(|f| !matches!(*f, "id" | "number"))
                        .collect()
                };
                for field in shown {
                    let (o, n) = (text(c.old.as_ref(), field), text(c.new.as_ref(), field));
                    let _ = writeln!(out, "      - {}", o.replace('\n', "\n        "));
                    let _ = writeln!(out, "      + {}", n.replace('\n', "\n        "));
                }
            }
        }
    }
    out
}

/// Where one side of a diff comes from.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// A plan file (`plans/a/b.json`).
    PlanFile(PathBuf),
    /// A built output folder holding `plans/`.
    Site(PathBuf),
    /// A project folder holding `content/` or `runsheet.toml`.
    Project(PathBuf),
    /// A git revision of the project (`HEAD~3`, a tag, a commit).
    Revision(String),
}

/// Decides what `arg` names: an existing file or folder wins over a revision.
pub(crate) fn classify(arg: &str) -> Side {
    let path = Path::new(arg);
    if path.is_file() {
        Side::PlanFile(path.to_owned())
    } else if path.join("plans").is_dir() {
        Side::Site(path.to_owned())
    } else if path.is_dir() {
        Side::Project(path.to_owned())
    } else {
        Side::Revision(arg.to_owned())
    }
}

/// A side of a diff that cannot be read: `diff-input`, with what a side may be.
pub(crate) fn input_error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error("diff-input", message).with_help(
        "give a plan file, an output folder with plans/, a project folder, or a git revision",
    )
}

/// Reads one plan file into `{page name: plan}`.
pub(crate) fn read_plan_file(path: &Path) -> Result<Plans, Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| input_error(format!("cannot read `{}`: {e}", path.display())))?;
    parse_plan(&text, &path.display().to_string())
}

/// Reads the text of one plan file (named `what` in errors) into `{page name: plan}`.
pub(crate) fn parse_plan(text: &str, what: &str) -> Result<Plans, Diagnostic> {
    let plan: Value = serde_json::from_str(text)
        .map_err(|e| input_error(format!("`{what}` is not JSON: {e}")))?;
    let plan = spelled_out(plan)
        .map_err(|e| input_error(format!("`{what}` is not a runsheet plan: {e}")))?;
    let name = plan
        .pointer("/page/name")
        .and_then(Value::as_str)
        .ok_or_else(|| input_error(format!("`{what}` is not a runsheet plan (no `page.name`)")))?
        .to_owned();
    Ok([(name, plan)].into_iter().collect())
}

/// A plan as the diff compares it: a version 3 plan (a build's compact plan
/// file, or the expanded one `runsheet plan` prints and run copies keep)
/// read and spelled out; a version 2 plan (earlier builds, run copies of
/// earlier runs) is in that form already and is taken as it is.
pub(crate) fn spelled_out(plan: Value) -> Result<Value, String> {
    match plan.get("schema_version").and_then(Value::as_u64) {
        Some(2) => Ok(plan),
        Some(3) => crate::plan::Plan::from_value(plan).map(|p| crate::plan::as_v2(&p)),
        Some(n) => Err(format!(
            "its schema version {n} is not one runsheet reads (3, or 2 from earlier builds)"
        )),
        None => Err("it has no `schema_version`".into()),
    }
}

/// Reads every plan of a built output folder (`plans/**/*.json` but the index).
pub(crate) fn read_site(dir: &Path) -> Result<Plans, Diagnostic> {
    let plans_dir = dir.join("plans");
    let mut plans = Plans::new();
    for entry in walkdir::WalkDir::new(&plans_dir).sort_by_file_name() {
        let entry = entry.map_err(|e| input_error(e.to_string()))?;
        let is_index = entry.path() == plans_dir.join("index.json");
        if entry.file_type().is_file()
            && !is_index
            && entry.path().extension().is_some_and(|e| e == "json")
        {
            plans.extend(read_plan_file(entry.path())?);
        }
    }
    Ok(plans)
}

/// Writes the tree of `revision` of the git repository around `root` into
/// `into`; returns the project folder inside it that corresponds to `root`.
pub(crate) fn checkout_revision(
    root: &Path,
    revision: &str,
    into: &Path,
) -> Result<PathBuf, Diagnostic> {
    let git = |dir: &Path, args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| input_error(format!("cannot run git: {e}")))
    };
    let top = git(root, &["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        return Err(input_error(format!(
            "`{revision}` is not a plan file, a folder, or a git revision: `{}` is not in a git repository",
            root.display()
        )));
    }
    let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let commit = format!("{revision}^{{commit}}");
    let verify = git(root, &["rev-parse", "--verify", "--quiet", &commit])?;
    if !verify.status.success() {
        return Err(input_error(format!(
            "`{revision}` is not a plan file, a folder, or a revision of this git repository"
        )));
    }
    // from the top of the repository: run in a subfolder, git archive would
    // hold only that subfolder, at the top of the tar
    let archive = git(&top, &["archive", "--format=tar", revision])?;
    if !archive.status.success() {
        return Err(input_error(format!(
            "git archive {revision} failed: {}",
            String::from_utf8_lossy(&archive.stderr).trim()
        )));
    }
    unpack(&archive.stdout, revision, into)?;
    let io = |e: std::io::Error| input_error(e.to_string());
    let root = root.canonicalize().map_err(io)?;
    let rel = root
        .strip_prefix(top.canonicalize().map_err(io)?)
        .unwrap_or(Path::new(""));
    Ok(into.join(rel))
}

/// Unpacks the tar `archive` of `revision` into `into`.
fn unpack(archive: &[u8], revision: &str, into: &Path) -> Result<(), Diagnostic> {
    let failed = |e: std::io::Error| input_error(format!("cannot unpack {revision}: {e}"));
    let mut tar = std::process::Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| input_error(format!("cannot run tar: {e}")))?;
    use std::io::Write as _;
    tar.stdin
        .take()
        .expect("piped stdin")
        .write_all(archive)
        .map_err(failed)?;
    if !tar
        .wait()
        .map_err(|e| input_error(e.to_string()))?
        .success()
    {
        return Err(input_error(format!("cannot unpack {revision}")));
    }
    Ok(())
}

/// The JSON form: `{"changes": [...]}`.
pub(crate) fn render_json(changes: &[Change]) -> String {
    #[derive(Serialize)]
    struct Report<'a> {
        changes: &'a [Change],
    }
    let mut text = serde_json::to_string_pretty(&Report { changes }).expect("changes serialise");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(id: &str, number: u64, text: &str) -> Value {
        json!({"id": id, "number": number, "title": text, "text": text, "markdown": text,
               "optional": false, "code": [], "notes": [], "links": [], "details": null, "substeps": []})
    }

    fn plan(steps: Vec<Value>) -> Value {
        json!({"schema_version": 1, "page": {"name": "p", "title": "P"},
               "procedures": [{"id": "proc", "title": "Proc", "heading_path": ["Proc"], "intro": null, "steps": steps}]})
    }

    fn plans(v: Value) -> Plans {
        [("p".to_owned(), v)].into_iter().collect()
    }

    #[test]
    fn diff_table() {
        let base = plan(vec![step("proc/a", 1, "A"), step("proc/b", 2, "B")]);
        type Expected<'a> = Vec<(ChangeKind, Option<&'a str>, Vec<&'a str>)>;
        let cases: Vec<(Value, Expected)> = vec![
            (base.clone(), vec![]),
            (
                plan(vec![
                    step("proc/new", 1, "N"),
                    step("proc/a", 2, "A"),
                    step("proc/b", 3, "B"),
                ]),
                vec![
                    (ChangeKind::Added, Some("proc/new"), vec![]),
                    (ChangeKind::Renumbered, Some("proc/a"), vec!["number"]),
                    (ChangeKind::Renumbered, Some("proc/b"), vec!["number"]),
                ],
            ),
            (
                plan(vec![step("proc/a", 1, "A changed")]),
                vec![
                    (ChangeKind::Removed, Some("proc/b"), vec![]),
                    (
                        ChangeKind::Changed,
                        Some("proc/a"),
                        vec!["title", "text", "markdown"],
                    ),
                ],
            ),
        ];
        for (new, expected) in cases {
            let got: Vec<_> = diff(&plans(base.clone()), &plans(new))
                .into_iter()
                .map(|c| (c.kind, c.step.clone(), c.fields.clone()))
                .collect();
            let expected: Vec<_> = expected
                .into_iter()
                .map(|(k, s, f)| {
                    (
                        k,
                        s.map(str::to_owned),
                        f.into_iter().map(str::to_owned).collect::<Vec<_>>(),
                    )
                })
                .collect();
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn reworded_and_renumbered_step_names_both() {
        let old = plans(plan(vec![step("proc/b", 2, "Beta step is here")]));
        let new = plans(plan(vec![
            step("proc/zero", 1, "Zero"),
            step("proc/b-now", 3, "Beta step is here now"),
        ]));
        let changes = diff(&old, &new);
        assert_eq!(
            changes[1].fields,
            ["id", "title", "text", "markdown", "number"]
        );
        assert!(render_human(&changes)
            .contains("~ step proc/b-now 2. → 3.: id, title, text, markdown, number changed"));
    }

    #[test]
    fn pages_added_and_removed() {
        let old = plans(plan(vec![]));
        let mut new = Plans::new();
        new.insert("q".into(), plan(vec![]));
        let kinds: Vec<_> = diff(&old, &new)
            .into_iter()
            .map(|c| (c.kind, c.page))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::Removed, "p".to_owned()),
                (ChangeKind::Added, "q".to_owned())
            ]
        );
    }

    #[test]
    fn human_form_shows_old_and_new_text() {
        let old = plans(plan(vec![step("proc/a", 1, "Back up the database")]));
        let new = plans(plan(vec![step("proc/a", 1, "Back up the database twice")]));
        let text = render_human(&diff(&old, &new));
        assert_eq!(
            text,
            "p\n  ~ step proc/a 1.: title, text, markdown changed\n      - Back up the database\n      + Back up the database twice\n"
        );
    }
}
