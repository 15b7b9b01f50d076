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

pub mod align;
pub mod build;
pub mod checklist;
pub mod cli;
pub mod cmd;
pub mod config;
#[doc(hidden)]
pub mod corpus;
pub mod diagnostic;
pub mod diff;
pub mod driver;
pub mod frontmatter;
pub mod include;
pub mod loader;
pub mod markdown;
pub mod mdx;
pub mod output;
pub mod plan;
pub mod procedure;
pub mod project;
pub mod revision;
pub mod run;
pub mod serve;
pub mod site;
pub mod slug;
pub mod source;
pub mod sourcemap;
pub mod suggest;
pub mod templates;
