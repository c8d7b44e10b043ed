//! `fedramp-inventory types`: every supported resource type, from the registry itself,
//! as the Markdown table docs/coverage.md holds (a test keeps them equal).

use std::io::Write;

use clap::Args;

use crate::mapper::REGISTRY;

#[derive(Debug, Args)]
pub struct TypesArgs {}

pub fn run(_args: TypesArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    writeln!(
        out,
        "| Config type | Asset Type | read by | rows per item | columns filled (besides the tag-driven ones) |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    for m in REGISTRY {
        let columns: Vec<&str> = m.columns().iter().map(|f| f.label()).collect();
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            m.resource_type,
            m.asset_type,
            m.read.describe(),
            m.rows.describe(),
            columns.join(", ")
        )?;
    }
    writeln!(out, "\n{} types.", REGISTRY.len())?;
    Ok(0)
}
