//! Stack parameters from the settings file: the one place that maps one to the other.

use crate::accounts::Scope;
use crate::config::{DeployConfig, PipelineSettings, PipelineSource};

/// The collector stack's parameters.
pub fn collector(
    config: &DeployConfig,
    scope: &Scope,
    code_bucket: &str,
    code_key: &str,
    bucket_exists: bool,
) -> Vec<(&'static str, String)> {
    // With the organization's member roles (organization mode, with or without an
    // aggregator) the organization bounds the roles the collector may assume; otherwise
    // the listed accounts' roles, by ARN (list mode, or an aggregator with members).
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
        ("Concurrency", config.concurrency.to_string()),
        ("ConfigRates", config.rates.to_string()),
        ("ScanCoverage", config.scan_coverage.to_string()),
        ("ScanPeriodDays", config.scan_period.to_string()),
        ("ServiceReads", config.service_reads.to_string()),
        ("Network", config.network.to_string()),
        ("Scope", config.scope.to_string()),
        ("FanOut", config.fan_out.to_string()),
        ("FanOutConcurrency", config.fan_out_concurrency.to_string()),
        ("FanOutBatch", config.fan_out_batch.to_string()),
        (
            "SdrBase",
            config
                .sdr_base
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        (
            "SdrOverviewUri",
            config
                .sdr_overview_uri
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        ("CodeUrl", config.code_url.to_string()),
        ("OrganizationRoles", config.members.organization.to_string()),
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
        // Not given: empty, the function's own default, which says in each run's
        // summary what it leaves out (the SDR without its settings).
        (
            "Formats",
            config
                .formats_given
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
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
        ("ScanCoverage", config.scan_coverage.to_string()),
        ("Scope", config.scope.to_string()),
    ]
}

/// The pipeline stack's parameters.
pub fn pipeline(
    config: &DeployConfig,
    pipeline: &PipelineSettings,
    scope: &Scope,
) -> Vec<(&'static str, String)> {
    let (provider, connection, repository) = match pipeline.source {
        PipelineSource::S3 => ("S3", String::new(), String::new()),
        PipelineSource::Connection => (
            "CodeConnections",
            pipeline.connection_arn.trim().to_string(),
            pipeline.repository.clone(),
        ),
    };
    vec![
        ("StackName", config.stack_name.clone()),
        ("ReportBucketName", config.report_bucket.clone()),
        ("ArtifactBucketName", config.artifact_bucket()),
        ("SourceProvider", provider.to_string()),
        ("ConnectionArn", connection),
        ("RepositoryId", repository),
        ("BranchName", pipeline.branch.clone()),
        ("ConfigPath", pipeline.config.clone()),
        ("Architecture", config.architecture.clone()),
        ("RequireApproval", pipeline.approval.to_string()),
        ("MemberAccessRole", config.member_access.role.clone()),
        ("OrganizationId", scope.organization_id.clone()),
        ("KmsKey", config.kms_key.trim().to_string()),
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
        // `!If [FansOut, fanned out, alone]`: the two branches.
        let branches = |v: &Value| -> (Value, Value) {
            match v {
                Value::Tagged(t) if t.tag == "If" && t.value[0] == "FansOut" => {
                    (t.value[1].clone(), t.value[2].clone())
                }
                other => panic!("not an !If on FansOut: {other:?}"),
            }
        };
        let function = &t["Resources"]["Function"]["Properties"];
        // One run at a time alone; fanned out, as many as the Map runs at once.
        let (fanned, alone) = branches(&function["ReservedConcurrentExecutions"]);
        assert_eq!(alone, Value::from(1));
        assert!(
            matches!(&fanned, Value::Tagged(t) if t.tag == "Ref" && t.value == "FanOutConcurrency"),
            "{fanned:?}"
        );
        assert!(!function["DeadLetterConfig"]["TargetArn"].is_null());
        let (fanned, alone) = branches(&t["Resources"]["ScheduleRule"]["Properties"]["Targets"][0]);
        for target in [fanned, alone] {
            assert!(!target["RetryPolicy"].is_null() && !target["DeadLetterConfig"].is_null());
        }
        for alarm in [
            "ErrorsAlarm",
            "PartialRunAlarm",
            "NoSuccessAlarm",
            "DeadLetterAlarm",
            "StateMachineFailedAlarm",
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

    fn pipeline() -> Value {
        serde_yaml::from_str(include_str!("../../cloudformation/pipeline.yaml")).unwrap()
    }

    #[test]
    fn every_pipeline_parameter_the_deployer_passes_exists_and_the_rest_have_defaults() {
        let t = pipeline();
        let config = crate::config::DeployConfig::parse(
            "management:\n  account-id: \"123456789012\"\n  region: us-east-1\nmembers:\n  organization: true\nreport-bucket: r\npipeline: {}\n",
        )
        .unwrap();
        let passed: Vec<&str> = super::pipeline(
            &config,
            config.pipeline.as_ref().unwrap(),
            &Default::default(),
        )
        .into_iter()
        .map(|(name, _)| name)
        .collect();
        for name in &passed {
            assert!(
                !t["Parameters"][*name].is_null(),
                "{name} is not a parameter of pipeline.yaml"
            );
        }
        for (name, p) in t["Parameters"].as_mapping().unwrap() {
            let name = name.as_str().unwrap();
            assert!(
                passed.contains(&name) || !p["Default"].is_null(),
                "{name}: no default and not passed"
            );
        }
    }

    /// What moto's CloudFormation does not make (bucket versioning and policy, CodeBuild,
    /// CodePipeline), asserted on the template itself.
    #[test]
    fn the_pipeline_template_keeps_its_promises() {
        let t = pipeline();
        let r = &t["Resources"];
        let bucket = &r["PipelineBucket"]["Properties"];
        assert_eq!(
            bucket["VersioningConfiguration"]["Status"],
            Value::from("Enabled")
        );
        for key in [
            "BlockPublicAcls",
            "BlockPublicPolicy",
            "IgnorePublicAcls",
            "RestrictPublicBuckets",
        ] {
            assert_eq!(
                bucket["PublicAccessBlockConfiguration"][key],
                Value::from(true),
                "{key}"
            );
        }
        let deny = &r["PipelineBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
        assert_eq!(deny["Effect"], Value::from("Deny"));
        assert_eq!(
            deny["Condition"]["Bool"]["aws:SecureTransport"],
            Value::from(false)
        );
        // Source, test and build, (approval,) deploy - in that order.
        let stages: Vec<String> = r["Pipeline"]["Properties"]["Stages"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|stage| {
                let stage = match stage {
                    // !If [WithApproval, {stage}, !Ref AWS::NoValue]
                    Value::Tagged(t) => &t.value[1],
                    s => s,
                };
                stage["Name"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(stages, ["Source", "TestAndBuild", "Approve", "Deploy"]);
        let build = &r["BuildProject"]["Properties"];
        assert_eq!(build["Source"]["BuildSpec"], Value::from("buildspec.yml"));
        assert_eq!(build["Cache"]["Type"], Value::from("S3"));
        let deploy_spec = r["DeployProject"]["Properties"]["Source"]["BuildSpec"]
            .as_str()
            .unwrap();
        assert!(deploy_spec.contains(
            "./fedramp-deploy deploy --config \"$DEPLOY_CONFIG\" --package bootstrap.zip"
        ));
        // Least privilege: no action is a wildcard anywhere in the template.
        let text = include_str!("../../cloudformation/pipeline.yaml");
        assert!(!text.contains("Action: \"*\"") && !text.contains("\"*:*\""));
    }
}
