//! A two-tier web system as AWS Config records it, from recorded items with their ids
//! and rules edited: what the network tests (tests/network_cli.rs) and GSA's validator
//! (tests/fedramp_validator.rs) read.

use super::repo;

/// The item of a recorded fixture (`folder` under tests/fixtures/), as JSON to edit.
pub fn recorded(folder: &str, kind: &str) -> serde_json::Value {
    let path =
        repo(&format!("tests/fixtures/{folder}")).join(format!("{}.json", kind.replace("::", "_")));
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["item"].clone()
}

pub const ACCOUNT: &str = "264683526309";
pub const ALB: &str =
    "arn:aws:elasticloadbalancing:us-east-1:264683526309:loadbalancer/app/MyALB/268aa84731d32825";

/// A two-tier web system in the account and VPC of the recorded ALB, RDS instance and
/// security group, each item a recorded one with its ids and rules edited: the ALB
/// (HTTPS with a TLS policy and HTTP listeners, 443 and 80 from anywhere over IPv4 and
/// IPv6), an app server (8080 from the ALB's group, SSH from a prefix list, ICMP from the
/// VPC, 1024-65535 from a peer network, DNS and NTP over UDP from the VPC), the database
/// (5432 from the app's group only), a Network Load Balancer without a security group
/// ending TLS on 8443, and the recorded group itself, attached to nothing.
pub fn web_system() -> Vec<serde_json::Value> {
    use serde_json::json;
    let group = |id: &str, rules: serde_json::Value| {
        let mut g = recorded("network-types", "AWS::EC2::SecurityGroup");
        g["resourceId"] = json!(id);
        g["configuration"]["groupId"] = json!(id);
        g["configuration"]["groupName"] = json!(id);
        g["configuration"]["ipPermissions"] = rules;
        g
    };
    let rule = |protocol: &str, from: i64, to: i64, peers: serde_json::Value| {
        let mut r = json!({"ipProtocol": protocol, "fromPort": from, "toPort": to,
            "ipRanges": [], "ipv4Ranges": [], "ipv6Ranges": [], "prefixListIds": [], "userIdGroupPairs": []});
        for (k, v) in peers.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let anywhere = json!({"ipRanges": ["0.0.0.0/0"], "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}],
        "ipv6Ranges": [{"cidrIpv6": "::/0"}]});
    let vpc = json!({"ipRanges": ["172.31.0.0/16"], "ipv4Ranges": [{"cidrIp": "172.31.0.0/16"}]});
    let from_group = |id: &str| json!({"userIdGroupPairs": [{"groupId": id, "userId": ACCOUNT}]});
    let listener = |lb: &str, port: i64, protocol: &str, policy: Option<&str>| {
        let mut l = recorded("network-types", "AWS::ElasticLoadBalancingV2::Listener");
        let arn = format!("{lb}/listener-{port}");
        l["accountId"] = json!(ACCOUNT);
        l["awsRegion"] = json!("us-east-1");
        l["arn"] = json!(arn);
        l["resourceId"] = json!(arn);
        l["configuration"]["ListenerArn"] = json!(arn);
        l["configuration"]["LoadBalancerArn"] = json!(lb);
        l["configuration"]["Port"] = json!(port);
        l["configuration"]["Protocol"] = json!(protocol);
        if let Some(p) = policy {
            l["configuration"]["SslPolicy"] = json!(p);
        }
        l
    };
    let mut alb = recorded("config-types", "AWS::ElasticLoadBalancingV2::LoadBalancer");
    alb["tags"] = json!([{"key": "Diagram-Label", "value": "web entry"}]);
    let mut nlb = alb.clone();
    let nlb_arn = ALB.replace("/app/MyALB/", "/net/MyNLB/");
    for at in ["arn", "resourceId"] {
        nlb[at] = json!(nlb_arn);
    }
    nlb["resourceName"] = json!("MyNLB");
    nlb["configuration"]["loadBalancerArn"] = json!(nlb_arn);
    nlb["configuration"]["type"] = json!("network");
    nlb["configuration"]["securityGroups"] = json!([]);
    nlb["tags"] = json!([{"key": "Diagram-Label", "value": "partner entry"}]);
    let mut app = recorded("config-types", "AWS::EC2::Instance");
    app["accountId"] = json!(ACCOUNT);
    app["configuration"]["securityGroups"] = json!([{"groupId": "sg-app", "groupName": "app"}]);
    app["tags"] = json!([{"key": "Diagram-Label", "value": "app server"}]);
    let mut db = recorded("config-types", "AWS::RDS::DBInstance");
    db["configuration"]["vpcSecurityGroups"] =
        json!([{"status": "active", "vpcSecurityGroupId": "sg-db"}]);
    db["configuration"]["endpoint"] = json!({"address": "myrdstest.example", "port": 5432});
    db["tags"] = json!([{"key": "purpose", "value": "orders database"}]);
    vec![
        alb,
        listener(
            ALB,
            443,
            "HTTPS",
            Some("ELBSecurityPolicy-TLS13-1-2-2021-06"),
        ),
        listener(ALB, 80, "HTTP", None),
        nlb,
        listener(
            &nlb_arn,
            8443,
            "TLS",
            Some("ELBSecurityPolicy-TLS13-1-2-2021-06"),
        ),
        app,
        db,
        recorded("network-types", "AWS::EC2::VPC"),
        recorded("network-types", "AWS::EC2::SecurityGroup"),
        group(
            "sg-2ed0d557",
            json!([
                rule("tcp", 443, 443, anywhere.clone()),
                rule("tcp", 80, 80, anywhere.clone())
            ]),
        ),
        group(
            "sg-app",
            json!([
                rule("tcp", 8080, 8080, from_group("sg-2ed0d557")),
                rule(
                    "tcp",
                    22,
                    22,
                    json!({"prefixListIds": [{"prefixListId": "pl-63a5400a"}]})
                ),
                rule(
                    "icmp",
                    -1,
                    -1,
                    json!({"ipRanges": ["10.0.0.0/16"], "ipv4Ranges": [{"cidrIp": "10.0.0.0/16"}]})
                ),
                rule(
                    "tcp",
                    1024,
                    65535,
                    json!({"ipRanges": ["192.168.0.0/24"], "ipv4Ranges": [{"cidrIp": "192.168.0.0/24"}]})
                ),
                rule("udp", 53, 53, vpc.clone()),
                rule("udp", 123, 123, vpc.clone()),
            ]),
        ),
        group(
            "sg-db",
            json!([rule("tcp", 5432, 5432, from_group("sg-app"))]),
        ),
    ]
}

/// What FedRAMP's SDR schema finds wrong with the file (tests/harness/check_sdr.py).
pub fn sdr_errors(path: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new(super::python())
        .arg(super::repo("tests/harness/check_sdr.py"))
        .arg(path)
        .output()
        .expect("the schema checker runs");
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    serde_json::from_value(verdict["errors"].clone()).unwrap()
}

/// The web system with one rule more: the database's group also admits PostgreSQL from
/// a peer network (192.168.7.0/24), its second rule, one connection more.
pub fn with_a_rule_added(system: &[serde_json::Value]) -> Vec<serde_json::Value> {
    let mut after = system.to_vec();
    let db_group = after
        .iter_mut()
        .find(|i| i["resourceId"] == "sg-db")
        .expect("the web system has sg-db");
    let rules = db_group["configuration"]["ipPermissions"]
        .as_array_mut()
        .expect("sg-db has rules");
    let mut added = rules[0].clone();
    added["userIdGroupPairs"] = serde_json::json!([]);
    added["ipRanges"] = serde_json::json!(["192.168.7.0/24"]);
    added["ipv4Ranges"] = serde_json::json!([{"cidrIp": "192.168.7.0/24"}]);
    rules.push(added);
    after
}
