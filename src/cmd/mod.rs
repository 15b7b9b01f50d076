//! Command bodies, one file per command; `cli` parses the arguments and calls them.

pub mod completions;
pub mod examples;
pub mod init;
pub mod man;
pub mod site_flags;
