//! Per-backend spelling rules: the one place where backend differences in types and defaults live.
//!
//! Both sides of a comparison pass through these functions: the declared side renders SeaORM's
//! column type with sea-query's builder for the backend and canonicalizes the text; the live side
//! canonicalizes the text the catalog reports. Two columns are the same type exactly when their
//! canonical texts are equal.
use std::collections::BTreeMap;

use sea_query::backend::{
    MysqlQueryBuilder, PostgresQueryBuilder, SqliteQueryBuilder, TableBuilder,
};
use sea_query::{ColumnType, QueryBuilder, StringLen};

use crate::model::{Backend, DefaultValue, EnumType, FkAction, Table};

/// Renders a column type as sea-query writes it in DDL for the backend. `None` when sea-query
/// cannot express the type on that backend (it would panic).
pub fn render_type(backend: Backend, ty: &ColumnType) -> Option<String> {
    use ColumnType as T;
    // The types sea-query's builders refuse (with a panic) on each backend.
    let refused = match backend {
        Backend::Sqlite => matches!(
            ty,
            T::Interval(..)
                | T::Array(_)
                | T::Vector(_)
                | T::Cidr
                | T::Inet
                | T::MacAddr
                | T::Year
                | T::Bit(_)
                | T::VarBit(_)
                | T::LTree
        ),
        Backend::Postgres => matches!(ty, T::Year),
        Backend::MySql => matches!(
            ty,
            T::Array(_) | T::Vector(_) | T::Cidr | T::Inet | T::MacAddr | T::LTree
        ),
    };
    if refused {
        return None;
    }
    // sea-query writes an ENUM's values as they are; MySQL reads a quote and a backslash
    // escaped, and writes them back so (`enum('it''s','back\\slash')`).
    if let (Backend::MySql, T::Enum { variants, .. }) = (backend, ty) {
        let values: Vec<String> = variants
            .iter()
            .map(|v| {
                format!(
                    "'{}'",
                    v.to_string().replace('\\', "\\\\").replace('\'', "''")
                )
            })
            .collect();
        return Some(format!("ENUM({})", values.join(", ")));
    }
    // Anything else that panics is caught rather than taking the command down.
    let ty = ty.clone();
    std::panic::catch_unwind(move || {
        let mut s = String::new();
        match backend {
            Backend::Sqlite => TableBuilder::prepare_column_type(&SqliteQueryBuilder, &ty, &mut s),
            Backend::Postgres => {
                TableBuilder::prepare_column_type(&PostgresQueryBuilder, &ty, &mut s)
            }
            Backend::MySql => TableBuilder::prepare_column_type(&MysqlQueryBuilder, &ty, &mut s),
        }
        s
    })
    .ok()
}

/// Renders a default expression as sea-query writes it for the backend.
pub fn render_expr(backend: Backend, expr: &sea_query::Expr) -> String {
    let mut s = String::new();
    match backend {
        Backend::Sqlite => QueryBuilder::prepare_expr(&SqliteQueryBuilder, expr, &mut s),
        Backend::Postgres => QueryBuilder::prepare_expr(&PostgresQueryBuilder, expr, &mut s),
        Backend::MySql => QueryBuilder::prepare_expr(&MysqlQueryBuilder, expr, &mut s),
    }
    s
}

/// An SQL identifier quoted for the backend.
pub fn quote_ident(backend: Backend, name: &str) -> String {
    match backend {
        Backend::MySql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// A table in SQL, by its key: `"posts"`, or `"audit"."events"` for a table in another
/// PostgreSQL schema ([`crate::model::split_qualified`]).
pub fn quote_table(backend: Backend, table: &str) -> String {
    match crate::model::split_qualified(backend, table) {
        (Some(ns), name) => format!(
            "{}.{}",
            quote_ident(backend, ns),
            quote_ident(backend, name)
        ),
        (None, name) => quote_ident(backend, name),
    }
}

/// Lower-cases outside quotes, collapses white space, and removes spaces around commas and
/// inside parentheses.
fn tidy(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut in_quote = false;
    let mut pending_space = false;
    for ch in sql.trim().chars() {
        if in_quote {
            out.push(ch);
            if ch == '\'' {
                in_quote = false;
            }
            continue;
        }
        match ch {
            '\'' => {
                if pending_space && !out.ends_with(['(', ',']) {
                    out.push(' ');
                }
                pending_space = false;
                in_quote = true;
                out.push(ch);
            }
            c if c.is_whitespace() => pending_space = true,
            ',' | ')' => {
                pending_space = false;
                out.push(ch);
            }
            '(' => {
                pending_space = false;
                out.push(ch);
            }
            c => {
                if pending_space && !out.is_empty() && !out.ends_with(['(', ',']) {
                    out.push(' ');
                }
                pending_space = false;
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// Splits `numeric(10,2)` into (`numeric`, `Some("10,2")`, rest after the parenthesis).
fn split_args(t: &str) -> (&str, Option<&str>, &str) {
    match (t.find('('), t.find(')')) {
        (Some(open), Some(close)) if close > open && !t.starts_with("enum") => (
            t[..open].trim_end(),
            Some(&t[open + 1..close]),
            t[close + 1..].trim(),
        ),
        _ => (t, None, ""),
    }
}

/// The canonical spelling of an SQL type on a backend.
pub fn canonical_type(backend: Backend, sql: &str) -> String {
    let t = tidy(sql);
    match backend {
        Backend::Sqlite => canonical_sqlite(t),
        Backend::Postgres => canonical_pg(&t),
        Backend::MySql => canonical_mysql(&t),
    }
}

/// SQLite keeps a column's type as it was written, and that name is what the entity said: it
/// is compared as written (lower case, spaces tidied). `smallint` and `integer`, `timestamp_text`
/// and `timestamp_with_timezone_text`, `varchar` and `text` are different types, as they are on
/// the other backends, where the same migration runs. A spelling that sea-query never writes
/// (a table made by hand: `INT`, `CLOB`, `DATETIME`) is met by affinity instead, against the
/// entities ([`hand_made_sqlite_types_meet_by_affinity`]).
fn canonical_sqlite(t: String) -> String {
    t
}

/// SQLite's affinity of a type name (its own rules, in their order).
fn sqlite_affinity(t: &str) -> &'static str {
    let upper = t.to_ascii_uppercase();
    if upper.contains("INT") {
        "integer"
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|w| upper.contains(w)) {
        "text"
    } else if upper.is_empty() || upper.contains("BLOB") {
        "blob"
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|w| upper.contains(w)) {
        "real"
    } else {
        "numeric"
    }
}

/// True when sea-query writes this (canonical) SQLite type for some builder type: unsized, the
/// whole name (`smallint`, `datetime_text`); sized, the name before its arguments (`varchar`).
fn sqlite_builder_spelling(t: &str) -> bool {
    use std::collections::BTreeSet;
    static SPELLINGS: std::sync::OnceLock<(BTreeSet<String>, BTreeSet<String>)> =
        std::sync::OnceLock::new();
    let (unsized_names, sized_names) = SPELLINGS.get_or_init(|| {
        use ColumnType as T;
        let all = [
            T::Char(None),
            T::Char(Some(1)),
            T::String(StringLen::None),
            T::String(StringLen::N(1)),
            T::Text,
            T::TinyInteger,
            T::SmallInteger,
            T::Integer,
            T::BigInteger,
            T::TinyUnsigned,
            T::SmallUnsigned,
            T::Unsigned,
            T::BigUnsigned,
            T::Float,
            T::Double,
            T::Decimal(None),
            T::Decimal(Some((10, 2))),
            T::DateTime,
            T::Timestamp,
            T::TimestampWithTimeZone,
            T::Time,
            T::Date,
            T::Binary(1),
            T::VarBinary(StringLen::None),
            T::VarBinary(StringLen::N(1)),
            T::Blob,
            T::Boolean,
            T::Money(None),
            T::Money(Some((10, 2))),
            T::Json,
            T::JsonBinary,
            T::Uuid,
            T::Enum {
                name: sea_query::Alias::new("e").into(),
                variants: vec![],
            },
        ];
        let (mut unsized_names, mut sized_names) = (BTreeSet::new(), BTreeSet::new());
        for ty in &all {
            if let Some(r) = render_type(Backend::Sqlite, ty) {
                let r = tidy(&r);
                match split_args(&r) {
                    (base, Some(_), _) => sized_names.insert(base.to_string()),
                    _ => unsized_names.insert(r),
                };
            }
        }
        (unsized_names, sized_names)
    });
    match split_args(t) {
        (base, Some(_), _) => sized_names.contains(base),
        _ => unsized_names.contains(t),
    }
}

/// A type as written, tidied but not made canonical: what introspection builds the column's
/// builder type from, so that code regenerated from the live side writes the type the table
/// has. On SQLite it is the canonical type itself.
pub fn written_type(backend: Backend, sql: &str) -> String {
    match backend {
        Backend::Sqlite => tidy(sql),
        _ => canonical_type(backend, sql),
    }
}

fn canonical_pg(t: &str) -> String {
    if let Some(elem) = t.strip_suffix("[]") {
        return format!("{}[]", canonical_pg(elem));
    }
    let (base, args, rest) = split_args(t);
    let with = |name: &str| match args {
        Some(a) => format!("{name}({a})"),
        None => name.to_string(),
    };
    match (base, rest) {
        ("varchar" | "character varying", _) => with("character varying"),
        ("varbit" | "bit varying", _) => with("bit varying"),
        ("char" | "character" | "bpchar", _) => match args {
            Some(a) => format!("character({a})"),
            None => "character(1)".into(),
        },
        ("decimal" | "numeric", _) => with("numeric"),
        ("bool" | "boolean", _) => "boolean".into(),
        ("int" | "int4" | "integer" | "serial" | "serial4", _) => "integer".into(),
        ("int8" | "bigint" | "bigserial" | "serial8", _) => "bigint".into(),
        ("int2" | "smallint" | "smallserial" | "serial2", _) => "smallint".into(),
        ("float4" | "real", _) => "real".into(),
        ("float8" | "double precision", _) => "double precision".into(),
        ("timestamptz" | "timestamp with time zone", _) => with("timestamp with time zone"),
        ("timestamp", "with time zone") => with("timestamp with time zone"),
        ("timestamp" | "timestamp without time zone", _) => with("timestamp without time zone"),
        ("timetz" | "time with time zone", _) => with("time with time zone"),
        ("time", "with time zone") => with("time with time zone"),
        ("time" | "time without time zone", _) => with("time without time zone"),
        _ => t.to_string(),
    }
}

fn canonical_mysql(t: &str) -> String {
    let (base, args, rest) = split_args(t);
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!(" {rest}")
    };
    match base {
        "bool" | "boolean" => "tinyint(1)".into(),
        "tinyint" if args == Some("1") && rest.is_empty() => "tinyint(1)".into(),
        "tinyint" | "smallint" | "mediumint" | "bigint" => format!("{base}{rest}"),
        "int" | "integer" => format!("int{rest}"),
        "year" => "year".into(),
        // MariaDB stores JSON as longtext (with a json_valid check); MySQL 8 as json.
        "json" | "longtext" => "longtext".into(),
        "decimal" | "numeric" => match args {
            Some(a) => format!("decimal({a}){rest}"),
            None => format!("decimal(10,0){rest}"),
        },
        "double precision" | "real" => format!("double{rest}"),
        _ => t.to_string(),
    }
}

/// True for the canonical boolean type of a backend.
fn is_bool_type(backend: Backend, canonical: &str) -> bool {
    match backend {
        Backend::MySql => canonical == "tinyint(1)",
        _ => canonical == "boolean",
    }
}

fn is_numeric_type(canonical: &str) -> bool {
    let base = canonical.split('(').next().unwrap_or("");
    [
        "integer",
        "int",
        "bigint",
        "smallint",
        "tinyint",
        "mediumint",
        "numeric",
        "decimal",
        "real",
        "double",
        "double precision",
        "float",
    ]
    .iter()
    .any(|n| base.starts_with(n))
}

/// Removes one pair of parentheses around the whole text, if they match each other.
fn strip_outer_parens(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('(')?.strip_suffix(')')?;
    let mut depth = 0i32;
    let mut in_quote = false;
    for ch in inner.chars() {
        match ch {
            '\'' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (depth == 0).then_some(inner.trim())
}

/// Position of the last `::` outside quotes and parentheses.
fn last_cast(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let (mut in_quote, mut depth, mut found) = (false, 0i32, None);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_quote = !in_quote,
            b'(' if !in_quote => depth += 1,
            b')' if !in_quote => depth -= 1,
            b':' if !in_quote && depth == 0 && bytes.get(i + 1) == Some(&b':') => {
                found = Some(i);
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// A quoted SQL string literal's text. `backslash`: the backend (MySQL) or the literal (a
/// PostgreSQL `E'…'` string) treats backslashes as escapes, as sea-query writes them.
fn parse_quoted(s: &str, backend: Backend) -> Option<String> {
    let (s, backslash) = match s.strip_prefix(['E', 'e']) {
        Some(rest) if backend == Backend::Postgres && rest.starts_with('\'') => (rest, true),
        _ => (s, backend == Backend::MySql),
    };
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if backslash => match chars.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '0' => out.push('\0'),
                other => out.push(other),
            },
            '\'' => {
                // Inside the literal a quote must be doubled.
                if chars.next()? != '\'' {
                    return None;
                }
                out.push('\'');
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// Parses a default as written in DDL or reported by a catalog into its canonical form.
/// `column_type` is the column's canonical type. A `NULL` default is no default.
pub fn parse_default(backend: Backend, sql: &str, column_type: &str) -> Option<DefaultValue> {
    let mut s = sql.trim();
    while let Some(inner) = strip_outer_parens(s) {
        s = inner;
    }
    // PostgreSQL writes casts on literals: 'active'::character varying, '-1'::integer.
    // Strip them one by one while what is left is a literal: '2020-01-01'::date::timestamp.
    let mut owned = s.to_string();
    while let Some(pos) = last_cast(&owned) {
        let head = owned[..pos].trim();
        let head = strip_outer_parens(head).unwrap_or(head);
        let literal = head.starts_with('\'')
            || head.starts_with("E'")
            || head.parse::<f64>().is_ok()
            || matches!(
                head.to_ascii_uppercase().as_str(),
                "NULL" | "TRUE" | "FALSE"
            );
        if !literal {
            break;
        }
        owned = head.to_string();
    }
    let s = owned.as_str();
    let upper = s.to_ascii_uppercase();
    let value = match upper.as_str() {
        "" | "NULL" => return None,
        "TRUE" => DefaultValue::Bool(true),
        "FALSE" => DefaultValue::Bool(false),
        "CURRENT_TIMESTAMP" | "CURRENT_TIMESTAMP()" | "NOW()" | "LOCALTIMESTAMP" => {
            DefaultValue::CurrentTimestamp
        }
        // MariaDB reports these as the functions.
        "CURRENT_DATE" | "CURRENT_DATE()" | "CURDATE()" => {
            DefaultValue::Expr("CURRENT_DATE".into())
        }
        "CURRENT_TIME" | "CURRENT_TIME()" | "CURTIME()" => {
            DefaultValue::Expr("CURRENT_TIME".into())
        }
        _ => {
            if let Some(text) = parse_quoted(s, backend) {
                DefaultValue::Str(text)
            } else if let Ok(i) = s.parse::<i64>() {
                DefaultValue::Int(i)
            } else if s.parse::<f64>().is_ok() {
                DefaultValue::Float(s.to_string())
            } else {
                DefaultValue::Expr(s.split_whitespace().collect::<Vec<_>>().join(" "))
            }
        }
    };
    Some(canonical_default(backend, value, column_type))
}

/// Brings literals of one meaning to one form, given the column's canonical type.
fn canonical_default(backend: Backend, value: DefaultValue, column_type: &str) -> DefaultValue {
    let boolean = is_bool_type(backend, column_type);
    let numeric = is_numeric_type(column_type) && !boolean;
    match value {
        DefaultValue::Int(0) if boolean => DefaultValue::Bool(false),
        DefaultValue::Int(1) if boolean => DefaultValue::Bool(true),
        DefaultValue::Str(s) if boolean => match s.to_ascii_lowercase().as_str() {
            "t" | "true" | "1" => DefaultValue::Bool(true),
            "f" | "false" | "0" => DefaultValue::Bool(false),
            _ => DefaultValue::Str(s),
        },
        DefaultValue::Str(s) if numeric => match s.parse::<i64>() {
            Ok(i) => DefaultValue::Int(i),
            Err(_) if s.parse::<f64>().is_ok() => canonical_number(s),
            Err(_) => DefaultValue::Str(s),
        },
        DefaultValue::Float(s) if numeric => canonical_number(s),
        other => other,
    }
}

/// A number as one spelling: MySQL reports a decimal's default at its scale (`0.00`) and a
/// double's in exponent form (`1e20`), which mean what `0` and `100000000000000000000` do.
fn canonical_number(s: String) -> DefaultValue {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 => {
            DefaultValue::Int(v as i64)
        }
        Ok(v) if v.is_finite() => DefaultValue::Float(format!("{v}")),
        _ => DefaultValue::Float(s),
    }
}

/// The values of a MySQL `enum('a','b')` type, in order (`''` is a quote); `None` for any other
/// type.
pub fn mysql_enum_values(sql_type: &str) -> Option<Vec<String>> {
    let inner = sql_type.strip_prefix("enum(")?.strip_suffix(')')?;
    let mut values = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        match chars.next() {
            None => return Some(values),
            Some('\'') => {}
            Some(',') => continue,
            Some(_) => return None,
        }
        let mut v = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    v.push('\'');
                }
                '\'' => break,
                // MariaDB writes a backslash doubled (and MySQL may escape others so).
                '\\' => v.push(match chars.next()? {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '0' => '\0',
                    'Z' => '\u{1a}',
                    c => c,
                }),
                c => v.push(c),
            }
        }
        values.push(v);
    }
}

/// Parses a canonical type back into a builder type that renders to exactly that type, for
/// generated code. Falls back to `ColumnType::Custom`.
pub fn parse_type(
    backend: Backend,
    canonical: &str,
    enums: &BTreeMap<String, EnumType>,
) -> ColumnType {
    if backend == Backend::Postgres
        && let Some(e) = enums.get(canonical)
    {
        return ColumnType::Enum {
            name: e.name.clone().into(),
            variants: e.values.iter().map(|v| v.clone().into()).collect(),
        };
    }
    let (_, args, _) = split_args(canonical);
    let nums: Vec<u32> = args
        .map(|a| a.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_default();
    let mut candidates = vec![
        ColumnType::Boolean,
        ColumnType::Integer,
        ColumnType::BigInteger,
        ColumnType::SmallInteger,
        ColumnType::TinyInteger,
        ColumnType::Unsigned,
        ColumnType::BigUnsigned,
        ColumnType::SmallUnsigned,
        ColumnType::TinyUnsigned,
        ColumnType::Text,
        ColumnType::String(StringLen::None),
        ColumnType::Char(None),
        ColumnType::Float,
        ColumnType::Double,
        ColumnType::Decimal(None),
        ColumnType::DateTime,
        ColumnType::Timestamp,
        ColumnType::TimestampWithTimeZone,
        ColumnType::Time,
        ColumnType::Date,
        ColumnType::Blob,
        ColumnType::VarBinary(StringLen::None),
        ColumnType::Json,
        ColumnType::JsonBinary,
        ColumnType::Uuid,
    ];
    if backend == Backend::MySql {
        candidates.push(ColumnType::Year);
    }
    match nums.as_slice() {
        [n] => candidates.extend([
            ColumnType::String(StringLen::N(*n)),
            ColumnType::Char(Some(*n)),
            ColumnType::Binary(*n),
            ColumnType::VarBinary(StringLen::N(*n)),
        ]),
        [p, s] => candidates.push(ColumnType::Decimal(Some((*p, *s)))),
        _ => {}
    }
    candidates
        .into_iter()
        .find(|c| {
            // SQLite compares types by affinity but keeps them as written: a `varchar` is read
            // back as the builder type that writes `varchar`, not as a custom type.
            render_type(backend, c).is_some_and(|r| {
                canonical_type(backend, &r) == canonical || written_type(backend, &r) == canonical
            })
        })
        .unwrap_or_else(|| ColumnType::Custom(canonical.to_string().into()))
}

/// Foreign key actions of one meaning get one spelling. InnoDB treats `NO ACTION` as `RESTRICT`
/// and reports an unspecified action as `RESTRICT`.
pub fn canonical_fk_action(backend: Backend, action: FkAction) -> FkAction {
    match (backend, action) {
        (Backend::MySql, FkAction::Restrict) => FkAction::NoAction,
        (_, a) => a,
    }
}

/// A `String` field without a length says nothing about the length: against a sized
/// `varchar(n)` in the database it is not a change (SeaORM users rarely mean "widen"). The
/// declared column takes the live type where only the length differs. A declared length is
/// compared exactly.
pub fn unsized_strings_take_live_length(
    live: &crate::model::Schema,
    declared: &mut crate::model::Schema,
) {
    for (name, table) in declared.tables.iter_mut() {
        let Some(live_table) = live.tables.get(name) else {
            continue;
        };
        for c in &mut table.columns {
            if !matches!(c.kind, ColumnType::String(StringLen::None)) {
                continue;
            }
            if let Some(l) = live_table.column(&c.name)
                && l.sql_type != c.sql_type
                && split_args(&l.sql_type).0 == split_args(&c.sql_type).0
                && split_args(&l.sql_type).1.is_some()
            {
                c.sql_type = l.sql_type.clone();
            }
        }
    }
}

/// A SQLite table made by hand (or by another tool) spells its types its own way (`INT`, `CLOB`,
/// `DATETIME`, `VARCHAR(255)`): where the live column's type is a spelling sea-query never
/// writes, and it has the declared type's affinity, the declared column takes the live type, as
/// SQLite stores the values alike. A spelling sea-query writes (`text`, `smallint`,
/// `timestamp_text`) says which builder type made it, and is compared as written.
pub fn hand_made_sqlite_types_meet_by_affinity(
    live: &crate::model::Schema,
    declared: &mut crate::model::Schema,
) {
    if declared.backend != Backend::Sqlite {
        return;
    }
    for (name, table) in declared.tables.iter_mut() {
        let Some(live_table) = live.tables.get(name) else {
            continue;
        };
        for c in &mut table.columns {
            if let Some(l) = live_table.column(&c.name)
                && l.sql_type != c.sql_type
                && !sqlite_builder_spelling(&l.sql_type)
                && sqlite_affinity(&l.sql_type) == sqlite_affinity(&c.sql_type)
            {
                c.sql_type = l.sql_type.clone();
            }
        }
    }
}

/// True when a SQLite `CREATE TABLE` statement writes `AUTOINCREMENT` (which SQLite allows only
/// on its one `INTEGER PRIMARY KEY` column). A word in a string or a quoted name is not it.
pub fn sqlite_autoincrement(create_table: &str) -> bool {
    tokens(create_table)
        .iter()
        .any(|(_, _, t)| matches!(t, Token::Word(w) if w.eq_ignore_ascii_case("AUTOINCREMENT")))
}

/// Table-level rules, applied to both sides after they are read:
/// - SQLite: `AUTOINCREMENT` exists only on a single-column `integer` primary key (the rowid);
///   a column auto-increments exactly when it is written there (introspection reads the
///   keyword; sea-query writes it for an auto-incrementing key). A rowid without the keyword
///   gets ids too, but may give out those of deleted rows again, and the same entity on
///   PostgreSQL or MySQL is a plain column: it is not auto-increment;
/// - a column in the primary key is never nullable, whatever was written;
/// - indexes and foreign keys are sorted.
pub fn normalize_table(backend: Backend, table: &mut Table) {
    if backend == Backend::Sqlite {
        let rowid = match table.primary_key.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        };
        for c in &mut table.columns {
            if rowid.as_ref() != Some(&c.name) || c.sql_type != "integer" {
                c.auto_increment = false;
            }
        }
    }
    for c in &mut table.columns {
        if table.primary_key.contains(&c.name) {
            c.nullable = false;
        }
        // SQLite has no column comments; elsewhere an empty comment is none.
        if backend == Backend::Sqlite || c.comment.as_deref() == Some("") {
            c.comment = None;
        }
    }
    // A unique index on exactly the primary key columns adds nothing.
    let pk = table.primary_key.clone();
    table.indexes.retain(|i| !(i.unique && i.columns == pk));
    table.sort();
}

/// A token of SQL text, for the few places that read SQL the database wrote.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    /// A bare word: keyword, name or number.
    Word(&'a str),
    /// A quoted name (`"x"`, `` `x` ``, `[x]`), unquoted.
    Name(String),
    /// A string literal or other single character, as written.
    Other(&'a str),
}

/// Splits SQL into tokens with their byte offsets: words, quoted names, string literals and
/// single characters (whitespace dropped).
fn tokens(sql: &str) -> Vec<(usize, usize, Token<'_>)> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
            {
                i += 1;
            }
            out.push((start, i, Token::Word(&sql[start..i])));
            continue;
        }
        let close = match c {
            b'\'' => Some(b'\''),
            b'"' => Some(b'"'),
            b'`' => Some(b'`'),
            b'[' => Some(b']'),
            _ => None,
        };
        if let Some(close) = close {
            i += 1;
            let mut text = Vec::new();
            while i < bytes.len() {
                if bytes[i] == close {
                    // A doubled quote is the quote itself.
                    if close != b']' && bytes.get(i + 1) == Some(&close) {
                        text.push(close);
                        i += 2;
                        continue;
                    }
                    break;
                }
                text.push(bytes[i]);
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            let token = if c == b'\'' {
                Token::Other(&sql[start..i])
            } else {
                Token::Name(String::from_utf8_lossy(&text).into_owned())
            };
            out.push((start, i, token));
            continue;
        }
        // One character (not a byte: the text may hold any).
        let len = sql[i..].chars().next().map_or(1, char::len_utf8);
        i += len;
        out.push((start, i, Token::Other(&sql[start..i])));
    }
    out
}

/// The CHECK constraints in a SQLite `CREATE TABLE` statement, table and column level alike,
/// with their names where they have one.
pub fn sqlite_checks(create_table: &str) -> Vec<crate::model::Check> {
    let toks = tokens(create_table);
    let word = |i: usize, w: &str| matches!(toks.get(i), Some((_, _, Token::Word(x))) if x.eq_ignore_ascii_case(w));
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if word(i, "CHECK") && matches!(toks.get(i + 1), Some((_, _, Token::Other("(")))) {
            let open = toks[i + 1].1;
            let mut depth = 0;
            let mut end = None;
            for (j, (s, _, t)) in toks.iter().enumerate().skip(i + 1) {
                match t {
                    Token::Other("(") => depth += 1,
                    Token::Other(")") => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some((j, *s));
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some((j, close)) = end else { break };
            let name = (i >= 2 && word(i - 2, "CONSTRAINT")).then(|| match &toks[i - 1].2 {
                Token::Word(w) => w.to_string(),
                Token::Name(n) => n.clone(),
                Token::Other(o) => o.to_string(),
            });
            out.push(crate::model::Check {
                name,
                expr: create_table[open..close].trim().to_string(),
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_the_current_date_and_of_bit_varying_meet() {
        let my = Backend::MySql;
        assert_eq!(
            parse_default(my, "curdate()", "date"),
            parse_default(my, "CURRENT_DATE", "date")
        );
        assert_eq!(
            canonical_type(Backend::Postgres, "varbit(16)"),
            canonical_type(Backend::Postgres, "bit varying(16)")
        );
    }

    #[test]
    fn numbers_meet_across_scales_and_exponents() {
        let d = |b, t: &str, v: &str| parse_default(b, v, t);
        let my = Backend::MySql;
        assert_eq!(d(my, "decimal(10,2)", "0.00"), d(my, "decimal(10,2)", "0"));
        assert_eq!(
            d(my, "decimal(10,2)", "0.50"),
            d(my, "decimal(10,2)", "0.5")
        );
        assert_eq!(
            d(my, "decimal(10,2)", "10.00"),
            d(my, "decimal(10,2)", "10")
        );
        assert_eq!(
            d(my, "double", "1e20"),
            d(my, "double", "100000000000000000000")
        );
        assert_eq!(
            d(my, "double", "-1e-20"),
            d(my, "double", "-0.00000000000000000001")
        );
        assert_ne!(
            d(my, "decimal(10,2)", "0.5"),
            d(my, "decimal(10,2)", "0.05")
        );
    }

    /// A SQLite table with one column `c` of the given type (and an `id` key).
    fn sqlite_table(ty: &str, kind: ColumnType) -> crate::model::Schema {
        let mut schema = crate::model::Schema::new(Backend::Sqlite);
        let mut t = Table::new("t");
        t.columns.push(crate::model::Column {
            name: "c".into(),
            sql_type: canonical_type(Backend::Sqlite, ty),
            kind,
            nullable: false,
            default: None,
            auto_increment: false,
            comment: None,
        });
        schema.add_table(t);
        schema
    }

    #[test]
    fn sqlite_types_are_compared_as_written_unless_made_by_hand() {
        let c = |t: &str| canonical_type(Backend::Sqlite, t);
        // What sea-query writes for different builder types differs (issue 15, item 2).
        for (a, b) in [
            ("smallint", "integer"),
            ("tinyint", "integer"),
            ("timestamp_text", "timestamp_with_timezone_text"),
            ("datetime_text", "timestamp_text"),
            ("varchar", "text"),
            ("json_text", "text"),
            ("float", "double"),
            ("varchar(100)", "varchar(200)"),
            ("boolean", "integer"),
            ("blob", "text"),
            ("real(10, 2)", "real"),
        ] {
            assert_ne!(c(a), c(b), "{a} / {b}");
        }
        assert_eq!(c("INTEGER"), c("integer"));
        assert_eq!(c("real(10, 2)"), "real(10,2)");
        for t in [
            "smallint",
            "integer",
            "varchar",
            "varchar(10)",
            "timestamp_text",
            "text",
        ] {
            assert!(sqlite_builder_spelling(&c(t)), "{t}");
        }
        for t in [
            "INT",
            "BIGINT",
            "CLOB",
            "DATETIME",
            "nvarchar(10)",
            "character varying",
        ] {
            assert!(!sqlite_builder_spelling(&c(t)), "{t}");
        }
        // A hand-made spelling meets the declared type of its affinity, and only that.
        let declared = |ty: &str, kind| {
            sqlite_table(
                &render_type(Backend::Sqlite, &kind).unwrap_or(ty.into()),
                kind,
            )
        };
        for (live, kind, meets) in [
            ("CLOB", ColumnType::String(StringLen::None), true),
            ("INT", ColumnType::SmallInteger, true),
            ("BIGINT", ColumnType::BigInteger, true),
            ("DATETIME", ColumnType::TimestampWithTimeZone, false),
            ("text", ColumnType::String(StringLen::None), false),
            ("integer", ColumnType::SmallInteger, false),
            ("CLOB", ColumnType::Integer, false),
        ] {
            let live = sqlite_table(live, ColumnType::Text);
            let mut declared = declared("", kind);
            hand_made_sqlite_types_meet_by_affinity(&live, &mut declared);
            assert_eq!(
                live.tables["t"].columns[0].sql_type == declared.tables["t"].columns[0].sql_type,
                meets,
                "{live:?} / {declared:?}"
            );
        }
        // The written type is kept for code regenerated from the live side.
        assert_eq!(
            written_type(Backend::Sqlite, "datetime_text"),
            "datetime_text"
        );
    }

    #[test]
    fn sqlite_autoincrement_is_what_is_written() {
        assert!(sqlite_autoincrement(
            "CREATE TABLE t (id integer NOT NULL PRIMARY KEY autoincrement, a text)"
        ));
        assert!(!sqlite_autoincrement(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, \"AUTOINCREMENT\" text DEFAULT 'AUTOINCREMENT')"
        ));
        // Only the single integer primary key can auto-increment.
        let mut s = sqlite_table("integer", ColumnType::Integer);
        let t = s.tables.get_mut("t").unwrap();
        t.columns[0].auto_increment = true;
        t.primary_key = vec!["c".into()];
        let mut kept = t.clone();
        normalize_table(Backend::Sqlite, &mut kept);
        assert!(kept.columns[0].auto_increment);
        let mut bigint = t.clone();
        bigint.columns[0].sql_type = "bigint".into();
        normalize_table(Backend::Sqlite, &mut bigint);
        assert!(!bigint.columns[0].auto_increment);
        t.primary_key.push("d".into());
        normalize_table(Backend::Sqlite, t);
        assert!(!t.columns[0].auto_increment);
    }

    #[test]
    fn sqlite_checks_are_found_with_their_names() {
        let sql = "CREATE TABLE \"t\" (\"id\" integer PRIMARY KEY, a text CHECK (length(a) < 10), \
                   [b c] text, note text DEFAULT 'CHECK (no)', \
                   CONSTRAINT \"b positive\" CHECK ((\"b c\" > 0) AND a <> ')'), \
                   constraint ok check(1))";
        let checks = sqlite_checks(sql);
        let got: Vec<(Option<&str>, &str)> = checks
            .iter()
            .map(|c| (c.name.as_deref(), c.expr.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (None, "length(a) < 10"),
                (Some("b positive"), "(\"b c\" > 0) AND a <> ')'"),
                (Some("ok"), "1"),
            ]
        );
        assert!(sqlite_checks("CREATE TABLE t (id integer)").is_empty());
    }

    #[test]
    fn postgres_aliases_meet() {
        let pg = |s| canonical_type(Backend::Postgres, s);
        assert_eq!(pg("varchar(100)"), "character varying(100)");
        assert_eq!(pg("character varying(100)"), "character varying(100)");
        assert_eq!(pg("decimal(10, 2)"), "numeric(10,2)");
        assert_eq!(pg("bool"), "boolean");
        assert_eq!(pg("timestamp"), "timestamp without time zone");
        assert_eq!(pg("timestamptz"), "timestamp with time zone");
        assert_eq!(pg("char"), "character(1)");
        assert_eq!(pg("text[]"), "text[]");
    }

    #[test]
    fn mysql_display_widths_and_booleans() {
        let my = |s| canonical_type(Backend::MySql, s);
        assert_eq!(my("int(11)"), "int");
        assert_eq!(my("int(10) unsigned"), "int unsigned");
        assert_eq!(my("int UNSIGNED"), "int unsigned");
        assert_eq!(my("bigint(20)"), "bigint");
        assert_eq!(my("bool"), "tinyint(1)");
        assert_eq!(my("tinyint(1)"), "tinyint(1)");
        assert_eq!(my("tinyint(4)"), "tinyint");
        assert_eq!(my("ENUM('Happy', 'sad')"), "enum('Happy','sad')");
        assert_eq!(
            mysql_enum_values("enum('a','it''s','x,y')"),
            Some(vec!["a".to_string(), "it's".to_string(), "x,y".to_string()])
        );
        assert_eq!(
            mysql_enum_values(r"enum('back\\slash','\'q','a\nb')"),
            Some(vec![
                r"back\slash".to_string(),
                "'q".to_string(),
                "a\nb".to_string()
            ])
        );
        assert_eq!(mysql_enum_values("varchar(10)"), None);
        let kind = ColumnType::Enum {
            name: "k".to_string().into(),
            variants: vec!["it's".to_string().into(), r"back\slash".to_string().into()],
        };
        let written = render_type(Backend::MySql, &kind).unwrap();
        assert_eq!(my(&written), r"enum('it''s','back\\slash')");
        assert_eq!(
            mysql_enum_values(&my(&written)),
            Some(vec!["it's".to_string(), r"back\slash".to_string()])
        );
        assert_eq!(my("json"), my("longtext"));
    }

    #[test]
    fn defaults_meet_across_spellings() {
        let pg = |s, t| parse_default(Backend::Postgres, s, t);
        assert_eq!(
            pg("'active'::character varying", "character varying"),
            Some(DefaultValue::Str("active".into()))
        );
        assert_eq!(
            pg("'it''s'", "text"),
            Some(DefaultValue::Str("it's".into()))
        );
        assert_eq!(
            pg("now()", "timestamp with time zone"),
            Some(DefaultValue::CurrentTimestamp)
        );
        assert_eq!(
            pg("CURRENT_TIMESTAMP", "date"),
            Some(DefaultValue::CurrentTimestamp)
        );
        assert_eq!(pg("'-1'::integer", "integer"), Some(DefaultValue::Int(-1)));
        assert_eq!(pg("(-1)", "integer"), Some(DefaultValue::Int(-1)));
        assert_eq!(pg("true", "boolean"), Some(DefaultValue::Bool(true)));
        assert_eq!(
            pg("lower('X'::text)", "text"),
            Some(DefaultValue::Expr("lower('X'::text)".into()))
        );
        assert_eq!(pg("NULL::character varying", "character varying"), None);
        assert_eq!(
            pg(
                "'2020-01-01'::date::timestamp without time zone",
                "timestamp without time zone"
            ),
            Some(DefaultValue::Str("2020-01-01".into()))
        );
        let my = |s| parse_default(Backend::MySql, s, "tinyint(1)");
        assert_eq!(my("1"), Some(DefaultValue::Bool(true)));
        assert_eq!(my("TRUE"), Some(DefaultValue::Bool(true)));
        assert_eq!(parse_default(Backend::MySql, "NULL", "int"), None);
        assert_eq!(
            parse_default(Backend::MySql, "current_timestamp()", "timestamp"),
            Some(DefaultValue::CurrentTimestamp)
        );
    }

    #[test]
    fn types_parse_back_to_builder_types() {
        let none = BTreeMap::new();
        let back = |b, s: &str| {
            let t = parse_type(b, &canonical_type(b, s), &none);
            canonical_type(b, &render_type(b, &t).unwrap())
        };
        for (b, s) in [
            (Backend::Postgres, "character varying(100)"),
            (Backend::Postgres, "numeric(12,4)"),
            (Backend::Postgres, "timestamp with time zone"),
            (Backend::MySql, "varchar(255)"),
            (Backend::MySql, "int(11)"),
            (Backend::MySql, "tinyint(1)"),
            (Backend::Sqlite, "varchar(100)"),
            (Backend::Sqlite, "timestamp_with_timezone_text"),
            (Backend::Sqlite, "real(10, 2)"),
        ] {
            assert_eq!(back(b, s), canonical_type(b, s), "{s} on {b:?}");
        }
        assert_eq!(
            parse_type(Backend::Postgres, "point", &none),
            ColumnType::Custom("point".to_string().into())
        );
    }
}
