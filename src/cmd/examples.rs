//! The examples that end each command's `--help` (clap `after_help`), and the manual page.

pub(crate) const TOP: &str = "\
Examples:
  runsheet init my-docs && cd my-docs   # start a project with an example page
  runsheet check --strict               # every problem, warnings as errors
  runsheet serve --open                 # preview with live reload";

pub(crate) const BUILD: &str = "\
Examples:
  runsheet build                        # write site/
  runsheet build --out public --base-url https://docs.example.com/
  runsheet build --check                # CI: exit 3 and a diff when site/ is stale";

pub(crate) const CHECK: &str = "\
Examples:
  runsheet check
  runsheet check --strict --format github   # annotations in a GitHub Actions job
  runsheet check --format json | jq -r .code";

pub(crate) const SERVE: &str = "\
Examples:
  runsheet serve --open                 # http://127.0.0.1:3000/ in the browser
  runsheet serve --port 0               # any free port; the address is printed
  runsheet serve --host 0.0.0.0         # visible to the whole network";

pub(crate) const PLAN: &str = "\
Examples:
  runsheet plan guide/upgrade
  runsheet plan content/guide/upgrade.md | jq '.procedures[].steps[].source.file'
  runsheet plan guide/upgrade --compact     # as in site/plans/guide/upgrade.json";

pub(crate) const CHECKLIST: &str = "\
Examples:
  runsheet checklist guide/upgrade                  # plain text, 80 columns
  runsheet checklist guide/upgrade --format md      # paste into a change ticket
  runsheet checklist guide/upgrade --format html > upgrade.html";

pub(crate) const DIFF: &str = "\
Examples:
  runsheet diff v1.4 HEAD                # what changed since the tag, step by step
  runsheet diff old-site/ site/ --format json
  runsheet diff HEAD~1 HEAD --exit-code  # exit 3 when a step changed";

pub(crate) const SCHEMA: &str = "\
Examples:
  runsheet schema > plan.schema.json
  runsheet schema --run > journal.schema.json";

pub(crate) const RUN: &str = "\
Examples:
  runsheet run guide/upgrade overview
  runsheet run --resume 20240501-100000
  runsheet run guide/upgrade --no-input --answers answers.txt";

pub(crate) const REPORT: &str = "\
Examples:
  runsheet report 20240501-100000 > record.md
  runsheet report 20240501 --format html > record.html
  runsheet report runs/20240501-100000.jsonl --format json";

pub(crate) const VERIFY: &str = "\
Examples:
  runsheet verify 304e12b4
  runsheet verify sha256:304e12b4c1d2…";

pub(crate) const INIT: &str = "\
Examples:
  runsheet init                         # in the current folder
  runsheet init ops-docs && cd ops-docs && runsheet serve --open";

pub(crate) const COMPLETIONS: &str = "\
Examples:
  runsheet completions bash > ~/.local/share/bash-completion/completions/runsheet
  runsheet completions zsh > \"${fpath[1]}/_runsheet\"
  runsheet completions fish > ~/.config/fish/completions/runsheet.fish";

pub(crate) const MAN: &str = "\
Examples:
  runsheet man > runsheet.1 && man ./runsheet.1
  runsheet man | gzip > /usr/local/share/man/man1/runsheet.1.gz";
