//! `automigrate.toml`: what the project tells automigrate beyond its entities.
//!
//! ```toml
//! # Tables the entities do not own: never compared, never proposed for dropping.
//! # `*` matches any run of characters.
//! exclude_tables = ["spatial_ref_sys", "queue_*"]
//! # The migration history table, when the Migrator overrides `migration_table_name`.
//! history_table = "seaql_migrations"
//! # The entities own every object of these kinds: what they do not declare is dropped, even
//! # if they never declared it. Kinds: indexes, uniques, defaults, foreign_keys.
//! owns = ["indexes"]
//! # The history tables of other migration tools (alembic_version, _prisma_migrations, …) are
//! # left alone unless an entity declares them; once the move to automigrate is done:
//! drop_other_tools_history = true
//! # PostgreSQL: the schema the migrations run in, as the migration crate's DATABASE_SCHEMA
//! # (or `-s`) says; the environment's DATABASE_SCHEMA and `cargo xtask -s` take precedence.
//! database_schema = "app"
//! # Write every migration online, as `makemigration --online` does: changes carried out so
//! # that the application's writes go on (`automigrate_ops::online`).
//! online = true
//! # The same, for one table.
//! [tables.users]
//! owns = ["defaults", "uniques"]
//! ```
//!
//! The file is read from the current directory (the workspace root, where `cargo xtask` runs);
//! without it, nothing is excluded.
use std::path::Path;

use anyhow::Context as _;
use automigrate_core::snapshot::Kind;
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Table names or `*` patterns the entities do not own.
    #[serde(default)]
    pub exclude_tables: Vec<String>,
    /// The history table (sea-orm-migration's `MigratorTrait::migration_table_name`); `None`
    /// is `seaql_migrations`.
    #[serde(default)]
    pub history_table: Option<String>,
    /// Kinds of object the entities own on every table.
    #[serde(default)]
    pub owns: Vec<String>,
    /// Per-table settings.
    #[serde(default)]
    pub tables: std::collections::BTreeMap<String, TableConfig>,
    /// Propose dropping the history tables of other migration tools (`alembic_version`,
    /// `_prisma_migrations`, … [`crate::commands::OTHER_TOOLS_HISTORY`]) like any other table
    /// no entity declares; by default they are left alone.
    #[serde(default)]
    pub drop_other_tools_history: bool,
    /// PostgreSQL: the schema to compare with (the connection's `search_path`), as
    /// sea-orm-migration's `DATABASE_SCHEMA`; `None` keeps the connection's own.
    #[serde(default)]
    pub database_schema: Option<String>,
    /// Write migrations in online mode, as `makemigration --online`.
    #[serde(default)]
    pub online: bool,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TableConfig {
    /// Kinds of object the entities own on this table.
    #[serde(default)]
    pub owns: Vec<String>,
}

impl Config {
    pub const FILE: &'static str = "automigrate.toml";

    /// Reads `path` if it exists; a missing file is the default configuration.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let config: Config = toml::from_str(&text).with_context(|| {
                    format!(
                        "{} is not a valid automigrate configuration",
                        path.display()
                    )
                })?;
                let kinds = config
                    .owns
                    .iter()
                    .chain(config.tables.values().flat_map(|t| &t.owns));
                for k in kinds {
                    if Kind::parse(k).is_none() {
                        anyhow::bail!(
                            "{}: `{k}` is not a kind automigrate knows in `owns`: use indexes, uniques, defaults or foreign_keys",
                            path.display()
                        );
                    }
                }
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn history_table(&self) -> &str {
        self.history_table
            .as_deref()
            .unwrap_or(crate::commands::HISTORY_TABLE)
    }

    /// True when the entities own every object of `kind` on `table`.
    pub fn owns(&self, table: &str, kind: Kind) -> bool {
        let named = |list: &[String]| list.iter().any(|k| Kind::parse(k) == Some(kind));
        named(&self.owns) || self.tables.get(table).is_some_and(|t| named(&t.owns))
    }

    /// True when the table is excluded.
    pub fn excludes(&self, table: &str) -> bool {
        self.exclude_tables.iter().any(|p| glob(p, table))
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len()).any(|i| rest.is_char_boundary(i) && glob(tail, &rest[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let c: Config =
            toml::from_str(r#"exclude_tables = ["spatial_ref_sys", "queue_*", "*_audit"]"#)
                .unwrap();
        assert!(c.excludes("spatial_ref_sys"));
        assert!(c.excludes("queue_jobs") && c.excludes("queue_"));
        assert!(c.excludes("users_audit"));
        assert!(!c.excludes("users") && !c.excludes("spatial_ref_sys2"));
    }

    #[test]
    fn ownership_switches() {
        let c: Config =
            toml::from_str("owns = [\"indexes\"]\n[tables.users]\nowns = [\"defaults\"]\n")
                .unwrap();
        assert!(c.owns("posts", Kind::Indexes) && c.owns("users", Kind::Indexes));
        assert!(c.owns("users", Kind::Defaults) && !c.owns("posts", Kind::Defaults));
        assert!(!c.owns("users", Kind::Uniques));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(Config::FILE);
        std::fs::write(&path, "owns = [\"checks\"]").unwrap();
        assert!(
            Config::load(&path)
                .unwrap_err()
                .to_string()
                .contains("`checks` is not a kind")
        );
    }

    #[test]
    fn online() {
        assert!(toml::from_str::<Config>("online = true").unwrap().online);
        assert!(!Config::default().online);
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(toml::from_str::<Config>("exclude = []").is_err());
    }
}
