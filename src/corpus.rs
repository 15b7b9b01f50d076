//! A deterministic generated docs project shaped like the Octopus Deploy corpus, for benchmarks and scale tests.
//!
//! [`Corpus::new`] makes PAGES pages in nested sections (`area-N/topic-N/page-N`),
//! each with front matter, headings, numbered procedures with substeps,
//! callouts, code, tables, internal links (about 2% of them broken) and
//! `!include` lines, plus shared partials (one in eight including another)
//! and a `runsheet.toml` with `base_path = "/docs"`. The same arguments always
//! give the same bytes. The `gen_corpus` example, the benches and the scale
//! tests all use it; it is no part of runsheet's interface.

use std::fmt::Write as _;
use std::path::Path;

/// A generated project: every file by path relative to the project folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Corpus {
    /// `partials/shared-N.include.md`, in order.
    pub partials: Vec<(String, String)>,
    /// `content/index.md`, then `content/area-…/page-N.md` in order.
    pub pages: Vec<(String, String)>,
    /// The text of `runsheet.toml`.
    pub config: String,
}

impl Corpus {
    /// The project of `pages` generated pages (and a home page) from `seed`.
    pub fn new(pages: usize, seed: u64) -> Corpus {
        let partials = (pages / 20).clamp(5, 2000);
        let mut rng = Rng(seed);
        let partial_files = (0..partials)
            .map(|j| {
                let text = partial(&mut rng, j, partials);
                (format!("partials/shared-{j}.include.md"), text)
            })
            .collect();
        let mut page_files = vec![(
            "content/index.md".to_owned(),
            "---\ntitle: Generated docs\n---\n\nA generated project for benchmarks.\n".to_owned(),
        )];
        for i in 0..pages {
            let text = page(&mut rng, i, pages, partials);
            page_files.push((format!("content/{}.md", page_name(i)), text));
        }
        Corpus {
            partials: partial_files,
            pages: page_files,
            config: "base_path = \"/docs\"\n".to_owned(),
        }
    }

    /// Every file, partials first, then pages, then `runsheet.toml`.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.partials
            .iter()
            .chain(&self.pages)
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .chain(std::iter::once(("runsheet.toml", self.config.as_str())))
    }

    /// Bytes of every page and partial.
    pub fn source_bytes(&self) -> usize {
        self.partials
            .iter()
            .chain(&self.pages)
            .map(|(_, t)| t.len())
            .sum()
    }

    /// Writes the project into `dir` (made if missing).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        for (rel, text) in self.files() {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)?;
        }
        Ok(())
    }
}

/// A small deterministic generator (64-bit LCG, high bits out).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const VERBS: &[&str] = &[
    "Open",
    "Check",
    "Stop",
    "Start",
    "Copy",
    "Back up",
    "Restore",
    "Install",
    "Upgrade",
    "Verify",
    "Configure",
    "Download",
    "Export",
    "Import",
    "Enable",
    "Disable",
    "Record",
];
const THINGS: &[&str] = &[
    "the server",
    "the database",
    "the master key",
    "the Tentacle",
    "the load balancer",
    "the maintenance window",
    "the task log",
    "the release",
    "the package feed",
    "the certificate",
    "the worker pool",
    "the deployment target",
    "the service account",
];
const TAILS: &[&str] = &[
    "before you go on.",
    "on every node.",
    "and note the result.",
    "from an elevated prompt.",
    "as described in the previous section.",
    "so nothing is lost.",
    "and wait for it to finish.",
];
const KINDS: &[&str] = &["hint", "warning", "info", "success", "problem"];

fn sentence(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        rng.pick(VERBS),
        rng.pick(THINGS),
        rng.pick(TAILS)
    )
}

fn paragraph(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

/// Page names: `section-a/section-b/page-N`, three levels of sections.
fn page_name(i: usize) -> String {
    format!("area-{}/topic-{}/page-{i}", i % 10, (i / 10) % 10)
}

fn procedure(rng: &mut Rng, out: &mut String, partials: usize) {
    let steps = 3 + rng.below(6);
    for s in 0..steps {
        let _ = writeln!(out, "1. {}", sentence(rng));
        match rng.below(6) {
            0 => {
                let _ = writeln!(out, "   ```powershell\n   .\\Octopus.Server.exe service --stop --instance N{s}\n   ```");
            }
            1 => {
                let kind = rng.pick(KINDS);
                let _ = writeln!(out, "   :::{kind}\n   {}\n   :::", paragraph(rng, 2));
            }
            2 => {
                for _ in 0..2 + rng.below(3) {
                    let _ = writeln!(out, "   1. {}", sentence(rng));
                }
            }
            3 if partials > 0 => {
                let _ = writeln!(out, "\n   !include <shared-{}>\n", rng.below(partials));
            }
            _ => {}
        }
    }
    out.push('\n');
}

fn page(rng: &mut Rng, i: usize, pages: usize, partials: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\ntitle: Page {i} about {}\ndescription: {}\nposition: {}\n---\n",
        rng.pick(THINGS).trim_start_matches("the "),
        sentence(rng),
        i % 7
    );
    let _ = writeln!(out, "{}\n", paragraph(rng, 3));
    let sections = 2 + rng.below(3);
    for s in 0..sections {
        let _ = writeln!(
            out,
            "## {} {} {{#s{s}}}\n",
            rng.pick(VERBS),
            rng.pick(THINGS)
        );
        let _ = writeln!(out, "{}\n", paragraph(rng, 2));
        if rng.below(3) == 0 {
            let _ = writeln!(out, ":::{}\n{}\n:::\n", rng.pick(KINDS), paragraph(rng, 1));
        }
        procedure(rng, &mut out, partials);
        links(rng, &mut out, i, pages);
        if rng.below(4) == 0 {
            out.push_str(
                "| Setting | Value |\n|---|---|\n| port | 10943 |\n| mode | listening |\n\n",
            );
        }
        if partials > 0 && rng.below(2) == 0 {
            let _ = writeln!(out, "!include <shared-{}>\n", rng.below(partials));
        }
    }
    out
}

fn links(rng: &mut Rng, out: &mut String, i: usize, pages: usize) {
    let target = rng.below(pages);
    let broken = rng.below(50) == 0;
    let name = if broken {
        format!("area-{}/missing-{i}", i % 10)
    } else {
        page_name(target)
    };
    let _ = writeln!(
        out,
        "See [the related page](/docs/{name}) and [this section](#s0) for more.\n"
    );
}

fn partial(rng: &mut Rng, j: usize, partials: usize) -> String {
    let mut out = format!("### Shared part {j}\n\n{}\n\n", paragraph(rng, 2));
    for _ in 0..3 + rng.below(3) {
        let _ = writeln!(out, "1. {}", sentence(rng));
    }
    if j % 8 == 7 && j + 1 < partials {
        let _ = writeln!(out, "\n!include <shared-{}>", j + 1);
    }
    out
}
