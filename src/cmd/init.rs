//! `runsheet init [DIR]`: writes a small working project (settings, a home
//! page, an example procedure with a partial and a callout, a `.gitignore`).
//!
//! Nothing is ever overwritten: when any of the files exists already, the
//! command names them, writes nothing and exits 1.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;
use crate::diagnostic::Diagnostic;
use crate::driver::{Exit, Failed, Session};

/// One setting of the generated `runsheet.toml`: its key, its default (or,
/// `commented`, an example for a setting without one) and what it does.
struct Setting {
    key: &'static str,
    /// The value as TOML.
    value: &'static str,
    commented: bool,
    help: &'static str,
}

/// Every setting, in the order of [`KEYS`] (a unit test holds them together).
const SETTINGS: &[Setting] = &[
    Setting {
        key: "content",
        value: "\"content\"",
        commented: false,
        help: "Folder of pages: Markdown with YAML front matter (`title` is required).",
    },
    Setting {
        key: "partials",
        value: "\"partials\"",
        commented: false,
        help: "Folder of the partials that `!include <name>` lines pull in.",
    },
    Setting {
        key: "templates",
        value: "\"templates\"",
        commented: false,
        help: "Folder of templates and assets that replace the built-in ones by name (may be absent).",
    },
    Setting {
        key: "out",
        value: "\"site\"",
        commented: false,
        help: "Where `runsheet build` writes the site, checklists and plans.",
    },
    Setting {
        key: "runs",
        value: "\"runs\"",
        commented: false,
        help: "Where `runsheet run` keeps its journals.",
    },
    Setting {
        key: "base_path",
        value: "\"\"",
        commented: false,
        help: "URL prefix under which absolute links point into the content: with \"/docs\",\n# a link to /docs/a/b is a link to the page a/b.",
    },
    Setting {
        key: "strict",
        value: "false",
        commented: false,
        help: "Treat warnings as errors (the --strict and --no-strict flags beat this).",
    },
    Setting {
        key: "lists",
        value: "\"writer\"",
        commented: false,
        help: "How numbered lists become procedures: \"writer\" joins a list the writer went on\n# numbering after code or a callout; \"commonmark\" reads lists exactly as CommonMark does.",
    },
    Setting {
        key: "hold_warnings",
        value: "false",
        commented: false,
        help: "Warn about steps that delete, drop or downgrade without a hold point before them.",
    },
    Setting {
        key: "title",
        value: "\"Operations handbook\"",
        commented: true,
        help: "The site's name in the top bar and the browser tab. Default: the title of\n# content/index.md.",
    },
    Setting {
        key: "base_url",
        value: "\"https://docs.example.com/\"",
        commented: true,
        help: "Where the site is published. When set, pages carry canonical links and the\n# build writes sitemap.xml. Default: unset.",
    },
    Setting {
        key: "edit_url",
        value: "\"https://github.com/example/handbook/edit/main/{path}\"",
        commented: true,
        help: "An \"Edit this page\" link on every page; {path} becomes the page's source path\n# relative to this folder (content/index.md). Default: no link.",
    },
    Setting {
        key: "favicon",
        value: "\"favicon.png\"",
        commented: true,
        help: "A file under the content folder used as the browser tab's icon. Default: none.",
    },
    Setting {
        key: "logo",
        value: "\"logo.svg\"",
        commented: true,
        help: "A file under the content folder shown beside the site's name. Default: none.",
    },
    Setting {
        key: "footer",
        value: "\"Maintained by the platform team. Questions: #ops on chat.\"",
        commented: true,
        help: "Markdown shown at the foot of every page. Default: none.",
    },
    Setting {
        key: "last_updated",
        value: "true",
        commented: false,
        help: "Show each page's last-updated date, from the last git commit touching its file.",
    },
    Setting {
        key: "page_formats",
        value: "[\"md\", \"mdx\"]",
        commented: true,
        help: "Page forms to read, the preferred first where a folder holds a page as both\n# a.md and a.mdx. Default: both, and such a twin is an error.",
    },
];

/// The generated `runsheet.toml`.
pub(crate) fn settings_file() -> String {
    let mut out = String::from(
        "# runsheet settings. Every setting is listed with its default; a commented line\n\
         # is an example of a setting that has none. Paths are relative to this folder,\n\
         # and a command-line flag beats the value written here.\n",
    );
    for s in SETTINGS {
        let comment = if s.commented { "# " } else { "" };
        out.push_str(&format!(
            "\n# {}\n{comment}{} = {}\n",
            s.help, s.key, s.value
        ));
    }
    out
}

const GITIGNORE: &str = "\
# what runsheet writes: the built site, its build cache and the journals of `runsheet run`
/site/
/.site.runsheet-cache
/runs/
";

const INDEX: &str = "\
---
title: Operations handbook
description: How we run our services, written down so anyone on call can follow it.
---

This handbook is a runsheet project. Each page is a Markdown file under `content/`; runsheet
turns it into a page of this site, a checklist you can print and tick off, and a JSON plan that
scripts can read.

## Procedures

- [Restart a web node](restart-a-web-node.md): take one node out of the pool, restart it and
  bring it back.

## Writing a page

Add a file under `content/`, start it with a `title` in front matter, and write numbered steps.
Run `runsheet check` to find mistakes and `runsheet serve --open` to watch the result while you
type.
";

const PROCEDURE: &str = "\
---
title: Restart a web node
description: Take one node out of the load balancer, restart it and put it back.
---

Use this when a single web node is slow or holds stale configuration. The rest of the pool keeps
serving while you work, so no maintenance window is needed.

:::warning
Work on one node at a time. With two nodes out of the pool, the others may not carry peak traffic.
:::

## Restart the node

1. Take the node out of the pool and let open requests finish:

   ```sh
   lbctl drain web-01 --wait 120
   ```

2. Restart the service:

   ```sh
   sudo systemctl restart webapp
   ```

3. Check the node is healthy before it takes traffic again.

   !include <health-check>

4. Put the node back into the pool:

   ```sh
   lbctl enable web-01
   ```

5. Note the restart, with the time and the reason, in the team's log.
";

const PARTIAL: &str = "\
It must answer on its health endpoint within two seconds, with `ok`:

```sh
curl --max-time 2 http://web-01:8080/health
```

If it does not, leave it out of the pool and look at `journalctl -u webapp` first.
";

/// The files `init` writes, by path relative to the project folder.
pub(crate) fn files() -> Vec<(&'static str, String)> {
    vec![
        (CONFIG_FILE, settings_file()),
        (".gitignore", GITIGNORE.to_owned()),
        ("content/index.md", INDEX.to_owned()),
        ("content/restart-a-web-node.md", PROCEDURE.to_owned()),
        ("partials/health-check.md", PARTIAL.to_owned()),
    ]
}

/// Writes the project into `dir` (made when missing).
pub(crate) fn run(s: &Session, dir: &Path) -> Result<Exit, Failed> {
    let files = files();
    let taken: Vec<PathBuf> = files
        .iter()
        .map(|(rel, _)| shown(dir, rel))
        .filter(|p| p.exists() || p.is_symlink())
        .collect();
    if !taken.is_empty() {
        let names: Vec<String> = taken.iter().map(|p| format!("`{}`", p.display())).collect();
        let d = Diagnostic::error(
            "init-refused",
            format!(
                "{} already exist{}; nothing written",
                names.join(", "),
                if taken.len() == 1 { "s" } else { "" }
            ),
        )
        .with_help(
            "runsheet init never overwrites a file: pick an empty folder, or move those files away",
        );
        return Err(Failed::one(d));
    }
    for (rel, text) in &files {
        if let Err(e) = write_new(&dir.join(rel), text) {
            let d = Diagnostic::error(
                "init-failed",
                format!("cannot write `{}`: {e}", shown(dir, rel).display()),
            );
            return Err(Failed::one(d));
        }
    }
    let list: Vec<&str> = files.iter().map(|(rel, _)| *rel).collect();
    s.note(&format!(
        "created {} in `{}`",
        list.join(", "),
        dir.display()
    ));
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", dir.display())
    };
    s.note(&format!(
        "next: {cd}runsheet serve --open   (or `runsheet build` to write site/)"
    ));
    Ok(Exit::Ok)
}

/// `dir/rel`, or `rel` alone in the current folder.
fn shown(dir: &Path, rel: &str) -> PathBuf {
    if dir == Path::new(".") {
        PathBuf::from(rel)
    } else {
        dir.join(rel)
    }
}

/// Creates `path` (and its folders) holding `text`; fails if it exists.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::KEYS;

    #[test]
    fn settings_follow_the_known_keys() {
        let keys: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
        assert_eq!(keys, KEYS);
    }

    #[test]
    fn generated_settings_parse_with_every_key() {
        let text = settings_file();
        crate::config::parse_settings(&text).unwrap();
        // the commented examples are valid settings too
        let uncommented: String = text
            .lines()
            .map(|l| {
                let bare = l.strip_prefix("# ").unwrap_or(l);
                let is_setting = KEYS.iter().any(|k| bare.starts_with(&format!("{k} = ")));
                if is_setting {
                    bare
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let keys = crate::config::parse_settings(&uncommented).unwrap();
        assert_eq!(
            keys,
            KEYS.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>()
        );
    }
}
