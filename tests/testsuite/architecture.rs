//! The shape of the code (ARCHITECTURE.md): no two top-level modules depend
//! on each other, directly or through others, and Markdown is parsed in the
//! `markdown` module alone.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::common;

/// Every `.rs` file under `src/` (relative path, text without comments and
/// without its `#[cfg(test)] mod tests`).
fn sources() -> Vec<(String, String)> {
    let src = common::repo().join("src");
    walkdir::WalkDir::new(&src)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let rel = e.path().strip_prefix(&src).unwrap();
            let text = fs::read_to_string(e.path()).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
            let code: String = code
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            (rel.to_string_lossy().replace('\\', "/"), code)
        })
        .collect()
}

/// `a/b.rs` and `a.rs` belong to module `a`.
fn module_of(rel: &str) -> String {
    let first = rel.split('/').next().unwrap_or(rel);
    first.trim_end_matches(".rs").to_owned()
}

/// Top-level module → the top-level modules it names as `crate::x`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let files = sources();
    for (rel, _) in &files {
        graph.entry(module_of(rel)).or_default();
    }
    for (rel, code) in &files {
        let from = module_of(rel);
        for part in code.split("crate::").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if name != from && graph.contains_key(&name) {
                graph.get_mut(&from).unwrap().insert(name);
            }
        }
    }
    for root in ["lib", "main"] {
        graph.remove(root);
    }
    graph
}

/// The modules `start` reaches by following dependencies.
fn reach(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = graph[start].iter().map(String::as_str).collect();
    while let Some(m) = todo.pop() {
        if seen.insert(m.to_owned()) {
            todo.extend(graph.get(m).into_iter().flatten().map(String::as_str));
        }
    }
    seen
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let graph = dependencies();
    assert!(graph.len() > 20, "{} modules found", graph.len());
    let cycles: Vec<String> = graph
        .keys()
        .filter(|m| reach(&graph, m).contains(*m))
        .map(|m| format!("{m} -> {:?}", graph[m]))
        .collect();
    assert!(
        cycles.is_empty(),
        "modules in a cycle:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn markdown_is_parsed_in_the_markdown_module_only() {
    let outside: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, code)| module_of(rel) != "markdown" && code.contains("Parser::new"))
        .map(|(rel, _)| rel)
        .collect();
    assert!(outside.is_empty(), "Markdown parsed in {outside:?}");
    assert!(Path::new(&common::repo().join("src/markdown.rs")).is_file());
}
