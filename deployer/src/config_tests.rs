//! Tests of the settings file: every key, its defaults and its errors.

use super::*;

const GOOD: &str = "management:\n  account-id: \"123456789012\"\n  region: us-east-1\nmembers:\n  accounts:\n    - id: \"111111111111\"\n      name: prod\nreport-bucket: reports\n";

#[test]
fn a_minimal_file_gets_defaults() {
    let c = DeployConfig::parse(GOOD).unwrap();
    assert_eq!(c.schedule, "cron(0 6 * * ? *)");
    assert_eq!(c.member_access.role, "OrganizationAccountAccessRole");
    assert_eq!(c.collector_stack(), "fedramp-inventory-collector");
}

#[test]
fn stackset_settings_take_defaults_and_are_checked() {
    let c = DeployConfig::parse(&format!("{GOOD}member-access:\n  stackset: {{}}\n")).unwrap();
    assert_eq!(c.member_access.stackset, Some(StackSetSettings::default()));
    let ous = "member-access:\n  stackset:\n    organizational-units: [r-ab12, ou-ab12-abcdefgh]\n    max-concurrent-percentage: 50\n";
    let c = DeployConfig::parse(&format!("{GOOD}{ous}")).unwrap();
    let s = c.member_access.stackset.unwrap();
    assert_eq!(s.organizational_units, ["r-ab12", "ou-ab12-abcdefgh"]);
    assert_eq!(
        (s.max_concurrent_percentage, s.failure_tolerance_percentage),
        (50, 10)
    );
    for (bad, key) in [
        (
            "    organizational-units: [ou-AB]\n",
            "organizational-units[0]",
        ),
        (
            "    organizational-units: [r-a]\n",
            "organizational-units[0]",
        ),
        (
            "    max-concurrent-percentage: 0\n",
            "max-concurrent-percentage",
        ),
        (
            "    failure-tolerance-percentage: 101\n",
            "failure-tolerance-percentage",
        ),
        ("    regions: [us-east-1]\n", "unknown field `regions`"),
    ] {
        let e =
            DeployConfig::parse(&format!("{GOOD}member-access:\n  stackset:\n{bad}")).unwrap_err();
        assert!(e.contains(key), "{bad}: {e}");
    }
    let e = DeployConfig::parse(&format!(
        "{GOOD}member-access:\n  stackset: {{}}\n  profiles:\n    \"111111111111\": p\n"
    ))
    .unwrap_err();
    assert!(e.contains("not both"), "{e}");
    let e = DeployConfig::parse(&format!(
        "{GOOD}member-access:\n  stackset: {{}}\npipeline: {{}}\n"
    ))
    .unwrap_err();
    assert!(e.starts_with("pipeline: the pipeline's deploy role"), "{e}");
}

#[test]
fn errors_name_the_key_and_line() {
    let e = DeployConfig::parse(&format!("{GOOD}shedule: rate(1 day)\n")).unwrap_err();
    assert!(
        e.contains("unknown field `shedule`") && e.contains("line 9"),
        "{e}"
    );
    let e = DeployConfig::parse(&GOOD.replace("111111111111", "1111")).unwrap_err();
    assert!(e.starts_with("members.accounts[0].id"), "{e}");
    let e = DeployConfig::parse(&GOOD.replace("  account-id: \"123456789012\"\n", "")).unwrap_err();
    assert!(e.contains("missing field `account-id`"), "{e}");
    let e = DeployConfig::parse(&format!("{GOOD}memory: lots\n")).unwrap_err();
    assert!(e.contains("memory") && e.contains("line 9"), "{e}");
    let e = DeployConfig::parse(&format!("{GOOD}schedule: cron(0 6 * * *)\n")).unwrap_err();
    assert!(e.starts_with("schedule:"), "{e}");
    // Library settings are checked by the library's own parsers.
    let e = DeployConfig::parse(&format!("{GOOD}layout: rev4\n")).unwrap_err();
    assert!(e.contains("expected rev5 or a13"), "{e}");
    let e = DeployConfig::parse(&format!("{GOOD}tag-names:\n  functon: Role\n")).unwrap_err();
    assert!(e.contains("unknown field `functon`"), "{e}");
    let e = DeployConfig::parse(&format!("{GOOD}formats: [xlsx, pdf]\n")).unwrap_err();
    assert!(e.contains("formats"), "{e}");
    let e = DeployConfig::parse(&format!("{GOOD}oscal:\n  system-name: ''\n")).unwrap_err();
    assert!(e.contains("system-name: must not be empty"), "{e}");
}

#[test]
fn formats_default_to_the_scheduled_set_and_ports_need_the_network() {
    let c = DeployConfig::parse(GOOD).unwrap();
    assert_eq!(
        c.formats().to_string(),
        "xlsx,ports,connections,diagram,derivation"
    );
    // With one of its settings, the SDR too.
    let c = DeployConfig::parse(&format!(
        "{GOOD}sdr-overview-uri: https://example.gov/cpo.json\n"
    ))
    .unwrap();
    assert_eq!(
        c.formats().to_string(),
        "xlsx,ports,sdr,connections,diagram,derivation"
    );
    // Where the code is: this project's repository, unless told.
    assert_eq!(
        c.code_url.to_string(),
        fedramp_inventory::outputs::derivation::DEFAULT_CODE_URL
    );
    let e = DeployConfig::parse(&format!("{GOOD}code-url: not a url\n")).unwrap_err();
    assert!(e.contains("not an absolute URI"), "{e}");
    let c = DeployConfig::parse(&format!("{GOOD}network: \"off\"\n")).unwrap();
    assert_eq!(c.formats().to_string(), "xlsx,derivation");
    // Every information resource: the library's own setting, and its CSV by default.
    let c = DeployConfig::parse(&format!("{GOOD}network: \"off\"\nscope: all\n")).unwrap();
    assert_eq!(c.formats().to_string(), "xlsx,derivation,resources");
    let e = DeployConfig::parse(&format!("{GOOD}scope: everything\n")).unwrap_err();
    assert!(e.contains("scope: expected boundary or all"), "{e}");
    let e = DeployConfig::parse(&format!("{GOOD}network: \"off\"\nformats: [xlsx, ports]\n"))
        .unwrap_err();
    assert!(e.starts_with("formats: the ports format"), "{e}");
    let e = DeployConfig::parse(&format!("{GOOD}formats: [xlsx, sdr]\n")).unwrap_err();
    assert!(e.contains("sdr-overview-uri"), "{e}");
    let c = DeployConfig::parse(&format!(
        "{GOOD}formats: [xlsx, sdr]\nsdr-overview-uri: https://example.gov/cpo.json\n"
    ))
    .unwrap();
    assert_eq!(c.formats().to_string(), "xlsx,sdr");
    let e = DeployConfig::parse(&format!("{GOOD}sdr-overview-uri: REPLACE-ME\n")).unwrap_err();
    assert!(e.contains("not an absolute URI"), "{e}");
    // The provider's SDR in S3 is a base of its own; its URI is checked.
    let c = DeployConfig::parse(&format!(
        "{GOOD}formats: [xlsx, sdr]\nsdr-base: s3://documents/fedramp/sdr.json\n"
    ))
    .unwrap();
    assert_eq!(
        c.sdr_base.unwrap().to_string(),
        "s3://documents/fedramp/sdr.json"
    );
    let e = DeployConfig::parse(&format!("{GOOD}sdr-base: documents/sdr.json\n")).unwrap_err();
    assert!(e.contains("s3://bucket/key"), "{e}");
}

#[test]
fn the_example_file_is_valid() {
    let text = include_str!("../../deploy.example.yaml");
    let c = DeployConfig::parse(text).unwrap();
    assert_eq!(c.formats().to_string(), "xlsx,csv,oscal,ports");
    assert_eq!(
        c.oscal.map(|o| o.system_name),
        Some("Example Cloud Service".to_string())
    );
}

#[test]
fn aggregator_mode_needs_no_members_with_service_reads_off() {
    let alone = GOOD.replace(
        "members:\n  accounts:\n    - id: \"111111111111\"\n      name: prod\n",
        "aggregator: org\n",
    );
    // Without member roles, the default (reading ElastiCache and EKS through them)
    // would fail on every run: refused at plan, with the way out named.
    let e = DeployConfig::parse(&alone).unwrap_err();
    assert!(
        e.starts_with("service-reads:") && e.contains("service-reads: off"),
        "{e}"
    );
    let e = DeployConfig::parse(&format!(
        "{alone}service-reads: off\nscan-coverage: inspector\n"
    ))
    .unwrap_err();
    assert!(e.starts_with("scan-coverage:"), "{e}");
    let c = DeployConfig::parse(&format!("{alone}service-reads: off\n")).unwrap();
    assert_eq!(c.aggregator, "org");
    assert!(c.members.accounts.is_empty());
    assert_eq!(
        c.service_reads,
        fedramp_inventory::settings::ServiceReads::Off
    );
    // With members, their roles serve the aggregator's shards.
    let listed = DeployConfig::parse(&format!("{GOOD}aggregator: org\n")).unwrap();
    assert_eq!(
        listed.service_reads,
        fedramp_inventory::settings::ServiceReads::MemberRoles
    );
    let e = DeployConfig::parse(&GOOD.replace(
        "members:\n  accounts:\n    - id: \"111111111111\"\n      name: prod\n",
        "",
    ))
    .unwrap_err();
    assert!(e.starts_with("members:"), "{e}");
}

#[test]
fn buckets_prefix_and_fips() {
    let c = DeployConfig::parse(GOOD).unwrap();
    assert!(!c.fips(), "us-east-1: off unless asked");
    let gov = DeployConfig::parse(&GOOD.replace("us-east-1", "us-gov-west-1")).unwrap();
    assert!(gov.fips(), "GovCloud: on by default");
    let off = DeployConfig::parse(&format!(
        "{}fips: false\n",
        GOOD.replace("us-east-1", "us-gov-west-1")
    ))
    .unwrap();
    assert!(!off.fips());
    let e = DeployConfig::parse(&format!("{GOOD}kms-key: alias/mine\n")).unwrap_err();
    assert!(e.starts_with("kms-key:"), "{e}");
    assert!(DeployConfig::parse(&format!("{GOOD}kms-key: create\n")).is_ok());
    let e = DeployConfig::parse(&format!("{GOOD}report-prefix: /\n")).unwrap_err();
    assert!(e.starts_with("report-prefix:"), "{e}");
    let e = DeployConfig::parse(&GOOD.replace(
        "report-bucket: reports",
        "report-bucket: fedramp-inventory-artifacts-123456789012-us-east-1",
    ))
    .unwrap_err();
    assert!(e.starts_with("report-bucket:"), "{e}");
}

#[test]
fn the_heartbeat_follows_the_schedule() {
    let with = |schedule: &str| {
        DeployConfig::parse(&format!("{GOOD}schedule: \"{schedule}\"\n"))
            .unwrap()
            .heartbeat_days()
    };
    assert_eq!(with("cron(0 6 * * ? *)"), 2);
    assert_eq!(with("rate(1 day)"), 2);
    assert_eq!(with("rate(3 days)"), 4);
    assert_eq!(with("rate(12 hours)"), 2);
    assert_eq!(with("cron(0 6 ? * MON *)"), 7);
    assert_eq!(
        with("rate(30 days)"),
        7,
        "at most what CloudWatch can watch"
    );
}

#[test]
fn schedules() {
    for ok in [
        "rate(1 day)",
        "rate(12 hours)",
        "cron(0 6 * * ? *)",
        "cron(0/15 * ? * MON-FRI *)",
    ] {
        assert!(check_schedule(ok).is_ok(), "{ok}");
    }
    for bad in [
        "daily",
        "rate(0 days)",
        "rate(1 days)",
        "cron(0 6 * * * *)",
        "cron(0 6 * *)",
        "cron(0 6 * * ? $)",
    ] {
        assert!(check_schedule(bad).is_err(), "{bad}");
    }
}
