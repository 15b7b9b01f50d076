//! The MDX pages of the Octopus Deploy corpus: every `.mdx` page checks with
//! no error, its HTML holds its partials' text and no import or component
//! text, and every `.mdx` page with a `.md` twin gives the same procedures,
//! step numbers and `details` as its twin, except where the two texts really
//! differ (listed in [`KNOWN_DIFFERENCES`], read by hand).
//!
//! `cargo test --test mdx_corpus -- --nocapture` prints the twin comparison.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use runsheet::internals as diagnostic;
use runsheet::internals::PageFormat;
use runsheet::internals::Step;
use runsheet::plan::Plan;
use runsheet::Overrides;
use runsheet::Project;
use runsheet::Severity;

/// Twins whose texts differ where the comparison looks, and how.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "administration/upgrading/legacy/upgrading-from-octopus-2.6.5-2018.10lts/in-place-upgrade-install-over-2.6.5",
    "ids: the .md gives its headings explicit anchors ({#Inplaceupgrade(installover2.6)-Stepbystep} …), the .mdx does not, so procedure and step ids differ; step numbers and details are the same",
)];

/// The corpus project read in one form, from the corpus root (where the
/// pages' `src/shared-content/…` import paths resolve).
fn load(corpus: &Path, form: PageFormat) -> (Project, Vec<runsheet::Diagnostic>) {
    let overrides = Overrides {
        content: Some(corpus.join("src/pages/docs")),
        partials: Some(corpus.join("src/shared-content")),
        base_path: Some("/docs".into()),
        page_formats: Some(vec![form]),
        ..Overrides::default()
    };
    common::load_with(corpus, &overrides)
}

/// A page's procedures as the comparison sees them: ids, the numbers of
/// its steps (substeps nested) and each step's `details` anchor.
#[derive(Debug, PartialEq)]
struct Shape {
    ids: Vec<String>,
    numbers: Vec<String>,
    details: Vec<Option<String>>,
}

fn shape(plan: &Plan) -> Shape {
    fn walk(steps: &[Step], prefix: &str, s: &mut Shape) {
        for step in steps {
            let number = format!("{prefix}{}", step.number);
            s.ids.push(step.id.clone());
            s.numbers.push(number.clone());
            s.details
                .push(step.details.as_ref().map(|d| d.anchor.clone()));
            walk(&step.substeps, &format!("{number}."), s);
        }
    }
    let mut s = Shape {
        ids: Vec::new(),
        numbers: Vec::new(),
        details: Vec::new(),
    };
    for p in &plan.procedures {
        s.ids.push(p.id.clone());
        s.numbers.push(format!("[{}]", p.steps.len()));
        walk(&p.steps, "", &mut s);
    }
    s
}

fn plans(project: &Project) -> BTreeMap<String, Plan> {
    let mut diags = Vec::new();
    project
        .pages
        .iter()
        .map(|p| (p.name.clone(), runsheet::plan::plan(project, p, &mut diags)))
        .collect()
}

#[test]
fn twin_plans_match_except_where_the_texts_differ() {
    let Some(corpus) = common::corpus() else {
        eprintln!("note: ../shared/corpus/octopus-docs is not there; twins not compared");
        return;
    };
    let md = plans(&load(&corpus, PageFormat::Md).0);
    let (mdx_project, _) = load(&corpus, PageFormat::Mdx);
    let mdx = plans(&mdx_project);
    let (mut same, mut differ, mut alone) = (0, Vec::new(), 0);
    println!(
        "{:<100} {:>9} {:>9}  comparison",
        "mdx page", "procs", "steps"
    );
    for (name, plan) in &mdx {
        let Some(twin) = md.get(name) else {
            alone += 1;
            println!(
                "{name:<100} {:>9} {:>9}  no .md twin",
                plan.procedures.len(),
                shape(plan).numbers.len() - plan.procedures.len()
            );
            continue;
        };
        let (a, b) = (shape(twin), shape(plan));
        let what: Vec<&str> = [
            ("ids", a.ids != b.ids),
            ("numbers", a.numbers != b.numbers),
            ("details", a.details != b.details),
        ]
        .iter()
        .filter(|(_, d)| *d)
        .map(|(w, _)| *w)
        .collect();
        let counts =
            |s: &Shape, p: &Plan| (p.procedures.len(), s.numbers.len() - p.procedures.len());
        let ((pa, sa), (pb, sb)) = (counts(&a, twin), counts(&b, plan));
        let verdict = if what.is_empty() {
            same += 1;
            "same".to_owned()
        } else {
            differ.push((name.clone(), what.join("+")));
            format!("differ: {}", what.join(", "))
        };
        println!("{name:<100} {pa:>4}/{pb:<4} {sa:>4}/{sb:<4}  {verdict}");
    }
    println!(
        "twins: {} compared, {same} the same, {} different; {alone} .mdx pages without a twin",
        same + differ.len(),
        differ.len()
    );
    for (name, why) in KNOWN_DIFFERENCES {
        println!("known difference {name}: {why}");
    }
    assert_eq!(same + differ.len(), 10, "the corpus has ten twins");
    let expected: Vec<(String, String)> = KNOWN_DIFFERENCES
        .iter()
        .map(|(n, _)| ((*n).to_owned(), "ids".to_owned()))
        .collect();
    assert_eq!(
        differ, expected,
        "only the known differences, and only in ids"
    );
}

/// Text of an HTML page: tags removed, entities decoded, spaces collapsed.
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lines of a partial that render as plain text: four words or more, no markup.
fn plain_lines(text: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut found = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_fence = !in_fence;
        }
        let plain = !in_fence
            && t.starts_with(|c: char| c.is_alphabetic())
            && t.split_whitespace().count() >= 4
            && !t.contains([
                '[', ']', '*', '_', '`', '<', '>', '{', '}', '|', '!', '#', '\\', '&', ':',
            ]);
        if plain && !t.starts_with("import ") {
            found.push(t.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    found
}

#[test]
fn mdx_pages_check_clean_and_their_html_holds_their_partials() {
    let Some(corpus) = common::corpus() else {
        eprintln!("note: ../shared/corpus/octopus-docs is not there; MDX pages not checked");
        return;
    };
    let (project, mut diags) = load(&corpus, PageFormat::Mdx);
    let mut files = runsheet::internals::Files::default();
    runsheet::internals::render(&project, &mut files, &mut diags);
    diagnostic::normalize(&mut diags, &project.db);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| diagnostic::render_human(d, &project.db, false))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(project.pages.len(), 12, "the corpus has twelve .mdx pages");
    let (mut lines_checked, mut partials_checked) = (0, 0);
    for page in &project.pages {
        let source = &project.db.get(page.file).text;
        let html = files
            .get(&runsheet::internals::page_path(&page.name))
            .unwrap_or_else(|| panic!("{} has HTML", page.name));
        let text = html_text(&String::from_utf8_lossy(html));
        for line in source.lines().filter(|l| l.starts_with("import ")) {
            assert!(!text.contains(line.trim()), "{}: `{line}` shown", page.name);
        }
        for tag in source.split('<').skip(1) {
            let name: String = tag.chars().take_while(|c| c.is_alphanumeric()).collect();
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                assert!(
                    !text.contains(&format!("<{name}")),
                    "{}: <{name}> shown",
                    page.name
                );
            }
        }
        assert!(
            !page.expansion.used.is_empty(),
            "{} imports partials",
            page.name
        );
        for &partial in &page.expansion.used {
            let body = &project.db.get(partial).text[project.partials.body_start(partial)..];
            let lines = plain_lines(body);
            partials_checked += usize::from(!lines.is_empty());
            for line in lines {
                assert!(
                    text.contains(&line),
                    "{}: the text of {} is missing: {line}",
                    page.name,
                    project.db.get(partial).path
                );
                lines_checked += 1;
            }
        }
    }
    println!("{partials_checked} partial placements checked, {lines_checked} lines of their text found in the HTML");
    assert!(lines_checked > 100, "{lines_checked}");
}
