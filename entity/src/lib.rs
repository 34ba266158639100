//! The example application's entities: a small blog. automigrate's `xtask` reads them to
//! generate the migrations in `migration/`.
pub mod comment;
pub mod post;
pub mod post_tag;
pub mod tag;
pub mod user;

pub mod prelude {
    pub use super::comment::Entity as Comment;
    pub use super::post::Entity as Post;
    pub use super::post_tag::Entity as PostTag;
    pub use super::tag::Entity as Tag;
    pub use super::user::Entity as User;
}
