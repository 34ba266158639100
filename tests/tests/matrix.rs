//! The round-trip matrix: every column type and attribute SeaORM offers, created through a
//! generated migration, reads back equal to the entities on each backend: no phantom diff; and
//! the migration generated on each backend does the same on the other two.
use automigrate::commands::Outcome;
use automigrate_core::{Backend, Change, diff};
use automigrate_e2e::{MigrationCrate, TestDb, entities, written};

async fn matrix(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(
        krate
            .makemigration(&db, &entities::matrix(), "matrix")
            .await?,
    );
    krate.run(&db, &["up"])?;
    let live = db.schema().await?;
    let declared = entities::matrix().schema(backend)?;
    let plan = diff(&live, &declared);
    assert!(
        plan.is_empty(),
        "phantom diff on {}:\n{plan:#?}",
        backend.name()
    );
    assert!(matches!(
        krate
            .makemigration(&db, &entities::matrix(), "again")
            .await?,
        Outcome::NoChanges
    ));
    // The same file on the other backends: what the entities declare there, but what the
    // generation backend cannot keep (SQLite: comments; see the README's known limits).
    for target in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        if target == backend {
            continue;
        }
        let other = TestDb::new(target, name).await?;
        krate.run(&other, &["up"])?;
        let live = other.schema().await?;
        let left: Vec<Change> = diff(&live, &entities::matrix().schema(target)?)
            .changes
            .into_iter()
            .filter(|c| !(backend == Backend::Sqlite && comment_only(c)))
            .collect();
        assert!(
            left.is_empty(),
            "made on {}, applied on {}: {left:#?}",
            backend.name(),
            target.name()
        );
        krate.run(&other, &["down"])?;
        assert!(other.schema().await?.tables.is_empty());
    }
    // And back down to nothing.
    krate.run(&db, &["down"])?;
    let empty = db.schema().await?;
    assert!(
        empty.tables.is_empty() && empty.enums.is_empty(),
        "{empty:#?}"
    );
    Ok(())
}

/// Two tables referencing each other: created, compared equal, rows in both, dropped.
async fn cycle(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(
        krate
            .makemigration(&db, &entities::cycle::entities(), "cycle")
            .await?,
    );
    krate.run(&db, &["up"])?;
    let live = db.schema().await?;
    let plan = diff(&live, &entities::cycle::entities().schema(backend)?);
    assert!(plan.is_empty(), "{plan:#?}");
    assert_eq!(live.tables["team"].foreign_keys.len(), 1);
    assert_eq!(live.tables["player"].foreign_keys.len(), 1);
    db.execute("INSERT INTO team (id) VALUES (1)").await?;
    db.execute("INSERT INTO player (id, team_id) VALUES (7, 1)")
        .await?;
    db.execute("UPDATE team SET captain_id = 7 WHERE id = 1")
        .await?;
    krate.run(&db, &["down"])?;
    assert!(db.schema().await?.tables.is_empty());
    Ok(())
}

#[tokio::test]
async fn sqlite_cycle() -> anyhow::Result<()> {
    cycle(Backend::Sqlite, "sqlite_cycle").await
}

#[tokio::test]
async fn postgres_cycle() -> anyhow::Result<()> {
    cycle(Backend::Postgres, "postgres_cycle").await
}

#[tokio::test]
async fn mysql_cycle() -> anyhow::Result<()> {
    cycle(Backend::MySql, "mysql_cycle").await
}

#[tokio::test]
async fn sqlite_matrix() -> anyhow::Result<()> {
    matrix(Backend::Sqlite, "sqlite_matrix").await
}

#[tokio::test]
async fn postgres_matrix() -> anyhow::Result<()> {
    matrix(Backend::Postgres, "postgres_matrix").await
}

#[tokio::test]
async fn mysql_matrix() -> anyhow::Result<()> {
    matrix(Backend::MySql, "mysql_matrix").await
}

/// A change of comment alone.
fn comment_only(change: &Change) -> bool {
    match change {
        Change::AlterTableComment { .. } => true,
        Change::AlterColumn { from, to, .. } => {
            let mut from = from.clone();
            from.comment = to.comment.clone();
            from == *to
        }
        _ => false,
    }
}
