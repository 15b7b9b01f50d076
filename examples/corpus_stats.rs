//! Sizes behind the scale targets of a built project, for `scripts/bench-compare.sh`.
//!
//! `cargo run --release --example corpus_stats -- ROOT OUT` loads the project
//! at ROOT and prints `key=value` lines: pages, the bytes of the sources
//! (pages and partials as written), of the pages' expanded text (front matter
//! excluded, partials included), of the plan files in OUT, of everything in
//! OUT, and the largest and median ratio of a plan file to its page's
//! expanded text.

use std::path::Path;

use runsheet::Overrides;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(root), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: corpus_stats ROOT OUT");
        std::process::exit(2);
    };
    let (root, out) = (Path::new(root), Path::new(out));
    let Ok((project, _)) = runsheet::load(root, &Overrides::default()) else {
        eprintln!("corpus_stats: cannot load `{}`", root.display());
        std::process::exit(1);
    };
    let source: u64 = file_bytes(&project.config.content) + file_bytes(&project.config.partials);
    let mut ratios = Vec::new();
    let (mut expanded, mut plans) = (0u64, 0u64);
    for page in project.pages.iter().filter(|p| p.redirect().is_none()) {
        let plan =
            std::fs::metadata(out.join(runsheet::plan::plan_path(page))).map_or(0, |m| m.len());
        let text = page.expansion.text.len() as u64;
        expanded += text;
        plans += plan;
        ratios.push(plan as f64 / text.max(1) as f64);
    }
    ratios.sort_by(f64::total_cmp);
    println!("pages={}", project.pages.len());
    println!("source_bytes={source}");
    println!("expanded_bytes={expanded}");
    println!("plan_bytes={plans}");
    println!("output_bytes={}", file_bytes(out));
    println!(
        "plan_ratio_max={:.2}",
        ratios.last().copied().unwrap_or(0.0)
    );
    println!(
        "plan_ratio_median={:.2}",
        ratios.get(ratios.len() / 2).copied().unwrap_or(0.0)
    );
}

/// Bytes of every file below `dir`.
fn file_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}
