//! Fuzz target: made-up diagnostics (any span, include chain, message and
//! help) on made-up files, rendered for people, as JSON and for GitHub.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use runsheet::fuzzing::{self, DiagSpec};

/// An offset near the start of a file, or anywhere at all.
#[derive(Arbitrary, Debug)]
enum Offset {
    Near(u16),
    Far(usize),
}

impl Offset {
    fn get(&self) -> usize {
        match *self {
            Offset::Near(n) => usize::from(n),
            Offset::Far(n) => n,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Spec {
    warning: bool,
    code: u8,
    message: String,
    label: Option<(u8, Offset, Offset)>,
    help: Option<String>,
    chain: Vec<(u8, Offset)>,
    also_via: u32,
}

#[derive(Arbitrary, Debug)]
struct Input {
    specs: Vec<Spec>,
    files: Vec<(String, String)>,
}

fuzz_target!(|input: Input| {
    let specs: Vec<DiagSpec> = input
        .specs
        .iter()
        .take(16)
        .map(|s| DiagSpec {
            warning: s.warning,
            code: s.code,
            message: s.message.clone(),
            label: s.label.as_ref().map(|(f, a, b)| (*f, a.get(), b.get())),
            help: s.help.clone(),
            chain: s.chain.iter().map(|(f, o)| (*f, o.get())).collect(),
            also_via: s.also_via,
        })
        .collect();
    let files: Vec<(String, String)> = input
        .files
        .into_iter()
        .take(4)
        .map(|(path, text)| (path, fuzzing::text_of(text.as_bytes())))
        .collect();
    fuzzing::diagnostics(&files, &specs);
});
