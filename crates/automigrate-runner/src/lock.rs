//! The migration lock: one holder at a time per database (and history table), so that several
//! processes that run `up` at the same moment apply each migration once.
//!
//! The lock is held by something that outlives the migrations' own transactions and that the
//! operating system or the server releases if the process dies:
//!
//! - **PostgreSQL**: a session-level advisory lock (`pg_advisory_lock`) taken on a connection
//!   of its own, opened with the pool's options and used for nothing else. It cannot live in
//!   the migrations' connections: sea-orm-migration runs each migration in a transaction of its
//!   own on PostgreSQL, so a transaction-level lock would be released after the first one. The
//!   wait is a blocking `pg_advisory_lock` under `lock_timeout` (the server queues the waiters);
//!   a waiter that times out gets SQLSTATE 55P03 and the holder's backend pid from `pg_locks`.
//!   Advisory locks are per database; the key is a hash of the history table's name (so two
//!   histories in two schemas of one database serialize each other, which is harmless).
//! - **MySQL / MariaDB**: `GET_LOCK(name, timeout)` on a connection of its own. Those locks are
//!   per server, so the name holds the database's name (and the history table's). MySQL counts
//!   the timeout in whole seconds; it is rounded up.
//! - **SQLite**: an exclusive OS file lock (`flock` on Unix, `LockFileEx` on Windows) on a file
//!   next to the database, `<database file>-automigrate-lock`. It is named like SQLite's own
//!   `-wal` and `-journal` files, so that ignore patterns such as `*.db-*` cover it, and it is
//!   created once and left in place (removing it would let two processes lock two different
//!   files). The kernel releases the lock when the process exits, however it exits. The holder
//!   writes its pid into the file, which a waiter that times out reports.
//!
//!   Why not the alternatives: a write transaction (`BEGIN IMMEDIATE`) on a separate
//!   connection holds SQLite's write lock on the very file the migrations write, so they would
//!   wait on it until `SQLITE_BUSY`; running the migrations inside that transaction would
//!   change their semantics (`PRAGMA foreign_keys` is a no-op inside a transaction, and table
//!   rebuilds rely on it; one failing migration would roll back the ones before it). Locking the
//!   database file itself is unsafe: SQLite's POSIX locks on it are dropped when any descriptor
//!   of that file is closed in the process. A row in a lock table outlives a crashed process.
//!   In-memory databases cannot be shared between processes and take no lock.
//!
//! Dropping a [`MigrationLock`] also releases it (the connection is closed, or the file
//! descriptor); [`MigrationLock::release`] does it cleanly.
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sea_orm::sqlx::{self, Connection as _, MySqlConnection, PgConnection};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::Error;

/// A held migration lock; see the module documentation for what it is on each backend.
pub struct MigrationLock {
    inner: Inner,
    description: String,
}

enum Inner {
    Postgres { conn: PgConnection, key: i64 },
    MySql { conn: MySqlConnection, name: String },
    Sqlite { _file: File },
    Nothing,
}

/// How often a waiter on the SQLite lock file tries again.
const FILE_POLL: Duration = Duration::from_millis(25);

impl MigrationLock {
    /// Takes the lock for the history table `history_table` of the database `db` is connected
    /// to, waiting up to `timeout` (zero: do not wait) for another holder to release it. Logs
    /// (`tracing`, info) when it has to wait, with who holds it when the database says.
    pub async fn acquire(
        db: &DatabaseConnection,
        history_table: &str,
        timeout: Duration,
    ) -> Result<MigrationLock, Error> {
        if db.is_mock_connection() {
            return Ok(MigrationLock {
                inner: Inner::Nothing,
                description: "no lock (mock connection)".into(),
            });
        }
        match db.get_database_backend() {
            DbBackend::Postgres => postgres(db, history_table, timeout).await,
            DbBackend::MySql => mysql(db, history_table, timeout).await,
            _ => sqlite(db, timeout).await,
        }
    }

    /// What the lock is: "PostgreSQL advisory lock 123", "MySQL lock `…`", "lock file …".
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Releases the lock and closes its connection.
    pub async fn release(self) -> Result<(), Error> {
        match self.inner {
            Inner::Postgres { mut conn, key } => {
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(key)
                    .execute(&mut conn)
                    .await
                    .map_err(lock_err)?;
                conn.close().await.map_err(lock_err)
            }
            Inner::MySql { mut conn, name } => {
                sqlx::query("SELECT RELEASE_LOCK(?)")
                    .bind(name)
                    .execute(&mut conn)
                    .await
                    .map_err(lock_err)?;
                conn.close().await.map_err(lock_err)
            }
            // Closing the descriptor releases the lock.
            Inner::Sqlite { .. } | Inner::Nothing => Ok(()),
        }
    }
}

fn lock_err(e: impl std::fmt::Display) -> Error {
    Error::Lock(e.to_string())
}

fn waiting(description: &str, holder: &str) {
    tracing::info!("Waiting for the migration lock ({description}{holder})");
}

/// FNV-1a: a stable hash (std's `DefaultHasher` may change between Rust releases, and every
/// process must compute the same key).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The advisory lock key for a history table: positive, so that it reads the same everywhere.
pub(crate) fn postgres_key(history_table: &str) -> i64 {
    (fnv1a(&format!("automigrate-runner/{history_table}")) & (i64::MAX as u64)) as i64
}

async fn postgres(
    db: &DatabaseConnection,
    history_table: &str,
    timeout: Duration,
) -> Result<MigrationLock, Error> {
    let options = db.get_postgres_connection_pool().connect_options();
    let mut conn = PgConnection::connect_with(&options)
        .await
        .map_err(lock_err)?;
    let key = postgres_key(history_table);
    let description = format!("PostgreSQL advisory lock {key}");
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(key)
        .fetch_one(&mut conn)
        .await
        .map_err(lock_err)?;
    if !got {
        let holder = postgres_holder(&mut conn, key).await;
        if timeout.is_zero() {
            return Err(Error::LockTimeout {
                waited: timeout,
                lock: description,
                holder,
            });
        }
        waiting(&description, &holder);
        // The server queues the waiters and wakes the next one as soon as the lock is free.
        sqlx::query(
            "SELECT set_config('lock_timeout', $1, false), \
                    set_config('statement_timeout', '0', false)",
        )
        .bind(format!("{}ms", timeout.as_millis().max(1)))
        .execute(&mut conn)
        .await
        .map_err(lock_err)?;
        match sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(key)
            .execute(&mut conn)
            .await
        {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03") => {
                let holder = postgres_holder(&mut conn, key).await;
                return Err(Error::LockTimeout {
                    waited: timeout,
                    lock: description,
                    holder,
                });
            }
            Err(e) => return Err(lock_err(e)),
        }
    }
    Ok(MigrationLock {
        inner: Inner::Postgres { conn, key },
        description,
    })
}

/// ", held by PostgreSQL backend pid N", or empty when it cannot be told.
async fn postgres_holder(conn: &mut PgConnection, key: i64) -> String {
    // A bigint key is stored as (classid = high 32 bits, objid = low 32 bits, objsubid = 1).
    let pid: Result<Option<i32>, _> = sqlx::query_scalar(
        "SELECT pid FROM pg_locks \
         WHERE locktype = 'advisory' AND granted AND objsubid = 1 \
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND classid::bigint = $1 AND objid::bigint = $2 \
         LIMIT 1",
    )
    .bind(key >> 32)
    .bind(key & 0xffff_ffff)
    .fetch_optional(&mut *conn)
    .await;
    match pid {
        Ok(Some(pid)) => format!(", held by PostgreSQL backend pid {pid}"),
        _ => String::new(),
    }
}

/// The `GET_LOCK` name: at most 64 characters, the database's and the table's names when they
/// fit, else a hash of them.
pub(crate) fn mysql_name(database: &str, history_table: &str) -> String {
    let name = format!("automigrate:{database}.{history_table}");
    if name.chars().count() <= 64 {
        name
    } else {
        format!("automigrate:{:016x}", fnv1a(&name))
    }
}

async fn mysql(
    db: &DatabaseConnection,
    history_table: &str,
    timeout: Duration,
) -> Result<MigrationLock, Error> {
    let options = db.get_mysql_connection_pool().connect_options();
    let mut conn = MySqlConnection::connect_with(&options)
        .await
        .map_err(lock_err)?;
    let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut conn)
        .await
        .map_err(lock_err)?;
    let name = mysql_name(database.as_deref().unwrap_or(""), history_table);
    let description = format!("MySQL lock `{name}`");
    let get_lock = async |conn: &mut MySqlConnection, secs: u64| -> Result<bool, Error> {
        let got: Option<i64> = sqlx::query_scalar("SELECT CAST(GET_LOCK(?, ?) AS SIGNED)")
            .bind(&name)
            .bind(secs)
            .fetch_one(conn)
            .await
            .map_err(lock_err)?;
        match got {
            Some(1) => Ok(true),
            Some(_) => Ok(false),
            None => Err(Error::Lock(format!("GET_LOCK('{name}') failed"))),
        }
    };
    if !get_lock(&mut conn, 0).await? {
        let holder = mysql_holder(&mut conn, &name).await;
        if timeout.is_zero() {
            return Err(Error::LockTimeout {
                waited: timeout,
                lock: description,
                holder,
            });
        }
        waiting(&description, &holder);
        let secs = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
        if !get_lock(&mut conn, secs).await? {
            let holder = mysql_holder(&mut conn, &name).await;
            return Err(Error::LockTimeout {
                waited: Duration::from_secs(secs),
                lock: description,
                holder,
            });
        }
    }
    Ok(MigrationLock {
        inner: Inner::MySql { conn, name },
        description,
    })
}

/// ", held by connection N", or empty when it cannot be told.
async fn mysql_holder(conn: &mut MySqlConnection, name: &str) -> String {
    let id: Result<Option<i64>, _> = sqlx::query_scalar("SELECT CAST(IS_USED_LOCK(?) AS SIGNED)")
        .bind(name)
        .fetch_one(&mut *conn)
        .await;
    match id {
        Ok(Some(id)) => format!(", held by connection {id}"),
        _ => String::new(),
    }
}

/// The main database file, or `None` for an in-memory (or temporary) database.
async fn sqlite_file(db: &DatabaseConnection) -> Result<Option<String>, Error> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA database_list",
        ))
        .await?;
    for row in rows {
        let name: String = row.try_get("", "name")?;
        if name == "main" {
            let file: Option<String> = row.try_get("", "file")?;
            return Ok(file.filter(|f| !f.is_empty()));
        }
    }
    Ok(None)
}

pub(crate) fn sqlite_lock_path(database_file: &str) -> PathBuf {
    PathBuf::from(format!("{database_file}-automigrate-lock"))
}

async fn sqlite(db: &DatabaseConnection, timeout: Duration) -> Result<MigrationLock, Error> {
    let Some(database_file) = sqlite_file(db).await? else {
        return Ok(MigrationLock {
            inner: Inner::Nothing,
            description: "no lock (in-memory SQLite database)".into(),
        });
    };
    let path = sqlite_lock_path(&database_file);
    let description = format!("lock file {}", path.display());
    let mut file = lock_file(&path, timeout, &description).await?;
    // For a waiter that gives up: who holds it.
    let _ = file
        .set_len(0)
        .and_then(|()| writeln!(file, "pid {}", std::process::id()));
    Ok(MigrationLock {
        inner: Inner::Sqlite { _file: file },
        description,
    })
}

/// Opens (creating it if needed) and locks `path`, polling until `timeout`.
pub(crate) async fn lock_file(
    path: &std::path::Path,
    timeout: Duration,
    description: &str,
) -> Result<File, Error> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::Lock(format!("cannot open {}: {e}", path.display())))?;
    let started = Instant::now();
    let mut logged = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) => {
                let holder = match std::fs::read_to_string(path) {
                    Ok(text) if !text.trim().is_empty() => {
                        format!(", held by {}", text.trim())
                    }
                    _ => String::new(),
                };
                let waited = started.elapsed();
                if waited >= timeout {
                    return Err(Error::LockTimeout {
                        waited: timeout,
                        lock: description.to_string(),
                        holder,
                    });
                }
                if !logged {
                    waiting(description, &holder);
                    logged = true;
                }
                tokio::time::sleep(FILE_POLL.min(timeout - waited)).await;
            }
            Err(TryLockError::Error(e)) => {
                return Err(Error::Lock(format!("cannot lock {}: {e}", path.display())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_names_fit_mysql() {
        // The key is part of the contract between processes (and releases): it must not move.
        assert_eq!(
            postgres_key("seaql_migrations"),
            postgres_key("seaql_migrations")
        );
        assert_ne!(postgres_key("seaql_migrations"), postgres_key("other"));
        assert!(postgres_key("seaql_migrations") > 0);
        assert_eq!(
            mysql_name("blog", "seaql_migrations"),
            "automigrate:blog.seaql_migrations"
        );
        let long = mysql_name(&"x".repeat(64), "seaql_migrations");
        assert!(long.len() <= 64, "{long}");
    }

    #[tokio::test]
    async fn a_second_holder_waits_then_gives_up_with_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.db-automigrate-lock");
        let mut first = lock_file(&path, Duration::ZERO, "lock file").await.unwrap();
        writeln!(first, "pid 42").unwrap();
        let started = Instant::now();
        let err = lock_file(&path, Duration::from_millis(300), "lock file")
            .await
            .unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        let msg = err.to_string();
        assert!(
            msg.contains("gave up waiting for the migration lock after 300ms"),
            "{msg}"
        );
        assert!(msg.contains("held by pid 42"), "{msg}");
        // Released when the holder's descriptor is closed.
        drop(first);
        lock_file(&path, Duration::ZERO, "lock file").await.unwrap();
    }
}
