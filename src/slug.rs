//! Slugs: turns heading and step text into stable, URL-safe identifiers, unique within a page.

use std::collections::HashSet;

/// Lowercase words joined by `-`: letters, digits and `_` kept, other punctuation dropped.
pub fn slugify(text: &str) -> String {
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
pub fn slugify_words(text: &str, words: usize) -> String {
    let slug = slugify(text);
    slug.split('-').take(words).collect::<Vec<_>>().join("-")
}

/// Hands out unique ids: the second `x` becomes `x-2`, the third `x-3`.
#[derive(Debug, Default)]
pub struct Unique {
    taken: HashSet<String>,
}

impl Unique {
    pub fn claim(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        if self.taken.insert(base.to_owned()) {
            return base.to_owned();
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unused suffix exists")
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
}
