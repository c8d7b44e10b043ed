//! Where Config items come from. `files` reads exported items (JSON Lines, JSON
//! arrays, `aws configservice select-*` output, Config snapshots); `config` reads AWS
//! Config live, with `services` for the types Config does not record, `recorder` for
//! what Config itself says it sees, `quota` for AWS's rates, and `inspector` for what
//! Amazon Inspector scans.

#[cfg(feature = "aws")]
pub mod config;
#[cfg(feature = "aws")]
mod config_calls;
pub mod files;
#[cfg(feature = "aws")]
pub(crate) mod inspector;
#[cfg(feature = "aws")]
pub(crate) mod quota;
pub mod recorder;
#[cfg(feature = "aws")]
pub(crate) mod services;
