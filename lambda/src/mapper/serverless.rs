//! Serverless and application platforms: Lambda, API Gateway, AppSync, App Runner,
//! Elastic Beanstalk, Step Functions.

use super::conf::pair;
use super::Draft;
use crate::fields::Field;

/// No listener of its own (function URLs are not in the item): not public.
pub fn lambda_function(d: &mut Draft<'_>) {
    let memory = d.c.text("memorySize").map(|m| format!("{m} MB"));
    let model = pair(memory, d.c.joined("architectures"), " ");
    d.set_opt(Field::HardwareModel, model);
    d.versioned("Lambda", &["runtime", "packageType"]);
}

/// The API's id, from the item or the end of its ARN (`…/restapis/{id}`).
fn api_id(d: &mut Draft<'_>) -> Option<String> {
    d.c.text("id").map(|i| i.into_owned()).or_else(|| {
        d.item
            .arn
            .as_deref()
            .and_then(|a| a.split("/restapis/").nth(1))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
    })
}

fn region(d: &Draft<'_>) -> Option<String> {
    d.item.region.as_deref().map(str::to_string)
}

pub fn rest_api(d: &mut Draft<'_>) {
    if d.c.has("endpointConfiguration.types") {
        let private = d.c.list("endpointConfiguration.types").iter().any(|t| {
            t.as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("PRIVATE"))
        });
        d.public(!private);
    }
    if let (Some(id), Some(region)) = (api_id(d), region(d)) {
        d.set(
            Field::Dns,
            &format!(
                "https://{id}.execute-api.{region}.{}",
                crate::partition::region_dns_suffix(&region)
            ),
        );
    }
    if let Some(name) = d.c.text("name") {
        d.comment(&format!("API {name}"));
    }
}

pub fn rest_stage(d: &mut Draft<'_>) {
    let stage = d.c.text("stageName");
    if let (Some(id), Some(region), Some(stage)) = (api_id(d), region(d), stage) {
        d.set(
            Field::Dns,
            &format!(
                "https://{id}.execute-api.{region}.{}/{stage}",
                crate::partition::region_dns_suffix(&region)
            ),
        );
    }
    if d.c.flag("cacheClusterEnabled") == Some(true) {
        let size = d.c.text("cacheClusterSize");
        d.set_opt(Field::HardwareModel, size.map(|s| format!("cache {s} GB")));
    }
    if let Some(acl) = d.c.text("webAclArn") {
        d.comment(&format!("web ACL {acl}"));
    }
}

pub fn http_api(d: &mut Draft<'_>) {
    if let Some(disabled) = d.c.flag("disableExecuteApiEndpoint") {
        d.public(!disabled);
    } else if d.c.text("apiEndpoint").is_some() {
        // The default endpoint is on unless disabled.
        d.public(true);
    }
    d.copy(Field::SoftwareNameVersion, "protocolType");
}

pub fn appsync(d: &mut Draft<'_>) {
    match d.c.text("Visibility") {
        Some(v) => d.public(!v.eq_ignore_ascii_case("PRIVATE")),
        // GLOBAL is AppSync's default and the only kind before private APIs existed.
        None => d.public(true),
    }
    if let Some(auth) = d.c.text("AuthenticationType") {
        d.comment(&format!("authentication {auth}"));
    }
}

pub fn app_runner(d: &mut Draft<'_>) {
    // Publicly accessible unless ingress is made private (App Runner's default).
    let public =
        d.c.flag("NetworkConfiguration.IngressConfiguration.IsPubliclyAccessible")
            .unwrap_or(true);
    d.public(public);
    let model = pair(
        d.c.text("InstanceConfiguration.Cpu"),
        d.c.text("InstanceConfiguration.Memory"),
        " / ",
    );
    d.set_opt(Field::HardwareModel, model);
    let software = d.c.first(&[
        "SourceConfiguration.ImageRepository.ImageIdentifier",
        "SourceConfiguration.CodeRepository.CodeConfiguration.CodeConfigurationValues.Runtime",
    ]);
    d.set_opt(Field::SoftwareNameVersion, software);
}

pub fn beanstalk(d: &mut Draft<'_>) {
    d.copy(Field::SoftwareNameVersion, "solutionStackName");
    d.copy(Field::Baseline, "platformArn");
    if let Some(app) = d.c.text("applicationName") {
        d.comment(&format!("application {app}"));
    }
    if let Some(tier) = d.c.text("tier.name") {
        d.comment(&format!("tier {tier}"));
    }
}

pub fn state_machine(d: &mut Draft<'_>) {
    let name = match d.c.text("StateMachineType") {
        Some(t) => format!("Step Functions {t}"),
        None => "Step Functions".to_string(),
    };
    d.set(Field::SoftwareNameVersion, &name);
}
