//! runsheet compiles Markdown procedures with `!include` partials into a docs
//! site, printable checklists and JSON plans.
//!
//! The pipeline, one module per stage: [`loader`] walks the project,
//! [`frontmatter`] types each page's YAML, [`include`] expands partials while
//! recording a [`sourcemap`], [`markdown`] prepares the expanded text
//! for parsing (callouts, `!toc`, headings),
//! [`project`] ties the stages together, [`procedure`] reads numbered lists
//! into steps (over the [`blocks`] tree, with [`align`] for `details`),
//! [`plan`] writes them as versioned JSON, [`site`] renders the HTML site
//! through [`templates`], [`output`] writes it, [`serve`] serves it while
//! editing, [`run`] walks an operator through a procedure with a journal,
//! and [`cli`] drives them.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]

pub(crate) mod align;
pub mod build;
pub(crate) mod checklist;
pub mod cli;
pub(crate) mod cmd;
pub mod config;
#[doc(hidden)]
pub mod corpus;
pub mod diagnostic;
pub(crate) mod diff;
pub(crate) mod driver;
pub(crate) mod frontmatter;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod include;
pub(crate) mod loader;
pub(crate) mod markdown;
pub mod mdx;
pub mod output;
pub mod plan;
pub mod procedure;
pub mod project;
pub(crate) mod revision;
pub(crate) mod run;
pub mod serve;
pub mod site;
pub(crate) mod slug;
pub mod source;
pub(crate) mod sourcemap;
pub(crate) mod suggest;
pub(crate) mod templates;
pub(crate) mod text;

/// The stages one by one, for the benchmarks; not a stable interface.
#[doc(hidden)]
pub mod stages {
    pub use crate::checklist::forms;
    pub use crate::frontmatter::parse_page;
    pub use crate::include::{expand, Limits};
    pub use crate::markdown::Doc;
}
