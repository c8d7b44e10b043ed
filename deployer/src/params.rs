//! Stack parameters from the settings file: the one place that maps one to the other.

use crate::accounts::Scope;
use crate::config::DeployConfig;

/// The collector stack's parameters.
pub fn collector(
    config: &DeployConfig,
    scope: &Scope,
    code_bucket: &str,
    code_key: &str,
    bucket_exists: bool,
) -> Vec<(&'static str, String)> {
    // In organization mode the organization bounds the roles the collector may assume;
    // otherwise the listed accounts' roles, by ARN.
    let member_roles: Vec<String> = if config.members.organization {
        Vec::new()
    } else {
        config
            .members
            .accounts
            .iter()
            .map(|a| {
                format!(
                    "arn:{}:iam::{}:role/{}",
                    scope.partition, a.id, config.collector_role_name
                )
            })
            .collect()
    };
    let accounts = if config.members.organization || !config.aggregator.is_empty() {
        String::new()
    } else {
        let list: Vec<serde_json::Value> = config
            .members
            .accounts
            .iter()
            .map(|a| serde_json::json!({"name": a.name, "id": a.id}))
            .collect();
        serde_json::Value::from(list).to_string()
    };
    let tags = json(&config.tag_names);
    let oscal = json(&config.oscal);
    vec![
        ("CodeBucket", code_bucket.to_string()),
        ("CodeKey", code_key.to_string()),
        ("Architecture", config.architecture.clone()),
        ("MemorySize", config.memory.to_string()),
        ("Schedule", config.schedule.clone()),
        ("ReportBucketName", config.report_bucket.clone()),
        ("ReportBucketExists", bucket_exists.to_string()),
        (
            "ReportPrefix",
            config.report_prefix.trim_matches('/').to_string(),
        ),
        ("AccountList", accounts),
        (
            "OrganizationMode",
            (config.members.organization && config.aggregator.is_empty()).to_string(),
        ),
        ("AggregatorName", config.aggregator.clone()),
        ("MemberRoleName", config.collector_role_name.clone()),
        ("ExternalId", config.external_id.clone()),
        ("Regions", config.regions.join(",")),
        ("Layout", config.layout.name().to_string()),
        ("IpCell", config.ip_cell.name().to_string()),
        ("TagNames", tags),
        ("Formats", config.formats.to_string()),
        ("Compression", config.compression.name().to_string()),
        ("Software", config.software.to_string()),
        ("HeartbeatDays", config.heartbeat_days().to_string()),
        ("DeadlineMarginSeconds", config.deadline_margin.to_string()),
        ("Fips", config.fips().to_string()),
        ("KmsKey", config.kms_key.trim().to_string()),
        ("OrganizationId", scope.organization_id.clone()),
        ("MemberRoleArns", member_roles.join(",")),
        ("OscalSettings", oscal),
        ("NotificationEmail", config.notification_email.clone()),
    ]
}

/// A member account's role stack parameters.
pub fn member(
    config: &DeployConfig,
    scope: &Scope,
    collector_role_arn: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("CollectorRoleArn", collector_role_arn.to_string()),
        ("RoleName", config.collector_role_name.clone()),
        ("ExternalId", config.external_id.clone()),
        ("OrganizationId", scope.organization_id.clone()),
    ]
}

/// A setting handed to the function as JSON in one environment variable; unset is "".
fn json<T: serde::Serialize>(value: &Option<T>) -> String {
    value
        .as_ref()
        .and_then(|v| serde_json::to_string(v).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_yaml::Value;

    /// The collector template, with CloudFormation's short tags read as plain values.
    fn collector() -> Value {
        serde_yaml::from_str(include_str!("../../cloudformation/collector.yaml")).unwrap()
    }

    #[test]
    fn failures_cannot_be_missed_in_the_template() {
        let t = collector();
        let function = &t["Resources"]["Function"]["Properties"];
        assert_eq!(function["ReservedConcurrentExecutions"], Value::from(1));
        assert!(!function["DeadLetterConfig"]["TargetArn"].is_null());
        let target = &t["Resources"]["ScheduleRule"]["Properties"]["Targets"][0];
        assert!(!target["RetryPolicy"].is_null() && !target["DeadLetterConfig"].is_null());
        for alarm in [
            "ErrorsAlarm",
            "PartialRunAlarm",
            "NoSuccessAlarm",
            "DeadLetterAlarm",
        ] {
            let props = &t["Resources"][alarm]["Properties"];
            assert!(!props["AlarmActions"].is_null(), "{alarm} tells the topic");
        }
        assert_eq!(
            t["Resources"]["NoSuccessAlarm"]["Properties"]["TreatMissingData"],
            Value::from("breaching"),
            "no data means no run succeeded"
        );
    }

    #[test]
    fn every_parameter_the_deployer_passes_exists() {
        let t = collector();
        let config = crate::config::DeployConfig::parse(
            "management:\n  account-id: \"123456789012\"\n  region: us-east-1\nmembers:\n  organization: true\nreport-bucket: r\n",
        )
        .unwrap();
        for (name, _) in super::collector(&config, &Default::default(), "b", "k", false) {
            assert!(
                !t["Parameters"][name].is_null(),
                "{name} is not a parameter of collector.yaml"
            );
        }
    }
}
