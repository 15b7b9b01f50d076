//! Slugs: turns heading and step text into stable, URL-safe identifiers, unique within a page.

use std::collections::{HashMap, HashSet};

/// Lowercase words joined by `-`: letters, digits and `_` kept, other punctuation dropped.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' {
            dash = true;
        }
    }
    out
}

/// The slug of the first `words` words of `text`.
pub(crate) fn slugify_words(text: &str, words: usize) -> String {
    let slug = slugify(text);
    slug.split('-').take(words).collect::<Vec<_>>().join("-")
}

/// Hands out unique ids: the second `x` becomes `x-2`, the third `x-3`.
///
/// Linear in the number of claims: for each base it remembers the next
/// suffix to try, so the 20,000th `x` does not try `x-2` … `x-19999` again.
/// Every suffix below that one is taken (ids are never released), so the
/// ids are the same as trying from `-2` each time.
#[derive(Debug, Default)]
pub(crate) struct Unique {
    taken: HashSet<String>,
    next_suffix: HashMap<String, u64>,
}

impl Unique {
    pub(crate) fn claim(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        if self.taken.insert(base.to_owned()) {
            return base.to_owned();
        }
        let next = self.next_suffix.entry(base.to_owned()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_table() {
        let cases = [
            ("Recommended Approach", "recommended-approach"),
            (
                "Upgrading major releases of Octopus Deploy.",
                "upgrading-major-releases-of-octopus-deploy",
            ),
            ("  Back up -- the  database!  ", "back-up-the-database"),
            ("2020.x.x to 2021.x.x", "2020xx-to-2021xx"),
            ("snake_case `code`", "snake_case-code"),
            ("Ünïcode Straße", "ünïcode-straße"),
            ("???", ""),
        ];
        for (text, slug) in cases {
            assert_eq!(slugify(text), slug, "{text:?}");
        }
        assert_eq!(
            slugify_words("Download the same version of Octopus", 4),
            "download-the-same-version"
        );
    }

    #[test]
    fn unique_table() {
        let mut u = Unique::default();
        let got: Vec<String> = ["a", "a", "b", "a", "a-2", ""]
            .iter()
            .map(|s| u.claim(s))
            .collect();
        assert_eq!(got, ["a", "a-2", "b", "a-3", "a-2-2", "section"]);
    }

    /// The same ids as trying every suffix from `-2` on, whatever the order of claims.
    #[test]
    fn unique_matches_the_plain_search() {
        fn plain(taken: &mut HashSet<String>, base: &str) -> String {
            let base = if base.is_empty() { "section" } else { base };
            if taken.insert(base.to_owned()) {
                return base.to_owned();
            }
            (2..)
                .map(|n| format!("{base}-{n}"))
                .find(|c| taken.insert(c.clone()))
                .unwrap()
        }
        let claims = [
            "a",
            "a-3",
            "a",
            "a",
            "a-2",
            "a",
            "",
            "section",
            "section-2",
            "",
            "b-2",
            "b",
            "b",
            "b",
            "a-4",
            "a",
            "a-2-2",
            "a-2",
            "a-2",
        ];
        let mut u = Unique::default();
        let mut taken = HashSet::new();
        for base in claims {
            assert_eq!(u.claim(base), plain(&mut taken, base), "{base:?}");
        }
    }

    #[test]
    fn unique_is_linear_in_the_number_of_claims() {
        let mut u = Unique::default();
        let started = std::time::Instant::now();
        for _ in 0..50_000 {
            u.claim("step");
        }
        assert_eq!(u.claim("step"), "step-50001");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "50,000 claims of one base took {:?}",
            started.elapsed()
        );
    }
}
