//! End-to-end tests of `fedramp-deploy` against the local AWS: stacks in the
//! management and member accounts (moto's STS maps assumed credentials to each
//! account), idempotent redeploys, teardown that keeps reports, bad settings.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::deploy::{
    deploy, deploy_once, emulate_deployed, invoke, member_items, package, settings, BIN, MANAGEMENT,
};
use common::LocalAws;
use serde_json::{json, Value};

/// The harness's view of one account's stacks (cloudformation via boto3).
fn stacks(aws: &mut LocalAws, account: &str) -> Value {
    aws.ask(&format!("stacks {account}"))
}

#[test]
fn deploy_redeploy_update_and_teardown() {
    // The listed members are accounts of an organization: the roles' trust is kept in it.
    let mut aws =
        LocalAws::start(&json!({"items": {}, "organization": ["111111111111", "222222222222"]}));
    let dir = tempfile::tempdir().unwrap();
    let config = settings(dir.path(), "cron(0 6 * * ? *)");
    let zip = package(dir.path());
    let (cfg, pkg) = (config.to_str().unwrap(), zip.to_str().unwrap());

    let (code, text) = deploy(&aws, &["deploy", "--config", cfg, "--package", pkg]);
    assert_eq!(code, 0, "{text}");
    let management = stacks(&mut aws, MANAGEMENT);
    let collector = &management["fedramp-inventory-collector"];
    assert_eq!(collector["status"], "CREATE_COMPLETE", "{management:#}");
    let name = collector["outputs"]["FunctionName"]
        .as_str()
        .unwrap_or_else(|| panic!("{management:#}"))
        .to_string();
    let function = aws.ask(&format!("lambda {MANAGEMENT} {name}"));
    assert!(
        function["CodeKey"]
            .as_str()
            .unwrap_or_default()
            .starts_with("fedramp-inventory/bootstrap-"),
        "{function:#}"
    );
    assert_eq!(
        function["Environment"]["REPORT_TARGET_BUCKET_NAME"],
        "fedramp-reports"
    );
    assert_eq!(function["Environment"]["REGIONS"], "us-east-1,us-west-2");
    assert_eq!(function["Runtime"], "provided.al2023");
    // The artifact bucket keeps every package version and takes TLS only.
    let artifacts = aws.ask("s3-policy fedramp-inventory-artifacts-123456789012-us-east-1");
    assert_eq!(artifacts["Versioning"], "Enabled", "{artifacts:#}");
    assert_eq!(
        artifacts["Policy"]["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"], "false",
        "{artifacts:#}"
    );
    // Failures cannot be missed: one run at a time, failed async invokes kept.
    // (moto does not keep a function's DeadLetterConfig: the template test checks it.)
    assert_eq!(function["ReservedConcurrency"], 1, "{function:#}");
    assert_eq!(
        function["Environment"]["DEADLINE_MARGIN_SECONDS"]
            .to_string()
            .trim_matches('"'),
        "90"
    );
    let role_arn = collector["outputs"]["ExecutionRoleArn"]
        .as_str()
        .unwrap()
        .to_string();
    for member in ["111111111111", "222222222222"] {
        let member_stacks = stacks(&mut aws, member);
        assert_eq!(
            member_stacks["fedramp-inventory-member-role"]["status"], "CREATE_COMPLETE",
            "{member_stacks:#}"
        );
        let role = aws.ask(&format!("role {member} InventoryCollector-for-Lambda"));
        let statement = &role["AssumeRolePolicyDocument"]["Statement"][0];
        assert_eq!(
            statement["Principal"]["AWS"], role_arn,
            "trusted only by the collector role: {role:#}"
        );
        assert_eq!(
            statement["Condition"]["StringEquals"]["sts:ExternalId"],
            "sesame"
        );
        assert!(
            statement["Condition"]["StringEquals"]["aws:PrincipalOrgID"]
                .as_str()
                .is_some_and(|o| o.starts_with("o-")),
            "only from inside the organization: {role:#}"
        );
        assert_eq!(
            role["Policies"],
            json!([
                "config:SelectResourceConfig",
                "config:ListDiscoveredResources",
                "config:BatchGetResourceConfig",
                "config:DescribeConfigurationRecorders",
                "config:DescribeConfigurationRecorderStatus",
                "elasticache:DescribeCacheClusters",
                "elasticache:DescribeReplicationGroups",
                "elasticache:ListTagsForResource",
                "eks:ListClusters",
                "eks:ListNodegroups",
                "eks:DescribeNodegroup"
            ])
        );
    }
    // The collector may assume exactly the listed accounts' roles.
    let execution = role_arn.rsplit('/').next().unwrap();
    let collector_role = aws.ask(&format!("role {MANAGEMENT} {execution}"));
    let assume: Vec<&Value> = collector_role["Statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Action"] == "sts:AssumeRole")
        .collect();
    assert_eq!(assume.len(), 1, "{collector_role:#}");
    assert_eq!(
        assume[0]["Resource"],
        json!([
            "arn:aws:iam::111111111111:role/InventoryCollector-for-Lambda",
            "arn:aws:iam::222222222222:role/InventoryCollector-for-Lambda"
        ]),
        "{collector_role:#}"
    );
    let reports = collector_role["Statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "Reports")
        .unwrap();
    assert_eq!(
        reports["Condition"]["StringEquals"]["aws:ResourceAccount"], MANAGEMENT,
        "{reports:#}"
    );
    let rule = aws.ask(&format!("rule {MANAGEMENT}"));
    assert_eq!(rule["ScheduleExpression"], "cron(0 6 * * ? *)");
    let target = &rule["Targets"][0];
    assert_eq!(target["RetryPolicy"]["MaximumRetryAttempts"], 2, "{rule:#}");
    assert!(
        target["DeadLetterConfig"]["Arn"]
            .as_str()
            .is_some_and(|a| a.starts_with("arn:aws:sqs:")),
        "{rule:#}"
    );

    let (code, text) = deploy(&aws, &["deploy", "--config", cfg, "--package", pkg]);
    assert_eq!(code, 0, "{text}");
    assert!(text.trim_end().ends_with("no changes"), "{text}");

    let config = settings(dir.path(), "rate(12 hours)");
    let (code, text) = deploy(
        &aws,
        &[
            "deploy",
            "--config",
            config.to_str().unwrap(),
            "--package",
            pkg,
        ],
    );
    assert_eq!(code, 0, "{text}");
    // moto lists no resource changes for a parameter change, so "only the rule" is
    // checked by its effects: the rule changed, the members did not, the role is the same.
    assert!(
        text.contains("fedramp-inventory-member-role: no changes"),
        "{text}"
    );
    assert!(!text.contains("collector: no changes"), "{text}");
    assert_eq!(
        aws.ask(&format!("rule {MANAGEMENT}"))["ScheduleExpression"],
        "rate(12 hours)"
    );
    let after = stacks(&mut aws, MANAGEMENT);
    assert_eq!(
        after["fedramp-inventory-collector"]["outputs"]["ExecutionRoleArn"],
        role_arn.as_str()
    );
    assert_eq!(
        after["fedramp-inventory-collector"]["status"], "UPDATE_COMPLETE",
        "{after:#}"
    );

    // A report in the bucket survives a plain teardown.
    let report = dir.path().join("r.xlsx");
    std::fs::write(&report, b"report").unwrap();
    aws.ask(&format!(
        "s3-put fedramp-reports inventory/r.xlsx {}",
        report.display()
    ));
    let (code, text) = deploy(&aws, &["teardown", "--config", cfg]);
    assert_eq!(code, 0, "{text}");
    for account in [MANAGEMENT, "111111111111", "222222222222"] {
        assert_eq!(
            stacks(&mut aws, account),
            json!({}),
            "{account} has no stacks left"
        );
    }
    assert_eq!(
        aws.ask("s3-keys fedramp-reports"),
        json!(["inventory/r.xlsx"])
    );

    let (code, text) = deploy(
        &aws,
        &["teardown", "--config", cfg, "--delete-reports", "--yes"],
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        aws.ask("buckets")["names"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b != "fedramp-reports"),
        "{text}"
    );
}

#[test]
fn bad_settings_fail_naming_the_problem_and_create_nothing() {
    let mut aws = LocalAws::start(&json!({"items": {}}));
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(settings(dir.path(), "cron(0 6 * * ? *)")).unwrap();
    let cases = [
        (format!("{good}colour: blue\n"), "unknown field `colour`"),
        (
            good.replace(
                "    - id: \"111111111111\"\n      name: prod\n",
                "    - name: prod\n",
            ),
            "missing field `id`",
        ),
        (
            good.replace("cron(0 6 * * ? *)", "cron(0 6 * * * *)"),
            "schedule:",
        ),
    ];
    for (text, expected) in cases {
        let path = dir.path().join("bad.yaml");
        std::fs::write(&path, text).unwrap();
        let (code, out) = deploy(
            &aws,
            &[
                "deploy",
                "--config",
                path.to_str().unwrap(),
                "--package",
                "/nonexistent.zip",
            ],
        );
        assert_ne!(code, 0, "{out}");
        assert!(
            out.contains(expected) && out.contains("bad.yaml"),
            "expected {expected:?} in {out}"
        );
    }
    assert_eq!(stacks(&mut aws, MANAGEMENT), json!({}));
    assert_eq!(aws.ask("buckets")["names"], json!([]));
}

#[test]
fn plan_lists_changes_and_changes_nothing() {
    let mut aws = LocalAws::start(&json!({"items": {}}));
    let dir = tempfile::tempdir().unwrap();
    let config = settings(dir.path(), "cron(0 6 * * ? *)");
    let (code, text) = deploy(&aws, &["plan", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    for line in [
        "management fedramp-inventory-collector: Add Function (AWS::Lambda::Function)",
        "management fedramp-inventory-collector: Add ScheduleRule (AWS::Events::Rule)",
        "111111111111 fedramp-inventory-member-role: Add CollectorRole (AWS::IAM::Role)",
        "222222222222 fedramp-inventory-member-role: Add CollectorRole (AWS::IAM::Role)",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("service reads: member-roles: ElastiCache")),
        "{text}"
    );
    let off = dir.path().join("off.yaml");
    std::fs::write(
        &off,
        std::fs::read_to_string(&config).unwrap() + "service-reads: off\n",
    )
    .unwrap();
    let (code, text) = deploy(&aws, &["plan", "--config", off.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("service reads: off: ") && l.ends_with("names them as not read")),
        "{text}"
    );
    for account in [MANAGEMENT, "111111111111", "222222222222"] {
        assert_eq!(
            stacks(&mut aws, account),
            json!({}),
            "{account}: plan left a stack"
        );
    }
    assert_eq!(
        aws.ask("buckets")["names"],
        json!([]),
        "plan made no bucket"
    );
}

/// `kms-key: create`: the collector stack makes a key and the report bucket uses it.
#[test]
fn a_customer_managed_key_encrypts_what_the_stack_keeps() {
    let mut aws = LocalAws::start(&json!({"items": {}}));
    let (code, text) = deploy_once(&aws, "kms-key: create\n");
    assert_eq!(code, 0, "{text}");
    let collector = &stacks(&mut aws, MANAGEMENT)["fedramp-inventory-collector"];
    assert_eq!(collector["status"], "CREATE_COMPLETE", "{collector:#}");
    let bucket = aws.ask("s3-encryption fedramp-reports");
    let rule = &bucket["Rules"][0];
    assert_eq!(
        rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms",
        "{bucket:#}"
    );
    assert!(
        rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
            .as_str()
            .is_some_and(|k| k.contains(":key/")),
        "{bucket:#}"
    );
    // moto's CloudFormation keeps neither BucketKeyEnabled nor the bucket's logging:
    // the template test (deployer/src/params.rs) checks both.
}

/// Scan coverage from Amazon Inspector: the function is told, and the collector and
/// member roles are granted Inspector's two read actions (only then: the first deploy
/// of `deploy_redeploy_update_and_teardown` checks their policies have none). A fresh
/// deploy: moto's CloudFormation does not add a resource whose condition turns true on
/// a stack update, as CloudFormation does.
#[test]
fn scan_coverage_grants_inspector_reads_to_both_roles() {
    let mut aws =
        LocalAws::start(&json!({"items": {}, "organization": ["111111111111", "222222222222"]}));
    let (code, text) = deploy_once(&aws, "scan-coverage: inspector\nscan-period: 7\n");
    assert_eq!(code, 0, "{text}");
    let management = stacks(&mut aws, MANAGEMENT);
    let collector = &management["fedramp-inventory-collector"];
    let name = collector["outputs"]["FunctionName"].as_str().unwrap();
    let role_arn = collector["outputs"]["ExecutionRoleArn"].as_str().unwrap();
    let function = aws.ask(&format!("lambda {MANAGEMENT} {name}"));
    assert_eq!(function["Environment"]["SCAN_COVERAGE"], "inspector");
    assert_eq!(
        function["Environment"]["SCAN_PERIOD_DAYS"]
            .to_string()
            .trim_matches('"'),
        "7"
    );
    let inspector = json!([
        "inspector2:BatchGetAccountStatus",
        "inspector2:ListCoverage"
    ]);
    let execution = role_arn.rsplit('/').next().unwrap();
    let collector_role = aws.ask(&format!("role {MANAGEMENT} {execution}"));
    assert!(
        collector_role["Statements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["Sid"] == "OwnAccountInspector" && s["Action"] == inspector),
        "{collector_role:#}"
    );
    for member in ["111111111111", "222222222222"] {
        let role = aws.ask(&format!("role {member} InventoryCollector-for-Lambda"));
        let policies = role["Policies"].as_array().unwrap();
        for action in inspector.as_array().unwrap() {
            assert!(policies.contains(action), "{role:#}");
        }
    }
}

/// The provider's SDR in S3: the function is told where it is and may read that one
/// object, nothing else of the bucket; without it, no such statement exists.
#[test]
fn an_sdr_base_grants_reading_that_object_only() {
    let mut aws =
        LocalAws::start(&json!({"items": {}, "organization": ["111111111111", "222222222222"]}));
    let settings =
        "formats: [xlsx, ports, sdr]\nsdr-base: s3://fedramp-documents/sdr/provider.json\n";
    let (code, text) = deploy_once(&aws, settings);
    assert_eq!(code, 0, "{text}");
    let management = stacks(&mut aws, MANAGEMENT);
    let collector = &management["fedramp-inventory-collector"];
    let name = collector["outputs"]["FunctionName"].as_str().unwrap();
    let role_arn = collector["outputs"]["ExecutionRoleArn"].as_str().unwrap();
    let function = aws.ask(&format!("lambda {MANAGEMENT} {name}"));
    assert_eq!(
        function["Environment"]["SDR_BASE"],
        "s3://fedramp-documents/sdr/provider.json"
    );
    assert_eq!(function["Environment"]["FORMATS"], "xlsx,ports,sdr");
    let execution = role_arn.rsplit('/').next().unwrap();
    let role = aws.ask(&format!("role {MANAGEMENT} {execution}"));
    let statement = role["Statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "ReadTheProvidersSdr")
        .unwrap_or_else(|| panic!("{role:#}"))
        .clone();
    assert_eq!(statement["Action"], "s3:GetObject");
    assert_eq!(
        statement["Resource"],
        "arn:aws:s3:::fedramp-documents/sdr/provider.json"
    );
}

/// A report bucket that outlived a stack is adopted only when it is as safe as the
/// stack makes it; this one (encrypted, but public access not blocked and no TLS-only
/// policy) stops the deploy before anything is created.
#[test]
fn an_unsafe_existing_report_bucket_is_not_adopted() {
    let mut aws = LocalAws::start(&json!({"items": {}, "buckets": ["fedramp-reports"]}));
    let (code, text) = deploy_once(&aws, "");
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("fedramp-reports exists but is not adopted")
            && text.contains("block-public-access")
            && text.contains("aws:SecureTransport"),
        "{text}"
    );
    assert_eq!(stacks(&mut aws, MANAGEMENT), json!({}), "no stack made");
}

/// `invoke` end to end: the collector stack in the local AWS, and Lambda's Invoke API
/// answered by cargo-lambda's emulator and the real function with the environment the
/// stack gave it (through a proxy that names the deployed function by the only name the
/// emulator knows).
#[test]
fn invoke_runs_the_deployed_function_and_prints_its_result() {
    let members = ["111111111111", "222222222222"];
    let mut aws = LocalAws::start(&json!({"items": member_items(&members)}));
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = deploy_once(&aws, "");
    assert_eq!(code, 0, "{text}");
    let (_, _watch, port) = emulate_deployed(&mut aws);
    let proxy = aws.ask(&format!(
        "lambda-proxy http://127.0.0.1:{port} {}",
        common::EMULATED_FUNCTION
    ));
    // The settings `deploy_once` deployed with.
    let cfg = settings(dir.path(), "cron(0 6 * * ? *)");
    let lambda = proxy["url"].as_str().unwrap();
    let (result, text) = invoke(&aws, &cfg, &[("AWS_ENDPOINT_URL_LAMBDA", lambda)]);
    assert_eq!(
        aws.ask("lambda-calls"),
        json!(["fedramp-inventory-collector"])
    );
    // The printed run result: every account and region read, every row counted.
    assert_eq!(result["status"], "ok", "{result:#}");
    // Rows: per account and region, its tables and two addresses of one instance.
    assert_eq!(
        result["rows"],
        (1 + 2 + 2 + 2) + (2 + 2 + 2 + 2),
        "{result:#}"
    );
    let read: Vec<(&str, &str)> = result["per_account"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["account"].as_str().unwrap(),
                t["region"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(read.len(), 4, "{result:#}");
    for member in members {
        assert!(read.contains(&(member, "us-east-1")) && read.contains(&(member, "us-west-2")));
    }
    // The report's location, printed, is where the report is.
    let report = text
        .lines()
        .find_map(|l| l.strip_prefix("report: s3://fedramp-reports/"))
        .unwrap_or_else(|| panic!("no report line: {text}"));
    assert!(report.ends_with(".xlsx"), "{report}");
    let keys = aws.ask("s3-keys fedramp-reports");
    assert!(
        keys.as_array().unwrap().iter().any(|k| k == report),
        "{report} not in {keys}"
    );
}

/// Settings for an organization whose member roles come from the StackSet.
fn stackset_settings(dir: &Path) -> PathBuf {
    let path = dir.join("deploy.yaml");
    std::fs::write(
        &path,
        format!("management:\n  account-id: \"{MANAGEMENT}\"\n  region: us-east-1\nmembers:\n  organization: true\nmember-access:\n  stackset: {{}}\nreport-bucket: fedramp-reports\narchitecture: x86_64\n"),
    )
    .unwrap();
    path
}

#[test]
fn stackset_member_roles_deploy_update_and_tear_down() {
    let mut aws = LocalAws::start(&json!({"items": {}, "stacksets_access": true,
        "organization": ["111111111111", "222222222222"]}));
    let dir = tempfile::tempdir().unwrap();
    let config = stackset_settings(dir.path());
    let zip = package(dir.path());
    let (cfg, pkg) = (config.to_str().unwrap(), zip.to_str().unwrap());
    const SET: &str = "fedramp-inventory-member-role";

    let (code, text) = deploy(&aws, &["plan", "--config", cfg]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("management {SET} (StackSet): create the StackSet")),
        "{text}"
    );
    assert!(
        text.contains("add a stack instance (us-east-1) in every account of r-"),
        "{text}"
    );
    assert_eq!(
        aws.ask(&format!("stackset {SET}")),
        Value::Null,
        "plan made it"
    );

    let (code, text) = deploy(&aws, &["deploy", "--config", cfg, "--package", pkg]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("member role StackSet {SET}")),
        "{text}"
    );
    // The requests as CloudFormation received them.
    let requests = aws.ask("stackset-requests");
    let (create, instances) = (&requests[0], &requests[1]);
    assert_eq!(create["Action"], "create_stack_set", "{requests:#}");
    assert_eq!(create["PermissionModel"], "SERVICE_MANAGED");
    assert_eq!(create["Capabilities"], json!(["CAPABILITY_NAMED_IAM"]));
    assert_eq!(
        create["AutoDeployment"],
        json!({"Enabled": true, "RetainStacksOnAccountRemoval": false})
    );
    assert!(create["TemplateBody"]
        .as_str()
        .unwrap()
        .contains("CollectorRole:"));
    let trusted = create["Parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ParameterKey"] == "CollectorRoleArn")
        .unwrap();
    assert!(
        trusted["ParameterValue"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:iam::123456789012:role/fedramp-inventory-collector-"),
        "{trusted}"
    );
    assert_eq!(instances["Action"], "create_stack_instances");
    assert_eq!(instances["Regions"], json!(["us-east-1"]));
    assert_eq!(
        instances["OperationPreferences"],
        json!({"FailureTolerancePercentage": 10, "MaxConcurrentPercentage": 25,
               "RegionConcurrencyType": "PARALLEL"})
    );
    let set = aws.ask(&format!("stackset {SET}"));
    assert_eq!(set["PermissionModel"], "SERVICE_MANAGED", "{set:#}");
    assert_eq!(
        set["AutoDeployment"],
        json!({"Enabled": true, "RetainStacksOnAccountRemoval": false}),
        "{set:#}"
    );
    let root = set["OrganizationalUnitIds"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(root.starts_with("r-"), "{set:#}");
    // Every member, never the management account; no role stacks made one by one.
    assert_eq!(
        set["Instances"],
        json!([["111111111111", "us-east-1"], ["222222222222", "us-east-1"]])
    );
    for member in ["111111111111", "222222222222"] {
        let roles = aws.ask(&format!("roles {member}"));
        assert!(
            roles
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "InventoryCollector-for-Lambda"),
            "{member}: {roles}"
        );
        assert_eq!(stacks(&mut aws, member), json!({}), "{member}");
    }

    let (code, text) = deploy(&aws, &["deploy", "--config", cfg, "--package", pkg]);
    assert_eq!(
        (code, text.trim_end().ends_with("no changes")),
        (0, true),
        "{text}"
    );
    let (code, text) = deploy(&aws, &["plan", "--config", cfg]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("management {SET} (StackSet): no changes")),
        "{text}"
    );

    // A new external id changes the role's trust: one update of every instance.
    std::fs::write(
        &config,
        std::fs::read_to_string(&config).unwrap() + "external-id: sesame\n",
    )
    .unwrap();
    let (code, text) = deploy(&aws, &["plan", "--config", cfg]);
    assert!(
        code == 0 && text.contains("update the template or parameters of every stack instance"),
        "{text}"
    );
    let (code, text) = deploy(&aws, &["deploy", "--config", cfg, "--package", pkg]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("{SET}: update the template")),
        "{text}"
    );

    let (code, text) = deploy(&aws, &["teardown", "--config", cfg]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(&format!("{SET}: deleted")), "{text}");
    assert_eq!(aws.ask(&format!("stackset {SET}")), Value::Null);
    assert_eq!(stacks(&mut aws, MANAGEMENT), json!({}));
    let roles = aws.ask("roles 111111111111");
    assert!(
        !roles
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "InventoryCollector-for-Lambda"),
        "{roles}"
    );
    let requests = aws.ask("stackset-requests");
    let actions: Vec<&Value> = requests
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["Action"])
        .collect();
    assert_eq!(
        actions,
        [
            "create_stack_set",
            "create_stack_instances",
            "update_stack_set",
            "delete_stack_instances",
            "delete_stack_set"
        ]
    );
    assert_eq!(requests[3]["RetainStacks"], false, "{requests:#}");
}

#[test]
fn stackset_mode_needs_trusted_access_and_reports_each_failed_account() {
    let dir = tempfile::tempdir().unwrap();
    let config = stackset_settings(dir.path());
    let zip = package(dir.path());
    let (cfg, pkg) = (config.to_str().unwrap(), zip.to_str().unwrap());

    // Trusted access off: explained, never turned on, nothing made.
    let mut aws = LocalAws::start(&json!({"items": {}, "organization": ["111111111111"]}));
    let (code, text) = deploy(&aws, &["deploy", "--config", cfg, "--package", pkg]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("trusted access for CloudFormation StackSets is not enabled")
            && text.contains("activate-organizations-access"),
        "{text}"
    );
    assert_eq!(stacks(&mut aws, MANAGEMENT), json!({}));
    drop(aws);

    // One account's instance fails: named with CloudFormation's reason, exit 1.
    let reason = "ResourceLogicalId:CollectorRole, ResourceStatusReason:Role InventoryCollector-for-Lambda already exists";
    let aws = LocalAws::start(&json!({"items": {}, "stacksets_access": true,
        "organization": ["111111111111", "222222222222"],
        "stackset_fail": {"222222222222": reason}}));
    let (code, text) = deploy(&aws, &["deploy", "--config", cfg, "--package", pkg]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "FAILED: fedramp-inventory-member-role: account 222222222222 (us-east-1): FAILED {reason}"
        )),
        "{text}"
    );
    assert!(
        !text.contains("account 111111111111 (us-east-1): FAILED"),
        "{text}"
    );
}

/// Every way of naming the members, with and without an aggregator and with StackSets,
/// deploys a collector that may assume exactly the member roles the deployer made for
/// it (and no other), with the function told the same mode. An aggregator alone makes
/// no roles, so it is deployed with `service-reads: off` and gets no AssumeRole.
#[test]
fn every_mode_grants_the_collector_exactly_the_member_roles_it_is_given() {
    const LISTED: &str =
        "members:\n  accounts:\n    - id: \"111111111111\"\n    - id: \"222222222222\"\n";
    const ORGANIZATION: &str = "members:\n  organization: true\n";
    let listed_roles = json!([[
        "arn:aws:iam::111111111111:role/InventoryCollector-for-Lambda",
        "arn:aws:iam::222222222222:role/InventoryCollector-for-Lambda"
    ]]);
    let any_in_organization = json!(["arn:aws:iam::*:role/InventoryCollector-for-Lambda"]);
    let modes: Vec<(&str, String, Value, &str, &str)> = vec![
        // (mode, settings, AssumeRole resources, ORGANIZATION_MODE, AGGREGATOR_NAME)
        ("list", LISTED.into(), listed_roles.clone(), "false", ""),
        (
            "organization",
            ORGANIZATION.into(),
            any_in_organization.clone(),
            "true",
            "",
        ),
        (
            "organization with StackSets",
            format!("{ORGANIZATION}member-access:\n  stackset: {{}}\n"),
            any_in_organization.clone(),
            "true",
            "",
        ),
        (
            "aggregator with listed members",
            format!("{LISTED}aggregator: org\n"),
            listed_roles,
            "false",
            "org",
        ),
        (
            "aggregator with the organization",
            format!("{ORGANIZATION}aggregator: org\n"),
            any_in_organization,
            "false",
            "org",
        ),
        (
            "aggregator alone",
            "aggregator: org\nservice-reads: off\n".into(),
            json!([]),
            "false",
            "org",
        ),
    ];
    for (mode, members, resources, organization_mode, aggregator) in modes {
        let mut aws = LocalAws::start(&json!({"items": {}, "stacksets_access": true,
            "organization": ["111111111111", "222222222222"]}));
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("deploy.yaml");
        std::fs::write(
            &cfg,
            format!("management:\n  account-id: \"{MANAGEMENT}\"\n  region: us-east-1\n{members}report-bucket: fedramp-reports\narchitecture: x86_64\n"),
        )
        .unwrap();
        let pkg = package(dir.path());
        let (code, text) = deploy(
            &aws,
            &[
                "deploy",
                "--config",
                cfg.to_str().unwrap(),
                "--package",
                pkg.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{mode}: {text}");
        let management = stacks(&mut aws, MANAGEMENT);
        let collector = &management["fedramp-inventory-collector"];
        let name = collector["outputs"]["FunctionName"].as_str().unwrap();
        let role_arn = collector["outputs"]["ExecutionRoleArn"].as_str().unwrap();
        let function = aws.ask(&format!("lambda {MANAGEMENT} {name}"));
        let env = &function["Environment"];
        assert_eq!(env["ORGANIZATION_MODE"], organization_mode, "{mode}");
        assert_eq!(env["AGGREGATOR_NAME"], aggregator, "{mode}");
        let reads = if mode == "aggregator alone" {
            "off"
        } else {
            "member-roles"
        };
        assert_eq!(env["SERVICE_READS"], reads, "{mode}");
        assert_eq!(env["NETWORK"], "on", "{mode}: the network facts by default");
        let execution = role_arn.rsplit('/').next().unwrap();
        let role = aws.ask(&format!("role {MANAGEMENT} {execution}"));
        let assume: Vec<&Value> = role["Statements"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["Action"] == "sts:AssumeRole")
            .collect();
        let granted: Vec<Value> = assume.iter().map(|s| s["Resource"].clone()).collect();
        assert_eq!(Value::from(granted), resources, "{mode}: {role:#}");
        for statement in assume {
            if statement["Resource"].is_string() {
                assert!(
                    statement["Condition"]["StringEquals"]["aws:ResourceOrgID"]
                        .as_str()
                        .is_some_and(|o| o.starts_with("o-")),
                    "{mode}: any account's role, but only inside the organization: {role:#}"
                );
            }
        }
        let actions = role["Policies"].as_array().unwrap();
        let lists = actions.contains(&json!("organizations:ListAccounts"));
        assert_eq!(lists, organization_mode == "true", "{mode}: {role:#}");
        let aggregates = actions.contains(&json!("config:SelectAggregateResourceConfig"));
        assert_eq!(aggregates, !aggregator.is_empty(), "{mode}: {role:#}");
    }
}

/// No credentials, a profile that is not there, a key AWS refuses: each command says
/// which in one line on stderr and exits 1, before anything is changed.
#[test]
fn missing_or_refused_credentials_are_one_clear_line() {
    let aws = LocalAws::start(&json!({"items": {}, "refused_keys": ["AKIDREFUSED"]}));
    let dir = tempfile::tempdir().unwrap();
    let cfg = settings(dir.path(), "cron(0 6 * * ? *)");
    // With a pipeline from a connection: `pipeline` archives no checkout first.
    std::fs::write(
        &cfg,
        std::fs::read_to_string(&cfg).unwrap()
            + "pipeline:\n  source: connection\n  connection-arn: arn:aws:codeconnections:us-east-1:123456789012:connection/abc\n  repository: org/repo\n",
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let one_line = |r: &common::Refusal, expected: &str, what: &str| {
        assert_eq!(r.code, 1, "{what}: {}{}", r.stdout, r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{what}: one line: {}", r.stderr);
        assert!(lines[0].contains(expected), "{what}: {}", r.stderr);
    };
    for command in ["plan", "deploy", "invoke", "pipeline", "teardown"] {
        let r = common::run_bare(Command::new(BIN).args([command, "--config", cfg]), &[], &[]);
        one_line(
            &r,
            "error: no AWS credentials found: set AWS_PROFILE, run 'aws sso login --profile NAME', or pass --profile",
            command,
        );
    }
    // A profile that does not exist, by flag or by AWS_PROFILE.
    let r = common::run_bare(
        Command::new(BIN).args(["plan", "--config", cfg, "--profile", "nope"]),
        &[("config", "[profile other]\nregion = us-east-1\n")],
        &[],
    );
    one_line(
        &r,
        "no AWS credentials for profile \"nope\"",
        "--profile nope",
    );
    let r = common::run_bare(
        Command::new(BIN).args(["plan", "--config", cfg]),
        &[],
        &[("AWS_PROFILE", "gone".into())],
    );
    one_line(
        &r,
        "no AWS credentials for profile \"gone\"",
        "AWS_PROFILE=gone",
    );
    // A key the local AWS refuses, from a profile and from the environment.
    let endpoint = ("AWS_ENDPOINT_URL", aws.url.clone());
    let r = common::run_bare(
        Command::new(BIN).args(["plan", "--config", cfg, "--profile", "stale"]),
        &[(
            "credentials",
            "[stale]\naws_access_key_id = AKIDREFUSED\naws_secret_access_key = x\n",
        )],
        std::slice::from_ref(&endpoint),
    );
    one_line(
        &r,
        "AWS refused the credentials of profile \"stale\" (InvalidClientTokenId",
        "refused profile",
    );
    let r = common::run_bare(
        Command::new(BIN).args(["plan", "--config", cfg]),
        &[],
        &[
            endpoint,
            ("AWS_ACCESS_KEY_ID", "AKIDREFUSED".into()),
            ("AWS_SECRET_ACCESS_KEY", "x".into()),
        ],
    );
    one_line(
        &r,
        "AWS refused the credentials of AWS_ACCESS_KEY_ID (InvalidClientTokenId",
        "refused key",
    );
}
