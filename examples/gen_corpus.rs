//! Generates a deterministic docs project shaped like the Octopus Deploy corpus, for benchmarks.
//!
//! `cargo run --release --example gen_corpus -- DIR PAGES [SEED]` writes
//! `DIR/content/` (PAGES pages in nested sections, each with front matter,
//! headings, numbered procedures with substeps, callouts, code, tables,
//! internal links — about 2% of them broken — and `!include` lines),
//! `DIR/partials/` (shared partials, one in eight including another) and
//! `DIR/runsheet.toml`. The same arguments always give the same bytes; the
//! generator itself is `runsheet::corpus`, shared with the benches.

use std::path::Path;

use runsheet::corpus::Corpus;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(pages)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: gen_corpus DIR PAGES [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    if let Err(e) = Corpus::new(pages, seed).write(Path::new(dir)) {
        eprintln!("gen_corpus: cannot write `{dir}`: {e}");
        std::process::exit(1);
    }
}
