//! `mcdropout`: Monte-Carlo dropout regression from the command line.
//!
//! A thin layer over the library: it parses arguments, validates them, calls the library
//! and prints. See `mcdropout --help`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
