//! AWS partitions: which one a region is in, and its DNS suffix. One table, used by
//! every ARN and host name the tool makes (FedRAMP High lives in GovCloud, where
//! `arn:aws:` is wrong). Built in every feature set: the mappers need it without the SDK.
//!
//! The table is AWS's own, as the SDK's endpoint resolver carries it (`partitions.json`
//! in aws-sdk-sts's `endpoint_lib.rs`): region prefixes from each `regionRegex`, suffixes
//! from each `outputs.dnsSuffix`.

/// (region prefix, partition, DNS suffix); the first whose prefix matches wins, so the
/// longer prefixes (`us-isob-`) come before the shorter ones (`us-iso-`).
const PARTITIONS: [(&str, &str, &str); 7] = [
    ("us-gov-", "aws-us-gov", "amazonaws.com"),
    ("cn-", "aws-cn", "amazonaws.com.cn"),
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
    ("us-isof-", "aws-iso-f", "csp.hci.ic.gov"),
    ("us-iso-", "aws-iso", "c2s.ic.gov"),
    ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk"),
    ("eusc-", "aws-eusc", "amazonaws.eu"),
];

/// The ARN partition of `region`; `aws` for the commercial regions and for an empty
/// or unknown region.
pub fn partition_of(region: &str) -> &'static str {
    PARTITIONS
        .iter()
        .find(|(prefix, _, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition, _)| partition)
}

/// The DNS suffix of a partition's service hosts (`s3.REGION.SUFFIX`).
pub fn dns_suffix(partition: &str) -> &'static str {
    PARTITIONS
        .iter()
        .find(|(_, p, _)| *p == partition)
        .map_or("amazonaws.com", |(_, _, suffix)| suffix)
}

/// The DNS suffix of `region`'s partition.
pub fn region_dns_suffix(region: &str) -> &'static str {
    dns_suffix(partition_of(region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partition_and_its_suffix() {
        for (region, partition, suffix) in [
            ("us-east-1", "aws", "amazonaws.com"),
            ("eu-west-3", "aws", "amazonaws.com"),
            ("", "aws", "amazonaws.com"),
            ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
            ("us-gov-east-1", "aws-us-gov", "amazonaws.com"),
            ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
            ("cn-northwest-1", "aws-cn", "amazonaws.com.cn"),
            ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
            ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
            ("us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov"),
            ("eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk"),
            ("eusc-de-east-1", "aws-eusc", "amazonaws.eu"),
        ] {
            assert_eq!(partition_of(region), partition, "{region}");
            assert_eq!(region_dns_suffix(region), suffix, "{region}");
            assert_eq!(dns_suffix(partition), suffix, "{partition}");
        }
    }
}
