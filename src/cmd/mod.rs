//! Commands: one file per command, each a short function over the [`crate::driver::Session`].

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod checklist;
pub(crate) mod diff;
pub(crate) mod plan;
