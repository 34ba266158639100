use super::*;
use crate::model::{Backend, ColumnType, FkAction};

fn col(name: &str, ty: &str, nullable: bool) -> Column {
    Column {
        name: name.into(),
        sql_type: ty.into(),
        kind: ColumnType::Custom(ty.to_string().into()),
        nullable,
        default: None,
        auto_increment: false,
        comment: None,
    }
}

fn table(name: &str, cols: &[Column]) -> Table {
    let mut t = Table::new(name);
    t.columns = cols.to_vec();
    t.primary_key = vec![cols[0].name.clone()];
    t
}

fn fk(col: &str, to: &str) -> ForeignKey {
    ForeignKey {
        name: None,
        columns: vec![col.into()],
        ref_table: to.into(),
        ref_columns: vec!["id".into()],
        on_delete: FkAction::Cascade,
        on_update: FkAction::NoAction,
    }
}

fn schema(tables: Vec<Table>) -> Schema {
    let mut s = Schema::new(Backend::Postgres);
    for t in tables {
        s.add_table(t);
    }
    s
}

#[test]
fn equal_schemas_give_an_empty_plan() {
    let s = schema(vec![table("users", &[col("id", "integer", false)])]);
    assert!(diff(&s, &s).is_empty());
}

#[test]
fn column_added_and_dropped() {
    let v1 = schema(vec![table(
        "users",
        &[col("id", "integer", false), col("legacy", "text", true)],
    )]);
    let v2 = schema(vec![table(
        "users",
        &[col("id", "integer", false), col("bio", "text", true)],
    )]);
    let plan = diff(&v1, &v2);
    let summaries: Vec<_> = plan.changes.iter().map(Change::summary).collect();
    assert_eq!(
        summaries,
        vec![
            "+ column users.bio (text, null)",
            "- column users.legacy (text, null)  DATA LOSS: the column and its values are dropped",
        ]
    );
    // The inverse plan turns v2 back into v1.
    assert_eq!(plan.inverse(), diff(&v2, &v1).inverse().inverse());
    assert_eq!(plan.inverse().changes.len(), 2);
}

#[test]
fn tables_created_parents_first_and_dropped_children_first() {
    let users = table("users", &[col("id", "integer", false)]);
    let mut posts = table(
        "posts",
        &[
            col("id", "integer", false),
            col("user_id", "integer", false),
        ],
    );
    posts.foreign_keys.push(fk("user_id", "users"));
    let mut comments = table(
        "comments",
        &[
            col("id", "integer", false),
            col("post_id", "integer", false),
        ],
    );
    comments.foreign_keys.push(fk("post_id", "posts"));
    let empty = schema(vec![]);
    let full = schema(vec![users, posts, comments]);
    let names = |p: &Plan| -> Vec<String> { p.changes.iter().map(Change::summary).collect() };
    assert_eq!(
        names(&diff(&empty, &full)),
        vec![
            "+ table users (1 column)",
            "+ table posts (2 columns)",
            "+ table comments (2 columns)"
        ]
    );
    let down: Vec<_> = diff(&full, &empty)
        .changes
        .iter()
        .map(|c| c.table().unwrap().to_string())
        .collect();
    assert_eq!(down, vec!["comments", "posts", "users"]);
}

#[test]
fn indexes_compare_by_structure_not_name() {
    let mut a = table(
        "users",
        &[col("id", "integer", false), col("email", "text", false)],
    );
    let mut b = a.clone();
    a.indexes.push(Index {
        name: Some("users_email_key".into()),
        columns: vec!["email".into()],
        unique: true,
        constraint: true,
    });
    b.indexes.push(Index {
        name: None,
        columns: vec!["email".into()],
        unique: true,
        constraint: false,
    });
    assert!(diff(&schema(vec![a.clone()]), &schema(vec![b.clone()])).is_empty());
    b.indexes[0].unique = false;
    let plan = diff(&schema(vec![a]), &schema(vec![b]));
    assert_eq!(plan.changes.len(), 2, "{plan:?}");
    assert!(matches!(plan.changes[0], Change::DropIndex { .. }));
    assert!(matches!(plan.changes[1], Change::AddIndex { .. }));
}

/// The plan does not depend on the backend it was diffed for: its changes are carried out
/// by each backend when the migration runs (SQLite rebuilds the table for what it cannot
/// alter in place, which its hazards say).
#[test]
fn the_plan_is_the_same_on_every_backend() {
    let users = table(
        "users",
        &[
            col("id", "integer", false),
            col("name", "varchar(100)", false),
        ],
    );
    let posts = table(
        "posts",
        &[
            col("id", "integer", false),
            col("user_id", "integer", false),
        ],
    );
    let mut users2 = users.clone();
    users2.columns[1].sql_type = "varchar(255)".into();
    users2.columns.push(col("bio", "text", true));
    let mut posts2 = posts.clone();
    posts2.foreign_keys.push(fk("user_id", "users"));
    let on = |backend, tables| Schema {
        backend,
        ..schema(tables)
    };
    let plans: Vec<Plan> = [Backend::Sqlite, Backend::Postgres, Backend::MySql]
        .into_iter()
        .map(|b| {
            diff(
                &on(b, vec![users.clone(), posts.clone()]),
                &on(b, vec![users2.clone(), posts2.clone()]),
            )
        })
        .collect();
    assert!(
        matches!(
            plans[0].changes[..],
            [
                Change::AddColumn { .. },
                Change::AlterColumn { .. },
                Change::AddForeignKey { .. }
            ]
        ),
        "{:#?}",
        plans[0]
    );
    assert_eq!(plans[0], plans[1]);
    assert_eq!(plans[1], plans[2]);
    let rebuilds = |c: &Change| {
        crate::hazards::of(c, Backend::Sqlite)
            .iter()
            .any(|h| h.code == "table-rebuild")
    };
    let flags: Vec<bool> = plans[0].changes.iter().map(rebuilds).collect();
    assert_eq!(flags, [false, true, true]);
    assert!(!plans[1].changes.iter().any(|c| {
        crate::hazards::of(c, Backend::Postgres)
            .iter()
            .any(|h| h.code == "table-rebuild")
    }));
}

#[test]
fn a_reference_cycle_gets_its_closing_key_after_both_tables() {
    let mut a = table(
        "a",
        &[col("id", "integer", false), col("b_id", "integer", true)],
    );
    a.foreign_keys.push(fk("b_id", "b"));
    let mut b = table(
        "b",
        &[col("id", "integer", false), col("a_id", "integer", true)],
    );
    b.foreign_keys.push(fk("a_id", "a"));
    let plan = diff(&schema(vec![]), &schema(vec![a.clone(), b.clone()]));
    let kinds: Vec<String> = plan.changes.iter().map(Change::summary).collect();
    assert_eq!(
        kinds,
        vec![
            "+ table a (2 columns)",
            "+ table b (2 columns)",
            "+ foreign key a (b_id) -> b (id) on delete CASCADE"
        ]
    );
    let Change::CreateTable(created_a) = &plan.changes[0] else {
        panic!()
    };
    assert!(created_a.foreign_keys.is_empty());
    // Dropping both drops that key first; and the inverse of creating is exactly that.
    let down = diff(&schema(vec![a, b]), &schema(vec![]));
    assert_eq!(down, plan.inverse(), "{down:#?}");
}

/// The order `topological` gave before it was made O(n log n): the first table by name
/// whose references are all placed, else (a cycle) the first by name.
fn topological_by_scanning<'a>(tables: &[&'a Table]) -> Vec<&'a Table> {
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    let mut remaining: Vec<&Table> = tables.to_vec();
    remaining.sort_by(|a, b| a.name.cmp(&b.name));
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|t| {
            t.referenced_tables()
                .all(|r| !names.contains(r) || done.contains(r))
        });
        let t = remaining.remove(ready.unwrap_or(0));
        done.insert(t.name.as_str());
        out.push(t);
    }
    out
}

#[test]
fn topological_order_is_the_scanning_order() {
    // Pseudo-random reference graphs with chains, fan-in, self-references, cycles and keys
    // to tables outside the set.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for round in 0..200 {
        let n = 1 + next(30) as usize;
        let tables: Vec<Table> = (0..n)
            .map(|i| {
                let mut t = table(&format!("t{}", next(1000)), &[col("id", "integer", false)]);
                t.name = format!("{}_{i}", t.name);
                for _ in 0..next(4) {
                    let target = if next(10) == 0 {
                        "elsewhere".to_string()
                    } else {
                        format!("{}", next(n as u64))
                    };
                    t.foreign_keys.push(fk("id", &target));
                }
                t
            })
            .collect();
        // References name tables by index; resolve them to names.
        let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
        let tables: Vec<Table> = tables
            .into_iter()
            .map(|mut t| {
                for k in &mut t.foreign_keys {
                    if let Ok(i) = k.ref_table.parse::<usize>() {
                        k.ref_table = names[i].clone();
                    }
                }
                t
            })
            .collect();
        let refs: Vec<&Table> = tables.iter().collect();
        let fast: Vec<&str> = topological(&refs).iter().map(|t| t.name.as_str()).collect();
        let slow: Vec<&str> = topological_by_scanning(&refs)
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(fast, slow, "round {round}");
    }
}

#[test]
fn primary_key_changes_are_seen() {
    let a = table(
        "t",
        &[col("a", "integer", false), col("b", "integer", false)],
    );
    let mut b = a.clone();
    b.primary_key = vec!["a".into(), "b".into()];
    let mut from = schema(vec![a]);
    from.backend = Backend::MySql;
    let mut to = schema(vec![b]);
    to.backend = Backend::MySql;
    let plan = diff(&from, &to);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].summary(), "~ primary key t (a) -> (a, b)");
}

/// A surrogate key dropped for a composite one: the key moves before the column goes, so that
/// `down` adds the column back before the key that needs it.
#[test]
fn a_key_moves_before_its_column_goes() {
    let a = table(
        "post_tag",
        &[
            col("id", "integer", false),
            col("post_id", "integer", false),
            col("tag_id", "integer", false),
        ],
    );
    let mut b = a.clone();
    b.columns.remove(0);
    b.primary_key = vec!["post_id".into(), "tag_id".into()];
    let plan = diff(&schema(vec![a]), &schema(vec![b]));
    let kinds = |p: &Plan| -> Vec<&'static str> {
        p.changes
            .iter()
            .map(|c| match c {
                Change::AlterPrimaryKey { .. } => "key",
                Change::DropColumn { .. } => "drop",
                Change::AddColumn { .. } => "add",
                _ => "other",
            })
            .collect()
    };
    assert_eq!(kinds(&plan), ["key", "drop"]);
    assert_eq!(kinds(&plan.inverse()), ["add", "key"]);
}

#[test]
fn foreign_key_into_a_dropped_table_goes_first() {
    let users = table("users", &[col("id", "integer", false)]);
    let mut posts = table(
        "posts",
        &[
            col("id", "integer", false),
            col("user_id", "integer", false),
        ],
    );
    posts.foreign_keys.push(fk("user_id", "users"));
    let v1 = schema(vec![users, posts.clone()]);
    let mut posts2 = posts.clone();
    posts2.foreign_keys.clear();
    let v2 = schema(vec![posts2]);
    let plan = diff(&v1, &v2);
    assert!(matches!(plan.changes[0], Change::DropForeignKey { .. }));
    assert!(matches!(plan.changes[1], Change::DropTable(_)));
    assert_eq!(plan.changes.len(), 2);
}
