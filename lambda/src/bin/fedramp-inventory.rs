//! The `fedramp-inventory` command: parse arguments, dispatch, exit with the status.

use clap::Parser;
use fedramp_inventory::cli::{is_broken_pipe, Cli};

fn main() {
    let cli = Cli::parse();
    let code = match cli.run(&mut std::io::stdout()) {
        Ok(code) => code,
        // `types | head`: the reader has all it wanted.
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
