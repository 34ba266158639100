use super::*;

fn krate(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join("src").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const MODEL: &str = "
use sea_orm::entity::prelude::*;
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = \"t\")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
}
";

#[test]
fn follows_modules_as_rustc_does() {
    let dir = krate(&[
        (
            "lib.rs",
            "pub mod user;\npub mod blog;\n#[path = \"odd/place.rs\"]\npub mod tag;\n\
             pub mod inline { pub mod deep; }\npub mod prelude { pub use super::user::Entity as User; }\n\
             mod helpers;\n#[cfg(test)]\nmod tests;\n#[cfg(all(unix, test))]\nmod unix_tests;\n\
             #[cfg(not(test))]\npub mod live;\n#[cfg(feature = \"x\")]\npub mod featured;\n",
        ),
        ("user.rs", MODEL),
        ("blog.rs", "pub mod post;\npub mod r#comment;\n"),
        ("blog/post.rs", MODEL),
        ("blog/comment/mod.rs", MODEL),
        ("odd/place.rs", &format!("{MODEL}\npub mod child;\n")),
        ("odd/child.rs", MODEL),
        ("inline/deep.rs", MODEL),
        ("helpers.rs", "pub fn nothing() {}\n"),
        // Built outside tests, or with a feature: read.
        ("live.rs", MODEL),
        ("featured.rs", MODEL),
        // Under #[cfg(test)]: not read at all (it does not even parse).
        ("tests.rs", "this is not rust"),
    ]);
    let (found, files) = entities(dir.path()).unwrap();
    assert_eq!(
        found,
        [
            "blog::comment::Entity",
            "blog::post::Entity",
            "featured::Entity",
            "inline::deep::Entity",
            "live::Entity",
            "tag::Entity",
            "tag::child::Entity",
            "user::Entity",
        ]
    );
    assert_eq!(files.len(), 11, "{files:#?}");
}

#[test]
fn a_derive_entity_struct_counts_and_other_derives_do_not() {
    let dir = krate(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        (
            "a.rs",
            "#[derive(Copy, Clone, Default, Debug, sea_orm::DeriveEntity)]\npub struct Entity;\n",
        ),
        (
            "b.rs",
            "#[derive(Clone, Debug, DeriveModel)]\npub struct Model { pub id: i32 }\n",
        ),
        (
            "c.rs",
            "#[derive(DeriveEntity)]\npub struct NotTheEntity;\n",
        ),
    ]);
    assert_eq!(entities(dir.path()).unwrap().0, ["a::Entity"]);
}

#[test]
fn errors_name_the_module_or_file() {
    let private = krate(&[("lib.rs", "mod user;\n"), ("user.rs", MODEL)]);
    let err = entities(private.path()).unwrap_err().to_string();
    assert!(err.contains("`user`") && err.contains("pub"), "{err}");

    let missing = krate(&[("lib.rs", "pub mod user;\n")]);
    let err = entities(missing.path()).unwrap_err().to_string();
    assert!(err.contains("module `user` has no file"), "{err}");

    let broken = krate(&[("lib.rs", "pub mod user;\n"), ("user.rs", "pub struct {")]);
    let err = entities(broken.path()).unwrap_err().to_string();
    assert!(
        err.contains("cannot parse") && err.contains("user.rs"),
        "{err}"
    );

    let none = tempfile::tempdir().unwrap();
    let err = entities(none.path()).unwrap_err().to_string();
    assert!(
        err.contains("cannot read") && err.contains("lib.rs"),
        "{err}"
    );
}

#[test]
fn the_example_application_has_five_entities() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../entity");
    assert_eq!(
        entities(example).unwrap().0,
        [
            "comment::Entity",
            "post::Entity",
            "post_tag::Entity",
            "tag::Entity",
            "user::Entity"
        ]
    );
}
