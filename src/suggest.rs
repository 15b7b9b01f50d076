//! "Did you mean" suggestions from an index of names, so a miss costs about the size of its neighbourhood, not the size of the project.
//!
//! Names are `/`-separated paths (`a/b/page`). A miss is compared only with
//! the names in its own folder and the names that end in the same last
//! segment, at most [`MAX_CANDIDATES`] of them, so suggesting for every
//! broken link of a 100,000-page site stays linear in the number of links.

use std::collections::BTreeMap;

/// The most names one miss is compared with.
pub(crate) const MAX_CANDIDATES: usize = 400;

/// Names grouped by folder and by last segment.
#[derive(Debug, Default)]
pub(crate) struct Suggestions {
    by_folder: BTreeMap<String, Vec<String>>,
    by_last: BTreeMap<String, Vec<String>>,
}

fn split(name: &str) -> (&str, &str) {
    match name.rsplit_once('/') {
        Some((folder, last)) => (folder, last),
        None => ("", name),
    }
}

impl Suggestions {
    /// Indexes `names` (in the order given; suggestions keep it for ties).
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Suggestions {
        let mut index = Suggestions::default();
        for name in names {
            let (folder, last) = split(name);
            index
                .by_folder
                .entry(folder.to_owned())
                .or_default()
                .push(name.to_owned());
            index
                .by_last
                .entry(last.to_lowercase())
                .or_default()
                .push(name.to_owned());
        }
        index
    }

    /// Up to `n` names close to `key`: names containing it first, then the
    /// closest by similarity ratio (at least `cutoff`).
    pub(crate) fn suggest(&self, key: &str, n: usize, cutoff: f32) -> Vec<String> {
        let candidates = self.candidates(key);
        let lower = key.to_lowercase();
        let mut found: Vec<String> = candidates
            .iter()
            .filter(|c| !lower.is_empty() && c.to_lowercase().contains(&lower))
            .map(|c| (*c).to_owned())
            .collect();
        for close in similar::get_close_matches(key, &candidates, n, cutoff) {
            if !found.iter().any(|f| f == close) {
                found.push(close.to_owned());
            }
        }
        found.truncate(n);
        found
    }

    fn candidates(&self, key: &str) -> Vec<&str> {
        let (folder, last) = split(key);
        let mut out: Vec<&str> = Vec::new();
        let same_last = self.by_last.get(&last.to_lowercase());
        let same_folder = self.by_folder.get(folder);
        for name in same_last.into_iter().chain(same_folder).flatten() {
            if out.len() >= MAX_CANDIDATES {
                break;
            }
            if !out.contains(&name.as_str()) {
                out.push(name);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggest_table() {
        let index = Suggestions::new([
            "upgrade/guide",
            "upgrade/guides-old",
            "install/guide",
            "install/linux",
            "index",
            "runbook",
        ]);
        let cases: [(&str, &[&str]); 5] = [
            ("upgrade/gide", &["upgrade/guide", "upgrade/guides-old"]),
            ("install/linu", &["install/linux", "install/guide"]),
            ("upgrad/guide", &["upgrade/guide"]),
            ("runbok", &["runbook"]),
            ("nothing/like/it", &[]),
        ];
        for (key, expected) in cases {
            assert_eq!(index.suggest(key, 2, 0.6), expected, "{key}");
        }
    }
}
