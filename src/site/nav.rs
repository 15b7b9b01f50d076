//! Site navigation: the section tree built from the content folders, reading order, breadcrumbs and the shared `nav.js`.
//!
//! A folder is a section; its page is the folder's `index.md` (the page named
//! like the folder). Children are ordered by front-matter `position` (pages
//! without one come last), then title, then name. The reading order used for
//! previous/next links is a depth-first walk of that tree. The whole tree is
//! written once, to `assets/nav.js`; a page holds only its own breadcrumb and
//! previous/next links, so its size does not grow with the site.

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
pub struct NavLink {
    pub title: String,
    pub path: Option<String>,
}

/// The navigation of the whole site.
#[derive(Debug)]
pub struct Nav {
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

impl Nav {
    pub fn build(project: &Project) -> Nav {
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
                (
                    a.position.is_none(),
                    a.position,
                    a.title.to_lowercase(),
                    &a.name,
                )
                    .cmp(&(
                        b.position.is_none(),
                        b.position,
                        b.title.to_lowercase(),
                        &b.name,
                    ))
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
    pub fn breadcrumb(&self, i: usize, project: &Project) -> Vec<NavLink> {
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
    pub fn prev_next(&self, i: usize) -> (Option<usize>, Option<usize>) {
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
    pub fn home(&self) -> Option<usize> {
        self.order.first().copied()
    }

    /// `assets/nav.js`: sets `window.RUNSHEET_NAV` to the tree, `{t: title, u: path or null, c: children}`.
    pub fn script(&self, project: &Project) -> String {
        let tree = self.json(0, project);
        format!(
            "// Written by runsheet: the site's navigation tree, read by site.js.\nwindow.RUNSHEET_NAV = {};\n",
            serde_json::to_string(&tree).expect("navigation serialises")
        )
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
    fn folder_titles() {
        assert_eq!(
            folder_title("upgrading-from-octopus-2.6"),
            "Upgrading from octopus 2.6"
        );
        assert_eq!(folder_title("x"), "X");
    }
}
