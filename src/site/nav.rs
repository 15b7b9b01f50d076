//! Site navigation: the section tree built from the content folders, reading order, breadcrumbs and the shared `nav.js`.
//!
//! A folder is a section; its page is the folder's `index.md` (the page named
//! like the folder). Children are ordered by front-matter `position` (pages
//! without one come last), then title, then name. The reading order used for
//! previous/next links is a depth-first walk of that tree. The whole tree is
//! written once, to `assets/nav.js`; a page holds only its own breadcrumb and
//! previous/next links, so its size does not grow with the site.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::project::Project;

use super::links::{encode_path, page_path};

/// One node of the tree: a page, a folder, or both (a folder with its `index.md`).
#[derive(Debug)]
struct Node {
    /// Page name or folder path; `""` for the root.
    name: String,
    title: String,
    position: Option<i64>,
    /// Index into `project.pages`.
    page: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
}

/// A link shown in a page: title and URL relative to the site root (none for a folder without a page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct NavLink {
    pub title: String,
    pub path: Option<String>,
}

/// The navigation of the whole site.
#[derive(Debug)]
pub(crate) struct Nav {
    nodes: Vec<Node>,
    /// Node of each page, by index into `project.pages`.
    page_node: Vec<usize>,
    /// Page indices in reading order.
    order: Vec<usize>,
}

/// `upgrading-from-2.6` → `Upgrading from 2.6`: the title of a folder without an index page.
fn folder_title(segment: &str) -> String {
    let words = segment.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Compares names as a reader does: case aside, and runs of digits by their
/// value, so `p2` comes before `p10` and `Step 9` before `Step 10`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (m, n) = (digits(&mut a), digits(&mut b));
                let (m_trim, n_trim) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let by_value = m_trim
                    .len()
                    .cmp(&n_trim.len())
                    .then_with(|| m_trim.cmp(n_trim));
                if by_value != Ordering::Equal {
                    return by_value;
                }
            }
            (Some(x), Some(y)) => {
                let by_char = x.to_lowercase().cmp(y.to_lowercase());
                if by_char != Ordering::Equal {
                    return by_char;
                }
                a.next();
                b.next();
            }
        }
    }
}

/// Takes the run of ASCII digits at the front of `chars`.
fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut run = String::new();
    while let Some(c) = chars.next_if(char::is_ascii_digit) {
        run.push(c);
    }
    run
}

impl Nav {
    pub(crate) fn build(project: &Project) -> Nav {
        let mut nodes = vec![Node {
            name: String::new(),
            title: String::new(),
            position: None,
            page: None,
            parent: None,
            children: Vec::new(),
        }];
        let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
        by_name.insert(String::new(), 0);
        let mut page_node = vec![0; project.pages.len()];
        for (i, page) in project.pages.iter().enumerate() {
            // a redirect page is no entry of its own (a folder of redirects still shows)
            if page.redirect().is_some() {
                continue;
            }
            let key = if page.name == "index" {
                ""
            } else {
                page.name.as_str()
            };
            let node = ensure(&mut nodes, &mut by_name, key);
            nodes[node].page = Some(i);
            nodes[node].title = page.front.title.clone();
            nodes[node].position = page.front.position;
            page_node[i] = node;
        }
        let keys: Vec<usize> = (0..nodes.len()).collect();
        for n in keys {
            let mut children = std::mem::take(&mut nodes[n].children);
            children.sort_by(|&a, &b| {
                let (a, b) = (&nodes[a], &nodes[b]);
                (a.position.is_none(), a.position)
                    .cmp(&(b.position.is_none(), b.position))
                    .then_with(|| natural_cmp(&a.title, &b.title))
                    .then_with(|| natural_cmp(&a.name, &b.name))
                    .then_with(|| a.name.cmp(&b.name))
            });
            nodes[n].children = children;
        }
        let mut order = Vec::new();
        walk(&nodes, 0, &mut order);
        Nav {
            nodes,
            page_node,
            order,
        }
    }

    fn link(&self, node: usize, project: &Project) -> NavLink {
        let n = &self.nodes[node];
        NavLink {
            title: n.title.clone(),
            path: n.page.map(|p| page_path(&project.pages[p].name)),
        }
    }

    /// The sections above page `i`, outermost first (the home page included when there is one).
    pub(crate) fn breadcrumb(&self, i: usize, project: &Project) -> Vec<NavLink> {
        let mut out = Vec::new();
        let mut at = self.nodes[self.page_node[i]].parent;
        while let Some(n) = at {
            if n != 0 || self.nodes[0].page.is_some() {
                out.push(self.link(n, project));
            }
            at = self.nodes[n].parent;
        }
        out.reverse();
        out
    }

    /// The pages before and after page `i` in reading order.
    pub(crate) fn prev_next(&self, i: usize) -> (Option<usize>, Option<usize>) {
        let at = self.order.iter().position(|&p| p == i);
        match at {
            Some(k) => (
                k.checked_sub(1).map(|k| self.order[k]),
                self.order.get(k + 1).copied(),
            ),
            None => (None, None),
        }
    }

    /// The first page in reading order (the home page when there is one).
    pub(crate) fn home(&self) -> Option<usize> {
        self.order.first().copied()
    }

    /// `assets/nav.js`: sets `window.RUNSHEET_NAV` to the tree, `{t: title, u: path or null, c: children}`.
    pub(crate) fn script(&self, project: &Project) -> String {
        let tree = self.json(0, project);
        format!(
            "// Written by runsheet: the site's navigation tree, read by site.js.\nwindow.RUNSHEET_NAV = {};\n",
            serde_json::to_string(&tree).expect("navigation serialises")
        )
    }

    /// Every page as nested lists in navigation order, linked from the page at `from`.
    pub(crate) fn outline_html(&self, project: &Project, from: &str) -> String {
        let mut out = String::new();
        self.outline(0, project, from, &mut out);
        out
    }

    fn outline(&self, node: usize, project: &Project, from: &str, out: &mut String) {
        let children = &self.nodes[node].children;
        if children.is_empty() {
            return;
        }
        out.push_str("<ul class=\"page-list\">\n");
        for &c in children {
            let link = self.link(c, project);
            let label = super::html::escape(&link.title);
            match link.path {
                Some(p) => out.push_str(&format!(
                    "<li><a href=\"{}\">{label}</a>",
                    super::html::escape(&encode_path(&super::links::relative(from, &p)))
                )),
                None => out.push_str(&format!("<li><span>{label}</span>")),
            }
            self.outline(c, project, from, out);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }

    fn json(&self, node: usize, project: &Project) -> serde_json::Value {
        let link = self.link(node, project);
        let url = link.path.as_deref().map(encode_path);
        let children: Vec<serde_json::Value> = self.nodes[node]
            .children
            .iter()
            .map(|&c| self.json(c, project))
            .collect();
        serde_json::json!({ "t": link.title, "u": url, "c": children })
    }
}

/// The node for `name`, creating it and its folders as needed.
fn ensure(nodes: &mut Vec<Node>, by_name: &mut BTreeMap<String, usize>, name: &str) -> usize {
    if let Some(&n) = by_name.get(name) {
        return n;
    }
    let (parent_name, segment) = name.rsplit_once('/').unwrap_or(("", name));
    let parent = ensure(nodes, by_name, parent_name);
    nodes.push(Node {
        name: name.to_owned(),
        title: folder_title(segment),
        position: None,
        page: None,
        parent: Some(parent),
        children: Vec::new(),
    });
    let n = nodes.len() - 1;
    nodes[parent].children.push(n);
    by_name.insert(name.to_owned(), n);
    n
}

fn walk(nodes: &[Node], n: usize, order: &mut Vec<usize>) {
    if let Some(p) = nodes[n].page {
        order.push(p);
    }
    for &c in &nodes[n].children {
        walk(nodes, c, order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_table() {
        let cases = [
            ("p2", "p10", Ordering::Less),
            ("p10", "p2", Ordering::Greater),
            ("Step 9", "step 10", Ordering::Less),
            ("a", "B", Ordering::Less),
            ("v1.2", "v1.10", Ordering::Less),
            ("x007", "x7", Ordering::Equal),
            ("2020.1", "2021.0", Ordering::Less),
            ("abc", "abcd", Ordering::Less),
            ("", "a", Ordering::Less),
            ("part 3b", "part 3a", Ordering::Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(natural_cmp(a, b), expected, "{a} vs {b}");
        }
        let mut names = vec!["p10", "p1", "p2", "P3", "p20"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(names, ["p1", "p2", "P3", "p10", "p20"]);
    }

    #[test]
    fn folder_titles() {
        assert_eq!(
            folder_title("upgrading-from-octopus-2.6"),
            "Upgrading from octopus 2.6"
        );
        assert_eq!(folder_title("x"), "X");
    }
}
