//! Fuzz target: the step-level diff of two plan files, given as one input
//! with a NUL byte between them (JSON text never holds a raw NUL).
#![no_main]

use libfuzzer_sys::fuzz_target;
use runsheet::fuzzing;

fuzz_target!(|data: &[u8]| {
    let mut sides = data.splitn(2, |&b| b == 0);
    let old = sides.next().unwrap_or_default();
    let new = sides.next().unwrap_or_default();
    // plan files are read as UTF-8 text; anything else is refused before diffing
    if let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) {
        fuzzing::diff(old, new);
    }
});
