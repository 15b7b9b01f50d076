//! Site search: the offline index (`search-index.json`, and `assets/search-index.js` for `file://`) of pages and headings.

use serde::Serialize;

/// How much of a page's text goes into the index.
const TEXT_LIMIT: usize = 8_000;

/// One page in the index. Short keys keep the file small.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub(crate) struct Entry {
    /// Path of the built page, relative to the site root.
    pub u: String,
    /// Title.
    pub t: String,
    /// Description.
    pub d: String,
    /// Headings: `[anchor, text]`.
    pub h: Vec<(String, String)>,
    /// The start of the page's text, whitespace collapsed.
    pub x: String,
}

/// Collapses whitespace and cuts the text at [`TEXT_LIMIT`] bytes, on a character boundary.
pub(crate) fn excerpt(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(TEXT_LIMIT));
    for word in text.split_whitespace() {
        if out.len() + word.len() + 1 > TEXT_LIMIT {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[derive(Serialize)]
struct Index<'a> {
    pages: &'a [Entry],
}

/// `search-index.json` and `assets/search-index.js` (the same data, set as `window.RUNSHEET_SEARCH`).
pub(crate) fn files(entries: &[Entry]) -> (String, String) {
    let json = serde_json::to_string(&Index { pages: entries }).expect("index serialises");
    let js = format!(
        "// Written by runsheet: the search index, read by site.js.\nwindow.RUNSHEET_SEARCH = {json};\n"
    );
    (format!("{json}\n"), js)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_collapses_and_cuts() {
        assert_eq!(excerpt("  a\n\nb\tc "), "a b c");
        let long = "word ".repeat(5_000);
        let e = excerpt(&long);
        assert!(e.len() <= TEXT_LIMIT && e.ends_with("word"));
    }

    #[test]
    fn js_sets_a_global() {
        let (json, js) = files(&[Entry {
            u: "a.html".into(),
            t: "A".into(),
            d: String::new(),
            h: vec![("x".into(), "X".into())],
            x: "text".into(),
        }]);
        assert_eq!(
            json,
            "{\"pages\":[{\"u\":\"a.html\",\"t\":\"A\",\"d\":\"\",\"h\":[[\"x\",\"X\"]],\"x\":\"text\"}]}\n"
        );
        assert!(js.contains("window.RUNSHEET_SEARCH = {\"pages\""));
    }
}
