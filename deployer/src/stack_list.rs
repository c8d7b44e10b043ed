//! Every stack the deployer manages, in the order they are made: `deploy` and `plan`
//! walk this list forwards and `teardown` backwards, so the three cannot drift apart.
//!
//! Parameters are worked out per entry from a [`Context`] that fills in as the walk goes
//! (the member roles trust the collector's role, known once the collector stack exists).

use aws_sdk_cloudformation::Client;

use crate::accounts::Scope;
use crate::config::{DeployConfig, StackSetSettings};
use crate::{params, stacks};

pub const COLLECTOR_TEMPLATE: &str = include_str!("../../cloudformation/collector.yaml");
pub const MEMBER_TEMPLATE: &str = include_str!("../../cloudformation/member-role.yaml");
pub const PIPELINE_TEMPLATE: &str = include_str!("../../cloudformation/pipeline.yaml");

/// What a stack is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Collector,
    MemberRole,
    Pipeline,
}

/// Where an entry's stacks are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// One stack in the management account.
    Management,
    /// One stack in each member account, reached through `member-access`.
    EachMember,
    /// One service-managed StackSet in the management account, with an instance in
    /// every account of its organizational units.
    StackSet(StackSetSettings),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub part: Part,
    pub name: String,
    pub template: &'static str,
    pub placement: Placement,
}

/// The stacks `deploy` makes, in order; with `pipeline`, the pipeline stack last (it is
/// made by `fedramp-deploy pipeline`, shown by `plan` when the settings have one, and
/// removed by `teardown --pipeline` even when the section has since been taken out).
pub fn stack_list(config: &DeployConfig, pipeline: bool) -> Vec<Entry> {
    let mut list = vec![
        Entry {
            part: Part::Collector,
            name: config.collector_stack(),
            template: COLLECTOR_TEMPLATE,
            placement: Placement::Management,
        },
        match &config.member_access.stackset {
            Some(settings) => Entry {
                part: Part::MemberRole,
                name: config.member_stackset(),
                template: MEMBER_TEMPLATE,
                placement: Placement::StackSet(settings.clone()),
            },
            None => Entry {
                part: Part::MemberRole,
                name: config.member_stack(),
                template: MEMBER_TEMPLATE,
                placement: Placement::EachMember,
            },
        },
    ];
    if pipeline {
        list.push(Entry {
            part: Part::Pipeline,
            name: config.pipeline_stack(),
            template: PIPELINE_TEMPLATE,
            placement: Placement::Management,
        });
    }
    list
}

/// What the parameters depend on besides the settings.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub scope: Scope,
    pub code_bucket: String,
    pub code_key: String,
    /// The report bucket outlived an earlier stack (or is the current stack's): adopt it.
    pub bucket_exists: bool,
    /// The collector's execution role, once its stack exists.
    pub collector_role_arn: String,
}

impl Entry {
    pub fn parameters(
        &self,
        config: &DeployConfig,
        context: &Context,
    ) -> Vec<(&'static str, String)> {
        match self.part {
            Part::Collector => params::collector(
                config,
                &context.scope,
                &context.code_bucket,
                &context.code_key,
                context.bucket_exists,
            ),
            Part::MemberRole => params::member(config, &context.scope, &context.collector_role_arn),
            Part::Pipeline => match &config.pipeline {
                Some(pipeline) => params::pipeline(config, pipeline, &context.scope),
                None => Vec::new(),
            },
        }
    }
}

/// The collector's execution role ARN from its stack's outputs; None before it exists.
pub async fn collector_role_arn(cf: &Client, config: &DeployConfig) -> Option<String> {
    let outputs = stacks::outputs(cf, &config.collector_stack()).await.ok()?;
    stacks::output(&outputs, "ExecutionRoleArn")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: &str = "management:\n  account-id: \"123456789012\"\n  region: us-east-1\nmembers:\n  organization: true\nreport-bucket: reports\n";

    #[test]
    fn the_list_follows_the_settings() {
        let plain = DeployConfig::parse(SETTINGS).unwrap();
        let parts: Vec<(Part, String, Placement)> = stack_list(&plain, false)
            .into_iter()
            .map(|e| (e.part, e.name, e.placement))
            .collect();
        assert_eq!(
            parts,
            [
                (
                    Part::Collector,
                    "fedramp-inventory-collector".into(),
                    Placement::Management
                ),
                (
                    Part::MemberRole,
                    "fedramp-inventory-member-role".into(),
                    Placement::EachMember
                ),
            ]
        );
        let text = format!("{SETTINGS}member-access:\n  stackset: {{}}\n");
        let full = DeployConfig::parse(&text).unwrap();
        let list = stack_list(&full, true);
        assert_eq!(
            list[1].placement,
            Placement::StackSet(StackSetSettings::default())
        );
        assert_eq!(list[2].part, Part::Pipeline);
        assert_eq!(stack_list(&full, false).len(), 2);
        assert_eq!(stack_list(&plain, true).len(), 3);
    }

    #[test]
    fn member_roles_trust_the_collector_role_of_the_context() {
        let config = DeployConfig::parse(SETTINGS).unwrap();
        let context = Context {
            collector_role_arn: "arn:aws:iam::123456789012:role/c".into(),
            ..Context::default()
        };
        let member = &stack_list(&config, false)[1];
        let params = member.parameters(&config, &context);
        assert!(params.contains(&(
            "CollectorRoleArn",
            "arn:aws:iam::123456789012:role/c".into()
        )));
    }
}
