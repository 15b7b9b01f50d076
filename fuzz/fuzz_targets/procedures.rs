//! Fuzz target: a page and its partials (after `=== name` lines) read into
//! plans both ways of reading lists; plans round-trip through JSON, ids are
//! unique and sources point at list markers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runsheet::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::procedures(&fuzzing::text_of(data));
});
