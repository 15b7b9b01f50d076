//! Fuzz target: include expansion of a page and the partials given after
//! `=== name` lines of the input, with its source map checked line by line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runsheet::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::expand(&fuzzing::text_of(data));
});
