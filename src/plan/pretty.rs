//! The pretty JSON of plans: two-space indentation, with arrays of plain values (numbers, strings) kept on one line.

use std::io::{self, Write};

use serde_json::ser::{CharEscape, Formatter};

/// What the formatter is inside of.
enum Frame {
    Object {
        has_value: bool,
    },
    Array {
        /// Decided by the array's first value: plain values keep the array
        /// on one line, objects and arrays put every value on its own.
        inline: Option<bool>,
        /// The separator before the next value, written once its kind is known.
        pending: Option<bool>,
    },
}

/// A [`Formatter`] like serde_json's `PrettyFormatter` with two-space
/// indentation, except that an array whose first value is a number, a
/// string, a boolean or null is written on one line: `[0, 12, 1]`.
#[derive(Default)]
pub(crate) struct Pretty {
    frames: Vec<Frame>,
}

impl Pretty {
    fn indent<W: ?Sized + Write>(&self, w: &mut W, depth: usize) -> io::Result<()> {
        for _ in 0..depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    /// Writes the separator before a value about to start in an array;
    /// `plain` says whether the value is a number, string, boolean or null.
    fn value_starts<W: ?Sized + Write>(&mut self, w: &mut W, plain: bool) -> io::Result<()> {
        let depth = self.frames.len();
        let Some(Frame::Array { inline, pending }) = self.frames.last_mut() else {
            return Ok(());
        };
        let Some(first) = pending.take() else {
            return Ok(());
        };
        let one_line = *inline.get_or_insert(plain);
        match (one_line, first) {
            (true, true) => Ok(()),
            (true, false) => w.write_all(b", "),
            (false, first) => {
                w.write_all(if first { b"\n" } else { b",\n" })?;
                self.indent(w, depth)
            }
        }
    }
}

impl Formatter for Pretty {
    fn write_null<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.value_starts(w, true)?;
        w.write_all(b"null")
    }

    fn write_bool<W: ?Sized + Write>(&mut self, w: &mut W, value: bool) -> io::Result<()> {
        self.value_starts(w, true)?;
        w.write_all(if value { b"true" } else { b"false" })
    }

    fn write_i64<W: ?Sized + Write>(&mut self, w: &mut W, value: i64) -> io::Result<()> {
        self.value_starts(w, true)?;
        write!(w, "{value}")
    }

    fn write_u64<W: ?Sized + Write>(&mut self, w: &mut W, value: u64) -> io::Result<()> {
        self.value_starts(w, true)?;
        write!(w, "{value}")
    }

    fn write_i32<W: ?Sized + Write>(&mut self, w: &mut W, value: i32) -> io::Result<()> {
        self.write_i64(w, value.into())
    }

    fn write_i16<W: ?Sized + Write>(&mut self, w: &mut W, value: i16) -> io::Result<()> {
        self.write_i64(w, value.into())
    }

    fn write_i8<W: ?Sized + Write>(&mut self, w: &mut W, value: i8) -> io::Result<()> {
        self.write_i64(w, value.into())
    }

    fn write_u32<W: ?Sized + Write>(&mut self, w: &mut W, value: u32) -> io::Result<()> {
        self.write_u64(w, value.into())
    }

    fn write_u16<W: ?Sized + Write>(&mut self, w: &mut W, value: u16) -> io::Result<()> {
        self.write_u64(w, value.into())
    }

    fn write_u8<W: ?Sized + Write>(&mut self, w: &mut W, value: u8) -> io::Result<()> {
        self.write_u64(w, value.into())
    }

    fn write_i128<W: ?Sized + Write>(&mut self, w: &mut W, value: i128) -> io::Result<()> {
        self.value_starts(w, true)?;
        write!(w, "{value}")
    }

    fn write_u128<W: ?Sized + Write>(&mut self, w: &mut W, value: u128) -> io::Result<()> {
        self.value_starts(w, true)?;
        write!(w, "{value}")
    }

    fn write_f32<W: ?Sized + Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        self.value_starts(w, true)?;
        serde_json::ser::CompactFormatter.write_f32(w, value)
    }

    fn write_f64<W: ?Sized + Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        self.value_starts(w, true)?;
        serde_json::ser::CompactFormatter.write_f64(w, value)
    }

    fn write_number_str<W: ?Sized + Write>(&mut self, w: &mut W, value: &str) -> io::Result<()> {
        self.value_starts(w, true)?;
        w.write_all(value.as_bytes())
    }

    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.value_starts(w, true)?;
        w.write_all(fragment.as_bytes())
    }

    fn begin_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        // an object key is a string too: no array is waiting for it
        self.value_starts(w, true)?;
        w.write_all(b"\"")
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        serde_json::ser::CompactFormatter.write_char_escape(w, escape)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.value_starts(w, false)?;
        self.frames.push(Frame::Array {
            inline: None,
            pending: None,
        });
        w.write_all(b"[")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, _w: &mut W, first: bool) -> io::Result<()> {
        if let Some(Frame::Array { pending, .. }) = self.frames.last_mut() {
            *pending = Some(first);
        }
        Ok(())
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        if let Some(Frame::Array {
            inline: Some(false),
            ..
        }) = self.frames.pop()
        {
            w.write_all(b"\n")?;
            self.indent(w, self.frames.len())?;
        }
        w.write_all(b"]")
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.value_starts(w, false)?;
        self.frames.push(Frame::Object { has_value: false });
        w.write_all(b"{")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w, self.frames.len())
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        if let Some(Frame::Object { has_value }) = self.frames.last_mut() {
            *has_value = true;
        }
        Ok(())
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        if let Some(Frame::Object { has_value: true }) = self.frames.pop() {
            w.write_all(b"\n")?;
            self.indent(w, self.frames.len())?;
        }
        w.write_all(b"}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn plain_arrays_stay_on_one_line() {
        let v =
            json!({"a": [0, 12, 1], "b": [], "c": [{"d": ["x", "y"]}], "e": {}, "f": [[1], [2]]});
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, super::Pretty::default());
        serde::Serialize::serialize(&v, &mut ser).unwrap();
        out.push(b'\n');
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "{\n  \"a\": [0, 12, 1],\n  \"b\": [],\n  \"c\": [\n    {\n      \"d\": [\"x\", \"y\"]\n    }\n  ],\n  \"e\": {},\n  \"f\": [\n    [1],\n    [2]\n  ]\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
