//! The pure core of automigrate.
//!
//! Three pieces, none of which touches a database or SeaORM:
//! - [`model`]: plain data describing a schema (tables, columns, keys, indexes, enums);
//! - [`dialect`]: the per-backend rules that bring both sides of a comparison to one canonical
//!   spelling (types, defaults, auto-increment), so that equal schemas compare equal;
//! - [`diff`]: compares two schemas and produces a [`diff::Plan`] of reversible changes;
//! - [`codegen`]: turns a plan into the source of a sea-orm-migration file, `up` and `down`.
pub mod codegen;
pub mod dialect;
pub mod diff;
pub mod flavour;
pub mod hazards;
pub mod model;
pub mod renames;
pub mod snapshot;

pub use diff::{Change, Plan, diff};
pub use model::{
    Backend, Column, DefaultValue, EnumType, FkAction, ForeignKey, Index, Schema, Table,
};
