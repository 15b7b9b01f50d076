//! The registry of diagnostic codes: every code runsheet reports, with its severity and a one-line meaning; README's table and SPEC's list are checked against it.

use super::Severity;

/// One diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Code {
    pub name: &'static str,
    /// The severity it is reported with (`--strict` makes warnings errors).
    pub severity: Severity,
    pub meaning: &'static str,
}

const fn code(name: &'static str, severity: Severity, meaning: &'static str) -> Code {
    Code {
        name,
        severity,
        meaning,
    }
}

use Severity::{Error, Warning};

/// Every code, in the order README's table lists them.
pub(crate) const CODES: &[Code] = &[
    code("include-missing", Error, "no partial has that name, or an MDX import's path (with suggestions)"),
    code("include-ambiguous", Error, "two partials have that name; use `folder/name`"),
    code("include-cycle", Error, "a partial includes itself through a chain, shown whole"),
    code("include-depth", Error, "includes nested more than 32 deep"),
    code("include-too-large", Error, "a page expands past 64 MiB, 50,000 lines, 50,000 includes or 1,000,000 source-map entries; the message says which"),
    code("include-escape", Error, "the name leaves `partials/` (`..`, absolute path, symlink out)"),
    code("include-syntax", Error, "a line starting `!include` that is not `!include <name>`"),
    code("front-matter-missing", Error, "the page has neither a `---` YAML block nor an opening `# Title` heading"),
    code("front-matter-invalid", Error, "YAML syntax, not a mapping, lists or mappings nested more than 64 deep, or a known key of the wrong type"),
    code("title-missing", Error, "no (or an empty) `title`"),
    code("not-utf8", Error, "the file is not UTF-8 (byte offset given)"),
    code("callout-unclosed", Error, "a `:::` callout has no closing `:::`"),
    code("template-error", Error, "a template does not parse or render, or runs more than 20,000,000 instructions"),
    code("link-broken", Warning, "an internal link points at no page or file"),
    code("anchor-broken", Warning, "an internal link's `#fragment` names no heading of its page (nor an `id` in its raw HTML outside code)"),
    code("partial-unused", Warning, "no page includes this partial (the first 10 listed, one warning for the rest)"),
    code("procedure-empty", Warning, "a section announces steps but has none"),
    code("procedure-split", Warning, "CommonMark ends a numbered list that reads as one procedure"),
    code("procedure-indent", Warning, "a sub-item is indented too little to nest"),
    code("procedure-too-deep", Warning, "steps nested more than 16 levels; deeper lists stay in the step's text"),
    code("page-duplicate", Error, "`a.md` and `a/index.md` both exist"),
    code("page-unknown", Error, "`plan`/`checklist` got no page, or one without procedures"),
    code("checklist-empty", Error, "`plan`/`checklist` got no page, or one without procedures"),
    code("config-invalid", Error, "bad `runsheet.toml`, missing folders"),
    code("project-invalid", Error, "bad `runsheet.toml`, missing folders"),
    code("output-refused", Error, "the output folder is not runsheet's, or cannot be written"),
    code("output-failed", Error, "the output folder is not runsheet's, or cannot be written"),
    code("output-collision", Error, "two products (a content file, a page, a plan) would be written to the same path; or a page exists as `a.md` and `a.mdx` and `page_formats` does not choose"),
    code("content-escape", Warning, "a symlink under `content/` points outside it; it is not published (a page behind it has no HTML, plan, checklist, search or navigation entry)"),
    code("diff-input", Error, "a side of `diff` is not a plan, folder or revision"),
    code("hold-missing", Warning, "a step that deletes, drops or downgrades has no hold point at or before it (only with `hold_warnings = true`)"),
    code("run-invalid", Error, "`run`/`report`: a journal that cannot be read or written, a bad scripted answer, nothing to run, no such procedure"),
    code("run-empty", Error, "`run`/`report`: a journal that cannot be read or written, a bad scripted answer, nothing to run, no such procedure"),
    code("procedure-unknown", Error, "`run`/`report`: a journal that cannot be read or written, a bad scripted answer, nothing to run, no such procedure"),
    code("journal-truncated", Warning, "a run journal's last line was cut short (a write that did not finish): `run --resume` and `report` ignore it, and a resume drops it"),
    code("digest-unknown", Error, "`verify`: not a digest (exit 2), no plan has that digest, or the prefix matches several"),
    code("component-unknown", Error, "an MDX page uses `<Name />` that it never imports"),
    code("component-dropped", Warning, "an MDX component that is not a partial (nor an `<Image>`) is left out"),
    code("import-unused", Warning, "an MDX page imports a partial it never places"),
    code("import-invalid", Warning, "a line that starts like an MDX import but does not read as one"),
    code("redirect-invalid", Warning, "a `redirect_from:` address is not an address of the site (outside `base_path`, empty, `..`)"),
    code("init-refused", Error, "`init`: a file it would write exists (nothing is written), or a file cannot be written"),
    code("init-failed", Error, "`init`: a file it would write exists (nothing is written), or a file cannot be written"),
    code("serve-failed", Error, "`serve` cannot listen on the address and port (with what to try instead), or cannot watch the project for changes"),
    code("serve-exposed", Warning, "`serve --host` listens on an address other machines can reach: anyone who can reach this one can read the site"),
    code("browser-failed", Warning, "`serve --open` could not open a browser; the site is served all the same"),
    code("io", Error, "a file or folder of the project cannot be read, or stdout cannot be written"),
];

/// The registered code named `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The code literals given to `Diagnostic::error(` and `Diagnostic::warning(` in `dir`.
    fn literal_codes(dir: &Path, found: &mut BTreeSet<String>) {
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for call in ["Diagnostic::error(", "Diagnostic::warning("] {
                for (at, _) in text.match_indices(call) {
                    let rest = text[at + call.len()..].trim_start();
                    if let Some(lit) = rest.strip_prefix('"') {
                        let lit = &lit[..lit.find('"').unwrap_or(0)];
                        if is_code_like(lit) {
                            found.insert(lit.to_owned());
                        }
                    }
                }
            }
        }
    }

    /// Lowercase words joined by `-` (or one word): what a code looks like.
    fn is_code_like(s: &str) -> bool {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
    }

    #[test]
    fn every_code_in_the_source_is_registered() {
        let mut found = BTreeSet::new();
        literal_codes(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found.remove("x"); // unit tests' own stand-in
        let missing: Vec<&String> = found.iter().filter(|c| lookup(c).is_none()).collect();
        assert!(missing.is_empty(), "not in CODES: {missing:?}");
        assert!(found.len() > 20, "the scan found the codes: {found:?}");
    }

    #[test]
    fn the_readme_table_is_the_registry() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
                .unwrap();
        let table = &readme[readme.find("| code | severity | meaning |").unwrap()..];
        let mut listed = Vec::new();
        for line in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            for name in cells[0].split(", ") {
                listed.push((
                    name.trim_matches('`').to_owned(),
                    cells[1].to_owned(),
                    cells[2].to_owned(),
                ));
            }
        }
        let registry: Vec<(String, String, String)> = CODES
            .iter()
            .map(|c| {
                let severity = match c.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                (
                    c.name.to_owned(),
                    severity.to_owned(),
                    c.meaning.replace('|', "\\|"),
                )
            })
            .collect();
        assert_eq!(listed, registry);
    }

    #[test]
    fn the_spec_codes_are_registered() {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/SPEC.md");
        let Ok(spec) = std::fs::read_to_string(spec) else {
            eprintln!("note: ../shared/SPEC.md is not there; its codes are not checked");
            return;
        };
        let line = spec.lines().find(|l| l.contains("Codes at least")).unwrap();
        let codes: Vec<&str> = line
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|c| c.contains('-') && is_code_like(c))
            .collect();
        assert!(codes.len() > 10);
        for code in codes {
            assert!(lookup(code).is_some(), "SPEC's `{code}` is not in CODES");
        }
    }
}
