//! One file per subcommand.

pub mod deploy;
pub mod invoke;
pub mod pipeline;
pub mod plan;
pub mod teardown;

pub const COLLECTOR_TEMPLATE: &str = include_str!("../../../cloudformation/collector.yaml");
pub const MEMBER_TEMPLATE: &str = include_str!("../../../cloudformation/member-role.yaml");
pub const PIPELINE_TEMPLATE: &str = include_str!("../../../cloudformation/pipeline.yaml");
