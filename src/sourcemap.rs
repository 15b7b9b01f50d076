//! Maps every byte of an expanded page back to the file, offset and include chain it came from.

use crate::source::{FileId, SourceDb};
use std::collections::BTreeSet;

/// Where an `!include` directive stands: the including file and the directive's offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncludeSite {
    pub file: FileId,
    pub offset: usize,
}

/// A resolved location: file, byte offset in that file, and the include
/// sites that brought the text into the page, innermost first.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    pub file: FileId,
    pub offset: usize,
    pub included_from: &'a [IncludeSite],
}

/// A location as users read it: path, 1-based line and column, include chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// `(file, line)` of each include site, innermost first, outermost last.
    pub included_from: Vec<(String, usize)>,
}

impl Origin<'_> {
    pub fn locate(&self, db: &SourceDb) -> Location {
        let f = db.get(self.file);
        let (line, column) = f.line_col(self.offset);
        Location {
            file: f.path.clone(),
            line,
            column,
            included_from: self
                .included_from
                .iter()
                .map(|s| {
                    let inc = db.get(s.file);
                    (inc.path.clone(), inc.line_col(s.offset).0)
                })
                .collect(),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Segment {
    out: usize,
    file: FileId,
    src: usize,
    chain: u32,
}

/// Piecewise-linear map from expanded-text offsets to source offsets.
#[derive(Debug)]
pub struct SourceMap {
    segments: Vec<Segment>,
    /// Include chains, innermost site first. Chain 0 is the page itself.
    chains: Vec<Vec<IncludeSite>>,
    /// The number of include sites over all chains.
    sites: usize,
}

/// Handle to an include chain registered in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainId(u32);

impl ChainId {
    /// The page's own text, not included from anywhere.
    pub const ROOT: ChainId = ChainId(0);
}

impl Default for SourceMap {
    fn default() -> Self {
        SourceMap {
            segments: Vec::new(),
            chains: vec![Vec::new()],
            sites: 0,
        }
    }
}

impl SourceMap {
    /// Registers the chain for text included at `site` from inside `parent`.
    pub fn push_chain(&mut self, site: IncludeSite, parent: ChainId) -> ChainId {
        let mut chain = Vec::with_capacity(self.chains[parent.0 as usize].len() + 1);
        chain.push(site);
        chain.extend_from_slice(&self.chains[parent.0 as usize]);
        self.sites += chain.len();
        self.chains.push(chain);
        ChainId((self.chains.len() - 1) as u32)
    }

    /// Records that output from `out` onwards comes from `file` at `src`.
    pub fn map(&mut self, out: usize, file: FileId, src: usize, chain: ChainId) {
        if let Some(last) = self.segments.last_mut() {
            if last.file == file && last.chain == chain.0 && last.src + (out - last.out) == src {
                return;
            }
            if last.out == out {
                *last = Segment {
                    out,
                    file,
                    src,
                    chain: chain.0,
                };
                return;
            }
        }
        self.segments.push(Segment {
            out,
            file,
            src,
            chain: chain.0,
        });
    }

    /// How much the map holds: its segments, and the include sites of its
    /// chains. Bounded by the include stage's `Limits::max_map_entries`.
    pub fn entries(&self) -> usize {
        self.segments.len() + self.sites
    }

    /// Forgets every segment at or after `len` (the text was cut there).
    pub fn truncate(&mut self, len: usize) {
        let keep = self.segments.partition_point(|s| s.out < len);
        self.segments.truncate(keep);
    }

    /// Where the expanded byte at `out` came from.
    pub fn lookup(&self, out: usize) -> Option<Origin<'_>> {
        let i = self.segments.partition_point(|s| s.out <= out);
        let seg = self.segments.get(i.checked_sub(1)?)?;
        Some(Origin {
            file: seg.file,
            offset: seg.src + (out - seg.out),
            included_from: &self.chains[seg.chain as usize],
        })
    }

    /// The include chain of `chain`, innermost site first.
    pub fn chain(&self, chain: ChainId) -> &[IncludeSite] {
        &self.chains[chain.0 as usize]
    }
}

/// A page with every include replaced, and the map back to its sources.
#[derive(Debug, Default)]
pub struct Expansion {
    pub text: String,
    pub map: SourceMap,
    /// Partials this page reached, directly or through other partials.
    pub used: BTreeSet<FileId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_follows_segments_and_chains() {
        let page = FileId(0);
        let part = FileId(1);
        let mut map = SourceMap::default();
        map.map(0, page, 0, ChainId::ROOT);
        let chain = map.push_chain(
            IncludeSite {
                file: page,
                offset: 10,
            },
            ChainId::ROOT,
        );
        map.map(10, part, 0, chain);
        map.map(15, page, 25, ChainId::ROOT);
        // contiguous continuation is merged, not pushed
        map.map(20, page, 30, ChainId::ROOT);
        assert_eq!(map.segments.len(), 3);

        let cases = [
            (0, page, 0, 0),
            (9, page, 9, 0),
            (10, part, 0, 1),
            (14, part, 4, 1),
            (15, page, 25, 0),
            (40, page, 50, 0),
        ];
        for (out, file, src, depth) in cases {
            let o = map.lookup(out).unwrap();
            assert_eq!(
                (o.file, o.offset, o.included_from.len()),
                (file, src, depth),
                "out {out}"
            );
        }
    }

    #[test]
    fn empty_map_has_no_origin() {
        assert!(SourceMap::default().lookup(0).is_none());
    }
}
