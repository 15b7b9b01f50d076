//! Commands: one file per command, each a short function over the [`crate::driver::Session`]; `cli` parses the arguments and calls them.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod checklist;
pub mod completions;
pub(crate) mod diff;
pub mod examples;
pub mod init;
pub mod man;
pub(crate) mod plan;
pub mod site_flags;
