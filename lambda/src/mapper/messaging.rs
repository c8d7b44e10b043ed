//! Messaging and streaming: Kinesis, MSK, Amazon MQ (SQS and SNS are data only).

use super::Draft;
use crate::fields::Field;

pub fn kinesis(d: &mut Draft<'_>) {
    let shards = d.c.text("ShardCount");
    d.set_opt(Field::HardwareModel, shards.map(|s| format!("{s} shards")));
}

pub fn msk(d: &mut Draft<'_>) {
    if let Some(kind) =
        d.c.text("BrokerNodeGroupInfo.ConnectivityInfo.PublicAccess.Type")
    {
        d.public(kind.eq_ignore_ascii_case("SERVICE_PROVIDED_EIPS"));
    }
    let model = super::databases::times(
        d.c.text("BrokerNodeGroupInfo.InstanceType"),
        d.c.text("NumberOfBrokerNodes"),
    );
    d.set_opt(Field::HardwareModel, model);
    d.versioned("kafka", &["KafkaVersion"]);
}

pub fn amazon_mq(d: &mut Draft<'_>) {
    d.public_from("PubliclyAccessible");
    for ip in d.c.list("IpAddresses") {
        d.address(ip.as_str().map(Into::into), None);
    }
    for path in [
        "AmqpEndpoints",
        "OpenWireEndpoints",
        "StompEndpoints",
        "MqttEndpoints",
        "WssEndpoints",
    ] {
        if let Some(first) = d.c.list(path).first().and_then(|v| v.as_str()) {
            d.set(Field::Dns, first);
            break;
        }
    }
    d.engine("EngineType", "EngineVersion");
    if let Some(mode) = d.c.text("DeploymentMode") {
        d.comment(&format!("deployment {mode}"));
    }
}
