//! The commands, as library functions: the CLI is a thin layer over these, and the end-to-end
//! tests call them directly.
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use std::collections::{BTreeMap, BTreeSet};

use automigrate_core::codegen::{FileSpec, render_file};
use automigrate_core::hazards::{self, Hazard};
use automigrate_core::model::ColumnType;
use automigrate_core::renames::{self, Candidate, Rename};
use automigrate_core::snapshot::Snapshot;
use automigrate_core::{Backend, Change, Plan, Schema, Table, dialect};
use automigrate_runner::connection;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::config::Config;
use crate::entities::Entities;
use crate::introspect::{self, backend_of, introspect_in};
use crate::migdir::MigrationDir;

/// The name of sea-orm-migration's history table.
pub const HISTORY_TABLE: &str = "seaql_migrations";

/// Where the project keeps things.
pub struct Project<'a> {
    pub database_url: &'a str,
    pub migration_dir: &'a Path,
    pub entities: &'a Entities,
    /// `automigrate.toml`.
    pub config: Config,
}

#[derive(Debug)]
pub enum Outcome {
    /// The entities and the database agree; nothing was written.
    NoChanges,
    Written {
        path: PathBuf,
        name: String,
        /// One line per change, as in the file header.
        summary: Vec<String>,
        /// The terminal report (changes, then hazards).
        report: Vec<String>,
        hazards: Vec<Hazard>,
    },
    /// `--dry-run`: what would have been written.
    DryRun {
        name: String,
        source: String,
        report: Vec<String>,
    },
}

/// Connects, with an error that says what to check.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_in(url, None).await
}

/// Connects, on PostgreSQL with `schema` as the `search_path` (sea-orm-migration's
/// `DATABASE_SCHEMA`), so that its default schema is the one the migrations run in. The errors
/// are the migration runner's ([`automigrate_runner::connection`]): the driver's message once,
/// at once when the server does not answer, with what to do, and never the password.
pub async fn connect_in(url: &str, schema: Option<&str>) -> anyhow::Result<DatabaseConnection> {
    connection::check_url(url)?;
    let scheme = url.split(':').next().unwrap_or("");
    // One connection, but on MySQL/MariaDB, whose catalog views introspection reads two at
    // once: a second PostgreSQL connection costs more to open than it saves.
    let connections = if matches!(scheme, "mysql" | "mariadb") {
        2
    } else {
        1
    };
    let mut opts = sea_orm::ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        .connect_timeout(std::time::Duration::from_secs(10))
        .max_connections(connections);
    if let Some(schema) = schema.filter(|_| matches!(scheme, "postgres" | "postgresql")) {
        opts.set_schema_search_path(schema.to_string());
    }
    connection::connect(opts).await
}

/// Hides the password in a URL (the runner's [`connection::redact`]: a password with `@` in it
/// is hidden whole).
pub fn redact(url: &str) -> String {
    connection::redact(url)
}

/// The versions recorded in the history table, in order of application.
async fn applied(db: &DatabaseConnection, history_table: &str) -> anyhow::Result<Vec<String>> {
    let stmt = Statement::from_string(
        db.get_database_backend(),
        format!(
            "SELECT version FROM {} ORDER BY applied_at, version",
            dialect::quote_ident(backend_of(db)?, history_table)
        ),
    );
    let rows = db
        .query_all_raw(stmt)
        .await
        .context("reading the migration history")?;
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).map_err(Into::into))
        .collect()
}

/// Refuses to go on unless the database has applied exactly the registered migrations.
async fn check_history(
    db: &DatabaseConnection,
    history_table: &str,
    has_history: bool,
    registered: &[String],
) -> anyhow::Result<()> {
    let applied = if has_history {
        applied(db, history_table).await?
    } else {
        Vec::new()
    };
    let pending: Vec<&String> = registered.iter().filter(|m| !applied.contains(m)).collect();
    let unknown: Vec<&String> = applied.iter().filter(|m| !registered.contains(m)).collect();
    if !pending.is_empty() {
        // No history at all on PostgreSQL: perhaps the migrations run in another schema.
        let hint = if !has_history && db.get_database_backend() == sea_orm::DbBackend::Postgres {
            "\n(No migration history in this schema: if the migrations run in another PostgreSQL \
             schema, set DATABASE_SCHEMA or pass -s, as for the migration crate.)"
        } else {
            ""
        };
        bail!(
            "the database is behind the migration directory: {} pending migration(s):\n{}\n\
             Apply them first (`cargo run -p migration -- up`), then run this command again.{hint}",
            pending.len(),
            pending
                .iter()
                .map(|m| format!("    {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    if !unknown.is_empty() {
        bail!(
            "the database has applied migration(s) that the migration directory does not have:\n{}\n\
             Check out the branch that has them, or undo them there, before generating a new one.",
            unknown
                .iter()
                .map(|m| format!("    {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}

/// What the comparison of the entities with the database found.
#[derive(Debug)]
pub struct Analysis {
    pub backend: Backend,
    pub live: Schema,
    pub declared: Schema,
    pub plan: Plan,
    /// The hazards of the plan's changes, change by change.
    pub hazards: Vec<Hazard>,
    /// Where each change's hazards are in [`Analysis::hazards`], one range per change of the
    /// plan, in order ([`Analysis::hazards_of`]).
    pub hazard_spans: Vec<std::ops::Range<usize>>,
    /// Rows in the tables the hazards concern (counted up to just over
    /// [`hazards::ROW_COUNT_LIMIT`]).
    pub rows: BTreeMap<String, u64>,
    /// Rename candidates answered No (or never asked): generated as drop + add.
    pub declined: Vec<Candidate>,
    /// Drops and adds whose names are alike but whose definitions differ.
    pub near_misses: Vec<String>,
    /// Objects in the database the entities cannot describe, left alone.
    pub unmanaged: Vec<String>,
}

impl Analysis {
    /// The hazards of the plan's `change`-th change (none for an index out of the plan).
    pub fn hazards_of(&self, change: usize) -> &[Hazard] {
        self.hazard_spans
            .get(change)
            .and_then(|span| self.hazards.get(span.clone()))
            .unwrap_or(&[])
    }

    /// The terminal report: one line per change, then the hazards; the first objects left alone.
    pub fn report(&self) -> Vec<String> {
        self.report_with(false)
    }

    /// [`Analysis::report`]; `verbose` lists every object left alone.
    pub fn report_with(&self, verbose: bool) -> Vec<String> {
        let mut out: Vec<String> = self
            .plan
            .changes
            .iter()
            .flat_map(|c| {
                c.summary()
                    .lines()
                    .map(|l| format!("  {l}"))
                    .collect::<Vec<_>>()
            })
            .collect();
        if !self.hazards.is_empty() {
            out.push(String::new());
            out.push(format!("{} hazard(s):", self.hazards.len()));
            for h in &self.hazards {
                let rows = match self.rows.get(&h.table) {
                    Some(n) => format!(" [`{}` has {}]", h.table, hazards::rows_text(*n)),
                    None => String::new(),
                };
                out.push(format!("  {}: {}{rows}", h.code, h.reason));
                match (&h.online, &h.alternative) {
                    (Some(online), _) => out.push(format!("      online: {online}")),
                    (None, Some(alt)) => out.push(format!("      safer: {alt}")),
                    (None, None) => {}
                }
            }
        }
        for n in &self.near_misses {
            out.push(format!("note: {n}"));
        }
        if !self.unmanaged.is_empty() {
            out.push(String::new());
            out.extend(unmanaged_report(&self.unmanaged, verbose));
        }
        if !self.declined.is_empty() {
            out.push(String::new());
            out.push(format!(
                "{} possible rename(s) generated as drop + add (see REVIEW(rename-candidate)):",
                self.declined.len()
            ));
            for c in &self.declined {
                out.push(format!(
                    "  {}  (to rename: {})",
                    c.rename.describe(),
                    rename_flag(&c.rename)
                ));
            }
        }
        out
    }

    /// A unified diff of each changed table's definition, database first, entities second.
    pub fn definitions_diff(&self) -> String {
        let mut out = String::new();
        let tables: BTreeSet<&str> = self.plan.changes.iter().filter_map(|c| c.table()).collect();
        for t in tables {
            let live = self
                .live
                .tables
                .get(t)
                .map(Table::definition)
                .unwrap_or_default();
            let declared = self
                .declared
                .tables
                .get(t)
                .map(Table::definition)
                .unwrap_or_default();
            let diff = similar::TextDiff::from_lines(&live, &declared);
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(20)
                    .header(&format!("database: {t}"), &format!("entities: {t}"))
                    .to_string(),
            );
        }
        out
    }
}

/// The command-line flag that makes `rename` one: `--rename users.name=full_name`,
/// `--rename-table posts=articles`.
pub fn rename_flag(rename: &Rename) -> String {
    match rename {
        Rename::Column { table, from, to } => format!("--rename {table}.{from}={to}"),
        Rename::Table { from, to } => format!("--rename-table {from}={to}"),
    }
}

/// The list of what the entities do not manage, as the reports show it: the first ten, or all
/// of them when `verbose`. Empty when there is nothing.
pub fn unmanaged_report(unmanaged: &[String], verbose: bool) -> Vec<String> {
    if unmanaged.is_empty() {
        return Vec::new();
    }
    let mut out = vec![format!(
        "Not managed by the entities, left alone ({}):",
        unmanaged.len()
    )];
    let shown = if verbose { usize::MAX } else { 10 };
    for n in unmanaged.iter().take(shown) {
        out.push(format!("  {n}"));
    }
    if unmanaged.len() > shown {
        out.push(format!(
            "  … and {} more (--verbose lists them all)",
            unmanaged.len() - shown
        ));
    }
    out
}

/// Leaves the tables the configuration excludes out of the live schema. An entity that
/// declares an excluded table is a contradiction, and an error.
fn exclude(config: &Config, live: &mut Schema, declared: &Schema) -> anyhow::Result<()> {
    if let Some(t) = declared.tables.keys().find(|t| config.excludes(t)) {
        bail!(
            "the entities declare table `{t}`, which {} excludes: remove it from exclude_tables, or the entity from the list",
            Config::FILE
        );
    }
    live.tables.retain(|name, _| !config.excludes(name));
    Ok(())
}

/// The history tables of other migration tools, by name, and the tool. A database that another
/// tool migrated keeps its table: it is left alone (listed as not managed) unless an entity
/// declares it or `automigrate.toml` says `drop_other_tools_history = true`. Names that
/// applications commonly use for tables of their own (`migrations`, Laravel's and TypeORM's) are
/// not in the list: exclude them in `automigrate.toml` if they are another tool's.
pub const OTHER_TOOLS_HISTORY: &[(&str, &str)] = &[
    ("alembic_version", "Alembic"),
    ("_prisma_migrations", "Prisma"),
    ("__diesel_schema_migrations", "Diesel"),
    ("flyway_schema_history", "Flyway"),
    ("goose_db_version", "goose"),
    ("_sqlx_migrations", "sqlx"),
    ("atlas_schema_revisions", "Atlas"),
    ("refinery_schema_history", "refinery"),
    (
        "schema_migrations",
        "Rails, golang-migrate, dbmate, Ecto or another tool",
    ),
    ("ar_internal_metadata", "Rails"),
    ("django_migrations", "Django"),
    ("databasechangelog", "Liquibase"),
    ("databasechangeloglock", "Liquibase"),
    ("knex_migrations", "Knex"),
    ("knex_migrations_lock", "Knex"),
    ("__EFMigrationsHistory", "Entity Framework"),
    ("SequelizeMeta", "Sequelize"),
    ("doctrine_migration_versions", "Doctrine"),
    ("mikro_orm_migrations", "MikroORM"),
    ("__drizzle_migrations", "Drizzle"),
    ("pgmigrations", "node-pg-migrate"),
    ("phinxlog", "Phinx"),
];

/// The tool whose history table `table` (a key of [`Schema::tables`]) is, if it is one.
pub fn other_tool_of(table: &str) -> Option<&'static str> {
    // A PostgreSQL table outside the default schema is `schema.name`.
    let name = table.rsplit('.').next().unwrap_or(table);
    OTHER_TOOLS_HISTORY
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, tool)| *tool)
}

/// Takes the other tools' history tables that no entity declares out of the live schema, and
/// says so, one note each.
fn leave_other_tools_alone(config: &Config, live: &mut Schema, declared: &Schema) -> Vec<String> {
    if config.drop_other_tools_history {
        return Vec::new();
    }
    let mut notes = Vec::new();
    live.tables.retain(|name, _| {
        match other_tool_of(name).filter(|_| !declared.tables.contains_key(name)) {
            Some(tool) => {
                notes.push(format!(
                    "{name}: history table of another migration tool ({tool})"
                ));
                false
            }
            None => true,
        }
    });
    notes
}

/// Counts rows, up to just over the limit, in each table the hazards name: one query per 100
/// tables (`UNION ALL` of bounded counts), not one per table.
async fn count_rows(
    db: &DatabaseConnection,
    backend: Backend,
    live: &Schema,
    hazards: &[Hazard],
) -> anyhow::Result<BTreeMap<String, u64>> {
    let tables: Vec<&str> = hazards
        .iter()
        .map(|h| h.table.as_str())
        .filter(|t| live.tables.contains_key(*t))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut rows = BTreeMap::new();
    for batch in tables.chunks(100) {
        let sql = batch
            .iter()
            .enumerate()
            .map(|(i, t)| {
                // The table's number, as a 64-bit integer on every backend.
                let number = match backend {
                    Backend::MySql => format!("CAST({i} AS SIGNED)"),
                    Backend::Postgres => format!("CAST({i} AS BIGINT)"),
                    Backend::Sqlite => i.to_string(),
                };
                format!(
                    "SELECT {number}, COUNT(*) FROM (SELECT 1 FROM {} LIMIT {}) AS limited{i}",
                    dialect::quote_table(backend, t),
                    hazards::ROW_COUNT_LIMIT + 1
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let found = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .with_context(|| format!("counting the rows of `{}`", batch.join("`, `")))?;
        for r in found {
            let i: i64 = r.try_get_by_index(0)?;
            let n: i64 = r.try_get_by_index(1)?;
            if let Some(t) = usize::try_from(i).ok().and_then(|i| batch.get(i)) {
                rows.insert(t.to_string(), n.max(0) as u64);
            }
        }
    }
    Ok(rows)
}

/// The rows that make a change fail, where the database tells them cheaply (a value among a
/// list): those holding a value an enum loses; those whose text is not one of the values of the
/// enum its column becomes. Counted up to just over the limit; `None` for any other change.
async fn failing_rows(
    db: &DatabaseConnection,
    backend: Backend,
    change: &Change,
) -> anyhow::Result<Option<u64>> {
    let list = |values: &[String]| {
        values
            .iter()
            .map(|v| dialect::render_expr(backend, &sea_orm::sea_query::Expr::val(v.as_str())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let column = |table: &str, column: &str| {
        format!(
            "{} WHERE {}",
            dialect::quote_table(backend, table),
            dialect::quote_ident(backend, column)
        )
    };
    let wheres: Vec<String> = match change {
        Change::AlterColumn { table, from, to } => match (&from.kind, &to.kind) {
            (
                ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text,
                ColumnType::Enum { variants, .. },
            ) => {
                let values: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
                vec![format!(
                    "{} NOT IN ({})",
                    column(table, &to.name),
                    list(&values)
                )]
            }
            _ => return Ok(None),
        },
        Change::AlterEnum { from, to, uses } => {
            let removed = hazards::removed_values(from, to);
            if removed.is_empty() || uses.is_empty() {
                return Ok(None);
            }
            uses.iter()
                .map(|u| format!("{} IN ({})", column(&u.table, &u.column), list(&removed)))
                .collect()
        }
        _ => return Ok(None),
    };
    let mut total = 0u64;
    for w in wheres {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {w} LIMIT {}) AS limited",
            hazards::ROW_COUNT_LIMIT + 1
        );
        let n: i64 = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await?
            .map(|r| r.try_get_by_index(0))
            .transpose()?
            .unwrap_or(0);
        total += n.max(0) as u64;
    }
    Ok(Some(total))
}

/// Compares the entities with the database: connects, checks the migration history, reads both
/// schemas, diffs them, and finds the hazards of the plan.
pub async fn analyze(project: &Project<'_>) -> anyhow::Result<Analysis> {
    analyze_with(project, &[], &mut NoQuestions).await
}

/// Asks a human what the diff cannot know. The command line asks on the terminal; anything
/// else (CI, pipes, tests) answers No, so that nothing ever blocks.
pub trait Questioner {
    /// `Was users.name renamed to users.full_name (varchar, not null)?`
    fn confirm_rename(&mut self, candidate: &Candidate) -> bool;
}

/// Answers No to every question.
pub struct NoQuestions;

impl Questioner for NoQuestions {
    fn confirm_rename(&mut self, _: &Candidate) -> bool {
        false
    }
}

/// Asks on the terminal, `[y/N]`, No by default.
pub struct Terminal;

impl Questioner for Terminal {
    fn confirm_rename(&mut self, candidate: &Candidate) -> bool {
        use std::io::Write as _;
        let mut prompt = format!("{} [y/N] ", candidate.question);
        loop {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            // End of input or an error: No.
            if std::io::stdin().read_line(&mut answer).unwrap_or(0) == 0 {
                return false;
            }
            match answer.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => return true,
                "" | "n" | "no" => return false,
                _ => prompt = "Please answer y or n (Enter is n): ".to_string(),
            }
        }
    }
}

/// [`analyze`] with renames given on the command line, and questions for the rename candidates
/// that remain.
pub async fn analyze_with(
    project: &Project<'_>,
    renames: &[Rename],
    questioner: &mut dyn Questioner,
) -> anyhow::Result<Analysis> {
    let dir = MigrationDir::new(project.migration_dir);
    let registered = dir.registered()?;
    let db = connect_in(
        project.database_url,
        project.config.database_schema.as_deref(),
    )
    .await?;
    let backend = backend_of(&db)?;
    if let (Some(schema), Backend::Postgres) = (&project.config.database_schema, backend) {
        let current = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT current_schema()::text",
            ))
            .await?
            .map(|r| r.try_get_by_index::<Option<String>>(0))
            .transpose()?
            .flatten();
        if current.is_none() {
            bail!(
                "the schema `{schema}` (DATABASE_SCHEMA) does not exist in this database: create it \
                 (CREATE SCHEMA \"{schema}\") or fix the setting"
            );
        }
    }
    let history_table = project.config.history_table();
    let (mut declared, declared_renames) = project.entities.schema_and_renames(backend)?;
    let snapshot = dir.snapshot()?;
    // PostgreSQL schemas besides the default one: those the entities name now, and those
    // they named at the last migration (so that a table whose entity went away is seen).
    let namespaces: BTreeSet<String> = declared
        .namespaces
        .iter()
        .cloned()
        .chain(snapshot.namespaces().map(str::to_string))
        .collect();
    let namespaces: Vec<String> = namespaces.into_iter().collect();
    let live = introspect_in(&db, history_table, &namespaces).await?;
    check_history(&db, history_table, live.has_history_table, &registered).await?;
    if let Some(ns) = &live.default_namespace {
        declared.unqualify(ns);
    }
    dialect::unsized_strings_take_live_length(&live.schema, &mut declared);
    dialect::hand_made_sqlite_types_meet_by_affinity(&live.schema, &mut declared);
    let mut live = live;
    introspect::expression_defaults_as_the_database_writes_them(&db, &mut live.schema, &declared)
        .await;
    // The column types of the tables kept out of the comparison: an enum type they use stays.
    let types_before: Vec<(String, BTreeSet<String>)> = live
        .schema
        .tables
        .iter()
        .map(|(name, t)| {
            (
                name.clone(),
                t.columns.iter().map(|c| c.sql_type.clone()).collect(),
            )
        })
        .collect();
    exclude(&project.config, &mut live.schema, &declared)?;
    let other_tools = leave_other_tools_alone(&project.config, &mut live.schema, &declared);
    live.unmanaged.extend(other_tools);
    let kept_out: BTreeSet<String> = types_before
        .into_iter()
        .filter(|(name, _)| !live.schema.tables.contains_key(name))
        .flat_map(|(_, types)| types)
        .collect();
    automigrate_core::snapshot::enums_where_kept_in_columns(
        &mut live.schema,
        &mut declared,
        &snapshot,
    );
    let undeclared_enums = automigrate_core::snapshot::leave_undeclared_enums_alone(
        &mut live.schema,
        &declared,
        &snapshot,
        &kept_out,
    );
    live.unmanaged.extend(undeclared_enums);
    // What the entities never declared on their tables is left alone.
    let left_alone = automigrate_core::snapshot::leave_alone(
        &mut live.schema,
        &declared,
        &snapshot,
        &|table, kind| project.config.owns(table, kind),
    );
    live.unmanaged.extend(left_alone.notes.iter().cloned());
    live.unmanaged.sort();
    let unmanaged: Vec<String> = std::mem::take(&mut live.unmanaged)
        .into_iter()
        .filter(|n| {
            let table = n.split_once(": ").map_or("", |(t, _)| t);
            table.is_empty() || !project.config.excludes(table)
        })
        .collect();

    // Renames given on the command line must apply; those the entities declare with
    // `renamed_from` apply until they have been carried out.
    renames::check(&live.schema, &declared, renames).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut accepted: Vec<Rename> = renames.to_vec();
    for r in declared_renames {
        let mut with = accepted.clone();
        with.push(r.clone());
        if renames::check(&live.schema, &declared, &with).is_ok() {
            accepted.push(r);
        }
    }
    let first = renames::diff_with_renames(&live.schema, &declared, &accepted);
    let mut declined = Vec::new();
    let answered = accepted.len();
    for candidate in renames::candidates(&first) {
        if questioner.confirm_rename(&candidate) {
            accepted.push(candidate.rename);
        } else {
            declined.push(candidate);
        }
    }
    // Diffed again only when a rename was accepted: otherwise the plan is the first one.
    let mut plan = if accepted.len() == answered {
        first
    } else {
        renames::diff_with_renames(&live.schema, &declared, &accepted)
    };
    left_alone.drop_with_what_they_need(&mut plan);
    let near_misses = renames::near_misses(&plan);
    let dropped_keys = hazards::dropped_foreign_keys(&plan);
    let mut hazards: Vec<Hazard> = Vec::new();
    let mut hazard_spans = Vec::with_capacity(plan.changes.len());
    for c in &plan.changes {
        let mut of = hazards::of_in(c, backend, &dropped_keys);
        if let Some(n) = failing_rows(&db, backend, c).await? {
            for h in of
                .iter_mut()
                .filter(|h| matches!(h.code, "may-fail" | "enum-value-removed"))
            {
                let verb = if n == 1 { "holds" } else { "hold" };
                h.reason
                    .push_str(&format!("; {} {verb} one now", hazards::rows_text(n)));
            }
        }
        let start = hazards.len();
        hazards.extend(of);
        hazard_spans.push(start..hazards.len());
    }
    let rows = count_rows(&db, backend, &live.schema, &hazards).await?;
    db.close().await.ok();
    Ok(Analysis {
        backend,
        live: live.schema,
        declared,
        plan,
        hazards,
        hazard_spans,
        rows,
        declined,
        near_misses,
        unmanaged,
    })
}

/// What a migration is named and titled after: the first line of the message that has
/// something on it, with control and bidirectional-formatting characters taken out. The rest of
/// a message of several lines (`git log -1 --format=%B`) is not used: the file's title is one
/// `//!` line, and nothing of the message may ever become code.
pub fn message_title(message: &str) -> String {
    let line = message
        .split([
            '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}',
        ])
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let clean: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    clean.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The file name stem of a new migration: `m20261121_093000_add_bio_to_users`. It always sorts
/// after the registered ones, so the list stays in order even when two are made in one second.
pub fn migration_name(
    message: &str,
    now: chrono::DateTime<chrono::Utc>,
    registered: &[String],
) -> anyhow::Result<String> {
    // Accents go (é → e): file and module names stay ASCII.
    let ascii: String = unicode_normalization::UnicodeNormalization::nfd(message)
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect();
    let slug = heck::AsSnakeCase(ascii).to_string();
    let slug: String = slug
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut slug = slug.trim_matches('_').to_string();
    if slug.is_empty() {
        bail!("the message `{message}` has no ASCII letters or digits to name the migration after");
    }
    // File names have a limit (255 bytes on most systems): long messages name the file by
    // their first words; the whole message stays in the file's first line.
    const MAX_SLUG: usize = 60;
    if slug.len() > MAX_SLUG {
        let cut = slug[..=MAX_SLUG].rfind('_').unwrap_or(MAX_SLUG);
        slug.truncate(cut);
    }
    let mut at = now;
    loop {
        let stamp = at.format("%Y%m%d_%H%M%S").to_string();
        let later_exists = registered
            .iter()
            .any(|r| r.get(1..16).is_some_and(|s| s >= stamp.as_str()));
        if !later_exists {
            return Ok(format!("m{stamp}_{slug}"));
        }
        at += chrono::Duration::seconds(1);
    }
}

/// `makemigration`: writes a migration that brings the database to the entities. With
/// `dry_run`, returns the file it would write and writes nothing.
pub async fn makemigration(
    project: &Project<'_>,
    message: &str,
    options: MakeOptions,
) -> anyhow::Result<Outcome> {
    makemigration_with(project, message, options, &mut NoQuestions).await
}

/// [`makemigration`], asking `questioner` about rename candidates.
pub async fn makemigration_with(
    project: &Project<'_>,
    message: &str,
    options: MakeOptions,
    questioner: &mut dyn Questioner,
) -> anyhow::Result<Outcome> {
    Ok(
        makemigration_reporting(project, message, options, questioner)
            .await?
            .outcome,
    )
}

/// What [`makemigration_reporting`] did, and what it found left alone.
#[derive(Debug)]
pub struct Made {
    pub outcome: Outcome,
    /// Objects in the database the entities do not manage, left alone (all of them; the
    /// report of a written migration shows the first ten). The command line lists them after
    /// "No changes detected" too.
    pub unmanaged: Vec<String>,
    /// The comparison the migration was made from (empty for `--empty`): for reports such as
    /// `--format json`'s.
    pub analysis: Analysis,
}

/// How long a `makemigration` waits for another one that is writing to the same migration
/// directory.
pub const MIGRATION_DIR_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// [`makemigration_with`], also returning what was left alone. Unless `dry_run`, the whole run
/// holds the migration directory's lock ([`MigrationDir::lock`]), from reading `lib.rs` to
/// registering the new migration: runs at the same time go one after the other, and each finds
/// the migrations of the one before it (so it refuses, as the database does not have them yet,
/// or, with `--empty`, writes after them).
pub async fn makemigration_reporting(
    project: &Project<'_>,
    message: &str,
    options: MakeOptions,
    questioner: &mut dyn Questioner,
) -> anyhow::Result<Made> {
    let dir = MigrationDir::new(project.migration_dir);
    // Is it a migration crate at all? Said before anything else, lock file included.
    dir.check_lib()?;
    let _lock = if options.dry_run && options.replace.is_none() {
        None
    } else {
        Some(dir.lock(MIGRATION_DIR_WAIT).await?)
    };
    // Read once, under the lock, for both checks.
    let before = dir.read()?;
    // Two branches' migrations merged without a merge migration: a new one would follow only
    // one of them.
    if let Some(refusal) = before.lineage().refusal("Nothing was written.") {
        bail!("{refusal}");
    }
    // An edited migration is refused before anything is written: the new `automigrate.sum`
    // would record the edit. The migration `--replace` writes again may differ.
    let mut sums = before.verify_sums()?;
    sums.problems
        .retain(|p| options.replace.is_none() || p.name() != options.replace.as_deref());
    if !sums.is_ok() {
        bail!("{}", sums.refusal("Nothing was written."));
    }
    let restore = match &options.replace {
        Some(old) => Some(dir.take_out(old)?),
        None => None,
    };
    let dry_run = options.dry_run;
    let made = make(project, message, options, questioner, &dir).await;
    match restore {
        // Nothing written, or an error: the migration is put back as it was.
        Some(restore) if made.is_err() || dry_run => {
            restore.put_back()?;
            made
        }
        _ => made,
    }
}

/// [`makemigration_reporting`] once the crate is locked (and the migration to replace taken
/// out).
async fn make(
    project: &Project<'_>,
    message: &str,
    options: MakeOptions,
    questioner: &mut dyn Questioner,
    dir: &MigrationDir,
) -> anyhow::Result<Made> {
    // Read again: `--replace` has taken a migration out.
    let migrations = dir.read()?;
    let registered = migrations.names();
    let message = &message_title(message);
    let name = migration_name(message, chrono::Utc::now(), &registered)?;
    let mut analysis = if options.empty {
        let db = connect(project.database_url).await?;
        let backend = backend_of(&db)?;
        db.close().await.ok();
        Analysis {
            backend,
            live: Schema::new(backend),
            declared: Schema::new(backend),
            plan: Plan::default(),
            hazards: Vec::new(),
            hazard_spans: Vec::new(),
            rows: BTreeMap::new(),
            declined: Vec::new(),
            near_misses: Vec::new(),
            unmanaged: Vec::new(),
        }
    } else {
        analyze_with(project, &options.renames, questioner).await?
    };
    if options.online || project.config.online {
        hazards::say_online(&mut analysis.hazards, analysis.backend);
    }
    if options.strict && !analysis.declined.is_empty() {
        bail!(
            "--strict: {} possible rename(s) would be generated as drop + add, losing data:\n{}\n\
             Say which are renames with --rename table.old=new / --rename-table old=new, or run \
             without --strict to generate the drops.",
            analysis.declined.len(),
            analysis
                .declined
                .iter()
                .map(|c| format!("    {}", c.rename.describe()))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let unmanaged = analysis.unmanaged.clone();
    if analysis.plan.is_empty() && !options.empty {
        return Ok(Made {
            outcome: Outcome::NoChanges,
            unmanaged,
            analysis,
        });
    }
    let follows: Vec<String> = migrations
        .lineage()
        .heads()
        .into_iter()
        .map(str::to_string)
        .collect();
    let source = render_file(&FileSpec {
        name: &name,
        follows: &follows,
        message,
        backend: analysis.backend,
        plan: &analysis.plan,
        rows: &analysis.rows,
        declined: &analysis.declined,
        online: options.online || project.config.online,
    })?;
    let source = rustfmt(&source);
    let report = analysis.report();
    if options.dry_run {
        return Ok(Made {
            outcome: Outcome::DryRun {
                name,
                source,
                report,
            },
            unmanaged,
            analysis,
        });
    }
    dir.check_dependency(&source)?;
    let path = if options.empty {
        dir.add(&name, &source)?
    } else {
        let snapshot = Snapshot::of(&analysis.declared).keeping(&dir.snapshot()?);
        dir.add_with_snapshot(&name, &source, &snapshot)?
    };
    Ok(Made {
        outcome: Outcome::Written {
            path,
            name,
            summary: analysis.plan.changes.iter().map(|c| c.summary()).collect(),
            report,
            hazards: analysis.hazards.clone(),
        },
        unmanaged,
        analysis,
    })
}

/// How `makemigration` runs.
#[derive(Clone, Debug, Default)]
pub struct MakeOptions {
    /// Write a migration with empty `up` and `down`.
    pub empty: bool,
    /// Return the file instead of writing it.
    pub dry_run: bool,
    /// Renames a human has confirmed (`--rename`, `--rename-table`).
    pub renames: Vec<Rename>,
    /// Refuse when rename candidates remain unanswered or answered No.
    pub strict: bool,
    /// Write the newest migration, not applied yet, again (`--replace`): it is taken out first,
    /// and put back if anything fails.
    pub replace: Option<String>,
    /// Online mode (`--online`, or `online = true` in `automigrate.toml`): the migration is
    /// written to run while the application writes (`automigrate_ops::online`).
    pub online: bool,
}

/// Formats with rustfmt when it is installed; the generated text is already laid out the same
/// way, so without rustfmt it is still readable.
pub fn rustfmt(source: &str) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return source.to_string();
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(source.as_bytes());
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            String::from_utf8(out.stdout).unwrap_or_else(|_| source.to_string())
        }
        _ => source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_sort_after_registered_ones() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 21, 9, 30, 0)
            .unwrap();
        assert_eq!(
            migration_name("Add bio to users", now, &[]).unwrap(),
            "m20261121_093000_add_bio_to_users"
        );
        let taken = vec!["m20261121_093000_init".to_string()];
        assert_eq!(
            migration_name("add bio", now, &taken).unwrap(),
            "m20261121_093001_add_bio"
        );
        assert!(migration_name("!!!", now, &[]).is_err());
        assert!(
            migration_name("ajouter café à l'usager", now, &[])
                .unwrap()
                .ends_with("_ajouter_cafe_a_l_usager")
        );
        // A long message names the file by its first words, within a file name's limit.
        let long = "word ".repeat(60);
        let name = migration_name(&long, now, &[]).unwrap();
        assert!(name.len() < 80 && name.ends_with("_word"), "{name}");
    }

    #[test]
    fn a_message_is_titled_by_its_first_line_without_control_characters() {
        assert_eq!(message_title("add bio"), "add bio");
        assert_eq!(
            message_title("add bio\n}\nfn evil() { std::process::exit(3) }"),
            "add bio"
        );
        assert_eq!(message_title("\n\n  add bio  \r\nrest"), "add bio");
        assert_eq!(message_title("a\u{2028}b"), "a");
        assert_eq!(message_title("tab\there\u{7}bell"), "tab here bell");
        assert_eq!(message_title("safe\u{202e}txet"), "safetxet");
        assert_eq!(
            message_title("quote \" back \\ */ //! /*"),
            "quote \" back \\ */ //! /*"
        );
        assert_eq!(message_title("\n\t\n"), "");
        let now = chrono::Utc::now();
        assert!(
            migration_name(&message_title("add bio\nDROP TABLE users"), now, &[])
                .unwrap()
                .ends_with("_add_bio")
        );
    }

    #[test]
    fn passwords_are_hidden_whole() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://app.db"), "sqlite://app.db");
    }
}
