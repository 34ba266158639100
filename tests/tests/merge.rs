//! Parents, heads and merges (issue 16, item 1), in a real git repository: two branches each
//! generate a migration from the same head and git merges them. Then the runner's `heads` lists
//! both, `up`, `makemigration` and `check` refuse naming both, and `makemigration --merge`
//! replays the merged history, writes a migration that follows both (with the snapshot's
//! conflict resolved by keeping both sides' lines, and the sum file written again), after which
//! `check --replay`, `up` and `check` pass. Two branches that change the same column differently
//! clash: reported, nothing written, until `--accept-clashes`.
//!
//! One test, its steps in order: the merge builds the migration crate with the cargo of this
//! process, into the shared target directory (set below for this process alone).
#![recursion_limit = "256"]

use std::path::Path;

use automigrate::Entities;
use automigrate::cli::run_args_to;
use automigrate::merge::{Merge, Merged, merge};
use automigrate::migdir::{MigrationDir, register};
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, git, target_dir, written};

macro_rules! users {
    ($name:ident, $($field:tt)*) => {
        pub mod $name {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = "users")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                $($field)*
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

// The base, and what each branch makes of it.
users!(base, #[sea_orm(unique, column_type = "String(StringLen::N(100))")] pub name: String,);
users!(
    with_note,
    #[sea_orm(unique, column_type = "String(StringLen::N(100))")]
    pub name: String,
    #[sea_orm(default_value = "none")]
    pub note: String,
);
users!(
    name_200,
    #[sea_orm(unique, column_type = "String(StringLen::N(200))")]
    pub name: String,
    #[sea_orm(default_value = "none")]
    pub note: String,
);
users!(
    name_text,
    #[sea_orm(unique, column_type = "Text")]
    pub name: String,
    #[sea_orm(default_value = "none")]
    pub note: String,
);

pub mod tag {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "tags")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(indexed)]
        pub label: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = git(dir, args).expect("git runs");
    assert!(ok, "git {args:?} failed: {text}");
    text
}

/// `cargo xtask <args>` through the library, on a thread of its own: exit code and stdout.
async fn xtask(entities: fn() -> Entities, args: Vec<String>) -> (u8, String) {
    tokio::task::spawn_blocking(move || {
        let mut argv = vec!["xtask".to_string()];
        argv.extend(args);
        let mut out = Vec::new();
        let code = run_args_to(argv, &entities(), &mut out);
        (code, String::from_utf8(out).unwrap())
    })
    .await
    .unwrap()
}

fn args(krate: &MigrationCrate, db: Option<&TestDb>, rest: &[&str]) -> Vec<String> {
    let mut v = vec![
        "--migration-dir".to_string(),
        krate.root.display().to_string(),
    ];
    if let Some(db) = db {
        v.extend(["--database-url".to_string(), db.url.clone()]);
    }
    v.extend(rest.iter().map(|s| s.to_string()));
    v
}

/// From the committed `main`: branch `a` generates a migration with `entities_a`, branch `b`
/// one with `entities_b`; `a` merges `b`, which conflicts on `lib.rs` (resolved as a user does,
/// keeping both) and on the sum file (left as git leaves it). Returns both migrations' names.
async fn branch_and_merge(
    krate: &MigrationCrate,
    db: &TestDb,
    (a, entities_a): (&str, Entities),
    (b, entities_b): (&str, Entities),
) -> (String, String) {
    let root = &krate.root;
    ok(root, &["checkout", "-q", "-b", a, "main"]);
    let (name_a, _) = written(krate.makemigration(db, &entities_a, a).await.unwrap());
    ok(root, &["add", "-A"]);
    ok(root, &["commit", "-q", "-m", a]);
    ok(root, &["checkout", "-q", "-b", b, "main"]);
    let (name_b, _) = written(krate.makemigration(db, &entities_b, b).await.unwrap());
    ok(root, &["add", "-A"]);
    ok(root, &["commit", "-q", "-m", b]);
    ok(root, &["checkout", "-q", a]);
    let (merged, text) = git(root, &["merge", "--no-edit", b]).unwrap();
    assert!(
        !merged,
        "both add a migration: git cannot merge lib.rs alone\n{text}"
    );
    let conflicted = ok(root, &["diff", "--name-only", "--diff-filter=U"]);
    assert!(conflicted.contains("src/lib.rs"), "{conflicted}");
    assert!(conflicted.contains("automigrate.sum"), "{conflicted}");
    let conflicted_lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    assert!(conflicted_lib.contains("<<<<<<<"), "{conflicted_lib}");
    {
        let entities = Entities::new();
        let refused = merge(
            Merge {
                migration_dir: root,
                entities: &entities,
                config: Default::default(),
                server_url: None,
                message: "merge",
                accept_clashes: false,
                dry_run: false,
            },
            &mut |_| {},
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            refused.contains("lib.rs has merge conflict markers: keep both sides' migrations"),
            "{refused}"
        );
    }
    ok(root, &["checkout", "--ours", "src/lib.rs"]);
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    std::fs::write(root.join("src/lib.rs"), register(&lib, &name_b).unwrap()).unwrap();
    (name_a, name_b)
}

fn new_migrations(root: &Path, before: &[String]) -> Vec<String> {
    MigrationDir::new(root)
        .registered()
        .unwrap()
        .into_iter()
        .filter(|n| !before.contains(n))
        .collect()
}

#[tokio::test]
async fn branches_are_refused_until_merged_and_a_clash_is_reported() {
    // SAFETY: set before anything else runs, in a test binary with this one test: the merge
    // builds the migration crate with this process's environment, into the shared target
    // directory as every other build of the tests.
    unsafe { std::env::set_var("CARGO_TARGET_DIR", target_dir()) };
    let db = TestDb::new(Backend::Sqlite, "merge_branches")
        .await
        .unwrap();
    let krate = MigrationCrate::with_runner("merge_branches").unwrap();
    let root = krate.root.clone();
    std::fs::write(root.join(".gitignore"), "target/\n.automigrate-lock\n").unwrap();

    // The base, applied and committed.
    let (first, _) = written(
        krate
            .makemigration(&db, &Entities::new().entity(base::Entity), "base")
            .await
            .unwrap(),
    );
    assert!(
        krate
            .file(&first)
            .unwrap()
            .contains("//! Follows: nothing (the first migration)\n"),
        "{}",
        krate.file(&first).unwrap()
    );
    krate.run(&db, &["up"]).unwrap();
    ok(&root, &["init", "-q"]);
    ok(&root, &["add", "-A"]);
    ok(&root, &["commit", "-q", "-m", "base"]);

    // Branch a adds a table (and an index: a snapshot line), branch b a column (with a
    // default: a snapshot line at the same place).
    let (m_a, m_b) = branch_and_merge(
        &krate,
        &db,
        (
            "tags",
            Entities::new().entity(base::Entity).entity(tag::Entity),
        ),
        ("note", Entities::new().entity(with_note::Entity)),
    )
    .await;
    for m in [&m_a, &m_b] {
        let file = krate.file(m).unwrap();
        assert!(file.contains(&format!("//! Follows: {first}\n")), "{file}");
    }
    let snapshot = std::fs::read_to_string(root.join("automigrate.snapshot")).unwrap();
    assert!(
        snapshot.contains("<<<<<<<"),
        "a conflict, both sides add a line:\n{snapshot}"
    );
    fn merged() -> Entities {
        Entities::new()
            .entity(with_note::Entity)
            .entity(tag::Entity)
    }

    // Refused, naming both, until merged.
    let both = format!("{m_a} and {m_b} both follow {first}");
    let heads = krate.run(&db, &["heads"]).unwrap();
    assert!(
        heads.contains(&format!("{m_a} (follows {first})")),
        "{heads}"
    );
    assert!(
        heads.contains(&format!("{m_b} (follows {first})")),
        "{heads}"
    );
    assert!(heads.contains("2 heads: merge them with `cargo xtask makemigration --merge`"));
    let up = krate.run(&db, &["up"]).unwrap_err().to_string();
    assert!(
        up.contains(&both) && up.contains("Nothing was applied."),
        "{up}"
    );
    let made = krate
        .makemigration(&db, &merged(), "more")
        .await
        .unwrap_err();
    assert!(made.to_string().contains(&both), "{made}");
    for command in ["check", "diff"] {
        let (code, _) = xtask(merged, args(&krate, Some(&db), &[command])).await;
        assert_eq!(code, 2, "{command}");
    }
    let (code, _) = xtask(merged, args(&krate, None, &["check", "--replay"])).await;
    assert_eq!(code, 2);

    // Replayed on a scratch database on PostgreSQL and on MariaDB (dry runs): the same
    // findings, and the scratch databases are dropped.
    let entities = merged();
    for server in [
        "postgres://postgres@127.0.0.1:5432/test",
        "mysql://root@127.0.0.1:3306/test",
    ] {
        let Merged::Done(report) = merge(
            Merge {
                migration_dir: &root,
                entities: &entities,
                config: Default::default(),
                server_url: Some(server),
                message: "merge",
                accept_clashes: false,
                dry_run: true,
            },
            &mut |_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{server}: {e:#}")) else {
            panic!("two heads to merge")
        };
        assert!(report.clashes.is_empty(), "{server}: {:?}", report.clashes);
        assert!(
            report.analysis.plan.is_empty(),
            "{server}: {:?}",
            report.analysis.plan
        );
        assert_eq!(
            report
                .branch_changes
                .iter()
                .map(|(n, c)| (n.clone(), c.len()))
                .collect::<Vec<_>>(),
            [(m_a.clone(), 1), (m_b.clone(), 1)],
            "{server}: {:?}",
            report.branch_changes
        );
        assert!(report.path.is_none());
    }

    // The merge: no database needed.
    let registered = MigrationDir::new(&root).registered().unwrap();
    let (code, out) = xtask(merged, args(&krate, None, &["makemigration", "--merge"])).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("  {m_a}: + table tags")), "{out}");
    assert!(
        out.contains(&format!("  {m_b}: + column users.note")),
        "{out}"
    );
    assert!(out.contains("No clashes"), "{out}");
    assert!(
        out.contains("The merged history agrees with the entities."),
        "{out}"
    );
    let [merge_name] = new_migrations(&root, &registered).try_into().unwrap();
    assert!(merge_name.ends_with("_merge"), "{merge_name}");
    let file = krate.file(&merge_name).unwrap();
    assert!(
        file.contains(&format!("//! Follows: {m_a}, {m_b}\n")),
        "{file}"
    );
    assert!(file.contains("makemigration --merge"), "{file}");
    assert!(file.contains("// A merge: nothing to do."), "{file}");
    // The snapshot keeps both sides' lines, without the markers.
    let snapshot = std::fs::read_to_string(root.join("automigrate.snapshot")).unwrap();
    assert!(
        !snapshot.contains("<<<<<<<") && !snapshot.contains("======="),
        "{snapshot}"
    );
    assert!(snapshot.contains("default users.note\n"), "{snapshot}");
    assert!(snapshot.contains("index tags (label)\n"), "{snapshot}");
    assert!(
        snapshot.contains("unique index users (name)\n"),
        "{snapshot}"
    );
    // Nothing left to merge; the sum file is whole again.
    let (code, out) = xtask(merged, args(&krate, None, &["makemigration", "--merge"])).await;
    assert_eq!(
        (code, out.trim()),
        (
            0,
            &*format!("Nothing to merge: the history has one head, {merge_name}.")
        )
    );
    assert!(MigrationDir::new(&root).verify_sums().unwrap().is_ok());
    let (code, out) = xtask(merged, args(&krate, None, &["check", "--replay"])).await;
    assert_eq!(code, 0, "{out}");
    let up = krate.run(&db, &["up"]).unwrap();
    assert!(up.contains("Applied 3 migration(s)"), "{up}");
    let (code, out) = xtask(merged, args(&krate, Some(&db), &["check"])).await;
    assert_eq!(code, 0, "{out}");
    let heads = krate.run(&db, &["heads"]).unwrap();
    assert_eq!(
        heads.trim(),
        format!("{merge_name} (follows {m_a} and {m_b})")
    );
    // The next migration follows the merge.
    ok(&root, &["add", "-A"]);
    ok(&root, &["commit", "-q", "-m", "merged"]);
    ok(&root, &["checkout", "-q", "-B", "main"]);

    // Two branches change users.name differently: a clash.
    let (m_c, m_d) = branch_and_merge(
        &krate,
        &db,
        (
            "name-200",
            Entities::new().entity(name_200::Entity).entity(tag::Entity),
        ),
        (
            "name-text",
            Entities::new()
                .entity(name_text::Entity)
                .entity(tag::Entity),
        ),
    )
    .await;
    assert!(
        krate
            .file(&m_c)
            .unwrap()
            .contains(&format!("//! Follows: {merge_name}\n"))
    );
    fn resolved() -> Entities {
        Entities::new()
            .entity(name_text::Entity)
            .entity(tag::Entity)
    }
    let lib_before = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let registered = MigrationDir::new(&root).registered().unwrap();
    let entities = resolved();
    let run = |accept_clashes| Merge {
        migration_dir: &root,
        entities: &entities,
        config: Default::default(),
        server_url: None,
        message: "merge names",
        accept_clashes,
        dry_run: false,
    };
    let refused = merge(run(false), &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains(&format!(
            "{m_c} and {m_d} both follow {merge_name}, and the branches change the same thing"
        )),
        "{refused}"
    );
    assert!(
        refused.contains(&format!(
            "users: column name: changed by {m_c} (~ column users.name"
        )),
        "{refused}"
    );
    assert!(
        refused.contains(&format!(", then by {m_d} (~ column users.name")),
        "{refused}"
    );
    assert!(refused.contains("Nothing was written."), "{refused}");
    assert_eq!(
        std::fs::read_to_string(root.join("src/lib.rs")).unwrap(),
        lib_before
    );
    assert!(new_migrations(&root, &registered).is_empty());

    // Accepted: written, and the later migration's change is what the history builds.
    let Merged::Done(report) = merge(run(true), &mut |_| {}).await.unwrap() else {
        panic!("merged");
    };
    assert_eq!(report.clashes.len(), 1, "{:?}", report.clashes);
    assert!(
        report.analysis.plan.is_empty(),
        "{:?}",
        report.analysis.plan
    );
    let (code, out) = xtask(resolved, args(&krate, None, &["check", "--replay"])).await;
    assert_eq!(code, 0, "{out}");
    krate.run(&db, &["up"]).unwrap();
    let (code, out) = xtask(resolved, args(&krate, Some(&db), &["check"])).await;
    assert_eq!(code, 0, "{out}");
}
