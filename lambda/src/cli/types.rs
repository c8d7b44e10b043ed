//! `fedramp-inventory types`: every supported resource type, from the registry itself,
//! as the Markdown table docs/coverage.md holds (a test keeps them equal).

use std::io::Write;

use clap::Args;

use crate::mapper::registry_table;

#[derive(Debug, Args)]
pub struct TypesArgs {}

pub fn run(_args: TypesArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    out.write_all(registry_table().as_bytes())?;
    Ok(0)
}
