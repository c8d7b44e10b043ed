//! The inventory's columns, independent of any one workbook layout.
//!
//! Mappers fill fields; layouts decide which fields appear, in what order and under
//! which header text. Keeping the two apart lets rev5 and a13 share every mapper.

/// One column of the inventory (the union of the rev5 and a13 columns).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    AssetId,
    Ip,
    Virtual,
    Public,
    Dns,
    NetBios,
    Mac,
    AuthenticatedScan,
    Baseline,
    OsNameVersion,
    Location,
    AssetType,
    HardwareModel,
    InLatestScan,
    SoftwareVendor,
    SoftwareNameVersion,
    PatchLevel,
    DiagramLabel,
    Function,
    Comments,
    SerialAssetTag,
    Vlan,
    SystemOwner,
    ApplicationOwner,
    EndOfLife,
}

/// Number of [`Field`] variants; cells are stored in arrays of this size.
pub const FIELD_COUNT: usize = 25;

impl Field {
    /// Every field, in declaration order (index == `field as usize`).
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::AssetId,
        Field::Ip,
        Field::Virtual,
        Field::Public,
        Field::Dns,
        Field::NetBios,
        Field::Mac,
        Field::AuthenticatedScan,
        Field::Baseline,
        Field::OsNameVersion,
        Field::Location,
        Field::AssetType,
        Field::HardwareModel,
        Field::InLatestScan,
        Field::SoftwareVendor,
        Field::SoftwareNameVersion,
        Field::PatchLevel,
        Field::DiagramLabel,
        Field::Function,
        Field::Comments,
        Field::SerialAssetTag,
        Field::Vlan,
        Field::SystemOwner,
        Field::ApplicationOwner,
        Field::EndOfLife,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// A short name for warnings ("Hardware Make/Model" is clearer than an index).
    pub fn label(self) -> &'static str {
        match self {
            Field::AssetId => "Unique Asset Identifier",
            Field::Ip => "IP Address",
            Field::Virtual => "Virtual",
            Field::Public => "Public",
            Field::Dns => "DNS Name or URL",
            Field::NetBios => "NetBIOS Name",
            Field::Mac => "MAC Address",
            Field::AuthenticatedScan => "Authenticated Scan",
            Field::Baseline => "Baseline Configuration Name",
            Field::OsNameVersion => "OS Name and Version",
            Field::Location => "Location",
            Field::AssetType => "Asset Type",
            Field::HardwareModel => "Hardware Make/Model",
            Field::InLatestScan => "In Latest Scan",
            Field::SoftwareVendor => "Software/Database Vendor",
            Field::SoftwareNameVersion => "Software/Database Name & Version",
            Field::PatchLevel => "Patch Level",
            Field::DiagramLabel => "Diagram Label",
            Field::Function => "Function",
            Field::Comments => "Comments",
            Field::SerialAssetTag => "Serial #/Asset Tag#",
            Field::Vlan => "VLAN/Network ID",
            Field::SystemOwner => "System Administrator/Owner",
            Field::ApplicationOwner => "Application Administrator/Owner",
            Field::EndOfLife => "End-of-Life",
        }
    }
}

impl Field {
    /// The field's name in machine-readable outputs (the snapshot): stable across
    /// releases, whatever the workbook's header texts become.
    pub fn key(self) -> &'static str {
        match self {
            Field::AssetId => "asset-id",
            Field::Ip => "ip-address",
            Field::Virtual => "virtual",
            Field::Public => "public",
            Field::Dns => "dns-name",
            Field::NetBios => "netbios-name",
            Field::Mac => "mac-address",
            Field::AuthenticatedScan => "authenticated-scan",
            Field::Baseline => "baseline-configuration",
            Field::OsNameVersion => "os-name-version",
            Field::Location => "location",
            Field::AssetType => "asset-type",
            Field::HardwareModel => "hardware-model",
            Field::InLatestScan => "in-latest-scan",
            Field::SoftwareVendor => "software-vendor",
            Field::SoftwareNameVersion => "software-name-version",
            Field::PatchLevel => "patch-level",
            Field::DiagramLabel => "diagram-label",
            Field::Function => "function",
            Field::Comments => "comments",
            Field::SerialAssetTag => "serial-asset-tag",
            Field::Vlan => "vlan-network-id",
            Field::SystemOwner => "system-owner",
            Field::ApplicationOwner => "application-owner",
            Field::EndOfLife => "end-of-life",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The fields an asset has once, whatever its addresses (all but IP and MAC).
    pub fn asset_fields() -> impl Iterator<Item = Field> {
        Field::ALL
            .into_iter()
            .filter(|f| !matches!(f, Field::Ip | Field::Mac))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_index_order() {
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(f.index(), i, "{f:?}");
            assert_eq!(Field::from_key(f.key()), Some(*f));
        }
    }
}
