//! fedramp-inventory: AWS Config items in, FedRAMP Integrated Inventory Workbook out.
//!
//! The flow is one module per step, one way, so a newcomer can follow an item end to
//! end: a [`reader`] turns input into Config items; the [`kernel`] parses and maps each
//! ([`mapper`]: one [`mapper::Asset`] per resource, with its addresses) and gathers them
//! into the [`inventory`] (compact, de-duplicated, in a stable order) and its
//! [`summary`]; [`outputs`] write it (workbook, CSV, [`snapshot`], OSCAL), [`changes`]
//! compares two snapshots, and [`deliver`] puts the files in S3. [`run`] (files) and
//! [`collect`] (AWS Config, for the CLI and the Lambda) wire the steps together.

#[cfg(feature = "aws")]
pub mod aws;
pub mod changes;
pub mod cli;
#[cfg(feature = "aws")]
pub mod collect;
#[cfg(feature = "aws")]
pub mod deliver;
pub mod diagnostics;
pub mod fields;
#[cfg(feature = "aws")]
pub mod function;
pub mod inventory;
pub mod item;
pub mod json;
pub mod kernel;
pub mod mapper;
pub mod network;
pub mod outputs;
pub mod partition;
pub mod progress;
pub mod reader;
pub mod run;
pub mod scan;
pub mod settings;
pub mod snapshot;
pub mod summary;
pub mod words;
