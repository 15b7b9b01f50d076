//! The `runsheet` binary: parses the command line and hands over to the library.
#![forbid(unsafe_code)]

/// mimalloc: rendering allocates many small strings on every core, and
/// glibc's allocator spent a quarter of a build's time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    runsheet::run(std::env::args_os())
}
