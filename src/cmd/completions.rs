//! `runsheet completions SHELL`: prints a shell completion script on stdout.

use std::io::Write;

/// Writes the completion script of `cmd` for `shell` to stdout; 0, or 1 when stdout fails.
pub(crate) fn run(shell: clap_complete::Shell, cmd: &mut clap::Command) -> u8 {
    let mut out = Vec::new();
    clap_complete::generate(shell, cmd, "runsheet", &mut out);
    match std::io::stdout().lock().write_all(&out) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write the completion script: {e}");
            1
        }
    }
}
