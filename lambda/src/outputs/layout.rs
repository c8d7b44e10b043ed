//! The two workbook layouts FedRAMP accepts, as data: which field goes in which
//! column, under which header text, how wide, and the group headers above them.
//!
//! Header texts are copied from the official templates character for character (line
//! breaks and the trailing space of rev5's `End-of-Life ` included): reviewers and
//! their tools match on them.

use crate::fields::Field;

/// Which template the workbook follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// SSP Appendix M, Integrated Inventory Workbook v3.1 (Rev5), in its submission form.
    #[default]
    Rev5,
    /// SSP Attachment 13, Integrated Inventory Workbook v2.2 (Rev4), as the AWS sample writes it.
    A13,
}

pub struct Column {
    pub field: Field,
    pub header: &'static str,
    pub width: f64,
}

/// A group header merged over columns `first..=last` of row 1.
pub struct Group {
    pub first: u16,
    pub last: u16,
    pub title: &'static str,
    /// Fill colour (RGB) and whether the text is white, as in the template.
    pub fill: u32,
    pub white_text: bool,
}

const fn col(field: Field, header: &'static str, width: f64) -> Column {
    Column {
        field,
        header,
        width,
    }
}

const REV5_COLUMNS: [Column; 25] = [
    col(Field::AssetId, "UNIQUE ASSET IDENTIFIER", 37.33),
    col(Field::Ip, "IPv4 or IPv6 Address", 58.33),
    col(Field::Virtual, "Virtual", 25.0),
    col(Field::Public, "Public", 25.0),
    col(Field::Dns, "DNS Name or URL", 25.0),
    col(Field::NetBios, "NetBIOS Name", 15.0),
    col(Field::Mac, "MAC Address", 15.33),
    col(Field::AuthenticatedScan, "Authenticated Scan", 16.66),
    col(Field::Baseline, "Baseline Configuration Name", 41.16),
    col(Field::OsNameVersion, "OS Name and Version", 19.66),
    col(Field::Location, "Location", 18.33),
    col(Field::AssetType, "Asset Type", 16.5),
    col(Field::HardwareModel, "Hardware Make/Model", 17.0),
    col(Field::InLatestScan, "In Latest Scan", 16.16),
    col(Field::SoftwareVendor, "Software/ Database Vendor", 15.66),
    col(
        Field::SoftwareNameVersion,
        "Software/ Database Name & Version",
        17.66,
    ),
    col(Field::PatchLevel, "Patch Level", 15.66),
    col(Field::DiagramLabel, "Diagram Label", 55.83),
    col(Field::Comments, "Comments", 55.83),
    col(Field::SerialAssetTag, "Serial #/Asset Tag#", 18.33),
    col(Field::Vlan, "VLAN/\nNetwork ID", 18.5),
    col(Field::SystemOwner, "System Administrator/ Owner", 18.5),
    col(
        Field::ApplicationOwner,
        "Application Administrator/ Owner",
        17.83,
    ),
    col(Field::Function, "Function", 17.0),
    col(Field::EndOfLife, "End-of-Life ", 17.0),
];

const A13_COLUMNS: [Column; 23] = [
    col(Field::AssetId, "UNIQUE ASSET IDENTIFIER", 25.16),
    col(Field::Ip, "IPv4 or IPv6\nAddress", 25.16),
    col(Field::Virtual, "Virtual", 25.16),
    col(Field::Public, "Public", 25.16),
    col(Field::Dns, "DNS Name or URL", 25.16),
    col(Field::NetBios, "NetBIOS Name", 14.33),
    col(Field::Mac, "MAC Address", 14.33),
    col(Field::AuthenticatedScan, "Authenticated Scan", 15.16),
    col(Field::Baseline, "Baseline Configuration Name", 15.83),
    col(Field::OsNameVersion, "OS Name and Version", 19.83),
    col(Field::Location, "Location", 15.83),
    col(Field::AssetType, "Asset Type", 15.83),
    col(Field::HardwareModel, "Hardware Make/Model", 15.83),
    col(Field::InLatestScan, "In Latest Scan", 15.83),
    col(Field::SoftwareVendor, "Software/ Database Vendor", 15.83),
    col(
        Field::SoftwareNameVersion,
        "Software/ Database Name & Version",
        17.83,
    ),
    col(Field::PatchLevel, "Patch Level", 15.83),
    col(Field::Function, "Function", 19.5),
    col(Field::Comments, "Comments", 56.0),
    col(Field::SerialAssetTag, "Serial #/Asset Tag#", 17.33),
    col(Field::Vlan, "VLAN/\nNetwork ID", 17.33),
    col(Field::SystemOwner, "System Administrator/ Owner", 17.33),
    col(
        Field::ApplicationOwner,
        "Application Administrator/ Owner",
        17.33,
    ),
];

const fn group(first: u16, last: u16, title: &'static str, fill: u32, white_text: bool) -> Group {
    Group {
        first,
        last,
        title,
        fill,
        white_text,
    }
}

// Colours are the templates' theme colours with their tints applied.
const REV5_GROUPS: [Group; 4] = [
    group(0, 4, "All Inventories", 0x137294, true),
    group(5, 13, "OS/Infrastructure Inventory", 0x1A98C5, true),
    group(14, 16, "Software and Database Inventories", 0x76C1DC, false),
    group(17, 24, "Any Inventory", 0xA3D6E8, false),
];

const A13_GROUPS: [Group; 4] = [
    group(0, 4, "All Inventories", 0xB9CDE5, false),
    group(5, 13, "OS/Infrastructure Inventory", 0x93CDDD, false),
    group(14, 17, "Software and Database Inventories", 0xC3D69B, false),
    group(18, 22, "Any Inventory", 0xB9CDE5, false),
];

impl Layout {
    pub fn columns(self) -> &'static [Column] {
        match self {
            Layout::Rev5 => &REV5_COLUMNS,
            Layout::A13 => &A13_COLUMNS,
        }
    }

    pub fn groups(self) -> &'static [Group] {
        match self {
            Layout::Rev5 => &REV5_GROUPS,
            Layout::A13 => &A13_GROUPS,
        }
    }

    /// Rows above the first data row: group headers and column headers, plus a13's
    /// three guidance rows (rev5's submission form has them deleted).
    pub fn header_rows(self) -> u32 {
        match self {
            Layout::Rev5 => 2,
            Layout::A13 => 5,
        }
    }

    /// Row heights of the group and column header rows, as in the template.
    pub fn header_heights(self) -> [f64; 2] {
        match self {
            Layout::Rev5 => [42.75, 45.0],
            Layout::A13 => [43.25, 42.0],
        }
    }

    /// Where panes are frozen (row, column): rev5 below its headers, a13 at B6.
    pub fn freeze_at(self) -> (u32, u16) {
        match self {
            Layout::Rev5 => (2, 0),
            Layout::A13 => (5, 1),
        }
    }

    /// Fill of the column header row.
    pub fn header_fill(self) -> u32 {
        match self {
            Layout::Rev5 => 0xFFFFFF,
            Layout::A13 => 0xDBEEF3,
        }
    }

    /// Font size of the header rows.
    pub fn header_font_size(self) -> f64 {
        match self {
            Layout::Rev5 => 11.0,
            Layout::A13 => 10.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Layout::Rev5 => "rev5",
            Layout::A13 => "a13",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Layout::Rev5 => "SSP Appendix M: FedRAMP Integrated Inventory Workbook v3.1",
            Layout::A13 => "SSP Attachment 13: FedRAMP Integrated Inventory Workbook v2.2",
        }
    }
}

impl std::str::FromStr for Layout {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Layout::Rev5, Layout::A13]
            .into_iter()
            .find(|v| v.name() == s.trim())
            .ok_or_else(|| format!("expected rev5 or a13, found {s:?}"))
    }
}

crate::settings::deserialize_from_str!(Layout);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_cover_every_column_once() {
        for layout in [Layout::Rev5, Layout::A13] {
            let cols = layout.columns().len() as u16;
            let mut next = 0;
            for g in layout.groups() {
                assert_eq!(g.first, next, "{layout:?} {}", g.title);
                next = g.last + 1;
            }
            assert_eq!(next, cols, "{layout:?}");
        }
    }

    #[test]
    fn each_field_at_most_once() {
        for layout in [Layout::Rev5, Layout::A13] {
            let mut fields: Vec<_> = layout.columns().iter().map(|c| c.field).collect();
            fields.sort();
            fields.dedup();
            assert_eq!(fields.len(), layout.columns().len());
        }
    }
}
