//! Procedure warnings on the Octopus Deploy corpus: the counts
//! `docs/procedures.md` states, and no `procedure-empty` or
//! `procedure-too-deep` on its pages.

use crate::common;

use std::collections::BTreeMap;

use runsheet::Overrides;

#[test]
fn corpus_procedure_warnings() {
    let Some(corpus) = common::corpus() else {
        eprintln!("note: ../shared/corpus/octopus-docs is not there; corpus warnings not checked");
        return;
    };
    let overrides = Overrides {
        content: Some(corpus.join("src/pages/docs")),
        partials: Some(corpus.join("src/shared-content")),
        base_path: Some("/docs".into()),
        // the `.md` pages; tests/mdx_corpus.rs reads the `.mdx` ones
        page_formats: Some(vec![runsheet::internals::PageFormat::Md]),
        ..Overrides::default()
    };
    let (project, mut diags) = common::load_with(&common::repo(), &overrides);
    common::plans(&project, &mut diags);
    // a partial used by two pages warns once, as `runsheet check` reports it
    runsheet::internals::normalize(&mut diags, &project.db);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &diags {
        if d.code.starts_with("procedure-") {
            *counts.entry(d.code).or_default() += 1;
        }
    }
    // the lists of `using-hydra.include.md` that images interrupt are one
    // procedure now (no `procedure-split`); its sub-items indented one space
    // still warn
    assert_eq!(counts, BTreeMap::from([("procedure-indent", 3)]));
}
