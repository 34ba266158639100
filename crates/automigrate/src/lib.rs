//! automigrate: Alembic's `revision --autogenerate` for SeaORM.
//!
//! The adapters around [`automigrate_core`]: the declared schema from SeaORM entities
//! ([`entities`]), the live schema from the database ([`introspect`]), the migration directory
//! ([`migdir`]), and the commands ([`commands`], [`replay`] for `check --replay`, [`cli`],
//! [`json`] for `--format json`). An application's `xtask` lists its entities and hands them to
//! [`cli::main`]:
//!
//! ```ignore
//! fn main() -> std::process::ExitCode {
//!     automigrate::cli::main(automigrate::Entities::new().entity(entity::user::Entity))
//! }
//! ```
pub mod cli;
pub mod commands;
pub mod config;
pub mod entities;
pub mod introspect;
pub mod json;
pub mod merge;
pub mod migdir;
pub mod replay;

pub use automigrate_core as core;
pub use entities::Entities;
