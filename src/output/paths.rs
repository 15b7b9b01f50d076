//! Every path of the output folder, decided in one place: the renderers write their files there, links to a product point there, and collision reports name what claims a path.

/// The list of every page's plan.
pub(crate) const PLANS_INDEX: &str = "plans/index.json";
/// The JSON Schema of a plan.
pub(crate) const PLAN_SCHEMA: &str = "plan.schema.json";
/// The search index, as JSON for web servers…
pub(crate) const SEARCH_INDEX: &str = "search-index.json";
/// …and as a script, for pages opened from `file://`.
pub(crate) const SEARCH_SCRIPT: &str = "assets/search-index.js";
/// The navigation every page loads.
pub(crate) const NAV_SCRIPT: &str = "assets/nav.js";

/// The built page of `a/b`: `a/b.html` (`index` → `index.html`).
pub(crate) fn page(name: &str) -> String {
    format!("{name}.html")
}

/// The plan of page `a/b`: `plans/a/b.json`, except the root page `index`,
/// whose plan is `plans/index.page.json` because `plans/index.json` is the
/// list of plans.
pub(crate) fn plan(name: &str) -> String {
    match format!("plans/{name}.json") {
        path if path == PLANS_INDEX => "plans/index.page.json".to_owned(),
        path => path,
    }
}

/// One form of the checklist of page `a/b`: `checklists/a/b.<extension>`.
pub(crate) fn checklist(name: &str, extension: &str) -> String {
    format!("checklists/{name}.{extension}")
}

/// A file of the built-in or project assets: `assets/<path>`.
pub(crate) fn asset(path: &str) -> String {
    format!("assets/{path}")
}

/// Every path page `name` may claim, with what to call that product in a
/// collision report.
pub(crate) fn products(name: &str) -> [(String, &'static str); 5] {
    [
        (page(name), "the page"),
        (plan(name), "the plan of"),
        (checklist(name, "html"), "the checklist of"),
        (checklist(name, "md"), "the checklist of"),
        (checklist(name, "txt"), "the checklist of"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_table() {
        assert_eq!(page("a/b"), "a/b.html");
        assert_eq!(plan("a/b"), "plans/a/b.json");
        assert_eq!(plan("index"), "plans/index.page.json");
        assert_eq!(plan("a/index"), "plans/a/index.json");
        assert_eq!(checklist("a/b", "txt"), "checklists/a/b.txt");
        assert_eq!(asset("site.css"), "assets/site.css");
    }
}
