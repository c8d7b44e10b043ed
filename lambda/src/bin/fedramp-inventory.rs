//! The `fedramp-inventory` command: parse arguments, dispatch, exit with the status.

use clap::Parser;
use fedramp_inventory::cli::Cli;

fn main() {
    let cli = Cli::parse();
    let code = match cli.run(&mut std::io::stdout()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
