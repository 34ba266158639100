//! The commands as library functions: read the history, and `up`, `down`, `stamp` under the
//! migration lock.
use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use sea_orm::sea_query::{Expr, ExprTrait as _, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait as _};
use sea_orm_migration::{MigratorTrait, SchemaManager};

use crate::failure::{FailedStatement, MigrationFailure};
use crate::plan::{self, DownTo, Target, UpTo};
use crate::preview::Direction;
use crate::{Error, MigrationLock};

/// One migration of the crate and whether (and when) it was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub name: String,
    /// Unix seconds, as sea-orm-migration records them; `None` while pending.
    pub applied_at: Option<i64>,
}

/// The crate's migrations in order with their state, and the applied versions the crate does
/// not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub migrations: Vec<MigrationState>,
    /// Versions recorded in the history table that no migration of the crate has.
    pub unknown: Vec<(String, i64)>,
}

impl History {
    pub fn names(&self) -> Vec<String> {
        self.migrations.iter().map(|m| m.name.clone()).collect()
    }

    pub(crate) fn applied_flags(&self) -> Vec<bool> {
        self.migrations
            .iter()
            .map(|m| m.applied_at.is_some())
            .collect()
    }

    /// The last applied migration, in the crate's order; `None` is base.
    pub fn current(&self) -> Option<&str> {
        self.migrations
            .iter()
            .rev()
            .find(|m| m.applied_at.is_some())
            .map(|m| m.name.as_str())
    }

    pub fn pending(&self) -> Vec<&str> {
        self.migrations
            .iter()
            .filter(|m| m.applied_at.is_none())
            .map(|m| m.name.as_str())
            .collect()
    }

    pub(crate) fn check_known(&self) -> Result<(), Error> {
        if self.unknown.is_empty() {
            Ok(())
        } else {
            Err(Error::UnknownApplied(
                self.unknown.iter().map(|(v, _)| v.clone()).collect(),
            ))
        }
    }
}

/// Reads the history without writing anything: a missing history table is an empty history
/// (this never creates it, unlike sea-orm-migration's `status`).
pub async fn history<M: MigratorTrait>(db: &DatabaseConnection) -> Result<History, Error> {
    let table = M::migration_table_name();
    let mut recorded: HashMap<String, i64> = HashMap::new();
    if SchemaManager::new(db).has_table(table.to_string()).await? {
        let select = Query::select()
            .columns(["version", "applied_at"])
            .from(table.clone())
            .order_by("version", Order::Asc)
            .to_owned();
        for row in db.query_all(&select).await? {
            let version: String = row
                .try_get("", "version")
                .map_err(|_| Error::BadHistoryRow {
                    table: table.to_string(),
                    version: None,
                    applied_at: shown(&row, "version"),
                })?;
            let applied_at: i64 =
                row.try_get("", "applied_at")
                    .map_err(|_| Error::BadHistoryRow {
                        table: table.to_string(),
                        version: Some(version.clone()),
                        applied_at: shown(&row, "applied_at"),
                    })?;
            recorded.insert(version, applied_at);
        }
    }
    let migrations: Vec<MigrationState> = M::migrations()
        .iter()
        .map(|m| MigrationState {
            name: m.name().to_string(),
            applied_at: recorded.remove(m.name()),
        })
        .collect();
    let mut unknown: Vec<(String, i64)> = recorded.into_iter().collect();
    unknown.sort();
    Ok(History {
        migrations,
        unknown,
    })
}

/// A history value that cannot be read as what sea-orm-migration writes, as text to show.
fn shown(row: &sea_orm::QueryResult, column: &str) -> String {
    if let Ok(v) = row.try_get::<Option<String>>("", column) {
        return match v {
            Some(v) => format!("`{v}`"),
            None => "NULL".into(),
        };
    }
    if let Ok(Some(v)) = row.try_get::<Option<f64>>("", column) {
        return format!("`{v}`");
    }
    "a value of another type".into()
}

/// What a command did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Migrations applied by this run, in order.
    pub applied: Vec<String>,
    /// Migrations rolled back by this run, in order (the last first).
    pub rolled_back: Vec<String>,
    /// `stamp`: versions added to the history, and removed from it, without running anything.
    pub recorded: Vec<String>,
    pub removed: Vec<String>,
    /// The last applied migration afterwards; `None` is base.
    pub current: Option<String>,
    /// Migrations still pending afterwards.
    pub pending: Vec<String>,
    /// How long the lock took to get.
    pub lock_wait: Duration,
    /// The whole run, lock included.
    pub elapsed: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |v: &[String]| v.join(", ");
        if !self.applied.is_empty() {
            write!(
                f,
                "Applied {} migration(s): {}. ",
                self.applied.len(),
                names(&self.applied)
            )?;
        }
        if !self.rolled_back.is_empty() {
            write!(
                f,
                "Rolled back {} migration(s): {}. ",
                self.rolled_back.len(),
                names(&self.rolled_back)
            )?;
        }
        if !self.recorded.is_empty() {
            write!(
                f,
                "Recorded as applied (not run): {}. ",
                names(&self.recorded)
            )?;
        }
        if !self.removed.is_empty() {
            write!(
                f,
                "Removed from the history (not run): {}. ",
                names(&self.removed)
            )?;
        }
        if self.applied.is_empty()
            && self.rolled_back.is_empty()
            && self.recorded.is_empty()
            && self.removed.is_empty()
        {
            write!(f, "Nothing to do. ")?;
        }
        match &self.current {
            Some(c) => write!(f, "The database is at {c}")?,
            None => write!(f, "The database is at base (no migration applied)")?,
        }
        match self.pending.len() {
            0 => write!(f, "."),
            n => write!(f, "; {n} pending."),
        }
    }
}

/// Runs `f` holding the migration lock, then releases it (whatever `f` returned). Returns
/// what `f` returned and how long the lock took to get.
pub(crate) async fn locked<M: MigratorTrait, T>(
    db: &DatabaseConnection,
    lock_timeout: Duration,
    f: impl AsyncFnOnce() -> Result<T, Error>,
) -> Result<(T, Duration), Error> {
    let started = Instant::now();
    let lock =
        MigrationLock::acquire(db, &M::migration_table_name().to_string(), lock_timeout).await?;
    let lock_wait = started.elapsed();
    tracing::debug!("Took the {} in {lock_wait:?}", lock.description());
    let result = f().await;
    if let Err(e) = lock.release().await {
        // The connection (or descriptor) is gone with the lock value anyway.
        tracing::warn!("Releasing the migration lock: {e}");
    }
    Ok((result?, lock_wait))
}

/// [`locked`] for the commands that report.
async fn locked_report<M: MigratorTrait>(
    db: &DatabaseConnection,
    lock_timeout: Duration,
    f: impl AsyncFnOnce() -> Result<Report, Error>,
) -> Result<Report, Error> {
    let started = Instant::now();
    let (mut report, lock_wait) = locked::<M, Report>(db, lock_timeout, f).await?;
    report.lock_wait = lock_wait;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Fills `current` and `pending` from the history read after the change.
async fn finish<M: MigratorTrait>(
    db: &DatabaseConnection,
    mut report: Report,
) -> Result<Report, Error> {
    let after = history::<M>(db).await?;
    report.current = after.current().map(str::to_string);
    report.pending = after.pending().into_iter().map(str::to_string).collect();
    Ok(report)
}

/// Applies pending migrations, holding the migration lock from before the history is read
/// until the last one is recorded. The migrations are run by sea-orm-migration's
/// `MigratorTrait::up` (one transaction per migration on PostgreSQL).
pub async fn up<M: MigratorTrait>(
    db: &DatabaseConnection,
    to: UpTo,
    lock_timeout: Duration,
) -> Result<Report, Error> {
    up_tracked::<M>(db, to, lock_timeout, None).await
}

/// [`up`], naming the statement that failed if `failed` tracks `db`.
pub(crate) async fn up_tracked<M: MigratorTrait>(
    db: &DatabaseConnection,
    to: UpTo,
    lock_timeout: Duration,
    failed: Option<&FailedStatement>,
) -> Result<Report, Error> {
    locked_report::<M>(db, lock_timeout, async || {
        M::install(db).await?;
        // Read under the lock: another process may have applied some while we waited.
        let before = history::<M>(db).await?;
        before.check_known()?;
        let names = before.names();
        let plan = plan::plan_up(&names, &before.applied_flags(), &to)?;
        // sea-orm-migration applies the first pending migration: `plan` in order, one at a
        // time, so that a failure is known to be that migration's.
        one_by_one::<M>(db, &plan, &names, Direction::Up, failed).await?;
        let report = Report {
            applied: plan.iter().map(|&i| names[i].clone()).collect(),
            ..Report::default()
        };
        finish::<M>(db, report).await
    })
    .await
}

/// Rolls back applied migrations (the last first), under the migration lock, with
/// sea-orm-migration's `MigratorTrait::down`.
pub async fn down<M: MigratorTrait>(
    db: &DatabaseConnection,
    to: DownTo,
    lock_timeout: Duration,
) -> Result<Report, Error> {
    down_tracked::<M>(db, to, lock_timeout, None).await
}

/// [`down`], naming the statement that failed if `failed` tracks `db`.
pub(crate) async fn down_tracked<M: MigratorTrait>(
    db: &DatabaseConnection,
    to: DownTo,
    lock_timeout: Duration,
    failed: Option<&FailedStatement>,
) -> Result<Report, Error> {
    locked_report::<M>(db, lock_timeout, async || {
        M::install(db).await?;
        let before = history::<M>(db).await?;
        before.check_known()?;
        let names = before.names();
        let plan = plan::plan_down(&names, &before.applied_flags(), &to)?;
        // sea-orm-migration rolls back the last applied migration: `plan` (the last first),
        // one at a time.
        one_by_one::<M>(db, &plan, &names, Direction::Down, failed).await?;
        let report = Report {
            rolled_back: plan.iter().map(|&i| names[i].clone()).collect(),
            ..Report::default()
        };
        finish::<M>(db, report).await
    })
    .await
}

/// Applies (or rolls back) the migrations of `plan`, which are the next ones to apply (or the
/// last applied, the last first), one `MigratorTrait::up` (`down`) step each; when one fails,
/// says which, with the statement that failed when `failed` knows it.
async fn one_by_one<M: MigratorTrait>(
    db: &DatabaseConnection,
    plan: &[usize],
    names: &[String],
    direction: Direction,
    failed: Option<&FailedStatement>,
) -> Result<(), Error> {
    let migrations = M::migrations();
    for (done, &i) in plan.iter().enumerate() {
        if let Some(failed) = failed {
            failed.clear();
        }
        let result = match direction {
            Direction::Up => M::up(db, Some(1)).await,
            Direction::Down => M::down(db, Some(1)).await,
        };
        if let Err(error) = result {
            return Err(Error::MigrationFailed(Box::new(MigrationFailure::new(
                migrations[i].as_ref(),
                direction,
                db.get_database_backend(),
                error,
                failed.and_then(FailedStatement::take),
                plan[..done].iter().map(|&j| names[j].clone()).collect(),
            ))));
        }
    }
    Ok(())
}

/// Makes the history say that exactly the migrations up to `target` are applied, without
/// running any (for a database whose schema was made by other means). One transaction, under
/// the migration lock.
pub async fn stamp<M: MigratorTrait>(
    db: &DatabaseConnection,
    target: Target,
    lock_timeout: Duration,
) -> Result<Report, Error> {
    locked_report::<M>(db, lock_timeout, async || {
        M::install(db).await?;
        let before = history::<M>(db).await?;
        before.check_known()?;
        let names = before.names();
        let last = plan::resolve(&target, &names)?;
        let wanted = |i: usize| last.is_some_and(|last| i <= last);
        let applied = before.applied_flags();
        let recorded: Vec<String> = (0..names.len())
            .filter(|&i| wanted(i) && !applied[i])
            .map(|i| names[i].clone())
            .collect();
        let removed: Vec<String> = (0..names.len())
            .filter(|&i| !wanted(i) && applied[i])
            .map(|i| names[i].clone())
            .collect();
        let table = M::migration_table_name();
        let txn = db.begin().await?;
        if !removed.is_empty() {
            let delete = Query::delete()
                .from_table(table.clone())
                .and_where(Expr::col("version").is_in(removed.iter().map(String::as_str)))
                .to_owned();
            txn.execute(&delete).await?;
        }
        if !recorded.is_empty() {
            let now = chrono::Utc::now().timestamp();
            let mut insert = Query::insert();
            insert.into_table(table).columns(["version", "applied_at"]);
            for name in &recorded {
                insert.values_panic([name.as_str().into(), now.into()]);
            }
            txn.execute(&insert).await?;
        }
        txn.commit().await?;
        let report = Report {
            recorded,
            removed,
            ..Report::default()
        };
        finish::<M>(db, report).await
    })
    .await
}

/// For applications that run their migrations when they start: takes the migration lock
/// (waiting up to `lock_timeout` for another replica that is migrating), applies every pending
/// migration, releases the lock and says what it did. Replicas that start together apply each
/// migration once: the first one applies them, the others find nothing pending. On PostgreSQL
/// and MySQL the lock takes one more connection, opened with the options of `db`'s pool but
/// outside it, for the length of the run. A lock wait is logged (`tracing`, info).
///
/// ```no_run
/// # mod migration { pub use sea_orm_migration::prelude::*; pub struct Migrator;
/// # impl MigratorTrait for Migrator { fn migrations() -> Vec<Box<dyn MigrationTrait>> { vec![] } } }
/// # async fn start() -> anyhow::Result<()> {
/// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
/// let report = automigrate_runner::migrate_on_startup::<migration::Migrator>(
///     &db,
///     automigrate_runner::DEFAULT_LOCK_TIMEOUT,
/// )
/// .await?;
/// tracing::info!("{report}");
/// # Ok(()) }
/// ```
pub async fn migrate_on_startup<M: MigratorTrait>(
    db: &DatabaseConnection,
    lock_timeout: Duration,
) -> Result<Report, Error> {
    up::<M>(db, UpTo::All, lock_timeout).await
}
