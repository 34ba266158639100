//! SQLite: the table rebuild, from the table's live `CREATE TABLE` text.
//!
//! SQLite alters little in place, so most operations make a new table and move the rows, as
//! SQLite's documentation describes (<https://www.sqlite.org/lang_altertable.html#otheralter>):
//! the live `CREATE TABLE` text is read from `sqlite_master` and edited (a column's definition
//! replaced, a constraint added or taken out), the new table is created under a temporary name,
//! the rows copied, the old table dropped and the new one renamed; then the table's indexes and
//! triggers, as `sqlite_master` had them, are created again, and the `AUTOINCREMENT` counter is
//! carried over. Everything the edit does not touch is kept as written: CHECKs, collations,
//! generated columns, `WITHOUT ROWID`, `STRICT`.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Value};

use crate::{TableName, execute, query, quote};

/// One edit of a table's definition.
#[derive(Clone, Debug)]
pub(crate) enum Edit {
    /// The column's new definition (without key flags), replacing the type, nullability and
    /// default of the column of that name; its other clauses (PRIMARY KEY, UNIQUE, CHECK,
    /// COLLATE, REFERENCES, GENERATED) stay, `AUTOINCREMENT` as the definition says.
    AlterColumn(ColumnDef),
    AddColumn(ColumnDef),
    DropColumn(String),
    SetPrimaryKey(Vec<String>),
    /// A table constraint as SQL: `CONSTRAINT "fk" FOREIGN KEY (…) REFERENCES …`.
    AddTableConstraint(String),
    DropForeignKey(Vec<String>),
    DropUnique(Vec<String>),
}

pub(crate) async fn alter_column(
    manager: &SchemaManager<'_>,
    table: &TableName,
    from: &ColumnDef,
    to: &ColumnDef,
) -> Result<(), DbErr> {
    if !differs(from, to) {
        return Ok(());
    }
    rebuild(manager, table, &[Edit::AlterColumn(to.clone())]).await
}

/// True when SQLite writes the two definitions differently. It keeps no comments: a change of
/// comment alone is no change here.
pub(crate) fn differs(from: &ColumnDef, to: &ColumnDef) -> bool {
    let spelled = |d: &ColumnDef| {
        let mut d = crate::without_keys(d);
        d.comment("");
        crate::render_column(DbBackend::Sqlite, &d)
    };
    spelled(from) != spelled(to)
}

pub(crate) async fn add_column(
    manager: &SchemaManager<'_>,
    table: &TableName,
    column: &ColumnDef,
) -> Result<(), DbErr> {
    let spec = column.get_column_spec();
    // What `ALTER TABLE ADD COLUMN` accepts: no key, and NULL or a constant default for the
    // rows already there.
    // (As sea-query writes the column: an expression default goes in parentheses.)
    let written = crate::render_column(DbBackend::Sqlite, column).to_ascii_uppercase();
    let constant_default = !written.contains("DEFAULT (") && !written.contains("DEFAULT CURRENT_");
    let in_place = !spec.primary_key
        && !spec.unique
        && constant_default
        && (crate::nullable(column) || spec.default.is_some());
    if in_place {
        return manager
            .alter_table(
                Table::alter()
                    .table(table.table_ref())
                    .add_column(column.clone())
                    .to_owned(),
            )
            .await;
    }
    rebuild(manager, table, &[Edit::AddColumn(column.clone())]).await
}

pub(crate) async fn drop_unique(
    manager: &SchemaManager<'_>,
    table: &TableName,
    columns: &[String],
) -> Result<(), DbErr> {
    // A unique index made by CREATE INDEX (origin 'c') is dropped as an index; one written in
    // CREATE TABLE (origin 'u') only goes with a rebuild.
    let rows = query(
        manager,
        "SELECT l.name, l.origin, (SELECT group_concat(name, char(31)) FROM \
         (SELECT i.name FROM pragma_index_info(l.name) AS i ORDER BY i.seqno)) \
         FROM pragma_index_list(?) AS l WHERE l.\"unique\" = 1",
        vec![Value::from(table.name.clone())],
        3,
    )
    .await?;
    for row in rows {
        let cols = crate::split_list(row[2].clone());
        if cols == columns && row[1].as_deref() == Some("c") {
            let name = row[0].clone().unwrap_or_default();
            return execute(
                manager,
                &format!("DROP INDEX {}", quote(DbBackend::Sqlite, &name)),
            )
            .await;
        }
    }
    rebuild(manager, table, &[Edit::DropUnique(columns.to_vec())]).await
}

/// `FOREIGN KEY (…) REFERENCES …` for a table constraint, as sea-query writes it for SQLite.
pub(crate) fn foreign_key_clause(fk: &ForeignKeyCreateStatement) -> String {
    let mut create = Table::create();
    create
        .table(Alias::new("t"))
        .col(ColumnDef::new(Alias::new("c")).integer());
    create.foreign_key(&mut fk.clone());
    let sql = create.to_string(SqliteQueryBuilder);
    let parsed = parse_create(&sql).expect("sea-query writes CREATE TABLE");
    parsed
        .elements
        .into_iter()
        .find(|e| !is_column(e))
        .unwrap_or_default()
}

/// Rebuilds the table with the edits applied, in a transaction of its own.
pub(crate) async fn rebuild(
    manager: &SchemaManager<'_>,
    table: &TableName,
    edits: &[Edit],
) -> Result<(), DbErr> {
    let name = &table.name;
    let fk_rows = query(manager, "PRAGMA foreign_keys", vec![], 1).await?;
    let fks_on = fk_rows
        .first()
        .and_then(|r| r[0].as_deref())
        .is_some_and(|v| v == "1");
    // Foreign key enforcement can only be switched outside a transaction. Whatever fails, the
    // connection's settings are put back as they were.
    if fks_on {
        execute(manager, "PRAGMA foreign_keys = OFF").await?;
    }
    let swapped = match execute(manager, "BEGIN").await {
        Ok(()) => {
            let swap = swap(manager, name, edits).await;
            let end = if swap.is_ok() { "COMMIT" } else { "ROLLBACK" };
            let ended = execute(manager, end).await;
            swap.and(ended)
        }
        Err(e) => Err(e),
    };
    let legacy = execute(manager, "PRAGMA legacy_alter_table = OFF").await;
    let fks = if fks_on {
        execute(manager, "PRAGMA foreign_keys = ON").await
    } else {
        Ok(())
    };
    swapped.and(legacy).and(fks)
}

async fn swap(manager: &SchemaManager<'_>, name: &str, edits: &[Edit]) -> Result<(), DbErr> {
    let q = |n: &str| quote(DbBackend::Sqlite, n);
    let rows = query(
        manager,
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL",
        vec![Value::from(name.to_string())],
        3,
    )
    .await?;
    let Some(create) = rows
        .iter()
        .find(|r| r[0].as_deref() == Some("table") && r[1].as_deref() == Some(name))
        .and_then(|r| r[2].clone())
    else {
        return Err(DbErr::Migration(format!(
            "there is no table `{name}` to rebuild"
        )));
    };
    let mut table = parse_create(&create).ok_or_else(|| {
        DbErr::Migration(format!("cannot read the definition of `{name}`: {create}"))
    })?;
    let old_columns = table.column_names();
    for edit in edits {
        table
            .apply(edit)
            .map_err(|e| DbErr::Migration(format!("rebuilding `{name}`: {e}")))?;
    }
    let new_columns = table.column_names();
    let dropped: Vec<&String> = old_columns
        .iter()
        .filter(|c| !new_columns.contains(c))
        .collect();

    // Generated columns are computed, not copied.
    let generated: Vec<String> = query(
        manager,
        "SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)",
        vec![Value::from(name.to_string())],
        1,
    )
    .await?
    .into_iter()
    .filter_map(|r| r[0].clone())
    .collect();
    let copied: Vec<String> = new_columns
        .iter()
        .filter(|c| old_columns.contains(c) && !generated.contains(c))
        .map(|c| q(c))
        .collect();
    let counter = query(
        manager,
        "SELECT seq FROM sqlite_sequence WHERE name = ?",
        vec![Value::from(name.to_string())],
        1,
    )
    .await
    .ok()
    .and_then(|rows| rows.into_iter().next())
    .and_then(|r| r[0].clone());

    let temp = format!("{name}__automigrate_new");
    execute(manager, &table.render(&q(&temp))).await?;
    if !copied.is_empty() {
        let cols = copied.join(", ");
        execute(
            manager,
            &format!(
                "INSERT INTO {} ({cols}) SELECT {cols} FROM {}",
                q(&temp),
                q(name)
            ),
        )
        .await?;
    }
    execute(manager, &format!("DROP TABLE {}", q(name))).await?;
    // A view that names the table would stop the rename while the table is away: the legacy
    // rename does not check the schema.
    execute(manager, "PRAGMA legacy_alter_table = ON").await?;
    execute(
        manager,
        &format!("ALTER TABLE {} RENAME TO {}", q(&temp), q(name)),
    )
    .await?;
    execute(manager, "PRAGMA legacy_alter_table = OFF").await?;
    // The AUTOINCREMENT counter: ids of deleted rows are not given out again.
    if let Some(seq) = counter
        && table.autoincrement()
    {
        let seq: i64 = seq.parse().unwrap_or(0);
        execute(
            manager,
            &format!(
                "UPDATE sqlite_sequence SET seq = max(seq, {seq}) WHERE name = {lit}",
                lit = crate::string_literal(DbBackend::Sqlite, name)
            ),
        )
        .await?;
        execute(
            manager,
            &format!(
                "INSERT INTO sqlite_sequence (name, seq) SELECT {lit}, {seq} WHERE NOT EXISTS \
                 (SELECT 1 FROM sqlite_sequence WHERE name = {lit})",
                lit = crate::string_literal(DbBackend::Sqlite, name)
            ),
        )
        .await?;
    }
    // Indexes and triggers, as they were; an index on a column that went goes with it.
    for row in &rows {
        let (Some(kind), Some(sql)) = (row[0].as_deref(), row[2].as_deref()) else {
            continue;
        };
        let on_dropped = kind == "index" && dropped.iter().any(|c| index_names(sql, c));
        if (kind == "index" || kind == "trigger") && !on_dropped {
            execute(manager, sql).await?;
        }
    }
    // The keys of the table, and the keys to it (rows of other tables that were wrong before
    // are not this rebuild's business).
    let violations = query(
        manager,
        "SELECT c.\"table\", c.parent FROM sqlite_master m, pragma_foreign_key_check(m.name) c \
         WHERE m.type = 'table' AND (m.name = ?1 OR EXISTS \
         (SELECT 1 FROM pragma_foreign_key_list(m.name) f WHERE f.\"table\" = ?1))",
        vec![Value::from(name.to_string())],
        2,
    )
    .await?;
    if let Some(v) = violations.first() {
        return Err(DbErr::Migration(format!(
            "rebuilding `{name}` would leave rows of `{}` whose foreign key to `{}` points nowhere \
             (PRAGMA foreign_key_check); nothing was changed",
            v[0].as_deref().unwrap_or("?"),
            v[1].as_deref().unwrap_or("?"),
        )));
    }
    Ok(())
}

// ---- the CREATE TABLE text ----

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// A bare word (keyword or identifier).
    Word(String),
    /// A quoted identifier, unquoted.
    Quoted(String),
    /// A string literal, number or other single token.
    Other,
    Open,
    Close,
    Comma,
}

/// Tokens with their byte ranges; comments and blanks dropped.
fn tokens(sql: &str) -> Vec<(Tok, usize, usize)> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i = (i + 2).min(b.len());
            }
            b'(' => {
                out.push((Tok::Open, i, i + 1));
                i += 1;
            }
            b')' => {
                out.push((Tok::Close, i, i + 1));
                i += 1;
            }
            b',' => {
                out.push((Tok::Comma, i, i + 1));
                i += 1;
            }
            b'"' | b'`' | b'[' | b'\'' => {
                let close = if c == b'[' { b']' } else { c };
                i += 1;
                let mut text = Vec::new();
                while i < b.len() {
                    if b[i] == close {
                        if close != b']' && b.get(i + 1) == Some(&close) {
                            text.push(close);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    text.push(b[i]);
                    i += 1;
                }
                let tok = if c == b'\'' {
                    Tok::Other
                } else {
                    Tok::Quoted(String::from_utf8_lossy(&text).into_owned())
                };
                out.push((tok, start, i));
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'$'
                        || b[i] >= 0x80)
                {
                    i += 1;
                }
                out.push((Tok::Word(sql[start..i].to_string()), start, i));
            }
            _ => {
                i += 1;
                out.push((Tok::Other, start, i));
            }
        }
    }
    out
}

/// True when one of the tokens is the identifier `name` (bare or quoted).
fn any_ident(toks: &[(Tok, usize, usize)], name: &str) -> bool {
    toks.iter().any(|(t, _, _)| match t {
        Tok::Word(w) | Tok::Quoted(w) => w.eq_ignore_ascii_case(name),
        _ => false,
    })
}

/// True when a table constraint is on the column `name`: a key's, unique's or foreign key's
/// own columns, or the expression of a CHECK (not the table or columns a foreign key references).
fn constraint_names(element: &str, name: &str) -> bool {
    let toks = tokens(element);
    let Some(first) = toks.iter().position(|(t, _, _)| {
        ["PRIMARY", "UNIQUE", "FOREIGN", "CHECK"]
            .iter()
            .any(|k| keyword(t, k))
    }) else {
        return false;
    };
    if keyword(&toks[first].0, "CHECK") {
        return any_ident(&toks[first + 1..], name);
    }
    paren_list(&toks[first..])
        .iter()
        .any(|c| c.eq_ignore_ascii_case(name))
}

/// True when a `CREATE INDEX` is on the column `name`: in its list of columns or expressions,
/// or its `WHERE` clause (not the index's or the table's name).
fn index_names(sql: &str, name: &str) -> bool {
    let toks = tokens(sql);
    let Some(open) = toks.iter().position(|(t, _, _)| *t == Tok::Open) else {
        return false;
    };
    any_ident(&toks[open..], name)
}

fn ident(t: &Tok) -> Option<&str> {
    match t {
        Tok::Word(w) | Tok::Quoted(w) => Some(w),
        _ => None,
    }
}

fn keyword(t: &Tok, k: &str) -> bool {
    matches!(t, Tok::Word(w) if w.eq_ignore_ascii_case(k))
}

/// A `CREATE TABLE` statement split into its definitions.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CreateTable {
    /// Column definitions and table constraints, as written.
    pub elements: Vec<String>,
    /// What follows the closing parenthesis (`WITHOUT ROWID`, `STRICT`).
    pub tail: String,
}

pub(crate) fn parse_create(sql: &str) -> Option<CreateTable> {
    let toks = tokens(sql);
    let open = toks.iter().position(|(t, _, _)| *t == Tok::Open)?;
    let mut depth = 0;
    // Where the element at hand starts: at its first token, comments before it left out.
    let mut start: Option<usize> = None;
    // Where the last token of the element at hand ends: a comment after it is left out, so that
    // it cannot swallow the comma the element is joined with again.
    let mut last_end: usize = 0;
    let mut elements = Vec::new();
    for (t, s, e) in &toks[open..] {
        match t {
            Tok::Open => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    elements.push(
                        sql[start.unwrap_or(*s)..std::cmp::max(last_end, start.unwrap_or(*s))]
                            .trim()
                            .to_string(),
                    );
                    return Some(CreateTable {
                        elements,
                        tail: sql[*e..].trim().to_string(),
                    });
                }
            }
            Tok::Comma if depth == 1 => {
                let from = start.take().unwrap_or(*s);
                elements.push(sql[from..std::cmp::max(last_end, from)].trim().to_string());
                continue;
            }
            _ => {}
        }
        start.get_or_insert(*s);
        last_end = *e;
    }
    None
}

fn is_column(element: &str) -> bool {
    match tokens(element).first() {
        Some((Tok::Word(w), _, _)) => !["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k)),
        Some((Tok::Quoted(_), _, _)) => true,
        _ => false,
    }
}

fn column_name(element: &str) -> Option<String> {
    tokens(element)
        .first()
        .and_then(|(t, _, _)| ident(t).map(str::to_string))
}

/// The parenthesized column list after the first `(` of a table constraint, or of a
/// `REFERENCES` clause when `after_references`.
fn paren_list(toks: &[(Tok, usize, usize)]) -> Vec<String> {
    let Some(open) = toks.iter().position(|(t, _, _)| *t == Tok::Open) else {
        return Vec::new();
    };
    toks[open + 1..]
        .iter()
        .take_while(|(t, _, _)| *t != Tok::Close)
        .filter_map(|(t, _, _)| ident(t).map(str::to_string))
        .collect()
}

/// The kind of a column constraint clause.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Clause {
    PrimaryKey,
    NotNull,
    Null,
    Unique,
    Check,
    Default,
    Collate,
    References,
    Generated,
}

/// A column definition: its name and type, then its constraint clauses (each with its text,
/// a leading `CONSTRAINT name` included).
struct ColumnText {
    head: String,
    clauses: Vec<(Clause, String)>,
}

fn split_column(element: &str) -> ColumnText {
    let toks = tokens(element);
    let mut starts: Vec<(usize, Clause)> = Vec::new();
    let mut depth = 0;
    let mut pending_constraint: Option<usize> = None;
    let mut last_clause: Option<Clause> = None;
    for (i, (t, s, _)) in toks.iter().enumerate().skip(1) {
        match t {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            _ => {}
        }
        if depth != 0 || !matches!(t, Tok::Word(_)) {
            continue;
        }
        let prev = toks.get(i - 1).map(|p| &p.0);
        let next = toks.get(i + 1).map(|p| &p.0);
        let kind = if keyword(t, "CONSTRAINT") {
            pending_constraint = Some(*s);
            continue;
        } else if keyword(t, "PRIMARY") {
            Some(Clause::PrimaryKey)
        } else if keyword(t, "NOT") && next.is_some_and(|n| keyword(n, "NULL")) {
            Some(Clause::NotNull)
        } else if keyword(t, "NULL")
            && !prev
                .is_some_and(|p| keyword(p, "NOT") || keyword(p, "SET") || keyword(p, "DEFAULT"))
        {
            Some(Clause::Null)
        } else if keyword(t, "UNIQUE") {
            Some(Clause::Unique)
        } else if keyword(t, "CHECK") {
            Some(Clause::Check)
        } else if keyword(t, "DEFAULT") && !prev.is_some_and(|p| keyword(p, "SET")) {
            Some(Clause::Default)
        } else if keyword(t, "COLLATE") {
            Some(Clause::Collate)
        } else if keyword(t, "REFERENCES") {
            Some(Clause::References)
        } else if keyword(t, "GENERATED")
            || (keyword(t, "AS") && last_clause != Some(Clause::Generated))
        {
            Some(Clause::Generated)
        } else {
            None
        };
        if let Some(kind) = kind {
            starts.push((pending_constraint.take().unwrap_or(*s), kind));
            last_clause = Some(kind);
        }
    }
    let head_end = starts.first().map_or(element.len(), |(s, _)| *s);
    let mut clauses = Vec::new();
    for (n, (s, kind)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(element.len(), |(e, _)| *e);
        clauses.push((*kind, element[*s..end].trim().to_string()));
    }
    ColumnText {
        head: element[..head_end].trim().to_string(),
        clauses,
    }
}

impl ColumnText {
    fn render(&self) -> String {
        let mut s = self.head.clone();
        for (_, c) in &self.clauses {
            s.push(' ');
            s.push_str(c);
        }
        s
    }
}

/// Takes `AUTOINCREMENT` out of a PRIMARY KEY clause; says whether it was there.
fn strip_autoincrement(clause: &mut String) -> bool {
    let toks = tokens(clause);
    if let Some((_, s, e)) = toks.iter().find(|(t, _, _)| keyword(t, "AUTOINCREMENT")) {
        clause.replace_range(*s..*e, "");
        *clause = clause.trim().to_string();
        true
    } else {
        false
    }
}

impl CreateTable {
    fn column_names(&self) -> Vec<String> {
        self.elements
            .iter()
            .filter(|e| is_column(e))
            .filter_map(|e| column_name(e))
            .collect()
    }

    fn column_index(&self, name: &str) -> Option<usize> {
        self.elements.iter().position(|e| {
            is_column(e) && column_name(e).is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// True when the table keeps an `AUTOINCREMENT` counter.
    fn autoincrement(&self) -> bool {
        self.elements.iter().any(|e| {
            tokens(e)
                .iter()
                .any(|(t, _, _)| keyword(t, "AUTOINCREMENT"))
        })
    }

    fn render(&self, name: &str) -> String {
        let mut s = format!(
            "CREATE TABLE {name} (\n  {}\n)",
            self.elements.join(",\n  ")
        );
        if !self.tail.is_empty() {
            s.push(' ');
            s.push_str(&self.tail);
        }
        s
    }

    /// The position of the first table constraint: new columns go before it.
    fn first_constraint(&self) -> usize {
        self.elements
            .iter()
            .position(|e| !is_column(e))
            .unwrap_or(self.elements.len())
    }

    /// Takes out the table constraints of `kind` (`PRIMARY`, `UNIQUE`, `FOREIGN`) on exactly
    /// `columns` (any columns when `None`), and the column clauses of that kind on the one
    /// column named, when it is one. Returns how many went.
    fn drop_constraints(
        &mut self,
        kind: &str,
        columns: Option<&[String]>,
        clause: Clause,
    ) -> usize {
        let before = self.elements.len();
        let same = |cols: &[String]| {
            columns.is_none_or(|want| {
                want.len() == cols.len()
                    && want
                        .iter()
                        .zip(cols)
                        .all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
        };
        self.elements.retain(|e| {
            if is_column(e) {
                return true;
            }
            let toks = tokens(e);
            let first = toks.iter().position(|(t, _, _)| {
                ["PRIMARY", "UNIQUE", "FOREIGN", "CHECK"]
                    .iter()
                    .any(|k| keyword(t, k))
            });
            let Some(first) = first else { return true };
            !(keyword(&toks[first].0, kind) && same(&paren_list(&toks[first..])))
        });
        let mut removed = before - self.elements.len();
        let single = match columns {
            Some([one]) => Some(one.clone()),
            None => None,
            _ => return removed,
        };
        for e in &mut self.elements {
            if !is_column(e) {
                continue;
            }
            if let Some(one) = &single
                && !column_name(e).is_some_and(|n| n.eq_ignore_ascii_case(one))
            {
                continue;
            }
            let mut col = split_column(e);
            let n = col.clauses.len();
            col.clauses.retain(|(k, _)| *k != clause);
            if col.clauses.len() != n {
                removed += n - col.clauses.len();
                *e = col.render();
            }
        }
        removed
    }

    fn apply(&mut self, edit: &Edit) -> Result<(), String> {
        let q = |n: &str| quote(DbBackend::Sqlite, n);
        match edit {
            Edit::AlterColumn(def) => {
                let name = def.get_column_name();
                let i = self
                    .column_index(&name)
                    .ok_or_else(|| format!("it has no column `{name}`"))?;
                let old = split_column(&self.elements[i]);
                let auto = def.get_column_spec().auto_increment;
                // AUTOINCREMENT belongs to the PRIMARY KEY clause, which is kept.
                let new_def = crate::type_nullability_default(def, false);
                let mut col = split_column(&crate::render_column(DbBackend::Sqlite, &new_def));
                for (kind, text) in old.clauses {
                    let kept = matches!(
                        kind,
                        Clause::PrimaryKey
                            | Clause::Unique
                            | Clause::Check
                            | Clause::Collate
                            | Clause::References
                            | Clause::Generated
                    );
                    if !kept {
                        continue;
                    }
                    let mut text = text;
                    if kind == Clause::PrimaryKey {
                        strip_autoincrement(&mut text);
                        if auto {
                            text.push_str(" AUTOINCREMENT");
                        }
                    }
                    col.clauses.push((kind, text));
                }
                self.elements[i] = col.render();
            }
            Edit::AddColumn(def) => {
                let name = def.get_column_name();
                if self.column_index(&name).is_some() {
                    return Err(format!("it has a column `{name}` already"));
                }
                let at = self.first_constraint();
                self.elements
                    .insert(at, crate::render_column(DbBackend::Sqlite, def));
            }
            Edit::DropColumn(name) => {
                let i = self
                    .column_index(name)
                    .ok_or_else(|| format!("it has no column `{name}`"))?;
                self.elements.remove(i);
                // Table constraints on the column go with it.
                self.elements
                    .retain(|e| is_column(e) || !constraint_names(e, name));
            }
            Edit::SetPrimaryKey(columns) => {
                let mut had_auto = false;
                for e in &mut self.elements {
                    if !is_column(e) {
                        continue;
                    }
                    let mut col = split_column(e);
                    let n = col.clauses.len();
                    for (k, text) in &mut col.clauses {
                        if *k == Clause::PrimaryKey && strip_autoincrement(text) {
                            had_auto = true;
                        }
                    }
                    col.clauses.retain(|(k, _)| *k != Clause::PrimaryKey);
                    if col.clauses.len() != n {
                        *e = col.render();
                    }
                }
                self.drop_constraints("PRIMARY", None, Clause::PrimaryKey);
                match columns.as_slice() {
                    [] => {}
                    [one] => {
                        let i = self
                            .column_index(one)
                            .ok_or_else(|| format!("it has no column `{one}`"))?;
                        let mut col = split_column(&self.elements[i]);
                        let mut clause = "PRIMARY KEY".to_string();
                        // SQLite allows AUTOINCREMENT on an INTEGER PRIMARY KEY only.
                        let integer = tokens(&col.head)
                            .get(1)
                            .is_some_and(|(t, _, _)| keyword(t, "INTEGER"));
                        if had_auto && integer {
                            clause.push_str(" AUTOINCREMENT");
                        }
                        col.clauses.insert(0, (Clause::PrimaryKey, clause));
                        self.elements[i] = col.render();
                    }
                    many => {
                        let cols: Vec<String> = many.iter().map(|c| q(c)).collect();
                        let at = self.first_constraint();
                        self.elements
                            .insert(at, format!("PRIMARY KEY ({})", cols.join(", ")));
                    }
                }
            }
            Edit::AddTableConstraint(sql) => self.elements.push(sql.clone()),
            Edit::DropForeignKey(columns) => {
                if self.drop_constraints("FOREIGN", Some(columns), Clause::References) == 0 {
                    return Err(format!("it has no foreign key on ({})", columns.join(", ")));
                }
            }
            Edit::DropUnique(columns) => {
                if self.drop_constraints("UNIQUE", Some(columns), Clause::Unique) == 0 {
                    return Err(format!(
                        "it has no unique constraint on ({})",
                        columns.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USERS: &str = "CREATE TABLE \"users\" ( \"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, \
        \"name\" varchar(100) NOT NULL COLLATE NOCASE CHECK (length(name) > 0), \
        -- a comment, with a comma\n\
        \"team_id\" integer REFERENCES teams (id) ON DELETE SET NULL, \
        \"email\" text UNIQUE DEFAULT 'a,b' , \
        CONSTRAINT \"fk-x\" FOREIGN KEY (\"name\", \"email\") REFERENCES \"other\" (\"a\", \"b\") ON UPDATE CASCADE, \
        CHECK (id > 0) ) STRICT";

    #[test]
    fn splits_definitions_at_top_level_commas() {
        let t = parse_create(USERS).unwrap();
        assert_eq!(t.elements.len(), 6, "{:#?}", t.elements);
        assert_eq!(t.tail, "STRICT");
        assert_eq!(t.column_names(), ["id", "name", "team_id", "email"]);
        assert!(t.autoincrement());
    }

    #[test]
    fn column_clauses_are_told_apart() {
        let t = parse_create(USERS).unwrap();
        let kinds = |i: usize| -> Vec<Clause> {
            split_column(&t.elements[i])
                .clauses
                .iter()
                .map(|c| c.0)
                .collect()
        };
        assert_eq!(kinds(0), [Clause::NotNull, Clause::PrimaryKey]);
        assert_eq!(kinds(1), [Clause::NotNull, Clause::Collate, Clause::Check]);
        // SET NULL belongs to the REFERENCES clause.
        assert_eq!(kinds(2), [Clause::References]);
        assert_eq!(kinds(3), [Clause::Unique, Clause::Default]);
        assert_eq!(split_column(&t.elements[2]).head, "\"team_id\" integer");
    }

    #[test]
    fn altering_a_column_keeps_its_other_clauses() {
        let mut t = parse_create(USERS).unwrap();
        let mut def = ColumnDef::new(Alias::new("name"));
        def.string_len(200).null();
        t.apply(&Edit::AlterColumn(def)).unwrap();
        assert_eq!(
            t.elements[1],
            "\"name\" varchar(200) NULL COLLATE NOCASE CHECK (length(name) > 0)"
        );
        let mut id = ColumnDef::new(Alias::new("id"));
        id.text().not_null();
        t.apply(&Edit::AlterColumn(id)).unwrap();
        assert_eq!(t.elements[0], "\"id\" text NOT NULL PRIMARY KEY");
    }

    #[test]
    fn keys_are_dropped_by_their_columns() {
        let mut t = parse_create(USERS).unwrap();
        t.apply(&Edit::DropForeignKey(vec!["team_id".into()]))
            .unwrap();
        assert_eq!(t.elements[2], "\"team_id\" integer");
        t.apply(&Edit::DropForeignKey(vec!["name".into(), "email".into()]))
            .unwrap();
        assert_eq!(t.elements.len(), 5);
        assert!(t.apply(&Edit::DropForeignKey(vec!["name".into()])).is_err());
        t.apply(&Edit::DropUnique(vec!["email".into()])).unwrap();
        assert_eq!(t.elements[3], "\"email\" text DEFAULT 'a,b'");
    }

    #[test]
    fn primary_key_moves() {
        let mut t = parse_create(USERS).unwrap();
        t.apply(&Edit::SetPrimaryKey(vec!["id".into(), "name".into()]))
            .unwrap();
        assert_eq!(t.elements[0], "\"id\" integer NOT NULL");
        assert_eq!(t.elements[4], "PRIMARY KEY (\"id\", \"name\")");
        t.apply(&Edit::SetPrimaryKey(vec!["id".into()])).unwrap();
        assert_eq!(t.elements[0], "\"id\" integer PRIMARY KEY NOT NULL");
        assert!(!t.elements.iter().any(|e| e.starts_with("PRIMARY")));
    }

    #[test]
    fn dropping_a_column_takes_its_table_constraints() {
        let mut t = parse_create(USERS).unwrap();
        t.apply(&Edit::DropColumn("email".into())).unwrap();
        assert_eq!(t.column_names(), ["id", "name", "team_id"]);
        assert!(!t.elements.iter().any(|e| e.contains("FOREIGN")));
        assert!(t.elements.iter().any(|e| e.starts_with("CHECK")));
    }

    /// Only what is on the column goes with it: not the keys whose referenced columns have its
    /// name, nor every key when it is called `key`.
    #[test]
    fn dropping_a_column_takes_only_what_is_on_it() {
        let mut t = parse_create(
            "CREATE TABLE post_tag (id integer, post_id integer, tag_id integer, \"key\" text, \
             FOREIGN KEY (post_id) REFERENCES post (id), FOREIGN KEY (tag_id) REFERENCES tag (id), \
             UNIQUE (post_id, \"key\"), CHECK (id > 0))",
        )
        .unwrap();
        t.apply(&Edit::DropColumn("id".into())).unwrap();
        assert_eq!(t.elements.len(), 6, "{:#?}", t.elements);
        assert!(!t.elements.iter().any(|e| e.starts_with("CHECK")));
        t.apply(&Edit::DropColumn("key".into())).unwrap();
        assert_eq!(t.elements.len(), 4, "{:#?}", t.elements);
        assert_eq!(
            t.elements
                .iter()
                .filter(|e| e.starts_with("FOREIGN"))
                .count(),
            2
        );
        assert!(index_names(
            "CREATE INDEX i ON t (lower(a)) WHERE b > 0",
            "b"
        ));
        assert!(!index_names("CREATE INDEX tag ON tag (a)", "tag"));
    }

    /// A comment after a definition does not swallow the comma it is joined with again.
    #[test]
    fn comments_after_a_definition_go() {
        let t = parse_create("CREATE TABLE t (\n a int -- the a\n , b text /* b */\n)").unwrap();
        assert_eq!(t.elements, ["a int", "b text"]);
        let mut t = parse_create("CREATE TABLE t (code text PRIMARY KEY, n integer)").unwrap();
        t.apply(&Edit::SetPrimaryKey(vec!["n".into()])).unwrap();
        assert_eq!(t.elements, ["code text", "n integer PRIMARY KEY"]);
    }

    #[test]
    fn a_foreign_key_clause_as_sea_query_writes_it() {
        let clause = foreign_key_clause(
            &ForeignKey::create()
                .name("fk-posts-user_id")
                .from(Alias::new("posts"), Alias::new("user_id"))
                .to(Alias::new("users"), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned(),
        );
        assert_eq!(
            clause,
            "FOREIGN KEY (\"user_id\") REFERENCES \"users\" (\"id\") ON DELETE CASCADE"
        );
    }
}
