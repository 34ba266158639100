//! The online mode (`cargo xtask makemigration --online`): the same operations, carried out so
//! that the application's writes go on while they run.
//!
//! | operation | PostgreSQL | MySQL/MariaDB | SQLite |
//! | --- | --- | --- | --- |
//! | [`create_index`] | `CREATE INDEX CONCURRENTLY` (an invalid index a failed build left is dropped first) | `ALGORITHM=INPLACE LOCK=NONE` | as offline |
//! | [`add_unique`] | a unique index built `CONCURRENTLY`, then `ADD CONSTRAINT … UNIQUE USING INDEX` | unique index, `ALGORITHM=INPLACE LOCK=NONE` | as offline |
//! | [`add_foreign_key`] | `ADD … NOT VALID`, then `VALIDATE CONSTRAINT` (writes go on) | added in place with `foreign_key_checks` off, then the rows are checked (writes go on; the key is enforced on them already) | as offline |
//! | [`alter_column`] to NOT NULL | `CHECK (col IS NOT NULL) NOT VALID`, validated, then `SET NOT NULL` (no scan) and the check dropped | `MODIFY` pinned to `ALGORITHM=INSTANT`, else `INPLACE, LOCK=NONE` | as offline |
//! | [`drop_index`] | `DROP INDEX CONCURRENTLY` | `ALTER TABLE … DROP INDEX`, `ALGORITHM=INSTANT`, else `INPLACE, LOCK=NONE` | as offline |
//! | [`add_column`], [`drop_column`] | as offline | `ALGORITHM=INSTANT`, else `INPLACE, LOCK=NONE` | as offline |
//! | every other operation | as offline | as offline | as offline |
//!
//! On PostgreSQL and MySQL/MariaDB, every statement that takes a lock writers wait behind waits
//! for it at most the lock timeout (PostgreSQL's `lock_timeout`, MySQL's `lock_wait_timeout`)
//! and gives up, so that it never queues the application's queries behind a long transaction;
//! the operation is then tried again after a pause, a bounded number of times, and each time
//! it says so on standard error. An operation runs in a transaction of its own on PostgreSQL
//! (the migration itself runs without one: `use_transaction` is `Some(false)` in an online
//! file), so a try that gave up leaves nothing behind. `CREATE INDEX CONCURRENTLY` runs outside
//! any transaction and without the timeout: while it waits (for the transactions that started
//! before it), writers do not wait for it.
//!
//! MySQL/MariaDB: an `ALTER` pinned to `INPLACE, LOCK=NONE` that the server can only carry out
//! by copying the table fails (`… is not supported for this operation`) instead of copying it
//! and blocking writes; the migration stops there, and the error says so.
//!
//! SQLite has one writer at a time: the mode changes nothing there.
//!
//! The timeout and the number of tries are read when the migration runs:
//! `AUTOMIGRATE_LOCK_TIMEOUT` (`500ms`, `2s`; 1 s by default) and `AUTOMIGRATE_LOCK_RETRIES`
//! (10 by default).
use std::time::Duration;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{TableName, mysql, postgres};

/// How long a statement waits for a lock, and how many times an operation that gave up waiting
/// is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub lock_timeout: Duration,
    pub retries: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lock_timeout: Duration::from_secs(1),
            retries: 10,
        }
    }
}

impl Settings {
    /// The defaults, with `AUTOMIGRATE_LOCK_TIMEOUT` and `AUTOMIGRATE_LOCK_RETRIES` where they
    /// are set (an unreadable value is an error: a migration does not guess).
    pub fn from_env() -> Result<Settings, DbErr> {
        let mut s = Settings::default();
        if let Ok(v) = std::env::var("AUTOMIGRATE_LOCK_TIMEOUT") {
            s.lock_timeout = parse_duration(&v).ok_or_else(|| {
                DbErr::Migration(format!(
                    "AUTOMIGRATE_LOCK_TIMEOUT={v:?} is not a duration (`500ms`, `2s`)"
                ))
            })?;
        }
        if let Ok(v) = std::env::var("AUTOMIGRATE_LOCK_RETRIES") {
            s.retries = v.trim().parse().map_err(|_| {
                DbErr::Migration(format!("AUTOMIGRATE_LOCK_RETRIES={v:?} is not a number"))
            })?;
        }
        Ok(s)
    }

    /// The pause before try `attempt` + 1: half a second, doubled each time, at most 10 s.
    fn pause(&self, attempt: u32) -> Duration {
        let ms = 500u64.saturating_mul(1 << Ord::min(attempt.saturating_sub(1), 5));
        Duration::from_millis(Ord::min(ms, 10_000))
    }
}

/// `500ms`, `2s`, or milliseconds.
fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (n, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "ms"),
    };
    let n: u64 = n.parse().ok()?;
    match unit.trim() {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        _ => None,
    }
    .filter(|d| !d.is_zero())
}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// True when the statement gave up waiting for a lock (PostgreSQL's `lock_timeout`, MySQL's
/// `lock_wait_timeout` and `innodb_lock_wait_timeout`).
pub(crate) fn is_lock_timeout(e: &DbErr) -> bool {
    let text = e.to_string();
    text.contains("due to lock timeout") || text.contains("Lock wait timeout exceeded")
}

/// One try of an operation: a future that borrows only the manager it runs on (what it needs
/// otherwise it owns, cloned for each try), so that it is `Send` for `async_trait`.
pub(crate) type Try<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), DbErr>> + Send + 'a>>;

/// `guarded(manager, what, |m| …)`, the closure's body an `async move` block that owns a clone
/// of each of the values listed in brackets.
macro_rules! guard {
    ($manager:expr, $what:expr, |$m:ident| [$($c:ident),*] $body:block) => {
        $crate::online::guarded($manager, $what, |$m| {
            $(let $c = $c.clone();)*
            Box::pin(async move $body)
        })
    };
}
pub(crate) use guard;

/// Runs `f` under the lock timeout, trying it again after a pause when a statement of it gave
/// up waiting for a lock. On PostgreSQL `f` runs in a transaction of its own (`SET LOCAL
/// lock_timeout`): a try that gave up is rolled back whole. On MySQL/MariaDB, on a connection of
/// its own with `lock_wait_timeout` set for it (DDL commits statement by statement there, so an
/// operation of several statements is tried again from where it is: each of its steps must be
/// one that finds what is done already). On SQLite, `f` as it is.
pub(crate) async fn guarded<F>(manager: &SchemaManager<'_>, what: &str, f: F) -> Result<(), DbErr>
where
    F: for<'a> Fn(&'a SchemaManager<'a>) -> Try<'a> + Send + Sync,
{
    let backend = manager.get_database_backend();
    if backend == DbBackend::Sqlite {
        return f(manager).await;
    }
    let settings = Settings::from_env()?;
    let mut attempt = 1;
    loop {
        let tx = manager.begin().await?;
        let result = match backend {
            DbBackend::Postgres => postgres::lock_timeout(&tx, settings.lock_timeout).await,
            _ => mysql::lock_timeout(&tx, Some(settings.lock_timeout)).await,
        };
        let result = match result {
            Ok(()) => f(&tx).await,
            Err(e) => Err(e),
        };
        if backend == DbBackend::MySql {
            // The connection goes back to the pool as it came.
            let _ = mysql::lock_timeout(&tx, None).await;
        }
        match result {
            Ok(()) => return tx.commit().await,
            Err(e) if is_lock_timeout(&e) => {
                drop(tx);
                if attempt > settings.retries {
                    return Err(DbErr::Migration(format!(
                        "{what}: gave up waiting for a lock {attempt} times ({} each): another \
                         transaction holds the table; try again when it is done, or set \
                         AUTOMIGRATE_LOCK_TIMEOUT / AUTOMIGRATE_LOCK_RETRIES ({e})",
                        seconds(settings.lock_timeout)
                    )));
                }
                let pause = settings.pause(attempt);
                eprintln!(
                    "automigrate-ops: {what}: gave up waiting for a lock after {} (another \
                     transaction holds the table; writers are not kept waiting behind it): \
                     trying again in {} (try {} of {})",
                    seconds(settings.lock_timeout),
                    seconds(pause),
                    attempt + 1,
                    settings.retries + 1
                );
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Builds an index without blocking writes. A unique index is a unique index here, as
/// offline; a unique constraint is [`add_unique`].
pub async fn create_index(
    manager: &SchemaManager<'_>,
    index: IndexCreateStatement,
) -> Result<(), DbErr> {
    let name = index.get_index_spec().get_name().unwrap_or("").to_string();
    match manager.get_database_backend() {
        DbBackend::Postgres => postgres::create_index_concurrently(manager, &index).await,
        DbBackend::MySql => {
            guard!(manager, &format!("create index {name}"), |m| [index] {
                mysql::create_index_online(m, &index).await
            })
            .await
        }
        _ => manager.create_index(index).await,
    }
}

/// Drops an index without blocking writes (`DROP INDEX CONCURRENTLY` on PostgreSQL).
pub async fn drop_index(
    manager: &SchemaManager<'_>,
    index: IndexDropStatement,
) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            let mut index = index;
            manager.drop_index(index.concurrently().to_owned()).await
        }
        DbBackend::MySql => {
            guard!(manager, "drop index", |m| [index] {
                mysql::drop_index_online(m, &index).await
            })
            .await
        }
        _ => manager.drop_index(index).await,
    }
}

/// [`crate::add_unique`], its index built without blocking writes.
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
    match manager.get_database_backend() {
        DbBackend::Postgres => postgres::add_unique_online(manager, &table, name, &columns).await,
        DbBackend::MySql => {
            let mut index = Index::create();
            index.name(name).table(table.table_ref()).unique();
            for c in &columns {
                index.col(Alias::new(c.as_str()));
            }
            create_index(manager, index).await
        }
        _ => crate::add_unique(manager, table, name, columns).await,
    }
}

/// [`crate::add_foreign_key`], the rows checked while writes go on.
pub async fn add_foreign_key(
    manager: &SchemaManager<'_>,
    foreign_key: ForeignKeyCreateStatement,
) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Postgres => postgres::add_foreign_key_online(manager, &foreign_key).await,
        DbBackend::MySql => mysql::add_foreign_key_online(manager, &foreign_key).await,
        _ => crate::add_foreign_key(manager, foreign_key).await,
    }
}

/// [`crate::alter_column`]; a column made NOT NULL is checked while writes go on (PostgreSQL),
/// and a `MODIFY` runs in place or fails (MySQL/MariaDB).
pub async fn alter_column(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    from: impl IntoColumnDef,
    to: impl IntoColumnDef,
) -> Result<(), DbErr> {
    let (table, from, to) = (table.into(), from.into_column_def(), to.into_column_def());
    let what = format!("alter column {}.{}", table.name, to.get_column_name());
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            let from = if crate::nullable(&from) && !crate::nullable(&to) {
                postgres::set_not_null_online(manager, &table, &to.get_column_name()).await?;
                let mut done = crate::type_nullability_default(&from, true);
                done.not_null();
                done
            } else {
                from
            };
            guard!(manager, &what, |m| [table, from, to] {
                postgres::alter_column(m, &table, &from, &to).await
            })
            .await
        }
        DbBackend::MySql => {
            guard!(manager, &what, |m| [table, from, to] {
                mysql::alter_column_online(m, &table, &from, &to).await
            })
            .await
        }
        _ => crate::alter_column(manager, table, from, to).await,
    }
}

/// [`crate::add_column`], under the lock timeout.
pub async fn add_column(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    column: impl IntoColumnDef,
) -> Result<(), DbErr> {
    let (table, column) = (table.into(), column.into_column_def());
    let what = format!("add column {}.{}", table.name, column.get_column_name());
    if manager.get_database_backend() == DbBackend::MySql {
        let alter = Table::alter()
            .table(table.table_ref())
            .add_column(column)
            .to_owned();
        return guard!(manager, &what, |m| [alter] {
            mysql::alter_table_online(m, &alter).await
        })
        .await;
    }
    guard!(manager, &what, |m| [table, column] {
        crate::add_column(m, table, column).await
    })
    .await
}

/// [`crate::drop_column`], under the lock timeout.
pub async fn drop_column(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    column: &str,
) -> Result<(), DbErr> {
    let table = table.into();
    let what = format!("drop column {}.{column}", table.name);
    if manager.get_database_backend() == DbBackend::MySql {
        let alter = Table::alter()
            .table(table.table_ref())
            .drop_column(Alias::new(column))
            .to_owned();
        return guard!(manager, &what, |m| [alter] {
            mysql::alter_table_online(m, &alter).await
        })
        .await;
    }
    let column = column.to_string();
    guard!(manager, &what, |m| [table, column] {
        crate::drop_column(m, table, &column).await
    })
    .await
}

/// [`crate::set_primary_key`], under the lock timeout.
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
    let what = format!("set the primary key of {}", table.name);
    guard!(manager, &what, |m| [table, columns] {
        crate::set_primary_key(m, table, columns).await
    })
    .await
}

/// [`crate::drop_foreign_key`], under the lock timeout.
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
    let what = format!("drop the foreign key of {}", table.name);
    guard!(manager, &what, |m| [table, columns] {
        crate::drop_foreign_key(m, table, columns).await
    })
    .await
}

/// [`crate::drop_unique`], under the lock timeout.
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
    let what = format!("drop the unique constraint of {}", table.name);
    guard!(manager, &what, |m| [table, columns] {
        crate::drop_unique(m, table, columns).await
    })
    .await
}

/// A statement of sea-query's (`Table::create()`, `Table::drop()`, a rename), under the lock
/// timeout.
pub async fn run<S>(manager: &SchemaManager<'_>, statement: S) -> Result<(), DbErr>
where
    S: sea_orm_migration::sea_orm::StatementBuilder + Clone + Send + Sync + 'static,
{
    let sql = manager.get_database_backend().build(&statement).sql;
    let what = match sql.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &sql[..i]),
        None => sql,
    };
    guard!(manager, &what, |m| [statement] {
        m.execute(statement).await
    })
    .await
}

/// [`crate::alter_table`], each step online.
pub fn alter_table(table: impl Into<TableName>) -> crate::Batch {
    let mut batch = crate::alter_table(table);
    batch.online = true;
    batch
}

/// [`crate::set_table_comment`], under the lock timeout.
pub async fn set_table_comment(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    comment: Option<&str>,
) -> Result<(), DbErr> {
    let table = table.into();
    let what = format!("comment on {}", table.name);
    let comment = comment.map(str::to_string);
    guard!(manager, &what, |m| [table, comment] {
        crate::set_table_comment(m, table, comment.as_deref()).await
    })
    .await
}

/// [`crate::set_column_comment`], under the lock timeout.
pub async fn set_column_comment(
    manager: &SchemaManager<'_>,
    table: impl Into<TableName>,
    column: &str,
    comment: Option<&str>,
) -> Result<(), DbErr> {
    let table = table.into();
    let what = format!("comment on {}.{column}", table.name);
    let (column, comment) = (column.to_string(), comment.map(str::to_string));
    guard!(manager, &what, |m| [table, column, comment] {
        crate::set_column_comment(m, table, &column, comment.as_deref()).await
    })
    .await
}

/// [`crate::create_enum`] (a new type locks no table).
pub use crate::create_enum;

/// [`crate::alter_enum`], under the lock timeout (a value removed recreates the type and
/// converts its columns).
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
    let from: Vec<String> = from.into_iter().map(Into::into).collect();
    let to: Vec<String> = to.into_iter().map(Into::into).collect();
    let (what, name) = (format!("alter enum {name}"), name.to_string());
    guard!(manager, &what, |m| [name, from, to] {
        crate::alter_enum(m, &name, from, to).await
    })
    .await
}

/// [`crate::drop_enum`], under the lock timeout.
pub async fn drop_enum(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    let (what, name) = (format!("drop enum {name}"), name.to_string());
    guard!(manager, &what, |m| [name] { crate::drop_enum(m, &name).await }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("250"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("soon"), None);
        let s = Settings::default();
        let pauses: Vec<u128> = (1..=8).map(|a| s.pause(a).as_millis()).collect();
        assert_eq!(pauses, [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
        assert_eq!(seconds(Duration::from_millis(1500)), "1500 ms");
        assert_eq!(seconds(Duration::from_secs(2)), "2 s");
    }
}
