//! Containers: EKS clusters and node groups, ECS clusters, services and task
//! definitions, ECR repositories.

use super::conf::pair;
use super::Draft;
use crate::fields::Field;

pub fn eks_cluster(d: &mut Draft<'_>) {
    d.public_from("ResourcesVpcConfig.EndpointPublicAccess");
    d.versioned("EKS", &["Version"]);
}

/// The group's instances are EC2 items of their own; this row is the group.
pub fn eks_nodegroup(d: &mut Draft<'_>) {
    d.versioned("EKS", &["Version"]);
    let release = d.c.first(&["ReleaseVersion", "AmiType"]);
    d.set_opt(Field::Baseline, release);
}

pub fn ecs_cluster(d: &mut Draft<'_>) {
    let providers = d.c.joined("CapacityProviders");
    d.set_opt(Field::HardwareModel, providers);
}

pub fn ecs_service(d: &mut Draft<'_>) {
    if let Some(assign) =
        d.c.text("NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp")
    {
        d.public(assign.eq_ignore_ascii_case("ENABLED"));
    }
    let launch = d.c.text("LaunchType").map(|l| l.into_owned()).or_else(|| {
        let providers: Vec<String> =
            d.c.list("CapacityProviderStrategy")
                .iter()
                .filter_map(|s| d.c.text_in(s, "CapacityProvider").map(|p| p.into_owned()))
                .collect();
        (!providers.is_empty()).then(|| providers.join(", "))
    });
    d.set_opt(Field::HardwareModel, launch);
    let name = match d.c.text("PlatformVersion") {
        Some(v) => format!("ECS {v}"),
        None => "ECS".to_string(),
    };
    d.set(Field::SoftwareNameVersion, &name);
    d.copy(Field::Baseline, "TaskDefinition");
}

/// One asset per container, named after the definition's ARN and the container.
/// Config keeps every revision; inactive ones run nothing and are skipped.
pub fn task_definition(d: &mut Draft<'_>) {
    if d.c
        .text("Status")
        .is_some_and(|s| s.eq_ignore_ascii_case("INACTIVE"))
    {
        d.skip("inactive ECS task definition revision");
        return;
    }
    let arn =
        d.c.text("TaskDefinitionArn")
            .map(|a| a.into_owned())
            .or_else(|| d.item.arn.as_deref().map(str::to_string))
            .or_else(|| d.item.resource_id.as_deref().map(str::to_string));
    let cpu = d.c.text("Cpu");
    let memory = d.c.text("Memory");
    let size = pair(
        cpu.map(|c| format!("{c} CPU units")),
        memory.map(|m| format!("{m} MiB")),
        " / ",
    );
    let family = d.c.text("Family");
    let revision = d.c.text("Revision");
    let baseline = match (family, revision) {
        (Some(f), Some(r)) => Some(format!("{f}:{r}")),
        (f, _) => f.map(|f| f.into_owned()),
    };
    let compat = d.c.joined("RequiresCompatibilities");
    let containers = d.c.list("ContainerDefinitions");
    if containers.is_empty() {
        d.c.warn("configuration.ContainerDefinitions is empty; one row for the definition");
    }
    let mut template = d.take_template();
    template.set_opt(Field::HardwareModel, size.as_deref());
    template.set_opt(Field::Baseline, baseline.as_deref());
    if let Some(compat) = &compat {
        template.set(Field::Comments, &format!("requires {compat}"));
    }
    if containers.is_empty() {
        template.set_opt(Field::AssetId, arn.as_deref());
        d.push(template);
        return;
    }
    for container in containers {
        let mut asset = template.clone();
        let name = d.c.text_in(container, "Name");
        let id = match (&arn, &name) {
            (Some(a), Some(n)) => Some(format!("{a}/{n}")),
            (a, _) => a.clone(),
        };
        asset.set_opt(Field::AssetId, id.as_deref());
        if let Some(image) = d.c.text_in(container, "Image") {
            asset.set(Field::SoftwareVendor, registry_host(&image));
            asset.set(Field::SoftwareNameVersion, &image);
        }
        d.push(asset);
    }
}

/// Who publishes an image: its registry's host, or Docker Hub for bare names.
fn registry_host(image: &str) -> &str {
    if image.starts_with("arn:") {
        // An EC2 Image Builder or other AWS-published image.
        return "AWS";
    }
    match image.split_once('/') {
        Some((host, _)) if host.contains('.') || host.contains(':') || host == "localhost" => host,
        _ => "docker.io",
    }
}

pub fn ecr_public(d: &mut Draft<'_>) {
    let arch = d.c.joined("RepositoryCatalogData.Architectures");
    d.set_opt(Field::HardwareModel, arch);
    let os = d.c.joined("RepositoryCatalogData.OperatingSystems");
    d.set_opt(Field::OsNameVersion, os);
}

#[cfg(test)]
mod tests {
    #[test]
    fn registry_hosts() {
        assert_eq!(super::registry_host("nginx:1.25"), "docker.io");
        assert_eq!(super::registry_host("library/nginx"), "docker.io");
        assert_eq!(
            super::registry_host("1.dkr.ecr.us-east-1.amazonaws.com/app:2"),
            "1.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(super::registry_host("public.ecr.aws/x/y"), "public.ecr.aws");
        assert_eq!(
            super::registry_host("arn:aws:imagebuilder:us-west-2:aws:image/al2023/1"),
            "AWS"
        );
    }
}
