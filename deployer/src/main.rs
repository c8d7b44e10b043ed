//! `fedramp-deploy`: deploy, plan, invoke and tear down fedramp-inventory and its delivery pipeline.

mod accounts;
mod cli;
mod commands;
mod config;
mod package;
mod params;
mod source;
mod stack_list;
mod stacks;
mod stackset;

use clap::Parser;

fn main() {
    let code = match cli::Cli::parse().run(&mut std::io::stdout()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
