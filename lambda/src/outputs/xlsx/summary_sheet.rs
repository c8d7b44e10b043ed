//! The Run Summary sheet: what the run read, what it made of it, and every problem.
//!
//! A reviewer or the team's own automation should be able to tell from this sheet
//! alone whether the inventory is complete, and if not, what is missing and why.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::{write_text, CellFormats, SheetSpan, MAX_CELL_CHARS};
use crate::changes::ChangeReport;
use crate::outputs::{IpCell, OutputSettings};
use crate::scan::ScanReport;
use crate::summary::Summary;

/// Appends the summary, continuing on `Run Summary (2)`, ... should the problem list
/// outgrow a sheet.
pub(super) fn write(
    workbook: &mut Workbook,
    summary: &Summary,
    changes: Option<&ChangeReport>,
    sheets: &[SheetSpan],
    options: &OutputSettings,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::Heading(
        "FedRAMP Integrated Inventory: Run Summary".into(),
    ));
    lines.push(pair(
        "Generated (UTC)",
        summary.generated_at.format("%Y-%m-%d %H:%M:%S").to_string(),
    ));
    lines.push(pair(
        "Tool",
        format!("fedramp-inventory {}", env!("CARGO_PKG_VERSION")),
    ));
    lines.push(pair(
        "Layout",
        format!("{} ({})", options.layout.name(), options.layout.title()),
    ));
    let ip = match options.ip_cell {
        IpCell::PerRow => "one row per address",
        IpCell::Joined => "one row per asset, addresses on separate lines of one cell",
    };
    lines.push(pair("Addresses", ip.into()));
    lines.push(pair("Items read", summary.items_read.to_string()));
    lines.push(pair("Assets", summary.assets.to_string()));
    lines.push(pair("Inventory rows", summary.rows.to_string()));
    lines.push(pair(
        "Duplicate items skipped",
        summary.duplicates.to_string(),
    ));
    lines.push(pair(
        "Items folded into another asset or skipped",
        summary.folded.values().sum::<u64>().to_string(),
    ));
    let unsupported: u64 = summary.unsupported.values().map(|u| u.items).sum();
    lines.push(pair("Items of unsupported types", unsupported.to_string()));
    lines.push(pair("Scope", scope_text(summary)));
    lines.push(pair(
        "Warnings",
        summary
            .diagnostics
            .count(crate::diagnostics::Severity::Warning)
            .to_string(),
    ));
    lines.push(pair(
        "Errors",
        summary
            .diagnostics
            .count(crate::diagnostics::Severity::Error)
            .to_string(),
    ));

    if formats.cut > 0 {
        let (sheet, row, col) = formats.first_cut.clone().unwrap_or_default();
        lines.push(pair(
            "Cells cut to Excel's limit",
            format!(
                "{} cells were longer than the {MAX_CELL_CHARS} characters an Excel cell holds and were cut; the first is on sheet {sheet}, row {}, column {} (the CSV, snapshot and OSCAL outputs keep the whole value)",
                formats.cut,
                row + 1,
                col + 1
            ),
        ));
    }
    if let Some(c) = changes {
        lines.push(pair("Changes since the last run", c.headline()));
    }

    if let Some(scan) = &summary.scan {
        scan_lines(&mut lines, scan);
    }

    if !summary.network.is_empty() {
        heading(&mut lines, "Network facts read");
        lines.push(Line::Cells(vec!["Resource type".into(), "Items".into()]));
        for (kind, n) in &summary.network {
            lines.push(pair(kind, n.to_string()));
        }
    }

    if summary.scope == crate::settings::Scope::All {
        heading(&mut lines, "Information resources (scope: all)");
        lines.push(Line::Cells(vec![
            "Resource type".into(),
            "Resources".into(),
        ]));
        for (kind, n) in &summary.resources {
            lines.push(pair(kind, n.to_string()));
        }
    }

    if summary.unlabelled > 0 {
        lines.push(pair(
            "Assets without a Diagram Label (mandatory in Rev5: the diagram-label tag)",
            summary.unlabelled.to_string(),
        ));
    }

    if let Some(evidence) = summary.evidence_to_show() {
        evidence_lines(&mut lines, evidence);
    }

    for why in &summary.not_written {
        lines.push(pair("Not written", why.clone()));
    }

    if !summary.not_read.is_empty() {
        heading(&mut lines, "Resource types not read");
        lines.push(Line::Cells(vec!["Resource type".into(), "Why".into()]));
        for (kind, why) in &summary.not_read {
            lines.push(pair(kind, why.clone()));
        }
    }

    heading(&mut lines, "Inputs");
    lines.push(Line::Cells(vec![
        "Input".into(),
        "Items".into(),
        "Status".into(),
    ]));
    for input in &summary.inputs {
        lines.push(Line::Cells(vec![
            input.name.clone(),
            input.items.to_string(),
            input.status.clone(),
        ]));
    }

    heading(&mut lines, "Inventory sheets");
    lines.push(Line::Cells(vec![
        "Sheet".into(),
        "First row".into(),
        "Last row".into(),
    ]));
    for s in sheets {
        lines.push(Line::Cells(vec![
            s.name.clone(),
            s.first_row.to_string(),
            s.last_row.to_string(),
        ]));
    }
    if sheets.len() > 1 {
        lines.push(Line::Cells(vec![format!(
            "The inventory has more rows than one Excel sheet holds; it continues over {} sheets in order.",
            sheets.len()
        )]));
    }

    heading(&mut lines, "Rows per account, region and asset type");
    lines.push(Line::Cells(vec![
        "Account".into(),
        "Region".into(),
        "Asset Type".into(),
        "Rows".into(),
    ]));
    for ((account, region, kind), n) in &summary.row_counts {
        lines.push(Line::Cells(vec![
            account.clone(),
            region.clone(),
            kind.clone(),
            n.to_string(),
        ]));
    }

    heading(&mut lines, "Items and rows per Config type");
    lines.push(Line::Cells(vec![
        "Resource type".into(),
        "Items read".into(),
        "Rows written".into(),
    ]));
    for (kind, t) in &summary.types {
        lines.push(Line::Cells(vec![
            kind.clone(),
            t.items.to_string(),
            t.rows.to_string(),
        ]));
    }

    heading(
        &mut lines,
        "Left out because already listed, or not an asset",
    );
    lines.push(Line::Cells(vec!["Reason".into(), "Items".into()]));
    for (reason, n) in &summary.folded {
        lines.push(Line::Cells(vec![reason.clone(), n.to_string()]));
    }

    heading(
        &mut lines,
        "Unsupported resource types (counted, not in the inventory)",
    );
    lines.push(Line::Cells(vec![
        "Resource type".into(),
        "Items".into(),
        "First seen".into(),
    ]));
    for (kind, u) in &summary.unsupported {
        lines.push(Line::Cells(vec![
            kind.clone(),
            u.items.to_string(),
            u.first_seen.clone(),
        ]));
    }

    heading(&mut lines, "Problems");
    lines.push(Line::Cells(vec![
        "Severity".into(),
        "Where".into(),
        "Message".into(),
    ]));
    for d in summary.diagnostics.entries() {
        lines.push(Line::Cells(vec![
            d.severity.to_string(),
            d.source.clone(),
            d.message.clone(),
        ]));
    }

    let per_sheet = options.max_sheet_rows as usize;
    for (page, chunk) in lines.chunks(per_sheet).enumerate() {
        let mut sheet = workbook.new_worksheet_with_constant_memory();
        formats.sheet = if page == 0 {
            "Run Summary".to_string()
        } else {
            format!("Run Summary ({})", page + 1)
        };
        sheet.set_name(&formats.sheet)?;
        write_lines(&mut sheet, chunk, formats)?;
        workbook.push_worksheet(sheet);
    }
    Ok(())
}

/// Which resources the run lists, in words.
fn scope_text(summary: &Summary) -> String {
    match summary.scope {
        crate::settings::Scope::Boundary => "boundary: the mapped types' assets (scope: boundary); other types are counted as unsupported".into(),
        crate::settings::Scope::All => format!(
            "all: the mapped types' assets, and {} other resources AWS Config records, of any type, on the Information Resources sheet",
            summary.resources.values().sum::<u64>()
        ),
    }
}

/// What the network facts gave (the entries are on the Ports Protocols Services sheet).
fn evidence_lines(lines: &mut Vec<Line>, evidence: &crate::network::Evidence) {
    heading(lines, "Ports, protocols and services");
    lines.push(pair(
        "Entries (Ports Protocols Services sheet)",
        evidence.len().to_string(),
    ));
    lines.push(pair(
        "Assets with a security group or a listening port",
        evidence.attached_assets.to_string(),
    ));
    lines.push(pair(
        "KSI-CNA-RNT: open to the internet on a port other than 80/443",
        evidence.internet_other_ports.to_string(),
    ));
    lines.push(pair(
        "KSI-CNA-RNT: open to all traffic from the internet",
        evidence.internet_all_traffic.to_string(),
    ));
    let ids = |groups: &[crate::network::GroupRef]| {
        let named: Vec<String> = groups
            .iter()
            .map(|g| format!("{} ({} / {})", g.id, g.account, g.region))
            .collect();
        format!("{}: {}", groups.len(), named.join(", "))
    };
    if !evidence.unattached_groups.is_empty() {
        lines.push(pair(
            "Security groups attached to nothing (no entry)",
            ids(&evidence.unattached_groups),
        ));
    }
    if !evidence.groups_not_read.is_empty() {
        lines.push(pair(
            "Security groups attached but not read (who may reach those assets is not known)",
            ids(&evidence.groups_not_read),
        ));
    }
}

/// The scan coverage's counts (its lists are on the Scan Coverage sheet).
fn scan_lines(lines: &mut Vec<Line>, scan: &ScanReport) {
    heading(lines, "Scan coverage (Amazon Inspector)");
    lines.push(pair(
        "Window",
        format!("{} days, since {}", scan.period_days, scan.window_start),
    ));
    lines.push(pair("Coverage records read", scan.records.to_string()));
    lines.push(pair(
        "Scannable assets (EC2, Lambda, images in use)",
        scan.assets.to_string(),
    ));
    lines.push(pair("Scanned inside the window", scan.scanned.to_string()));
    lines.push(pair(
        "Not scanned (Scan Coverage sheet)",
        scan.not_scanned.len().to_string(),
    ));
    lines.push(pair(
        "Scanned, not in the inventory (Scan Coverage sheet)",
        scan.not_in_inventory.len().to_string(),
    ));
    lines.push(pair(
        "Not checked: no coverage read there (Scan Coverage sheet; columns as tagged)",
        scan.unchecked.len().to_string(),
    ));
    lines.push(pair(
        "in-latest-scan tag overruled by the coverage",
        scan.tag_disagreements.to_string(),
    ));
    lines.push(pair(
        "Container images listed",
        scan.images_listed.to_string(),
    ));
    lines.push(pair(
        "Container images not in use (not listed)",
        scan.images_not_in_use.to_string(),
    ));
    for (kind, n) in &scan.other_types {
        lines.push(pair(
            "Records of a type the inventory does not list",
            format!("{kind}: {n}"),
        ));
    }
}

enum Line {
    Heading(String),
    Cells(Vec<String>),
}

/// A heading after a blank line.
fn heading(lines: &mut Vec<Line>, text: &str) {
    lines.push(Line::Cells(Vec::new()));
    lines.push(Line::Heading(text.to_string()));
}

fn pair(k: &str, v: String) -> Line {
    Line::Cells(vec![k.to_string(), v])
}

fn write_lines(
    sheet: &mut Worksheet,
    lines: &[Line],
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    for (width_col, width) in [(0u16, 34.0), (1, 48.0), (2, 60.0), (3, 12.0)] {
        sheet.set_column_width(width_col, width)?;
    }
    for (r, line) in lines.iter().enumerate() {
        let r = r as u32;
        match line {
            Line::Heading(title) => {
                sheet.write_string_with_format(r, 0, title, &formats.bold)?;
            }
            Line::Cells(cells) => {
                for (c, text) in cells.iter().enumerate() {
                    write_text(sheet, r, c as u16, text, formats)?;
                }
            }
        }
    }
    Ok(())
}
