//! fedramp-inventory: AWS Config items in, FedRAMP Integrated Inventory Workbook out.
//!
//! The flow is one module per step, so a newcomer can follow an item end to end:
//! [`reader`] turns input into Config items, [`mapper`] turns each item into an
//! [`mapper::Asset`] (one per resource, with its addresses), [`inventory`] keeps the
//! rows compact, de-duplicated and in a stable order, and [`report`] writes the
//! workbook. [`run`] wires the steps together for the binaries.

#[cfg(feature = "aws")]
pub mod aws;
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
pub mod mapper;
pub mod reader;
pub mod report;
pub mod run;
