//! Source files: decoded text, project-relative display paths and line/column arithmetic.

use std::path::PathBuf;

/// Index of a file in a [`SourceDb`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub(crate) u32);

/// What role a file plays in the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Page,
    Partial,
    Template,
    Config,
}

/// One file of the project, decoded: BOM removed, CRLF and lone CR turned
/// into LF, NUL turned into U+FFFD.
///
/// Removing `\r` before `\n`, or turning a lone `\r` into `\n`, keeps every
/// line and column number the same as in the file on disk (a lone CR ends a
/// line there too), because columns count characters within the line.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the project folder, with `/` separators.
    pub path: String,
    /// Path on disk.
    pub abs: PathBuf,
    pub kind: FileKind,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: String, abs: PathBuf, kind: FileKind, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            abs,
            kind,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        (line + 1, col + 1)
    }

    /// Byte offset where 1-based `line` starts (clamped to the end of the text).
    pub fn line_offset(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Decodes raw bytes: strips a UTF-8 byte-order mark, turns CRLF and lone
/// CR line endings into LF, and replaces U+0000 with U+FFFD (as CommonMark
/// asks, so no NUL reaches the HTML, checklists or plans).
///
/// On invalid UTF-8, returns the byte offset (in the file as stored) of the
/// first byte that is not valid.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, usize> {
    let (bom, rest) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (3, rest),
        None => (0, bytes),
    };
    let text = std::str::from_utf8(rest).map_err(|e| bom + e.valid_up_to())?;
    if !text.contains(['\r', '\0']) {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Every file runsheet has read, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len() as u32).map(FileId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        let cases: &[(&[u8], Result<&str, usize>)] = &[
            (b"plain\n", Ok("plain\n")),
            (b"\xEF\xBB\xBFbom\n", Ok("bom\n")),
            (b"a\r\nb\r\n", Ok("a\nb\n")),
            (b"lone\rcr", Ok("lone\ncr")),
            (b"mixed\r\r\n\rend\r", Ok("mixed\n\n\nend\n")),
            (b"nul\0byte\0", Ok("nul\u{FFFD}byte\u{FFFD}")),
            (b"\xEF\xBB\xBF\0\r\n", Ok("\u{FFFD}\n")),
            (b"ab\xFFcd", Err(2)),
            (b"\xEF\xBB\xBFab\xC3", Err(5)),
        ];
        for (input, expected) in cases {
            let got = decode(input);
            assert_eq!(got.as_deref(), expected.as_deref(), "input {input:?}");
        }
    }

    #[test]
    fn line_col_table() {
        let f = SourceFile::new(
            "x.md".into(),
            "x.md".into(),
            FileKind::Page,
            "ab\nçd\n\nxyz".into(),
        );
        let cases = [
            (0, (1, 1)),
            (2, (1, 3)),
            (3, (2, 1)),
            (5, (2, 2)), // after the two-byte ç
            (7, (3, 1)),
            (8, (4, 1)),
            (11, (4, 4)),
            (99, (4, 4)),
        ];
        for (offset, expected) in cases {
            assert_eq!(f.line_col(offset), expected, "offset {offset}");
        }
        assert_eq!(f.line_offset(2), 3);
        assert_eq!(f.line_offset(9), 11);
    }
}
