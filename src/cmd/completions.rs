//! `runsheet completions SHELL`: prints a shell completion script on stdout.

use crate::driver::{Exit, Failed, Session};

/// Writes the completion script of `cmd` for `shell` to stdout.
pub(crate) fn run(
    s: &Session,
    shell: clap_complete::Shell,
    cmd: &mut clap::Command,
) -> Result<Exit, Failed> {
    let mut out = Vec::new();
    clap_complete::generate(shell, cmd, "runsheet", &mut out);
    s.print(&out, "the completion script")
}
