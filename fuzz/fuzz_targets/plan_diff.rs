//! Fuzz target: the step-level diff of two plan files, given as one input
//! with a NUL byte between them (JSON text never holds a raw NUL).
#![no_main]

use libfuzzer_sys::fuzz_target;
use runsheet::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::diff_bytes(data);
});
