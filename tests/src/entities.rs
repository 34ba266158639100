//! Two versions of a small application's entities: v1, and v2 which adds a table (comments) and
//! a column (users.bio), and drops a column (users.legacy_flag) and a table (old_logs).
use automigrate::Entities;
use sea_orm::entity::prelude::*;

/// A PostgreSQL native enum; text or ENUM elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "user_role")]
pub enum Role {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "member")]
    Member,
}

pub mod v1 {
    pub mod user {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "users")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[sea_orm(unique)]
            pub email: String,
            #[sea_orm(column_type = "String(StringLen::N(100))")]
            pub name: String,
            #[sea_orm(default_value = false)]
            pub legacy_flag: bool,
            pub role: crate::entities::Role,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod post {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "posts")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub user_id: i32,
            #[sea_orm(indexed)]
            pub title: String,
            #[sea_orm(column_type = "Text")]
            pub body: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::user::Entity",
                from = "Column::UserId",
                to = "super::user::Column::Id",
                on_delete = "Cascade"
            )]
            User,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod old_log {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "old_logs")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub message: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

pub mod v2 {
    pub mod user {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "users")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[sea_orm(unique)]
            pub email: String,
            #[sea_orm(column_type = "String(StringLen::N(100))")]
            pub name: String,
            pub role: crate::entities::Role,
            pub bio: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub use super::v1::post;

    pub mod comment {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "comments")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub post_id: i32,
            #[sea_orm(column_type = "Text")]
            pub body: String,
            #[sea_orm(default_expr = "Expr::current_timestamp()")]
            pub posted_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::post::Entity",
                from = "Column::PostId",
                to = "super::post::Column::Id",
                on_delete = "Cascade"
            )]
            Post,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

/// v3 alters what v2 has: a longer `users.name`, `users.bio` made NOT NULL with a default,
/// `posts.title` unique instead of indexed, and `comments.post_id` nullable with its foreign
/// key set to `SET NULL` instead of `CASCADE`.
pub mod v3 {
    pub mod user {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "users")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[sea_orm(unique)]
            pub email: String,
            #[sea_orm(column_type = "String(StringLen::N(200))")]
            pub name: String,
            pub role: crate::entities::Role,
            #[sea_orm(default_value = "")]
            pub bio: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod post {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "posts")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub user_id: i32,
            #[sea_orm(unique)]
            pub title: String,
            #[sea_orm(column_type = "Text")]
            pub body: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::user::Entity",
                from = "Column::UserId",
                to = "super::user::Column::Id",
                on_delete = "Cascade"
            )]
            User,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod comment {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "comments")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub post_id: Option<i32>,
            #[sea_orm(column_type = "Text")]
            pub body: String,
            #[sea_orm(default_expr = "Expr::current_timestamp()")]
            pub posted_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::post::Entity",
                from = "Column::PostId",
                to = "super::post::Column::Id",
                on_delete = "SetNull"
            )]
            Post,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

pub fn v1() -> Entities {
    Entities::new()
        .entity(v1::user::Entity)
        .entity(v1::post::Entity)
        .entity(v1::old_log::Entity)
}

pub fn v2() -> Entities {
    Entities::new()
        .entity(v2::user::Entity)
        .entity(v2::post::Entity)
        .entity(v2::comment::Entity)
}

pub fn v3() -> Entities {
    Entities::new()
        .entity(v3::user::Entity)
        .entity(v3::post::Entity)
        .entity(v3::comment::Entity)
}
