//! Where Config items come from. `files` reads exported items (JSON Lines, JSON
//! arrays, `aws configservice select-*` output, Config snapshots).

#[cfg(feature = "aws")]
pub mod config;
pub mod files;
