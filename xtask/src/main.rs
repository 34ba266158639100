//! `cargo xtask …`: the example application's automigrate entry point.
//!
//! automigrate manages every entity of the `entity` crate: `build.rs` finds them in its source
//! (automigrate-discover), so a new entity needs no list. A list kept by hand works too:
//! `automigrate::Entities::discovered(include!(concat!(env!("OUT_DIR"), "/entity_names.rs")))
//! .entity(entity::user::Entity)…`, which names any entity it leaves out.
use std::process::ExitCode;

fn main() -> ExitCode {
    automigrate::cli::main(include!(concat!(env!("OUT_DIR"), "/entities.rs")))
}
