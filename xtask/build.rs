//! Writes the list of entities automigrate manages, from the entity crate's source: every
//! entity of `entity/` (see automigrate-discover). A new entity needs no list.
fn main() {
    if let Err(e) = automigrate_discover::write("../entity", "entity") {
        // As cargo shows a build script's error: once, naming what to fix.
        eprintln!("error: finding the entities of ../entity: {e}");
        std::process::exit(1);
    }
}
