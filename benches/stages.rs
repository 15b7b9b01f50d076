//! Benchmarks of each build stage on a generated project (`runsheet::corpus`): include expansion, parsing with procedure extraction, the three renderers and writing, in MB/s and pages/s.
//!
//! `cargo bench` runs a small project (200 pages, 10 samples each) so the
//! whole run stays short; `RUNSHEET_BENCH_PAGES=2000 cargo bench` measures a
//! bigger one, and divan's own flags work as usual (`cargo bench --
//! checklists`, `--sample-count 30`). The throughput of every render stage
//! is given in bytes of expanded page source (front matter excluded,
//! partials included) per second; writing in bytes of output per second.
//! Include expansion and parsing run page after page on one core; the
//! renderers and the writer use every core, as in a build.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use rayon::prelude::*;

use runsheet::corpus::Corpus;
use runsheet::internals as stages;
use runsheet::internals::{Files, Guard};
use runsheet::plan;
use runsheet::plan::Plan;
use runsheet::Overrides;
use runsheet::Project;

/// Pages of the generated project, unless `RUNSHEET_BENCH_PAGES` says otherwise.
const DEFAULT_PAGES: usize = 200;

/// The binary's allocator, so stages cost here what they cost in a build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::Divan::default()
        .sample_count(10)
        .sample_size(1)
        .config_with_args()
        .main();
}

/// The generated project, loaded once and shared by every bench.
struct Fixture {
    _dir: tempfile::TempDir,
    project: Project,
    /// Where each page's body starts in its file (after the front matter).
    body_starts: Vec<usize>,
    /// Bytes of every page's expanded text.
    expanded: usize,
    plans: Vec<Plan>,
    /// Pages with a checklist.
    checklists: BTreeSet<String>,
    /// Every file of a build, in memory.
    files: Files,
    /// Bytes of every file of a build.
    output: usize,
    /// An output folder already holding `files`.
    written: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let pages = std::env::var("RUNSHEET_BENCH_PAGES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(DEFAULT_PAGES);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().join("project");
        Corpus::new(pages, 1)
            .write(&root)
            .expect("write the corpus");
        let project = load(&root);
        let mut diags = Vec::new();
        let body_starts = project
            .pages
            .iter()
            .map(|p| stages::parse_page(p.file, project.db.get(p.file), &mut diags).1)
            .collect();
        let expanded = project.pages.iter().map(|p| p.expansion.text.len()).sum();
        let plans = plan::render(&project, &mut Files::paths_only(), &mut diags);
        let checklists = project
            .pages
            .iter()
            .zip(&plans)
            .filter(|(_, p)| !p.procedures.is_empty())
            .map(|(page, _)| page.name.clone())
            .collect();
        let mut files = Files::default();
        stages::render(&project, &mut files, &mut diags);
        let output = files.iter().map(|(_, b)| b.len()).sum();
        let written = dir.path().join("written");
        stages::write(&written, &files, &guard(&project)).expect("write the output");
        Fixture {
            _dir: dir,
            project,
            body_starts,
            expanded,
            plans,
            checklists,
            files,
            output,
            written,
        }
    })
}

fn load(root: &Path) -> Project {
    runsheet::load(root, &Overrides::default())
        .expect("the generated settings load")
        .0
}

fn guard(project: &Project) -> Guard {
    Guard::new(&project.config)
}

/// MB/s of expanded source and pages/s.
fn per_source<'a, 'b>(bencher: Bencher<'a, 'b>, f: &Fixture) -> Bencher<'a, 'b> {
    bencher
        .counter(BytesCount::new(f.expanded))
        .counter(ItemsCount::new(f.project.pages.len()))
}

/// Loading the whole project: walking, front matter, includes and parsing, on every core.
#[divan::bench]
fn load_project(bencher: Bencher) {
    let f = fixture();
    let root = f.project.config.root.clone();
    per_source(bencher, f).bench(|| load(&root));
}

/// `!include` expansion of every page, with its source map.
#[divan::bench]
fn include_expansion(bencher: Bencher) {
    let f = fixture();
    let p = &f.project;
    per_source(bencher, f).bench(|| {
        let mut diags = Vec::new();
        for (page, start) in p.pages.iter().zip(&f.body_starts) {
            let limits = stages::Limits::default();
            divan::black_box(stages::expand(
                &p.db,
                &p.partials,
                page.file,
                *start,
                limits,
                &mut diags,
            ));
        }
    });
}

/// Markdown preparation and parsing of every page, then its procedures.
#[divan::bench]
fn parse_and_procedures(bencher: Bencher) {
    let f = fixture();
    let p = &f.project;
    per_source(bencher, f).bench(|| {
        let mut diags = Vec::new();
        for page in &p.pages {
            divan::black_box(stages::Doc::parse(&page.expansion, &mut diags));
            let reading = p.config.lists;
            divan::black_box(stages::extract(page, &p.db, reading, &mut diags));
        }
    });
}

/// Every plan file (procedures read again, then JSON), the plan index and schema.
#[divan::bench]
fn plans(bencher: Bencher) {
    let f = fixture();
    per_source(bencher, f).bench(|| {
        let mut diags = Vec::new();
        plan::render(&f.project, &mut Files::paths_only(), &mut diags)
    });
}

/// The three checklist forms of every page with procedures, from its plan.
#[divan::bench]
fn checklists(bencher: Bencher) {
    let f = fixture();
    let p = &f.project;
    per_source(bencher, f).bench(|| {
        p.pages
            .par_iter()
            .zip(&f.plans)
            .map(|(page, plan)| stages::forms(p, page, plan).len())
            .sum::<usize>()
    });
}

/// Every page of the site, the navigation, search index and assets.
#[divan::bench]
fn site_pages(bencher: Bencher) {
    let f = fixture();
    let p = &f.project;
    per_source(bencher, f).bench(|| {
        let mut diags = Vec::new();
        let mut files = Files::paths_only();
        stages::render_site(p, &f.checklists, &mut diags, &mut files, &mut ());
        files.len()
    });
}

/// The whole render of a build, kept in memory.
#[divan::bench]
fn render_all(bencher: Bencher) {
    let f = fixture();
    per_source(bencher, f).bench(|| {
        let mut diags = Vec::new();
        let mut files = Files::default();
        stages::render(&f.project, &mut files, &mut diags)
    });
}

/// Writing every file of a build into an empty folder, marker included.
#[divan::bench]
fn write_new(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(BytesCount::new(f.output))
        .with_inputs(|| tempfile::tempdir().expect("a temporary folder"))
        .bench_local_values(|dir| {
            stages::write(&dir.path().join("site"), &f.files, &guard(&f.project))
                .expect("the output is written");
            dir
        });
}

/// Writing the same files again: every file hashed, nothing written.
#[divan::bench]
fn write_unchanged(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(BytesCount::new(f.output))
        .bench(|| stages::write(&f.written, &f.files, &guard(&f.project)));
}
