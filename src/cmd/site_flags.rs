//! `--title`, `--base-url`, `--edit-url`: the site settings that also have flags.

use clap::Args;

use crate::config::SiteOverrides;

/// Site settings given on the command line; each beats its key in `runsheet.toml`.
#[derive(Args, Clone, Debug, Default)]
pub(crate) struct SiteFlags {
    /// The site's name (`title` in runsheet.toml) [default: the title of content/index.md]
    #[arg(long, global = true, value_name = "NAME")]
    pub title: Option<String>,
    /// Where the site is published, for canonical links and sitemap.xml (`base_url`)
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// "Edit this page" link; `{path}` becomes the page's source path (`edit_url`)
    #[arg(long, global = true, value_name = "URL")]
    pub edit_url: Option<String>,
}

impl SiteFlags {
    /// The flags as settings overrides.
    pub(crate) fn overrides(&self) -> SiteOverrides {
        SiteOverrides {
            title: self.title.clone(),
            base_url: self.base_url.clone(),
            edit_url: self.edit_url.clone(),
        }
    }
}
