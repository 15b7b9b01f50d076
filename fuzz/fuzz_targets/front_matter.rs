//! Fuzz target: a page's (and a partial's) front matter, from any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runsheet::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::front_matter(&fuzzing::text_of(data));
});
