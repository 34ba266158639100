//! A makemigration message never writes code (issue 15, item 8): only its first line is used,
//! for the file's name and its `//!` title, with control and bidirectional-formatting characters
//! taken out. A hostile message of several lines gives a file that compiles, applies, and holds
//! nothing of the message outside its title line.
use std::collections::BTreeMap;

use automigrate::Entities;
use automigrate_core::codegen::{FileSpec, render_file};
use automigrate_core::{Backend, Plan};
use automigrate_e2e::{MigrationCrate, TestDb, written};

mod thing {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "thing")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The first line holds what could close a comment or a string elsewhere (`"`, `\`, `*/`,
/// `//!`, a right-to-left override); the next lines are code that would compile, and that
/// must not be there: a function the migration would call, a module, a `compile_error!`.
const HOSTILE: &str = "add \"thing\" \\ */ //! */ /* \u{202e}evil\u{202c}\tend\r\n\
     }\nfn injected_fn() -> i32 { 1 }\n\
     #[cfg(any())] mod injected_mod {\u{2028}compile_error!(\"injected\");\n\
     \u{85}pub const INJECTED: u8 = 0;";

/// Text of the message's other lines: none of it may appear in the file.
const INJECTED: [&str; 4] = ["injected", "INJECTED", "compile_error", "fn injected"];

fn assert_title_only(source: &str) {
    let first = source.lines().next().unwrap_or_default();
    assert_eq!(
        first, "//! add \"thing\" \\ */ //! */ /* evil end",
        "{source}"
    );
    for bad in INJECTED {
        assert!(!source.contains(bad), "`{bad}` in:\n{source}");
    }
    for c in source.chars() {
        assert!(
            !c.is_control() || c == '\n',
            "control character {c:?} in:\n{source}"
        );
        assert!(
            !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{85}'),
            "{c:?} in:\n{source}"
        );
    }
}

/// The library's codegen alone (what any caller of `render_file` gets).
#[test]
fn render_file_writes_one_title_line() {
    let source = render_file(&FileSpec {
        online: false,
        name: "m20261130_000000_message",
        follows: &[],
        message: HOSTILE,
        backend: Backend::Sqlite,
        plan: &Plan::default(),
        rows: &BTreeMap::new(),
        declined: &[],
    })
    .unwrap();
    assert_title_only(&source);
    assert!(source.lines().nth(1) == Some("//!"), "{source}");
}

/// makemigration with the message, then the file compiles and applies.
#[tokio::test]
async fn a_hostile_message_writes_no_code() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "hostile_message").await?;
    let krate = MigrationCrate::new("hostile_message")?;
    let (name, _) = written(
        krate
            .makemigration(&db, &Entities::new().entity(thing::Entity), HOSTILE)
            .await?,
    );
    // The name is made from the first line only.
    assert!(name.ends_with("_add_thing_evil_end"), "{name}");
    let source = krate.file(&name)?;
    assert_title_only(&source);
    krate.run(&db, &["up"])?;
    assert!(db.schema().await?.tables.contains_key("thing"));
    Ok(())
}
