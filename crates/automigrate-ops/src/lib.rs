//! Backend-neutral schema operations for sea-orm-migration files.
//!
//! sea-query's builders already say most of a migration for every backend: creating and
//! dropping tables, adding and dropping columns and indexes. What they cannot say portably is
//! here, each operation carried out when the migration runs, for the backend it runs on:
//!
//! | operation | PostgreSQL | MySQL/MariaDB | SQLite |
//! | --- | --- | --- | --- |
//! | [`alter_column`] | `ALTER COLUMN` (`TYPE … USING`, `SET`/`DROP NOT NULL`, default, identity) | `MODIFY COLUMN`, with the foreign keys on the column dropped and added around a type change | table rebuild |
//! | [`add_column`] | `ADD COLUMN` | `ADD COLUMN` | `ADD COLUMN`, or a rebuild where SQLite refuses it |
//! | [`drop_column`] | `DROP COLUMN` | `DROP COLUMN` | table rebuild |
//! | [`set_primary_key`] | the key dropped by the name it has and added, foreign keys to the table around it | `DROP`/`ADD PRIMARY KEY`, foreign keys around it | table rebuild |
//! | [`add_foreign_key`], [`drop_foreign_key`] | `ADD`/`DROP CONSTRAINT` | `ADD`/`DROP FOREIGN KEY` | table rebuild |
//! | [`add_unique`], [`drop_unique`] | `ADD`/`DROP CONSTRAINT` | unique index | unique index, or a rebuild for an inline `UNIQUE` |
//! | [`create_enum`], [`drop_enum`], [`alter_enum`] | `CREATE`/`DROP`/`ALTER TYPE` | nothing (enums are inline) | nothing (enums are text) |
//! | [`set_table_comment`], [`set_column_comment`] | `COMMENT ON` | `COMMENT =` (a column's goes with its definition) | nothing (no comments) |
//!
//! A SQLite table rebuild reads the table's live definition from `sqlite_master` when it runs
//! and edits it, so it keeps what the migration does not mention: CHECK constraints,
//! collations, generated columns, every index and trigger, the rows, and the `AUTOINCREMENT`
//! counter. It is a transaction of its own, with foreign keys unenforced during the swap and
//! checked (`PRAGMA foreign_key_check`) before it commits.
//!
//! Operations that find an object by its columns (a foreign key, a unique constraint, a primary
//! key's name) read the catalog when they run, so `up --sql` cannot show their SQL without a
//! database.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

mod mysql;
pub mod online;
mod postgres;
mod sqlite;

/// A table, in the connection's default schema (`"users"`) or, on PostgreSQL, in another one
/// (`("audit", "events")`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableName {
    pub schema: Option<String>,
    pub name: String,
}

impl From<&str> for TableName {
    fn from(name: &str) -> Self {
        TableName {
            schema: None,
            name: name.to_string(),
        }
    }
}

impl From<(&str, &str)> for TableName {
    fn from((schema, name): (&str, &str)) -> Self {
        TableName {
            schema: Some(schema.to_string()),
            name: name.to_string(),
        }
    }
}

impl TableName {
    /// For sea-query's builders.
    fn table_ref(&self) -> TableRef {
        match &self.schema {
            Some(s) => (Alias::new(s.as_str()), Alias::new(self.name.as_str())).into_table_ref(),
            None => Alias::new(self.name.as_str()).into_table_ref(),
        }
    }

    /// Quoted for `backend`: `"audit"."events"`.
    fn quoted(&self, backend: DbBackend) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", quote(backend, s), quote(backend, &self.name)),
            None => quote(backend, &self.name),
        }
    }
}

/// An identifier quoted for `backend`.
pub(crate) fn quote(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// A SQL string literal (for MySQL, with backslashes doubled too).
pub(crate) fn string_literal(backend: DbBackend, text: &str) -> String {
    let text = text.replace('\'', "''");
    match backend {
        DbBackend::MySql => format!("'{}'", text.replace('\\', "\\\\")),
        _ => format!("'{text}'"),
    }
}

/// Runs SQL as a statement (which sea-orm's metric callback sees, so a runner can name it when
/// it fails).
pub(crate) async fn execute(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    let statement = Statement::from_string(manager.get_database_backend(), sql);
    manager.get_connection().execute_raw(statement).await?;
    Ok(())
}

/// Reads rows of strings (NULL as `None`).
pub(crate) async fn query(
    manager: &SchemaManager<'_>,
    sql: &str,
    values: Vec<Value>,
    columns: usize,
) -> Result<Vec<Vec<Option<String>>>, DbErr> {
    let statement = Statement::from_sql_and_values(manager.get_database_backend(), sql, values);
    let rows = manager.get_connection().query_all_raw(statement).await?;
    rows.iter()
        .map(|row| {
            (0..columns)
                .map(|i| {
                    // Catalogs answer in text, or in integers (SQLite's pragmas, MySQL's flags).
                    row.try_get_by_index::<Option<String>>(i).or_else(|_| {
                        row.try_get_by_index::<Option<i64>>(i)
                            .map(|v| v.map(|v| v.to_string()))
                    })
                })
                .collect()
        })
        .collect()
}

/// A column of the enum type `name` holding `values`, NOT NULL: sea-orm-migration's
/// `schema::enumeration`, for any name and any values. sea-query writes an enum column's type
/// name as it is given (PostgreSQL reads it) and its values into `ENUM('…')` as they are given
/// (MySQL/MariaDB read them), so a name in mixed case or with a quote, or a value with a quote or
/// a backslash, would come out wrong there: this gives sea-query the name quoted for PostgreSQL
/// and the values escaped for MySQL, which no other backend reads (SQLite writes `enum_text`).
pub fn enumeration<C, I, S>(column: C, name: &str, values: I) -> ColumnDef
where
    C: IntoIden,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    enumeration_null(column, name, values).not_null().take()
}

/// [`enumeration`], NULL allowed.
pub fn enumeration_null<C, I, S>(column: C, name: &str, values: I) -> ColumnDef
where
    C: IntoIden,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let values: Vec<Alias> = values
        .into_iter()
        .map(|v| Alias::new(v.as_ref().replace('\\', "\\\\").replace('\'', "''")))
        .collect();
    ColumnDef::new(column)
        .enumeration(Alias::new(quote(DbBackend::Postgres, name)), values)
        .null()
        .take()
}

/// The enum type's name and values of a column definition, as given to [`enumeration`] (or to
/// sea-orm-migration's own, whose name and values are taken as they are).
pub(crate) fn enum_of(def: &ColumnDef) -> Option<(String, Vec<String>)> {
    let Some(ColumnType::Enum { name, variants }) = def.get_column_type() else {
        return None;
    };
    let name = name.to_string();
    let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) if name.len() >= 2 => quoted.replace("\"\"", "\""),
        _ => name,
    };
    let values = variants
        .iter()
        .map(|v| {
            let v = v.to_string();
            let mut out = String::with_capacity(v.len());
            let mut chars = v.chars().peekable();
            while let Some(c) = chars.next() {
                if (c == '\\' && chars.peek() == Some(&'\\'))
                    || (c == '\'' && chars.peek() == Some(&'\''))
                {
                    chars.next();
                }
                out.push(c);
            }
            out
        })
        .collect();
    Some((name, values))
}

/// A column definition's type as `backend` writes it.
pub(crate) fn render_type(backend: DbBackend, def: &ColumnDef) -> Option<String> {
    let ty = def.get_column_type()?;
    let mut sql = String::new();
    match backend {
        DbBackend::Postgres => PostgresQueryBuilder.prepare_column_type(ty, &mut sql),
        DbBackend::MySql => MysqlQueryBuilder.prepare_column_type(ty, &mut sql),
        _ => SqliteQueryBuilder.prepare_column_type(ty, &mut sql),
    }
    Some(sql)
}

/// The column's definition as `CREATE TABLE` writes it for `backend`: `"bio" text NULL`.
pub(crate) fn render_column(backend: DbBackend, def: &ColumnDef) -> String {
    let mut sql = String::new();
    match backend {
        DbBackend::Postgres => PostgresQueryBuilder.prepare_column_def(def, &mut sql),
        DbBackend::MySql => MysqlQueryBuilder.prepare_column_def(def, &mut sql),
        _ => SqliteQueryBuilder.prepare_column_def(def, &mut sql),
    }
    sql
}

/// True when the definition allows NULL (it says `.null()`, or nothing).
pub(crate) fn nullable(def: &ColumnDef) -> bool {
    def.get_column_spec().nullable != Some(false)
}

/// The definition without its key flags (primary key, unique), which belong to the table.
pub(crate) fn without_keys(def: &ColumnDef) -> ColumnDef {
    type_nullability_default(def, true)
}

/// The column's type, nullability and default; with `rest`, also its auto-increment, comment
/// and extra (SQLite's `AUTOINCREMENT` belongs to its key, and it keeps no comments).
pub(crate) fn type_nullability_default(def: &ColumnDef, rest: bool) -> ColumnDef {
    let spec = def.get_column_spec();
    let mut out = match def.get_column_type() {
        Some(ty) => ColumnDef::new_with_type(Alias::new(def.get_column_name()), ty.clone()),
        None => ColumnDef::new(Alias::new(def.get_column_name())),
    };
    match spec.nullable {
        Some(true) => {
            out.null();
        }
        Some(false) => {
            out.not_null();
        }
        None => {}
    }
    if let Some(d) = &spec.default {
        out.default(d.clone());
    }
    if !rest {
        return out;
    }
    if spec.auto_increment {
        out.auto_increment();
    }
    if let Some(c) = &spec.comment {
        out.comment(c);
    }
    if let Some(e) = &spec.extra {
        out.extra(e);
    }
    out
}

/// Changes a column from the definition `from` to `to` (both without primary key or unique
/// flags: keys belong to the table). `down` calls it with the two swapped.
///
/// Only what differs is changed, as the running backend sees it: a change of comment alone
/// does nothing on SQLite.
pub async fn alter_column(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    from: impl IntoColumnDef,
    to: impl IntoColumnDef,
) -> Result<(), DbErr> {
    let (from, to) = (from.into_column_def(), to.into_column_def());
    let table = table.into();
    match manager.get_database_backend() {
        DbBackend::Postgres => postgres::alter_column(manager, &table, &from, &to).await,
        DbBackend::MySql => mysql::alter_column(manager, &table, &from, &to).await,
        _ => sqlite::alter_column(manager, &table, &from, &to).await,
    }
}

/// Several changes to one table, carried out together: on SQLite one rebuild of the table for
/// all of them (so that they succeed or fail as one, and the rows are copied once), elsewhere one
/// statement after the other. Made by [`alter_table`].
#[must_use = "a batch does nothing until it is run"]
pub struct Batch {
    table: TableName,
    steps: Vec<Step>,
    /// Made by [`online::alter_table`]: each step is carried out online.
    online: bool,
}

enum Step {
    AlterColumn(Box<(ColumnDef, ColumnDef)>),
    AddColumn(Box<ColumnDef>),
    DropColumn(String),
    SetPrimaryKey(Vec<String>),
}

/// Starts a [`Batch`] of changes to `table`:
///
/// ```ignore
/// ops::alter_table("users")
///     .alter_column(string_len("name", 100), string_len_null("name", 200))
///     .drop_column("legacy")
///     .run(manager)
///     .await?;
/// ```
pub fn alter_table(table: impl Into<TableName>) -> Batch {
    Batch {
        table: table.into(),
        steps: Vec::new(),
        online: false,
    }
}

impl Batch {
    /// [`alter_column`], in the batch.
    pub fn alter_column(mut self, from: impl IntoColumnDef, to: impl IntoColumnDef) -> Self {
        let step = Step::AlterColumn(Box::new((from.into_column_def(), to.into_column_def())));
        self.steps.push(step);
        self
    }

    /// [`add_column`], in the batch.
    pub fn add_column(mut self, column: impl IntoColumnDef) -> Self {
        self.steps
            .push(Step::AddColumn(Box::new(column.into_column_def())));
        self
    }

    /// [`drop_column`], in the batch.
    pub fn drop_column(mut self, column: &str) -> Self {
        self.steps.push(Step::DropColumn(column.to_string()));
        self
    }

    /// [`set_primary_key`], in the batch.
    pub fn set_primary_key<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let columns = columns.into_iter().map(Into::into).collect();
        self.steps.push(Step::SetPrimaryKey(columns));
        self
    }

    pub async fn run(self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let table = self.table;
        if manager.get_database_backend() == DbBackend::Sqlite {
            let edits: Vec<sqlite::Edit> = self
                .steps
                .into_iter()
                .filter_map(|step| match step {
                    Step::AlterColumn(defs) => {
                        let (from, to) = *defs;
                        sqlite::differs(&from, &to).then_some(sqlite::Edit::AlterColumn(to))
                    }
                    Step::AddColumn(c) => Some(sqlite::Edit::AddColumn(*c)),
                    Step::DropColumn(c) => Some(sqlite::Edit::DropColumn(c)),
                    Step::SetPrimaryKey(cols) => Some(sqlite::Edit::SetPrimaryKey(cols)),
                })
                .collect();
            if edits.is_empty() {
                return Ok(());
            }
            return sqlite::rebuild(manager, &table, &edits).await;
        }
        if self.online {
            for step in self.steps {
                match step {
                    Step::AlterColumn(defs) => {
                        let (from, to) = *defs;
                        online::alter_column(manager, table.clone(), from, to).await?
                    }
                    Step::AddColumn(c) => online::add_column(manager, table.clone(), *c).await?,
                    Step::DropColumn(c) => online::drop_column(manager, table.clone(), &c).await?,
                    Step::SetPrimaryKey(cols) => {
                        online::set_primary_key(manager, table.clone(), cols).await?
                    }
                }
            }
            return Ok(());
        }
        for step in self.steps {
            match step {
                Step::AlterColumn(defs) => {
                    let (from, to) = *defs;
                    alter_column(manager, table.clone(), from, to).await?
                }
                Step::AddColumn(c) => add_column(manager, table.clone(), *c).await?,
                Step::DropColumn(c) => drop_column(manager, table.clone(), &c).await?,
                Step::SetPrimaryKey(cols) => set_primary_key(manager, table.clone(), cols).await?,
            }
        }
        Ok(())
    }
}

/// Adds a column. On SQLite, a column that `ALTER TABLE ADD COLUMN` refuses (NOT NULL without a
/// default, a key, a default that is not a constant) is added by rebuilding the table.
pub async fn add_column(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    column: impl IntoColumnDef,
) -> Result<(), DbErr> {
    let column = column.into_column_def();
    let table = table.into();
    if manager.get_database_backend() == DbBackend::Sqlite {
        return sqlite::add_column(manager, &table, &column).await;
    }
    manager
        .alter_table(
            Table::alter()
                .table(table.table_ref())
                .add_column(column)
                .to_owned(),
        )
        .await
}

/// Drops a column. On SQLite the table is rebuilt without it (which also works where
/// `ALTER TABLE DROP COLUMN` refuses: a column in a key, a foreign key, a CHECK).
pub async fn drop_column(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    column: &str,
) -> Result<(), DbErr> {
    let table = table.into();
    if manager.get_database_backend() == DbBackend::Sqlite {
        return sqlite::rebuild(manager, &table, &[sqlite::Edit::DropColumn(column.into())]).await;
    }
    manager
        .alter_table(
            Table::alter()
                .table(table.table_ref())
                .drop_column(Alias::new(column))
                .to_owned(),
        )
        .await
}

/// Makes `columns` the table's primary key (none: the table has no key). Foreign keys that
/// reference the table are dropped before and added again after, where the backend requires it.
pub async fn set_primary_key<I, S>(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    columns: I,
) -> Result<(), DbErr>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let table = table.into();
    let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
    match manager.get_database_backend() {
        DbBackend::Postgres => postgres::set_primary_key(manager, &table, &columns).await,
        DbBackend::MySql => mysql::set_primary_key(manager, &table, &columns).await,
        _ => sqlite::rebuild(manager, &table, &[sqlite::Edit::SetPrimaryKey(columns)]).await,
    }
}

/// Adds a foreign key (the statement names its table). On SQLite the table is rebuilt with it.
pub async fn add_foreign_key(
    manager: &SchemaManager<'_>,
    foreign_key: ForeignKeyCreateStatement,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Sqlite {
        return manager.create_foreign_key(foreign_key).await;
    }
    let fk = foreign_key.get_foreign_key();
    let Some(table) = fk.get_table() else {
        return Err(DbErr::Migration(
            "add_foreign_key: the foreign key names no table (`.from(table, columns)`)".into(),
        ));
    };
    let table = TableName::from(iden_of(table).as_str());
    let clause = sqlite::foreign_key_clause(&foreign_key);
    sqlite::rebuild(manager, &table, &[sqlite::Edit::AddTableConstraint(clause)]).await
}

/// The name of a table reference, as written.
fn iden_of(table: &TableRef) -> String {
    let mut sql = String::new();
    SqliteQueryBuilder.prepare_table_ref_iden(table, &mut sql);
    let inner = sql.trim_matches('"');
    inner
        .rsplit("\".\"")
        .next()
        .unwrap_or(inner)
        .replace("\"\"", "\"")
}

/// Drops the foreign key of the table on exactly `columns`, whatever it is named (the names
/// differ between backends; SQLite does not keep them).
pub async fn drop_foreign_key<I, S>(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    columns: I,
) -> Result<(), DbErr>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let table = table.into();
    let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
    match manager.get_database_backend() {
        DbBackend::Postgres => postgres::drop_constraint_on(manager, &table, 'f', &columns).await,
        DbBackend::MySql => mysql::drop_foreign_key(manager, &table, &columns).await,
        _ => sqlite::rebuild(manager, &table, &[sqlite::Edit::DropForeignKey(columns)]).await,
    }
}

/// Adds a unique constraint named `name` on `columns` (a unique index on MySQL and SQLite; on
/// SQLite, a `UNIQUE` in the table's definition when `name` is one SQLite gives such a
/// constraint, `sqlite_autoindex_…`).
pub async fn add_unique<I, S>(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    name: &str,
    columns: I,
) -> Result<(), DbErr>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let table = table.into();
    let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
    let backend = manager.get_database_backend();
    if backend == DbBackend::Postgres {
        let cols: Vec<String> = columns.iter().map(|c| quote(backend, c)).collect();
        return execute(
            manager,
            &format!(
                "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
                table.quoted(backend),
                quote(backend, name),
                cols.join(", ")
            ),
        )
        .await;
    }
    // SQLite names the index of a UNIQUE written in CREATE TABLE itself, and reserves those
    // names: such a constraint comes back by rebuilding the table with it.
    if backend == DbBackend::Sqlite && name.starts_with("sqlite_autoindex_") {
        let cols: Vec<String> = columns.iter().map(|c| quote(backend, c)).collect();
        let clause = format!("UNIQUE ({})", cols.join(", "));
        return sqlite::rebuild(manager, &table, &[sqlite::Edit::AddTableConstraint(clause)]).await;
    }
    let mut index = Index::create();
    index.name(name).table(table.table_ref()).unique();
    for c in &columns {
        index.col(Alias::new(c.as_str()));
    }
    manager.create_index(index).await
}

/// Drops the unique constraint (or unique index) of the table on exactly `columns`, whatever it
/// is named. On SQLite, a `UNIQUE` written in `CREATE TABLE` goes by rebuilding the table.
pub async fn drop_unique<I, S>(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    columns: I,
) -> Result<(), DbErr>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let table = table.into();
    let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
    match manager.get_database_backend() {
        DbBackend::Postgres => postgres::drop_constraint_on(manager, &table, 'u', &columns).await,
        DbBackend::MySql => mysql::drop_unique(manager, &table, &columns).await,
        _ => sqlite::drop_unique(manager, &table, &columns).await,
    }
}

/// Creates a PostgreSQL enum type, unless it exists with these values already (a migration
/// generated on a backend without enum types creates the type of each new enum column, and
/// another table may have made it). Nothing on the other backends, which keep an enum in its
/// column (MySQL's `ENUM(…)`) or as text (SQLite).
pub async fn create_enum<I, S>(
    manager: &SchemaManager<'_>,
    name: &str,
    values: I,
) -> Result<(), DbErr>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let values: Vec<String> = values.into_iter().map(Into::into).collect();
    postgres::create_enum(manager, name, &values).await
}

/// Drops a PostgreSQL enum type. Nothing on the other backends.
pub async fn drop_enum(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    manager
        .drop_type(
            sea_orm_migration::sea_query::extension::postgres::Type::drop()
                .name(Alias::new(name))
                .to_owned(),
        )
        .await
}

/// Changes a PostgreSQL enum type's values from `from` to `to`: added values go in place
/// (`ADD VALUE`, at their position); a value removed or reordered recreates the type and
/// converts the columns of that type (found in the catalog), their defaults kept where their
/// value still exists. Nothing on the other backends, whose columns carry their values (a
/// MySQL `ENUM` column changes with [`alter_column`]).
pub async fn alter_enum<I, J, S, T>(
    manager: &SchemaManager<'_>,
    name: &str,
    from: I,
    to: J,
) -> Result<(), DbErr>
where
    I: IntoIterator<Item = S>,
    J: IntoIterator<Item = T>,
    S: Into<String>,
    T: Into<String>,
{
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let from: Vec<String> = from.into_iter().map(Into::into).collect();
    let to: Vec<String> = to.into_iter().map(Into::into).collect();
    postgres::alter_enum(manager, name, &from, &to).await
}

/// Sets (or, with `None`, removes) a table's comment. Nothing on SQLite, which keeps none.
pub async fn set_table_comment(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    comment: Option<&str>,
) -> Result<(), DbErr> {
    let table = table.into();
    let backend = manager.get_database_backend();
    let value = comment.map_or("NULL".to_string(), |c| string_literal(backend, c));
    match backend {
        DbBackend::Postgres => {
            let sql = format!("COMMENT ON TABLE {} IS {value}", table.quoted(backend));
            execute(manager, &sql).await
        }
        DbBackend::MySql => {
            let value = comment.map_or("''".to_string(), |c| string_literal(backend, c));
            let sql = format!("ALTER TABLE {} COMMENT = {value}", table.quoted(backend));
            execute(manager, &sql).await
        }
        _ => Ok(()),
    }
}

/// PostgreSQL keeps a column's comment outside its definition: `COMMENT ON COLUMN`. Nothing
/// elsewhere: MySQL writes the comment with the column's definition (`.comment(…)`), SQLite
/// keeps none.
pub async fn set_column_comment(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    column: &str,
    comment: Option<&str>,
) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(());
    }
    let table = table.into();
    let value = comment.map_or("NULL".to_string(), |c| string_literal(backend, c));
    let sql = format!(
        "COMMENT ON COLUMN {}.{} IS {value}",
        table.quoted(backend),
        quote(backend, column)
    );
    execute(manager, &sql).await
}

/// A foreign key as read from the catalog, to drop and add again around a change.
#[derive(Clone, Debug)]
pub(crate) struct ForeignKeyDef {
    pub name: String,
    pub table: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: String,
    pub on_update: String,
}

/// Splits a list that a catalog query joined with the unit separator (`chr(31)`).
pub(crate) fn split_list(list: Option<String>) -> Vec<String> {
    list.map(|l| l.split('\u{1f}').map(str::to_string).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enum_column_is_written_for_each_backend_and_read_back_as_given() {
        let values = ["it's", r"back\slash", r#"dq"x"#, "''", r"\\"];
        let def = enumeration("kind", r#"Kind"Enum"#, values);
        assert_eq!(
            render_type(DbBackend::Postgres, &def).unwrap(),
            r#""Kind""Enum""#
        );
        assert_eq!(
            render_type(DbBackend::MySql, &def).unwrap(),
            r#"ENUM('it''s', 'back\\slash', 'dq"x', '''''', '\\\\')"#
        );
        let (name, read) = enum_of(&def).unwrap();
        assert_eq!(name, r#"Kind"Enum"#);
        assert_eq!(read, values);
        assert!(!nullable(&def));
        assert!(nullable(&enumeration_null("kind", "k", ["a"])));
        // sea-orm-migration's own: taken as it is.
        let plain = ColumnDef::new("kind")
            .enumeration(Alias::new("user_role"), [Alias::new("admin")])
            .take();
        assert_eq!(
            enum_of(&plain).unwrap(),
            ("user_role".to_string(), vec!["admin".to_string()])
        );
    }
}
