//! Commands: one file per command, each a short function over the [`crate::driver::Session`]; `cli` parses the arguments and calls them.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod checklist;
pub(crate) mod completions;
pub(crate) mod diff;
pub(crate) mod examples;
pub(crate) mod init;
pub(crate) mod man;
pub(crate) mod plan;
pub(crate) mod site_flags;
