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
/// `posts.title` unique instead of indexed, `comments.post_id` nullable with its foreign
/// key set to `SET NULL` instead of `CASCADE`, and a comment on `users`.
pub mod v3 {
    pub mod user {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "users", comment = "people who write")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[sea_orm(unique)]
            pub email: String,
            #[sea_orm(column_type = "String(StringLen::N(200))")]
            pub name: String,
            pub role: crate::entities::Role,
            #[sea_orm(default_value = "", comment = "about the user")]
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

/// One table with every column type and attribute SeaORM offers that all three backends
/// support: created through a generated migration, it must compare equal to its entity.
pub mod matrix {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "matrix", comment = r"every type: it's all here \ twice")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub tiny: i8,
        pub small: i16,
        pub int: i32,
        pub big: i64,
        pub u_small: u16,
        pub u_int: u32,
        pub u_big: u64,
        pub real: f32,
        #[sea_orm(default_value = 1e20)]
        pub double: f64,
        pub flag: bool,
        pub name: String,
        #[sea_orm(column_type = "String(StringLen::N(10))")]
        pub code: String,
        #[sea_orm(column_type = "Char(Some(2))")]
        pub country: String,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub bytes: Vec<u8>,
        pub amount: Decimal,
        #[sea_orm(column_type = "Decimal(Some((10, 2)))", default_value = 10)]
        pub price: Decimal,
        pub day: Date,
        pub at_time: Time,
        pub naive: DateTime,
        pub utc: DateTimeUtc,
        pub with_tz: DateTimeWithTimeZone,
        pub uid: Uuid,
        pub doc: Json,
        #[sea_orm(column_type = "JsonBinary")]
        pub doc_binary: Json,
        pub role: crate::entities::Role,
        pub maybe: Option<String>,
        pub maybe_int: Option<i64>,
        #[sea_orm(default_value = 42)]
        pub d_int: i32,
        #[sea_orm(default_value = -1)]
        pub d_negative: i32,
        #[sea_orm(default_value = "hello")]
        pub d_str: String,
        #[sea_orm(default_value = "it's")]
        pub d_quote: String,
        #[sea_orm(default_value = true)]
        pub d_true: bool,
        #[sea_orm(default_value = false)]
        pub d_false: bool,
        #[sea_orm(default_value = 1.5)]
        pub d_float: f64,
        #[sea_orm(default_expr = "Expr::current_timestamp()")]
        pub d_now: DateTimeUtc,
        #[sea_orm(default_expr = "Expr::current_timestamp()")]
        pub d_now_naive: DateTime,
        #[sea_orm(indexed)]
        pub indexed: i32,
        #[sea_orm(unique)]
        pub unique: i32,
        #[sea_orm(unique_key = "pair")]
        pub pair_a: i32,
        #[sea_orm(unique_key = "pair")]
        pub pair_b: i32,
        #[sea_orm(column_name = "Mixed Case")]
        pub mixed_case: i32,
        #[sea_orm(comment = "what the user's friends call them")]
        pub nickname: String,
        pub order: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A composite primary key, a self reference, and a table named by an SQL keyword.
pub mod keys {
    pub mod node {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "node")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub parent_id: Option<i32>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "Entity",
                from = "Column::ParentId",
                to = "Column::Id",
                on_delete = "SetNull",
                on_update = "Cascade"
            )]
            Parent,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod user {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "user")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub tenant: i32,
            #[sea_orm(primary_key, auto_increment = false)]
            pub login: String,
            pub node_id: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::node::Entity",
                from = "Column::NodeId",
                to = "super::node::Column::Id",
                on_delete = "Restrict"
            )]
            Node,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

pub fn matrix() -> Entities {
    Entities::new()
        .entity(matrix::Entity)
        .entity(keys::node::Entity)
        .entity(keys::user::Entity)
}

/// v4 renames what v2 has: `users.name` becomes `users.full_name`, table `posts` becomes
/// `articles` (and `comments` follows it). `v4::declared()` says the column rename with
/// `#[sea_orm(renamed_from = "name")]`.
pub mod v4 {
    use automigrate::Entities;

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
            pub full_name: String,
            pub role: crate::entities::Role,
            pub bio: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod user_declared {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "users")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[sea_orm(unique)]
            pub email: String,
            #[sea_orm(column_type = "String(StringLen::N(100))", renamed_from = "name")]
            pub full_name: String,
            pub role: crate::entities::Role,
            pub bio: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod article {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "articles")]
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
                belongs_to = "super::article::Entity",
                from = "Column::PostId",
                to = "super::article::Column::Id",
                on_delete = "Cascade"
            )]
            Article,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub fn entities() -> Entities {
        Entities::new()
            .entity(user::Entity)
            .entity(article::Entity)
            .entity(comment::Entity)
    }

    /// Only the column rename, declared in the entity.
    pub fn declared() -> Entities {
        Entities::new()
            .entity(user_declared::Entity)
            .entity(super::v2::post::Entity)
            .entity(super::v2::comment::Entity)
    }
}

/// `user_role` with a value added in the middle: v5 is v2 with `users.role` of this type.
#[derive(Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "user_role")]
pub enum RoleV5 {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "editor")]
    Editor,
    #[sea_orm(string_value = "member")]
    Member,
}

pub mod v5 {
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
            pub role: crate::entities::RoleV5,
            pub bio: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

pub fn v5() -> Entities {
    Entities::new()
        .entity(v5::user::Entity)
        .entity(v2::post::Entity)
        .entity(v2::comment::Entity)
}

/// Two tables that reference each other.
pub mod cycle {
    pub mod team {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "team")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub captain_id: Option<i32>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::player::Entity",
                from = "Column::CaptainId",
                to = "super::player::Column::Id",
                on_delete = "SetNull"
            )]
            Captain,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod player {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "player")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub team_id: Option<i32>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::team::Entity",
                from = "Column::TeamId",
                to = "super::team::Column::Id",
                on_delete = "Cascade"
            )]
            Team,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub fn entities() -> automigrate::Entities {
        automigrate::Entities::new()
            .entity(team::Entity)
            .entity(player::Entity)
    }
}

/// An entity SQLite cannot store: an array column (PostgreSQL only).
pub mod tagged {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "tagged")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub tags: Vec<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub fn entities() -> automigrate::Entities {
        automigrate::Entities::new().entity(Entity)
    }
}

/// Row survival (issue 4): `before()` and `after()` differ on each table by changes that keep
/// the rows, one kind per table: a primary key made composite (`permit`, and `ticket`, whose
/// key auto-increments before), a PostgreSQL enum with a value removed and the others reordered
/// (`article`), a foreign key's actions (`child`), uniques and indexes added and removed
/// (`gadget`), and defaults changed, a column made nullable and types widened (`measure`).
pub mod survival {
    use automigrate::Entities;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "stage")]
    pub enum Stage {
        #[sea_orm(string_value = "draft")]
        Draft,
        #[sea_orm(string_value = "published")]
        Published,
        #[sea_orm(string_value = "archived")]
        Archived,
    }

    /// `stage` without `archived`, `published` first.
    #[derive(Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "stage")]
    pub enum StageAfter {
        #[sea_orm(string_value = "published")]
        Published,
        #[sea_orm(string_value = "draft")]
        Draft,
    }

    pub mod before {
        pub mod permit {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "permit")]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub user_id: i32,
                #[sea_orm(column_type = "String(StringLen::N(20))")]
                pub scope: String,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod ticket {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "ticket")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub project: i32,
                pub title: String,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod article {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "article")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                #[sea_orm(default_value = "draft")]
                pub stage: super::super::Stage,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod parent {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "parent")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub name: String,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod child {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "child")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub parent_id: i32,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {
                #[sea_orm(
                    belongs_to = "super::parent::Entity",
                    from = "Column::ParentId",
                    to = "super::parent::Column::Id",
                    on_delete = "Restrict"
                )]
                Parent,
            }

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod gadget {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "gadget")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                #[sea_orm(unique)]
                pub code: String,
                pub sku: String,
                #[sea_orm(indexed)]
                pub color: String,
                pub size: i32,
                #[sea_orm(unique_key = "kind")]
                pub kind_a: i32,
                #[sea_orm(unique_key = "kind")]
                pub kind_b: i32,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod measure {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "measure")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub qty: i16,
                pub total: i32,
                #[sea_orm(column_type = "String(StringLen::N(20))")]
                pub label: String,
                #[sea_orm(default_value = "kg")]
                pub unit: String,
                #[sea_orm(default_value = 0)]
                pub tier: i32,
                pub nickname: String,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    }

    pub mod after {
        pub use super::before::parent;

        pub mod permit {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "permit")]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub user_id: i32,
                #[sea_orm(primary_key, auto_increment = false)]
                #[sea_orm(column_type = "String(StringLen::N(20))")]
                pub scope: String,
                pub granted_by: Option<String>,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod ticket {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "ticket")]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub id: i32,
                #[sea_orm(primary_key, auto_increment = false)]
                pub project: i32,
                pub title: String,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod article {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "article")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                #[sea_orm(default_value = "draft")]
                pub stage: super::super::StageAfter,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod child {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "child")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub parent_id: i32,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {
                #[sea_orm(
                    belongs_to = "super::parent::Entity",
                    from = "Column::ParentId",
                    to = "super::parent::Column::Id",
                    on_delete = "Cascade",
                    on_update = "Cascade"
                )]
                Parent,
            }

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod gadget {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "gadget")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub code: String,
                #[sea_orm(unique)]
                pub sku: String,
                pub color: String,
                #[sea_orm(indexed)]
                pub size: i32,
                pub kind_a: i32,
                pub kind_b: i32,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod measure {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "measure")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub qty: i32,
                pub total: i64,
                #[sea_orm(column_type = "String(StringLen::N(100))")]
                pub label: String,
                #[sea_orm(default_value = "g")]
                pub unit: String,
                #[sea_orm(default_value = 1)]
                pub tier: i32,
                pub nickname: Option<String>,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    }

    pub fn before() -> Entities {
        use before::*;
        Entities::new()
            .entity(permit::Entity)
            .entity(ticket::Entity)
            .entity(article::Entity)
            .entity(parent::Entity)
            .entity(child::Entity)
            .entity(gadget::Entity)
            .entity(measure::Entity)
    }

    pub fn after() -> Entities {
        use after::*;
        Entities::new()
            .entity(permit::Entity)
            .entity(ticket::Entity)
            .entity(article::Entity)
            .entity(parent::Entity)
            .entity(child::Entity)
            .entity(gadget::Entity)
            .entity(measure::Entity)
    }
}

/// Online plans (issue 18): `after()` adds to `events`, bare in `before()`, an index
/// (`user_id`), a foreign key (`user_id` → `users.id`), a NOT NULL (`kind`) and a unique
/// (`user_id`, `code`): the load test's four changes.
pub mod online {
    use automigrate::Entities;

    pub mod user {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "users")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod before {
        pub mod event {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "events")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                pub user_id: i32,
                pub code: i32,
                pub kind: Option<String>,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    }

    pub mod after {
        pub mod event {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "events")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                #[sea_orm(indexed, unique_key = "user_code")]
                pub user_id: i32,
                #[sea_orm(unique_key = "user_code")]
                pub code: i32,
                pub kind: String,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {
                #[sea_orm(
                    belongs_to = "super::super::user::Entity",
                    from = "Column::UserId",
                    to = "super::super::user::Column::Id"
                )]
                User,
            }

            impl ActiveModelBehavior for ActiveModel {}
        }
    }

    pub fn before() -> Entities {
        Entities::new()
            .entity(user::Entity)
            .entity(before::event::Entity)
    }

    pub fn after() -> Entities {
        Entities::new()
            .entity(user::Entity)
            .entity(after::event::Entity)
    }
}
