//! `cargo xtask …`: the example application's automigrate entry point.
//!
//! The list below is the list of tables automigrate manages: add each new entity here.
use std::process::ExitCode;

use automigrate::Entities;
use entity::{comment, post, post_tag, tag, user};

fn main() -> ExitCode {
    automigrate::cli::main(
        Entities::new()
            .entity(user::Entity)
            .entity(post::Entity)
            .entity(comment::Entity)
            .entity(tag::Entity)
            .entity(post_tag::Entity),
    )
}
