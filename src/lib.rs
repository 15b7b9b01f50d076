//! runsheet compiles Markdown procedures with `!include` partials into a docs
//! site, printable checklists and JSON plans.
//!
//! The pipeline, one private module per stage (see `ARCHITECTURE.md`):
//! `loader` walks the project, `frontmatter` types each page's YAML,
//! `include` expands partials while recording a `sourcemap`, `markdown`
//! parses each page once into its block tree, `project` ties the stages
//! together, `procedure` reads numbered lists into steps, [`plan`] writes
//! them as versioned JSON, `checklist` and `site` render through
//! `templates`, `output` writes the files, `serve` serves them while
//! editing, `run` walks an operator through a procedure, and `driver` with
//! `cmd` runs each command.
//!
//! The public surface is small: [`run`] (the binary), [`load`] with
//! [`Overrides`] to open a project as the commands do, the [`Project`] and
//! its [`Page`]s, [`Diagnostic`]s, and the [`plan`] types with their
//! schema. `internals` (hidden) lends the stages to the test crate, the
//! benchmarks and the examples, and `fuzzing` and `corpus` serve the fuzz
//! targets and the corpus generator; none of the three is a stable
//! interface.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]

mod align;
mod build;
mod cache;
mod checklist;
mod cli;
mod cmd;
mod config;
#[doc(hidden)]
pub mod corpus;
mod diagnostic;
mod diff;
mod driver;
mod frontmatter;
#[doc(hidden)]
pub mod fuzzing;
mod include;
mod loader;
mod markdown;
mod mdx;
mod output;
pub mod plan;
mod procedure;
mod project;
mod revision;
mod run;
mod serve;
mod site;
mod slug;
mod source;
mod sourcemap;
mod suggest;
mod templates;
mod text;
mod updated;

pub use cli::run;
pub use config::Overrides;
pub use diagnostic::{Diagnostic, Severity};
pub use project::{Page, Project};

/// Opens the project at `root` as every command does: its settings (with
/// `overrides`) and every page, with the diagnostics of loading. When the
/// settings are unusable there is no project, only their errors.
pub fn load(
    root: &std::path::Path,
    overrides: &Overrides,
) -> Result<(Project, Vec<Diagnostic>), Vec<Diagnostic>> {
    driver::load(root, overrides).map_err(|failed| failed.diags)
}

/// The stages one by one and the pieces the test crate, the benchmarks and
/// the examples reach into; not a stable interface.
#[doc(hidden)]
pub mod internals {
    pub use crate::build::render;
    pub use crate::checklist::forms;
    pub use crate::config::{load as load_settings, Reading};
    pub use crate::diagnostic::{normalize, render_human, render_json};
    pub use crate::frontmatter::parse_page;
    pub use crate::include::{expand, Limits};
    pub use crate::markdown::Doc;
    pub use crate::mdx::PageFormat;
    pub use crate::output::{write, Files, Guard, MARKER};
    pub use crate::procedure::{extract, BlockKind, Procedure, Step, MAX_STEP_DEPTH};
    pub use crate::serve::{MAX_CONNECTIONS, READ_TIMEOUT};
    pub use crate::site::{check_links, content_files, links::page_path, render as render_site};
    pub use crate::source::SourceDb;

    /// A plan with every field spelled out, as plan schema version 2 wrote
    /// it (`crate::plan::as_v2`): the whole model as one JSON value.
    pub fn plan_as_v2(plan: &crate::plan::Plan) -> serde_json::Value {
        crate::plan::as_v2(plan)
    }
}
