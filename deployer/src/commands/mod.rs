//! One file per subcommand.

pub mod deploy;
pub mod invoke;
pub mod pipeline;
pub mod plan;
pub mod teardown;
