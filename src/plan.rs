//! Plans: the versioned JSON form of a page's procedures, its JSON Schema, and the plan files of a build.
//!
//! A [`Plan`] is the full model (every field of every step spelled out, as
//! checklists, runs and diffs read it); its JSON is plan schema version 3
//! (`v3`) in one of two [`Encoding`]s. The compact one, a build's plan
//! files, says each thing once: files listed once, sources as `[file, line,
//! column]`, derived step fields left out. The expanded one, what `runsheet
//! plan` prints and run copies keep, spells out what the contract (SPEC.md
//! sections 5 and 6) describes: sources as `{file, line, column,
//! included_from}`, every step's `title`, `text` and `markdown`. Both leave
//! out keys at their default. Reading accepts either encoding of version 3
//! and version 2 (the spelled-out form of earlier builds and run copies)
//! and gives the same model. The same input always gives the same bytes:
//! one line of compact JSON in a build's plan files, two-space indentation
//! where people read it (`runsheet plan`, run copies). Field meanings are
//! in `docs/procedures.md`.

use std::collections::BTreeMap;

use rayon::prelude::*;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::output::{paths, Files};
use crate::procedure::{self, Procedure, Reading, Source};
use crate::project::{Page, Project};
use crate::source::SourceDb;

mod pretty;
mod v3;

/// The plan format's version; bumped on any change existing readers would misread.
pub const SCHEMA_VERSION: u32 = v3::VERSION;

/// The plan of one page: the full model. It serialises as plan schema
/// version 3 in the compact encoding (a build's plan files; see
/// [`to_pretty_json`] for either encoding) and reads versions 3 (either
/// encoding) and 2 ([`Plan::from_value`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// [`SCHEMA_VERSION`]: a plan read from a version 2 file is converted.
    pub schema_version: u32,
    pub page: PageInfo,
    /// `sha256:` and the lowercase hex SHA-256 of the page's expanded source.
    pub digest: String,
    /// Every procedure of the page, in page order.
    pub procedures: Vec<Procedure>,
}

impl Serialize for Plan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        v3::PlanV3::new(self, Encoding::Compact).serialize(serializer)
    }
}

/// The two encodings of plan schema version 3: the same schema and the
/// same plan, read back by the same reader ([`Plan::from_value`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Each thing said once, for size: a `files` table, every `source`
    /// `[file index, line, column]`, a step's `markdown` left out and its
    /// `title` and `text` when they can be derived. A build's plan files,
    /// and `runsheet plan --compact`.
    Compact,
    /// What the contract describes, for people and scripts: no `files`,
    /// every `source` `{file, line, column, included_from}` (`page.source`
    /// too), every step with its `title`, `text` and `markdown`. What
    /// `runsheet plan` prints and run copies keep.
    Expanded,
}

impl<'de> Deserialize<'de> for Plan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Plan::from_value(Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A plan of schema version 2, every field spelled out: how earlier builds
/// wrote plan files and run copies, and the form [`as_v2`] gives.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanV2 {
    #[serde(rename = "schema_version")]
    _schema_version: u32,
    page: PageInfo,
    digest: String,
    procedures: Vec<Procedure>,
}

/// [`PlanV2`] borrowing a plan, to write it.
#[derive(Serialize)]
struct PlanV2Ref<'a> {
    schema_version: u32,
    page: &'a PageInfo,
    digest: &'a str,
    procedures: &'a [Procedure],
}

impl Plan {
    /// Reads a plan of schema version 3 (what builds write now, compact, and
    /// what `runsheet plan` prints, expanded: a source may be in either
    /// form, an index needing `files`) or 2 (what earlier builds and run
    /// copies hold) into the full model.
    pub fn from_value(value: Value) -> Result<Plan, String> {
        match value.get("schema_version").and_then(Value::as_u64) {
            Some(3) => v3::PlanV3::deserialize(value)
                .map_err(|e| e.to_string())?
                .into_plan(),
            Some(2) => {
                let old: PlanV2 = serde_json::from_value(value).map_err(|e| e.to_string())?;
                let plan = Plan {
                    schema_version: SCHEMA_VERSION,
                    page: old.page,
                    digest: old.digest,
                    procedures: old.procedures,
                };
                v3::check_substeps_blocks(&plan)?;
                Ok(plan)
            }
            Some(n) => Err(format!(
                "plan schema version {n} is not one runsheet reads (3, or 2 from earlier builds)"
            )),
            None => Err("not a runsheet plan: no `schema_version`".into()),
        }
    }
}

/// `plan` with every field spelled out in schema version 2's layout
/// (sources as `{file, line, column, included_from}`, `title`, `text` and
/// `markdown` on every step, defaults written too, `null` for none): what
/// `runsheet diff` compares, so that plans of either version and encoding
/// compare field by field.
pub(crate) fn as_v2(plan: &Plan) -> Value {
    serde_json::to_value(PlanV2Ref {
        schema_version: 2,
        page: &plan.page,
        digest: &plan.digest,
        procedures: &plan.procedures,
    })
    .expect("plans serialise to JSON")
}

/// The page a plan describes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageInfo {
    /// `a/b` for `content/a/b.md`.
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    /// The page file (line 1, column 1); `files[0]` in a compact version 3 plan.
    pub source: Source,
    /// Front matter keys other than `title`, `description` and `position`, sorted.
    pub meta: BTreeMap<String, Value>,
}

/// One entry of `plans/index.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    pub name: String,
    pub title: String,
    /// Path of the plan file relative to the output folder, `plans/a/b.json`.
    pub plan: String,
    pub procedures: usize,
}

/// `plans/index.json`: every page of the build, ordered by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Index {
    pub schema_version: u32,
    pub pages: Vec<IndexEntry>,
}

/// Builds the plan of `page`; procedure warnings go to `diags`. A redirect
/// page (front matter `redirect:` or `redirect_to:`) has no procedures: what
/// is left of its text is no longer meant to be carried out.
pub fn plan(project: &Project, page: &Page, diags: &mut Vec<Diagnostic>) -> Plan {
    let plan = page_plan(&project.db, project.config.lists, page, diags);
    if project.config.hold_warnings {
        procedure::hold::lint(&plan.procedures, &project.db, diags);
    }
    plan
}

/// [`plan`] from what it needs of a project: its files and how lists are read.
pub(crate) fn page_plan(
    db: &SourceDb,
    lists: Reading,
    page: &Page,
    diags: &mut Vec<Diagnostic>,
) -> Plan {
    let file = db.get(page.file);
    let procedures = if page.redirect().is_some() {
        Vec::new()
    } else {
        procedure::extract(page, db, lists, diags)
    };
    Plan {
        schema_version: SCHEMA_VERSION,
        page: PageInfo {
            name: page.name.clone(),
            title: page.front.title.clone(),
            description: page.front.description.clone(),
            source: Source {
                file: file.path.clone(),
                line: 1,
                column: 1,
                included_from: Vec::new(),
            },
            meta: page
                .front
                .meta
                .iter()
                .map(|(k, v)| (k.clone(), canonical(v)))
                .collect(),
        },
        digest: digest(&page.expansion.text),
        procedures,
    }
}

/// `sha256:<hex>` of `text`.
pub fn digest(text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in hash {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// `value` with the keys of every object in sorted order, whichever map
/// type serde_json was built with.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Pretty JSON with two-space indentation and a final newline.
pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("plans serialise to JSON");
    text.push('\n');
    text
}

/// A plan in `encoding` as people read it (`runsheet plan` prints it
/// expanded, or compact with `--compact`; run copies keep it expanded):
/// JSON with two-space indentation, arrays of numbers and strings on one
/// line (`"heading_path": ["Upgrade", "Overview"]`, `"source": [0, 12, 1]`),
/// and a final newline.
pub fn to_pretty_json(plan: &Plan, encoding: Encoding) -> String {
    let mut out = Vec::with_capacity(16 * 1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, pretty::Pretty::default());
    v3::PlanV3::new(plan, encoding)
        .serialize(&mut ser)
        .expect("plans serialise to JSON");
    out.push(b'\n');
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Compact JSON (no spaces, one line) and a final newline: a build's plan files.
pub fn to_compact_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string(value).expect("plans serialise to JSON");
    text.push('\n');
    text
}

/// The JSON Schema (draft 2020-12) every plan validates against: schema
/// version 3 in either encoding (a `source` is `anyOf` an index triple and
/// a spelled-out object), keys that may be left out marked with their
/// `default`.
pub fn schema() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    serde_json::to_value(generator.into_root_schema_for::<v3::PlanV3<'static>>())
        .expect("the schema serialises to JSON")
}

/// The draft 2020-12 JSON Schema of `T` with every property required (the
/// run journal's: it always writes every key).
pub fn strict_schema<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with_transform(RecursiveTransform(require_every_property))
        .into_generator();
    serde_json::to_value(generator.into_root_schema_for::<T>())
        .expect("the schema serialises to JSON")
}

/// Marks every property of an object schema as required.
fn require_every_property(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let Some(Value::Object(properties)) = object.get("properties") else {
        return;
    };
    let keys: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
    object.insert("required".into(), Value::Array(keys));
}

/// Where the list of every page's plan is written.
pub const INDEX_PATH: &str = paths::PLANS_INDEX;

/// Path of a page's plan in the output folder: `plans/<name>.json`, except
/// the root page `index`, whose plan is `plans/index.page.json` because
/// `plans/index.json` is the list of plans.
pub fn plan_path(page: &Page) -> String {
    paths::plan(&page.name)
}

/// A page's plan, with its plan file and `plans/index.json` entry; a
/// redirect page has neither (nor, with no procedures, a checklist).
#[derive(Debug)]
pub struct Planned {
    pub plan: Plan,
    /// The path and compact JSON of `plans/<page>.json`.
    pub file: Option<(String, String)>,
    pub entry: Option<IndexEntry>,
}

/// Plans `page` for a build; warnings go to `diags`.
pub fn plan_file(project: &Project, page: &Page, diags: &mut Vec<Diagnostic>) -> Planned {
    let plan = plan(project, page, diags);
    if page.redirect().is_some() {
        return Planned {
            plan,
            file: None,
            entry: None,
        };
    }
    let entry = IndexEntry {
        name: page.name.clone(),
        title: page.front.title.clone(),
        plan: plan_path(page),
        procedures: plan.procedures.len(),
    };
    Planned {
        file: Some((plan_path(page), to_compact_json(&plan))),
        plan,
        entry: Some(entry),
    }
}

/// Adds `plans/index.json` (the `entries`, ordered by name) and
/// `plan.schema.json` to `files`.
pub fn add_index(mut entries: Vec<IndexEntry>, files: &mut Files) {
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let index = Index {
        schema_version: SCHEMA_VERSION,
        pages: entries,
    };
    files.add(INDEX_PATH, to_json(&index));
    files.add(paths::PLAN_SCHEMA, to_json(&schema()));
}

/// Adds `plans/<page>.json` for every page, `plans/index.json` and
/// `plan.schema.json` to `files`, as a build does; returns the plans, in
/// page order. (A build plans pages batch by batch with [`plan_file`],
/// keeping no plan longer than its checklists need it.)
pub fn render(project: &Project, files: &mut Files, diags: &mut Vec<Diagnostic>) -> Vec<Plan> {
    // pages are planned on every core; their files and warnings are then
    // added in page order, so the output does not depend on the threads
    let planned: Vec<(Planned, Vec<Diagnostic>)> = project
        .pages
        .par_iter()
        .map(|page| {
            let mut found = Vec::new();
            let planned = plan_file(project, page, &mut found);
            (planned, found)
        })
        .collect();
    let mut plans = Vec::with_capacity(planned.len());
    let mut entries = Vec::with_capacity(planned.len());
    for (planned, found) in planned {
        diags.extend(found);
        if let Some((path, json)) = planned.file {
            files.add(path, json);
        }
        entries.extend(planned.entry);
        plans.push(planned.plan);
    }
    add_index(entries, files);
    plans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(
            digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn canonical_sorts_nested_keys() {
        let v: Value = serde_json::from_str(r#"{"b":1,"a":{"z":[{"y":1,"x":2}],"c":3}}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&canonical(&v)).unwrap(),
            r#"{"a":{"c":3,"z":[{"x":2,"y":1}]},"b":1}"#
        );
    }
}
