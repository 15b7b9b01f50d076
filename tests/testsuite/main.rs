//! The integration test suite, one crate: a module per area, sharing one fixture builder and one
//! golden comparator (`common`); they run the real binary or the library on fixture trees under
//! `tests/fixtures/` and compare with goldens that `RUNSHEET_BLESS=1` rewrites.

mod common;

mod architecture;
mod browser;
mod cache;
mod checklist;
mod checklist_rendering;
mod checklist_words;
mod cli;
mod corpus_summary;
mod diagnostics;
mod diff_cli;
mod expand;
mod fuzz_regressions;
mod hostile_input;
mod kill;
mod limits;
mod mdx_cli;
mod mdx_corpus;
mod newcomer_cli;
mod output_safety;
mod plan_cli;
mod plan_depth;
mod plan_ids;
mod plan_lint;
mod plan_schema;
mod plan_versions;
mod plans;
mod print;
mod properties;
mod run;
mod run_tmux;
mod scale;
mod serve;
mod site_build;
mod site_cli;
mod site_golden;
mod site_settings;
