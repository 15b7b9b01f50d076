//! `runsheet man`: prints the manual page (roff, section 1) on stdout.
//!
//! One page for the whole tool: the usual sections of `runsheet` itself, then
//! a section per command (its synopsis, description and options as
//! subsections) and the examples that end each command's `--help`.

use crate::driver::{Exit, Failed, Session};

/// The manual page of `cmd` (the `runsheet` command with its subcommands).
pub(crate) fn render(cmd: &clap::Command) -> String {
    let mut cmd = cmd.clone();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone()).date("");
    let mut out = Vec::new();
    // writing into a Vec cannot fail
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    let _ = man.render_subcommands_section(&mut out);
    let mut text = String::from_utf8_lossy(&out).into_owned();
    text.push_str(&examples("SH", cmd.get_after_help()));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        text.push_str(&command_section(sub));
    }
    let mut out = Vec::new();
    let _ = man.render_version_section(&mut out);
    text.push_str(&String::from_utf8_lossy(&out));
    text
}

/// `.SH "RUNSHEET BUILD"` and the command's synopsis, description, options
/// and examples as subsections.
fn command_section(sub: &clap::Command) -> String {
    let name = format!("runsheet {}", sub.get_name());
    let page = clap_mangen::Man::new(sub.clone().bin_name(name.clone()));
    let mut out = Vec::new();
    let _ = page.render_synopsis_section(&mut out);
    let _ = page.render_description_section(&mut out);
    let _ = page.render_options_section(&mut out);
    let body = String::from_utf8_lossy(&out).replace("\n.SH ", "\n.SS ");
    let body = body
        .strip_prefix(".SH ")
        .map_or(body.clone(), |rest| format!(".SS {rest}"));
    format!(
        ".SH \"{}\"\n{body}{}",
        name.to_uppercase(),
        examples("SS", sub.get_after_help()),
    )
}

/// An `EXAMPLES` section (`macro` is `SH` or `SS`) holding the lines of an
/// `after_help` text as they are (`.nf` … `.fi`); nothing without one.
fn examples(macro_name: &str, after_help: Option<&clap::builder::StyledStr>) -> String {
    let Some(text) = after_help else {
        return String::new();
    };
    let mut out = format!(".{macro_name} EXAMPLES\n.nf\n");
    for line in text.to_string().lines() {
        if line.trim_end() != "Examples:" {
            out.push_str(&roff_line(line));
            out.push('\n');
        }
    }
    out.push_str(".fi\n");
    out
}

/// A line of literal text: backslashes doubled, a leading `.` or `'` guarded.
fn roff_line(line: &str) -> String {
    let line = line.replace('\\', "\\e");
    if line.starts_with('.') || line.starts_with('\'') {
        format!("\\&{line}")
    } else {
        line
    }
}

/// Prints the manual page of `cmd`.
pub(crate) fn run(s: &Session, cmd: &clap::Command) -> Result<Exit, Failed> {
    s.print(render(cmd).as_bytes(), "the manual page")
}
