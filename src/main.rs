//! The `runsheet` binary: parses the command line and hands over to the library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    runsheet::cli::run(std::env::args_os())
}
