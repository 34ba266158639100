//! Code generation: a [`Plan`] becomes the source of a sea-orm-migration file.
//!
//! Codegen never queries anything: all it writes comes from the plan. `up` is written from the
//! plan and `down` from its inverse, so `down` restores exactly what `up` replaced.
//!
//! The code is built as token streams (`quote!`), parsed into a [`syn::File`] and printed by
//! `prettyplease`, with the statements of `up` and `down` laid out as rustfmt does and the `//`
//! comments put in where placeholders stand ([`layout`]). No text of the user's (the message,
//! names, SQL) is ever formatted into Rust source: it goes in string literals, doc attributes and
//! comments only.
use std::collections::BTreeMap;
use std::fmt::Write as _;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote};
use sea_query::{ColumnType, StringLen};

use crate::diff::{Change, Plan};
use crate::model::{Backend, Column, DefaultValue, ForeignKey, Index, Table, split_qualified};
use crate::renames::{Candidate, Rename};

mod layout;

/// What a generated file is about.
pub struct FileSpec<'a> {
    /// The user's message, e.g. "add bio to users".
    pub message: &'a str,
    pub backend: Backend,
    pub plan: &'a Plan,
    /// Rows per table where known, to say how many a hazard concerns.
    pub rows: &'a BTreeMap<String, u64>,
    /// Rename candidates answered No: their drops say so, with the command that writes the
    /// migration again with the rename.
    pub declined: &'a [Candidate],
    /// The migration's name (`m20261121_093000_add_bio_to_users`), for that command.
    pub name: &'a str,
    /// The migrations it is generated on top of, for its `Follows:` line (the runner's
    /// `lineage`): the head of the history, the heads it merges, or none for the first one.
    pub follows: &'a [String],
    /// Online mode (`--online`): the file runs without a transaction and calls
    /// `automigrate_ops::online`, which carries each change out without blocking writes where
    /// the backend can.
    pub online: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Unsupported {
    pub change: String,
    pub reason: String,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot generate `{}`: {}", self.change, self.reason)
    }
}

impl std::error::Error for Unsupported {}

/// Tracks what the generated code uses, to import exactly that.
#[derive(Default)]
struct Uses {
    /// Write `REVIEW` comments at hazardous statements (in `down`, those that may fail or lose
    /// data).
    review: bool,
    backend: Option<Backend>,
    rows: BTreeMap<String, u64>,
    /// The renames answered No, by the table they drop from (in `up` only).
    declined: BTreeMap<String, Vec<Rename>>,
    /// `cargo xtask makemigration --replace <this migration>`, and the message, quoted for a shell.
    again: (String, String),
    /// The foreign keys the plan being written drops ([`crate::hazards::dropped_foreign_keys`]).
    dropped_keys: std::collections::BTreeSet<crate::hazards::KeyOf>,
    /// Rendering `down`.
    down: bool,
    schema_helpers: bool,
    /// The file calls `automigrate_ops`.
    ops: bool,
    /// The file calls its `execute_sql` helper.
    execute_sql: bool,
    /// Online mode ([`FileSpec::online`]).
    online: bool,
}

/// Renders the whole migration file. The text is laid out as rustfmt would; callers may still
/// pass it through rustfmt.
pub fn render_file(spec: &FileSpec) -> Result<String, Unsupported> {
    let mut uses = Uses {
        review: true,
        backend: Some(spec.backend),
        rows: spec.rows.clone(),
        declined: by_table(spec.declined),
        again: (
            format!("cargo xtask makemigration --replace {}", spec.name),
            shell_quote(&first_line(spec.message)),
        ),
        dropped_keys: crate::hazards::dropped_foreign_keys(spec.plan),
        online: spec.online,
        ..Uses::default()
    };
    let up = render_body(spec.backend, spec.plan, &mut uses)?;
    // `down` has its own hazards (a column dropped again, a column made NOT NULL again), but
    // the rows counted now say nothing of the rows it will meet.
    uses.rows.clear();
    let down_plan = spec.plan.inverse();
    uses.dropped_keys = crate::hazards::dropped_foreign_keys(&down_plan);
    uses.declined.clear();
    uses.down = true;
    let down = render_body(spec.backend, &down_plan, &mut uses)?;

    let header = header_lines(spec).into_iter().map(|line| {
        // `//! text` is `#![doc = " text"]`; prettyplease prints it back as `//! text`.
        let doc = if line.is_empty() {
            line
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #doc])
    });
    let ops_import = uses.ops.then(|| {
        quote!(
            use automigrate_ops as ops;
        )
    });
    let prelude = if uses.schema_helpers {
        quote!(
            use sea_orm_migration::{prelude::*, schema::*};
        )
    } else {
        quote!(
            use sea_orm_migration::prelude::*;
        )
    };
    let blank = quote!(__automigrate_blank!(););
    let no_transaction = if spec.online && !spec.plan.is_empty() {
        let comments = ONLINE_NO_TRANSACTION.map(comment_stmt);
        Some(quote! {
            #(#comments)*
            fn use_transaction(&self) -> Option<bool> {
                Some(false)
            }
            #blank
        })
    } else {
        (uses_added_enum_values(spec.plan) || uses_added_enum_values(&down_plan)).then(|| {
            let comments = [
            "REVIEW(no-transaction): PostgreSQL cannot use an enum value in the transaction that",
            "added it (ALTER TYPE ... ADD VALUE), and this migration does, so it runs without",
            "one: if a statement fails, the ones before it stay applied. Or split it in two.",
        ]
        .map(comment_stmt);
            quote! {
                #(#comments)*
                fn use_transaction(&self) -> Option<bool> {
                    Some(false)
                }
                #blank
            }
        })
    };
    let merge = is_merge(spec);
    let (up, up_parts) = migration_fn("up", up, merge);
    let (down, down_parts) = migration_fn("down", down, merge);
    let helper = uses.execute_sql.then(|| {
        quote! {
            #blank
            /// Runs SQL that sea-query has no builder for, as a statement: if it fails, the runner names it.
            async fn execute_sql(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
                let statement = sea_orm::Statement::from_string(manager.get_database_backend(), sql);
                manager.get_connection().execute_raw(statement).await?;
                Ok(())
            }
        }
    });
    let file = quote! {
        #(#header)*
        #ops_import
        #prelude
        #blank
        #[derive(DeriveMigrationName)]
        pub struct Migration;
        #blank
        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            #no_transaction
            #up
            #blank
            #down
        }
        #(#blank #up_parts)*
        #(#blank #down_parts)*
        #helper
    };
    let file: syn::File = syn::parse2(file).expect("codegen builds a valid file");
    Ok(layout::print_file(file))
}

/// A merge migration (`makemigration --merge`): it follows several and changes nothing.
fn is_merge(spec: &FileSpec) -> bool {
    spec.plan.is_empty() && spec.follows.len() > 1
}

/// The `//!` lines that open the file, without `//! `.
fn header_lines(spec: &FileSpec) -> Vec<String> {
    // Only the message's first line goes in, with control and bidirectional-formatting
    // characters (which end a comment or do not compile in one) removed, so that nothing of the
    // message can ever be code.
    let message = first_line(spec.message);
    let message = message.trim();
    let mut lines = vec![
        if message.is_empty() {
            "(no message)".to_string()
        } else {
            message.to_string()
        },
        String::new(),
        clean_line(&follows_line(spec.follows)),
    ];
    if is_merge(spec) {
        lines.push(
            "Written by `cargo xtask makemigration --merge`: the migrations it follows".into(),
        );
        lines.push(
            "were written on branches apart; it follows them all and changes nothing.".into(),
        );
        return lines;
    }
    if spec.plan.is_empty() {
        lines.push(
            "Written by `cargo xtask makemigration --empty`: fill in `up` and `down` by hand."
                .into(),
        );
        return lines;
    }
    lines.push(format!(
        "Generated by `cargo xtask makemigration` from the entities and the {} database.",
        spec.backend.name()
    ));
    lines.push("Review it like any other code: it is yours now.".into());
    lines.push(String::new());
    lines.push("Changes:".into());
    for c in &spec.plan.changes {
        for line in c.summary().lines() {
            lines.push(format!("  {}", clean_line(line)));
        }
    }
    if spec.online {
        lines.push(String::new());
        lines.extend(ONLINE_HEADER.iter().map(|l| l.to_string()));
    }
    if let Some(note) = crate::flavour::of(spec.backend).file_note() {
        lines.push(String::new());
        lines.extend(note.lines().map(clean_line));
    }
    lines
}

/// The header's `Follows:` line, which automigrate-runner's `lineage` reads back (a test of
/// the automigrate crate checks that it does): the migrations this one is generated on top of.
pub fn follows_line(follows: &[String]) -> String {
    if follows.is_empty() {
        "Follows: nothing (the first migration)".to_string()
    } else {
        format!("Follows: {}", follows.join(", "))
    }
}

/// What the header of an online file says.
const ONLINE_HEADER: [&str; 8] = [
    "Online (`--online`): each change is carried out by `automigrate_ops::online`, so that",
    "the application's writes go on: on PostgreSQL indexes are built CONCURRENTLY, foreign",
    "keys and NOT NULL are validated without blocking writes, and every statement waits for",
    "its lock at most `lock_timeout` and is tried again (AUTOMIGRATE_LOCK_TIMEOUT, 1 s, and",
    "AUTOMIGRATE_LOCK_RETRIES, 10); on MySQL/MariaDB each ALTER is pinned to ALGORITHM=INSTANT",
    "or INPLACE, LOCK=NONE (a change the server can only make by copying the table fails",
    "instead) under `lock_wait_timeout`; on SQLite (one writer) the mode changes nothing.",
    "It runs without a transaction: see `use_transaction` below.",
];

/// The comment on an online file's `use_transaction`.
const ONLINE_NO_TRANSACTION: [&str; 4] = [
    "REVIEW(no-transaction): online, this migration runs without a transaction, so that",
    "PostgreSQL can build indexes CONCURRENTLY and no lock is held longer than its statement:",
    "if a statement fails, the ones before it stay applied (fix the cause, then finish or",
    "undo them by hand). Each online operation retries on its own after a lock timeout.",
];

/// A line of text for a comment: control and bidirectional-formatting characters become spaces.
fn clean_line(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The message's first line that has text, with control and bidirectional-formatting
/// characters (which end a comment or do not compile in one) taken out: nothing of a message
/// can ever be code.
fn first_line(message: &str) -> String {
    message
        .split([
            '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}',
        ])
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// Quoted for a POSIX shell: `'it'\''s'`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// True when the plan adds values to a PostgreSQL enum in place (`ADD VALUE`) and also uses one
/// of them, as a column default: PostgreSQL refuses that in the transaction that added it.
fn uses_added_enum_values(plan: &Plan) -> bool {
    let mut added: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in &plan.changes {
        if let Change::AlterEnum { from, to, .. } = c
            && crate::diff::only_adds(from, to)
        {
            added.entry(to.name.as_str()).or_default().extend(
                to.values
                    .iter()
                    .filter(|v| !from.values.contains(v))
                    .map(String::as_str),
            );
        }
    }
    if added.is_empty() {
        return false;
    }
    let uses = |c: &Column| {
        let type_name = match &c.kind {
            ColumnType::Enum { name, .. } => name.to_string(),
            _ => c.sql_type.clone(),
        };
        match &c.default {
            Some(DefaultValue::Str(v)) => added
                .get(type_name.as_str())
                .is_some_and(|values| values.contains(&v.as_str())),
            _ => false,
        }
    };
    plan.changes.iter().any(|c| match c {
        Change::AddColumn { column, .. } => uses(column),
        Change::AlterColumn { to, .. } => uses(to),
        Change::CreateTable(t) => t.columns.iter().any(uses),
        _ => false,
    })
}

/// The most statements one function of a migration holds. A debug build gives each statement's
/// temporaries and futures a stack slot of their own, so a function's stack frame grows with its
/// statements: one `up` creating 1,000 tables overflowed an 8 MiB stack, and a tokio worker
/// thread, where an application may run its migrations, has 2 MiB. A longer `up` or `down` calls
/// parts of at most this many, each a function of its own after the `impl`.
const PART: usize = 50;

/// `async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> { … Ok(()) }`, and the
/// functions it calls when its statements are more than a [`PART`].
/// An empty body says why: a merge has nothing to do, an `--empty` migration is to be written.
fn migration_fn(
    name: &str,
    body: Vec<TokenStream>,
    merge: bool,
) -> (TokenStream, Vec<TokenStream>) {
    let ident = Ident::new(name, Span::call_site());
    let (manager, nothing) = if body.is_empty() {
        let why = if merge {
            "A merge: nothing to do."
        } else {
            "Nothing to do yet: write the migration here."
        };
        (quote!(_manager), Some(comment_stmt(why)))
    } else {
        (quote!(manager), None)
    };
    let statements = steps(body);
    let (body, parts) = if statements.len() > PART {
        let chunks: Vec<_> = statements.chunks(PART).collect();
        let count = chunks.len();
        let why = [
            format!(
                "{} statements, in {count} parts of at most {PART}: one function holding them all",
                statements.len()
            ),
            "would need a stack frame that grows with them, which a debug build can overflow."
                .into(),
        ];
        let mut calls: Vec<TokenStream> = why.iter().map(|l| comment_stmt(l)).collect();
        let mut parts = Vec::new();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let part = Ident::new(&format!("{name}_part_{}", i + 1), Span::call_site());
            let doc = format!(" `{name}`, part {} of {count}.", i + 1);
            let stmts = chunk.iter().flatten();
            calls.push(quote!(#part(manager).await?;));
            parts.push(quote! {
                #[doc = #doc]
                async fn #part(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
                    #(#stmts)*
                    Ok(())
                }
            });
        }
        (calls, parts)
    } else {
        (statements.into_iter().flatten().collect(), Vec::new())
    };
    let function = quote! {
        async fn #ident(&self, #manager: &SchemaManager) -> Result<(), DbErr> {
            #nothing
            #(#body)*
            Ok(())
        }
    };
    (function, parts)
}

/// A body's statements, each with the comment lines before it.
fn steps(body: Vec<TokenStream>) -> Vec<Vec<TokenStream>> {
    let mut steps = Vec::new();
    let mut step = Vec::new();
    for stmt in body {
        let comment = matches!(
            stmt.clone().into_iter().next(),
            Some(proc_macro2::TokenTree::Ident(i)) if i == layout::COMMENT
        );
        step.push(stmt);
        if !comment {
            steps.push(std::mem::take(&mut step));
        }
    }
    if !step.is_empty() {
        steps.push(step);
    }
    steps
}

/// A `// text` line before a statement or an item of the `impl` (a placeholder the layout turns
/// into the comment).
fn comment_stmt(text: &str) -> TokenStream {
    quote!(__automigrate_comment!(#text);)
}

/// A `// text` line between a method chain's steps.
fn comment_step(text: &str) -> TokenStream {
    quote!(.__automigrate_comment(#text))
}

/// One token stream per statement (comments are statements of their own, before it).
fn render_body(
    backend: Backend,
    plan: &Plan,
    uses: &mut Uses,
) -> Result<Vec<TokenStream>, Unsupported> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < plan.changes.len() {
        let change = &plan.changes[i];
        // Two or more changes of one table's own (its columns, its key) in a row are one batch,
        // which SQLite carries out in one rebuild.
        let batched = |c: &Change| {
            matches!(
                c,
                Change::AddColumn { .. }
                    | Change::AlterColumn { .. }
                    | Change::DropColumn { .. }
                    | Change::AlterPrimaryKey { .. }
            )
        };
        let group = plan.changes[i..]
            .iter()
            .take_while(|c| batched(c) && c.table() == change.table())
            .count();
        if group >= 2 {
            out.extend(batch(backend, &plan.changes[i..i + group], uses));
            i += group;
            continue;
        }
        out.extend(statement(backend, change, uses)?);
        i += 1;
    }
    Ok(out)
}

/// `ops::alter_table(table).<step>…​.run(manager).await?;`, each step after its REVIEW lines,
/// then what must follow the batch (PostgreSQL's comments of added columns).
fn batch(backend: Backend, changes: &[Change], uses: &mut Uses) -> Vec<TokenStream> {
    uses.ops = true;
    let table = changes[0].table().unwrap_or_default();
    let mut chain = {
        let t = table_ref(backend, table);
        let module = ops_module(uses);
        quote!(#module::alter_table(#t))
    };
    let mut after = Vec::new();
    for change in changes {
        for line in review_lines(change, uses) {
            chain.extend(comment_step(&line));
        }
        let step = match change {
            Change::AddColumn { column, .. } => {
                after.extend(column_comment(backend, table, column, uses));
                let def = column_def(backend, column, false, false, uses);
                quote!(.add_column(#def))
            }
            Change::AlterColumn { from, to, .. } => {
                let from = column_def(backend, from, false, false, uses);
                let to = column_def(backend, to, false, false, uses);
                quote!(.alter_column(#from, #to))
            }
            Change::DropColumn { column, .. } => {
                let name = lit(&column.name);
                quote!(.drop_column(#name))
            }
            Change::AlterPrimaryKey { to, .. } => {
                let to = str_list(to);
                quote!(.set_primary_key(#to))
            }
            _ => unreachable!("only a table's own changes are batched"),
        };
        chain.extend(step);
    }
    let mut out = vec![quote!(#chain.run(manager).await?;)];
    out.extend(after);
    out
}

/// A string literal, escaped as needed: user text never becomes code.
fn lit(s: &str) -> TokenStream {
    Literal::string(s).into_token_stream()
}

/// An unsuffixed integer literal.
fn num(n: u32) -> TokenStream {
    Literal::u32_unsuffixed(n).into_token_stream()
}

/// A table as sea-query and the operations take it: `"posts"`, or `("audit", "events")` for a
/// table in another PostgreSQL schema.
fn table_ref(backend: Backend, table: &str) -> TokenStream {
    match split_qualified(backend, table) {
        (Some(ns), name) => {
            let (ns, name) = (lit(ns), lit(name));
            quote!((#ns, #name))
        }
        (None, name) => lit(name),
    }
}

/// A table's name without its schema: what `RENAME TO` and generated names take.
fn bare(backend: Backend, table: &str) -> &str {
    split_qualified(backend, table).1
}

/// `["a", "b"]`.
fn str_list(items: &[String]) -> TokenStream {
    let items = items.iter().map(|c| lit(c));
    quote!([#(#items),*])
}

/// `ops::<name>(manager, <args>).await?;`, a call of an `automigrate_ops` operation.
fn op(uses: &mut Uses, name: &str, args: &[TokenStream]) -> TokenStream {
    uses.ops = true;
    let name = Ident::new(name, Span::call_site());
    let module = ops_module(uses);
    quote!(#module::#name(manager, #(#args),*).await?;)
}

/// `ops`, or `ops::online` in online mode.
fn ops_module(uses: &Uses) -> TokenStream {
    if uses.online {
        quote!(ops::online)
    } else {
        quote!(ops)
    }
}

/// `manager.<method>(<statement>).await?;`, or in online mode
/// `ops::online::<online>(manager, <statement>).await?;`.
fn manager_call(uses: &mut Uses, method: &str, online: &str, stmt: TokenStream) -> TokenStream {
    if uses.online {
        uses.ops = true;
        let online = Ident::new(online, Span::call_site());
        quote!(ops::online::#online(manager, #stmt).await?;)
    } else {
        let method = Ident::new(method, Span::call_site());
        quote!(manager.#method(#stmt).await?;)
    }
}

fn statement(
    backend: Backend,
    change: &Change,
    uses: &mut Uses,
) -> Result<Vec<TokenStream>, Unsupported> {
    let code = statement_code(backend, change, uses)?;
    let mut out: Vec<TokenStream> = review_lines(change, uses)
        .iter()
        .map(|l| comment_stmt(l))
        .collect();
    out.extend(code);
    Ok(out)
}

fn statement_code(
    backend: Backend,
    change: &Change,
    uses: &mut Uses,
) -> Result<Vec<TokenStream>, Unsupported> {
    let t = |table: &str| table_ref(backend, table);
    Ok(match change {
        Change::RenameTable { from, to } => {
            let (from, to) = (t(from), lit(bare(backend, to)));
            let stmt = quote!(Table::rename().table(#from, #to).to_owned());
            vec![manager_call(uses, "rename_table", "run", stmt)]
        }
        // RENAME COLUMN is a statement of its own: PostgreSQL does not combine it with others.
        Change::RenameColumn { table, from, to } => {
            let (table, from, to) = (t(table), lit(from), lit(to));
            let stmt = quote!(Table::alter().table(#table).rename_column(#from, #to).to_owned());
            vec![manager_call(uses, "alter_table", "run", stmt)]
        }
        Change::CreateNamespace(n) => {
            vec![execute(
                &format!("CREATE SCHEMA {}", quote_ident(backend, n)),
                uses,
            )]
        }
        // Without CASCADE: a schema that still holds something is not dropped.
        Change::DropNamespace(n) => vec![execute(
            &format!("DROP SCHEMA {}", quote_ident(backend, n)),
            uses,
        )],
        Change::CreateEnum(e) => {
            vec![op(
                uses,
                "create_enum",
                &[lit(&e.name), str_list(&e.values)],
            )]
        }
        Change::AlterEnum { from, to, .. } => vec![op(
            uses,
            "alter_enum",
            &[lit(&to.name), str_list(&from.values), str_list(&to.values)],
        )],
        Change::DropEnum(e) => vec![op(uses, "drop_enum", &[lit(&e.name)])],
        Change::CreateTable(table) => create_table(backend, table, uses),
        Change::DropTable(table) => {
            let table = t(&table.name);
            let stmt = quote!(Table::drop().table(#table).to_owned());
            vec![manager_call(uses, "drop_table", "run", stmt)]
        }
        Change::AddColumn { table, column } => {
            let def = column_def(backend, column, false, false, uses);
            let mut out = vec![op(uses, "add_column", &[t(table), def])];
            out.extend(column_comment(backend, table, column, uses));
            out
        }
        Change::DropColumn { table, column } => {
            vec![op(uses, "drop_column", &[t(table), lit(&column.name)])]
        }
        Change::AlterColumn { table, from, to } => {
            let from = column_def(backend, from, false, false, uses);
            let to = column_def(backend, to, false, false, uses);
            vec![op(uses, "alter_column", &[t(table), from, to])]
        }
        // A unique constraint goes back as one (PostgreSQL tells constraints from indexes);
        // any other index under its name.
        Change::AddIndex { table, index } => match &index.name {
            Some(name) if index.constraint && index.unique => vec![op(
                uses,
                "add_unique",
                &[t(table), lit(name), str_list(&index.columns)],
            )],
            _ => vec![create_index(backend, table, index, uses)],
        },
        // A unique one is found by its columns: its name differs between backends.
        Change::DropIndex { table, index } if index.unique => {
            vec![op(
                uses,
                "drop_unique",
                &[t(table), str_list(&index.columns)],
            )]
        }
        Change::DropIndex { table, index } => {
            let name = lit(&index_name(backend, table, index));
            let table = t(table);
            let stmt = quote!(Index::drop().name(#name).table(#table).to_owned());
            vec![manager_call(uses, "drop_index", "drop_index", stmt)]
        }
        Change::AddForeignKey { table, fk } => {
            let fk = foreign_key(backend, table, fk);
            vec![op(uses, "add_foreign_key", &[quote!(#fk.to_owned())])]
        }
        // Found by its columns: SQLite keeps no names.
        Change::DropForeignKey { table, fk } => {
            vec![op(
                uses,
                "drop_foreign_key",
                &[t(table), str_list(&fk.columns)],
            )]
        }
        Change::AlterPrimaryKey { table, to, .. } => {
            vec![op(uses, "set_primary_key", &[t(table), str_list(to)])]
        }
        Change::AlterTableComment { table, to, .. } => {
            vec![op(
                uses,
                "set_table_comment",
                &[t(table), option_lit(to.as_deref())],
            )]
        }
    })
}

/// `Some("text")` or `None`.
fn option_lit(text: Option<&str>) -> TokenStream {
    match text {
        Some(c) => {
            let c = lit(c);
            quote!(Some(#c))
        }
        None => quote!(None),
    }
}

/// PostgreSQL keeps a column's comment outside its definition: the operation that sets it there
/// (and does nothing elsewhere), after the column is made.
fn column_comment(
    backend: Backend,
    table: &str,
    column: &Column,
    uses: &mut Uses,
) -> Vec<TokenStream> {
    match &column.comment {
        Some(c) => vec![op(
            uses,
            "set_column_comment",
            &[
                table_ref(backend, table),
                lit(&column.name),
                option_lit(Some(c)),
            ],
        )],
        None => Vec::new(),
    }
}

fn index_name(backend: Backend, table: &str, index: &Index) -> String {
    let table = bare(backend, table);
    index
        .name
        .clone()
        .unwrap_or_else(|| format!("idx-{table}-{}", index.columns.join("-")))
}

fn create_index(backend: Backend, table: &str, index: &Index, uses: &mut Uses) -> TokenStream {
    let name = lit(&index_name(backend, table, index));
    let table = table_ref(backend, table);
    let cols = index.columns.iter().map(|c| lit(c));
    let unique = index.unique.then(|| quote!(.unique()));
    let stmt = quote!(Index::create().name(#name).table(#table)#(.col(#cols))*#unique.to_owned());
    manager_call(uses, "create_index", "create_index", stmt)
}

/// One column bare, several as a tuple.
fn iden_list(cols: &[String]) -> TokenStream {
    match cols {
        [one] => lit(one),
        many => {
            let many = many.iter().map(|c| lit(c));
            quote!((#(#many),*))
        }
    }
}

/// `ForeignKey::create()...` without the trailing `.to_owned()`.
fn foreign_key(backend: Backend, table: &str, fk: &ForeignKey) -> TokenStream {
    let name = fk
        .name
        .clone()
        .unwrap_or_else(|| format!("fk-{}-{}", bare(backend, table), fk.columns.join("-")));
    let name = lit(&name);
    let from = (table_ref(backend, table), iden_list(&fk.columns));
    let to = (
        table_ref(backend, &fk.ref_table),
        iden_list(&fk.ref_columns),
    );
    let (from_table, from_cols) = from;
    let (to_table, to_cols) = to;
    let on_delete = Ident::new(fk.on_delete.rust(), Span::call_site());
    let on_update = Ident::new(fk.on_update.rust(), Span::call_site());
    quote! {
        ForeignKey::create()
            .name(#name)
            .from(#from_table, #from_cols)
            .to(#to_table, #to_cols)
            .on_delete(ForeignKeyAction::#on_delete)
            .on_update(ForeignKeyAction::#on_update)
    }
}

/// `CREATE TABLE`, then its comments and indexes.
fn create_table(backend: Backend, t: &Table, uses: &mut Uses) -> Vec<TokenStream> {
    let name = &t.name;
    let mut out = Vec::new();
    let single_pk = (t.primary_key.len() == 1).then(|| t.primary_key[0].as_str());
    // Single-column unique constraints without a name of their own go inline, as SeaORM's
    // `#[sea_orm(unique)]` does.
    let inline: std::collections::BTreeSet<&str> = t
        .indexes
        .iter()
        .filter(|i| i.unique && i.columns.len() == 1 && (i.name.is_none() || i.constraint))
        .map(|i| i.columns[0].as_str())
        .collect();
    let inline_unique = |c: &Column| inline.contains(c.name.as_str());
    let mut chain = {
        let table = table_ref(backend, name);
        quote!(Table::create().table(#table))
    };
    for c in &t.columns {
        let def = column_def(
            backend,
            c,
            single_pk == Some(c.name.as_str()),
            inline_unique(c),
            uses,
        );
        chain.extend(quote!(.col(#def)));
    }
    if t.primary_key.len() > 1 {
        let cols = t.primary_key.iter().map(|c| lit(c));
        chain.extend(quote!(.primary_key(Index::create()#(.col(#cols))*)));
    }
    for i in &t.indexes {
        if i.constraint && i.unique && i.columns.len() > 1 {
            let index = lit(&index_name(backend, &t.name, i));
            let cols = i.columns.iter().map(|c| lit(c));
            chain.extend(quote!(.index(Index::create().name(#index)#(.col(#cols))*.unique())));
        }
    }
    for fk in &t.foreign_keys {
        // A key without a name is named after the table, not after a rebuild's temporary name.
        let mut fk = fk.clone();
        if fk.name.is_none() {
            fk.name = Some(format!(
                "fk-{}-{}",
                bare(backend, &t.name),
                fk.columns.join("-")
            ));
        }
        let fk = foreign_key(backend, name, &fk);
        chain.extend(quote!(.foreign_key(#fk)));
    }
    for c in &t.checks {
        let expr = sql_lit(&c.expr);
        chain.extend(match &c.name {
            Some(n) => {
                let n = lit(n);
                quote!(.check(Check::named(#n, Expr::cust(#expr))))
            }
            None => quote!(.check(Check::unnamed(Expr::cust(#expr)))),
        });
    }
    out.push(manager_call(
        uses,
        "create_table",
        "run",
        quote!(#chain.to_owned()),
    ));
    if t.comment.is_some() {
        let args = [table_ref(backend, name), option_lit(t.comment.as_deref())];
        out.push(op(uses, "set_table_comment", &args));
    }
    for c in &t.columns {
        out.extend(column_comment(backend, name, c, uses));
    }
    for i in &t.indexes {
        let inline = i.unique
            && ((i.columns.len() == 1 && (i.name.is_none() || i.constraint))
                || (i.constraint && i.columns.len() > 1));
        if !inline {
            out.push(create_index(backend, &t.name, i, uses));
        }
    }
    out
}

/// The schema helper for a column type, with its arguments after the column name:
/// `("string_len", [100])`.
fn helper(kind: &ColumnType) -> Option<(&'static str, Vec<TokenStream>)> {
    use ColumnType as T;
    Some(match kind {
        T::Char(Some(n)) => ("char_len", vec![num(*n)]),
        T::Char(None) => ("char", vec![]),
        T::String(StringLen::N(n)) => ("string_len", vec![num(*n)]),
        T::String(StringLen::None) => ("string", vec![]),
        T::Text => ("text", vec![]),
        T::TinyInteger => ("tiny_integer", vec![]),
        T::SmallInteger => ("small_integer", vec![]),
        T::Integer => ("integer", vec![]),
        T::BigInteger => ("big_integer", vec![]),
        T::TinyUnsigned => ("tiny_unsigned", vec![]),
        T::SmallUnsigned => ("small_unsigned", vec![]),
        T::Unsigned => ("unsigned", vec![]),
        T::BigUnsigned => ("big_unsigned", vec![]),
        T::Float => ("float", vec![]),
        T::Double => ("double", vec![]),
        T::Decimal(Some((p, s))) => ("decimal_len", vec![num(*p), num(*s)]),
        T::Decimal(None) => ("decimal", vec![]),
        T::DateTime => ("date_time", vec![]),
        T::Timestamp => ("timestamp", vec![]),
        T::TimestampWithTimeZone => ("timestamp_with_time_zone", vec![]),
        T::Time => ("time", vec![]),
        T::Date => ("date", vec![]),
        T::Year => ("year", vec![]),
        T::Binary(n) => ("binary_len", vec![num(*n)]),
        T::VarBinary(StringLen::N(n)) => ("var_binary", vec![num(*n)]),
        T::Blob => ("blob", vec![]),
        T::Boolean => ("boolean", vec![]),
        T::Json => ("json", vec![]),
        T::JsonBinary => ("json_binary", vec![]),
        T::Uuid => ("uuid", vec![]),
        _ => return None,
    })
}

/// An enum column's definition: `enumeration_null("mood", "mood", ["happy", "sad"])`.
fn enum_column(
    column: &Column,
    type_name: &str,
    variants: &[String],
    uses: &mut Uses,
) -> TokenStream {
    // automigrate-ops' `enumeration`, not sea-orm-migration's: sea-query writes an enum
    // type's name and values as they are given, which a name that needs quoting (PostgreSQL) or
    // a value with a quote or a backslash (MySQL/MariaDB) does not survive.
    uses.ops = true;
    let helper = if column.nullable {
        quote!(ops::enumeration_null)
    } else {
        quote!(ops::enumeration)
    };
    let (name, type_name, variants) = (lit(&column.name), lit(type_name), str_list(variants));
    quote!(#helper(#name, #type_name, #variants))
}

/// The `ColumnType` of a builder type that has no schema helper, as a Rust expression:
/// `ColumnType::VarBinary(StringLen::None)`. `None` for the types only one backend has.
fn type_expr(kind: &ColumnType) -> Option<TokenStream> {
    use ColumnType as T;
    let len = |l: &StringLen| match l {
        StringLen::N(n) => {
            let n = num(*n);
            quote!(StringLen::N(#n))
        }
        StringLen::Max => quote!(StringLen::Max),
        _ => quote!(StringLen::None),
    };
    let opt = |n: &Option<u32>| match n {
        Some(n) => {
            let n = num(*n);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let pair = |p: &Option<(u32, u32)>| match p {
        Some((a, b)) => {
            let (a, b) = (num(*a), num(*b));
            quote!(Some((#a, #b)))
        }
        None => quote!(None),
    };
    Some(match kind {
        T::Char(n) => {
            let n = opt(n);
            quote!(ColumnType::Char(#n))
        }
        T::String(l) => {
            let l = len(l);
            quote!(ColumnType::String(#l))
        }
        T::VarBinary(l) => {
            let l = len(l);
            quote!(ColumnType::VarBinary(#l))
        }
        T::Binary(n) => {
            let n = num(*n);
            quote!(ColumnType::Binary(#n))
        }
        T::Decimal(p) => {
            let p = pair(p);
            quote!(ColumnType::Decimal(#p))
        }
        T::Money(p) => {
            let p = pair(p);
            quote!(ColumnType::Money(#p))
        }
        T::Bit(n) => {
            let n = opt(n);
            quote!(ColumnType::Bit(#n))
        }
        T::VarBit(n) => {
            let n = num(*n);
            quote!(ColumnType::VarBit(#n))
        }
        T::Text => quote!(ColumnType::Text),
        T::TinyInteger => quote!(ColumnType::TinyInteger),
        T::SmallInteger => quote!(ColumnType::SmallInteger),
        T::Integer => quote!(ColumnType::Integer),
        T::BigInteger => quote!(ColumnType::BigInteger),
        T::TinyUnsigned => quote!(ColumnType::TinyUnsigned),
        T::SmallUnsigned => quote!(ColumnType::SmallUnsigned),
        T::Unsigned => quote!(ColumnType::Unsigned),
        T::BigUnsigned => quote!(ColumnType::BigUnsigned),
        T::Float => quote!(ColumnType::Float),
        T::Double => quote!(ColumnType::Double),
        T::DateTime => quote!(ColumnType::DateTime),
        T::Timestamp => quote!(ColumnType::Timestamp),
        T::TimestampWithTimeZone => quote!(ColumnType::TimestampWithTimeZone),
        T::Time => quote!(ColumnType::Time),
        T::Date => quote!(ColumnType::Date),
        T::Year => quote!(ColumnType::Year),
        T::Blob => quote!(ColumnType::Blob),
        T::Boolean => quote!(ColumnType::Boolean),
        T::Json => quote!(ColumnType::Json),
        T::JsonBinary => quote!(ColumnType::JsonBinary),
        T::Uuid => quote!(ColumnType::Uuid),
        _ => return None,
    })
}

/// A column definition expression: `string_len_null("bio", 100).default("x")`.
fn column_def(
    backend: Backend,
    c: &Column,
    single_pk: bool,
    unique: bool,
    uses: &mut Uses,
) -> TokenStream {
    let name = lit(&c.name);
    // Every definition but an enum's and a `ColumnDef::new_with_type` is a schema helper.
    uses.schema_helpers |= !matches!(&c.kind, ColumnType::Enum { .. })
        && (helper(&c.kind).is_some() || type_expr(&c.kind).is_none());
    let mut s = match (&c.kind, single_pk && c.auto_increment && !c.nullable) {
        (ColumnType::Integer, true) => quote!(pk_auto(#name)),
        (ColumnType::BigInteger, true) => quote!(big_pk_auto(#name)),
        (kind, _) => {
            let mut s = match (kind, helper(kind), type_expr(kind)) {
                (ColumnType::Enum { name, variants }, _, _) => {
                    let variants: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
                    enum_column(c, &name.to_string(), &variants, uses)
                }
                (_, Some((base, args)), _) => {
                    let suffix = if c.nullable { "_null" } else { "" };
                    let base = Ident::new(&format!("{base}{suffix}"), Span::call_site());
                    quote!(#base(#name #(, #args)*))
                }
                // No schema helper, but a builder type, which each backend writes its way.
                (_, None, Some(ty)) => {
                    let null = if c.nullable {
                        quote!(null)
                    } else {
                        quote!(not_null)
                    };
                    quote!(ColumnDef::new_with_type(#name, #ty).#null())
                }
                // A type of the generation backend's own: written as it spells it.
                (_, None, None) => {
                    let sql = crate::dialect::render_type(backend, kind)
                        .unwrap_or_else(|| c.sql_type.clone());
                    let custom = if c.nullable {
                        quote!(custom_null)
                    } else {
                        quote!(custom)
                    };
                    let sql = lit(&sql);
                    quote!(#custom(#name, #sql))
                }
            };
            if c.auto_increment {
                s.extend(quote!(.auto_increment()));
            }
            if single_pk {
                s.extend(quote!(.primary_key()));
            }
            s
        }
    };
    if let Some(e) = c.default.as_ref().and_then(default_expr) {
        s.extend(quote!(.default(#e)));
    }
    if unique {
        s.extend(quote!(.unique_key()));
    }
    if let Some(comment) = &c.comment {
        let comment = lit(comment);
        s.extend(quote!(.comment(#comment)));
    }
    s
}

#[cfg(test)]
mod tests;

use crate::dialect::quote_ident;

/// A Rust string literal for SQL text: raw (`r#"…"#`) when that reads better, that is when it
/// holds double quotes, only if the raw literal is proven to hold exactly the text; escaped
/// otherwise.
fn sql_lit(sql: &str) -> TokenStream {
    let readable = sql.contains('"') && !sql.contains("\"#") && !sql.chars().any(char::is_control);
    if readable
        && let Ok(raw) = syn::parse_str::<syn::LitStr>(&format!("r#\"{sql}\"#"))
        && raw.value() == sql
    {
        return raw.into_token_stream();
    }
    lit(sql)
}

/// SQL that sea-query has no builder for, run by the file's `execute_sql` helper: as a
/// statement, which sea-orm's metric callback sees, so that the runner can name it if it fails
/// (`execute_unprepared` bypasses the callback).
fn execute(sql: &str, uses: &mut Uses) -> TokenStream {
    uses.execute_sql = true;
    let sql = sql_lit(sql);
    quote!(execute_sql(manager, #sql).await?;)
}

/// The Rust expression for a default, for `.default(…)`.
fn default_expr(d: &DefaultValue) -> Option<TokenStream> {
    match d {
        DefaultValue::Null => None,
        DefaultValue::Bool(b) => Some(quote!(#b)),
        DefaultValue::Int(i) => Some(match i32::try_from(*i) {
            Ok(i) => Literal::i32_unsuffixed(i).into_token_stream(),
            Err(_) => Literal::i64_suffixed(*i).into_token_stream(),
        }),
        DefaultValue::Float(f) => {
            let f = lit(f);
            Some(quote!(Expr::cust(#f)))
        }
        DefaultValue::Str(v) => Some(lit(v)),
        DefaultValue::CurrentTimestamp => Some(quote!(Expr::current_timestamp())),
        DefaultValue::Expr(e) => {
            let e = sql_lit(e);
            Some(quote!(Expr::cust(#e)))
        }
    }
}

/// The `REVIEW(code): …` comment lines (without their `// `) for the hazards of a change, in `up`
/// only.
fn review_lines(change: &Change, uses: &Uses) -> Vec<String> {
    let Some(backend) = uses.backend.filter(|_| uses.review) else {
        return Vec::new();
    };
    let mut out = candidate_lines(change, uses);
    out.extend(
        crate::hazards::of_mode(change, backend, &uses.dropped_keys, uses.online)
            .iter()
            .flat_map(|h| hazard_lines(h, uses)),
    );
    out
}

/// `REVIEW(rename-candidate)` at the drop of a rename candidate answered No, with the command
/// that writes this migration again with the rename (`--replace` takes this one's place, while it
/// is not applied).
fn candidate_lines(change: &Change, uses: &Uses) -> Vec<String> {
    let Some(renames) = change.table().and_then(|t| uses.declined.get(t)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in renames {
        let (text, flag) = match (change, r) {
            (Change::DropColumn { table, column }, Rename::Column { table: t, from, to })
                if t == table && &column.name == from =>
            {
                (
                    format!(
                        "REVIEW(rename-candidate): `{table}.{from}` may have been renamed to \
                         `{to}` (same definition): this drops it with its values. If it was \
                         renamed, write this migration again with the rename:"
                    ),
                    format!("--rename {table}.{from}={to}"),
                )
            }
            (Change::DropTable(t), Rename::Table { from, to }) if &t.name == from => (
                format!(
                    "REVIEW(rename-candidate): table `{from}` may have been renamed to `{to}` \
                     (same columns): this drops it with its rows. If it was renamed, write this \
                     migration again with the rename:"
                ),
                format!("--rename-table {from}={to}"),
            ),
            _ => continue,
        };
        for (i, l) in wrap(&text, 80).into_iter().enumerate() {
            out.push(if i == 0 { l } else { format!("    {l}") });
        }
        out.push(format!("    {} {flag} {}", uses.again.0, uses.again.1));
    }
    out
}

/// The declined renames by the table they drop from.
fn by_table(declined: &[Candidate]) -> BTreeMap<String, Vec<Rename>> {
    let mut map: BTreeMap<String, Vec<Rename>> = BTreeMap::new();
    for c in declined {
        let table = match &c.rename {
            Rename::Column { table, .. } => table,
            Rename::Table { from, .. } => from,
        };
        map.entry(table.clone()).or_default().push(c.rename.clone());
    }
    map
}

fn hazard_lines(h: &crate::hazards::Hazard, uses: &Uses) -> Vec<String> {
    // In `down`, what undoes `up` as expected (dropping what `up` added) and the cost of
    // rewriting a table go without saying; what may fail or lose data does not.
    const EXPECTED_IN_DOWN: [&str; 6] = [
        "drop-table",
        "drop-column",
        "table-rewrite",
        "table-copy",
        "table-rebuild",
        "index-lock",
    ];
    if uses.down && EXPECTED_IN_DOWN.contains(&h.code) {
        return Vec::new();
    }
    let mut text = format!("REVIEW({}): {}", h.code, h.reason);
    match uses.rows.get(&h.table) {
        Some(0) => {
            let _ = write!(text, " (`{}` is empty now)", h.table);
        }
        Some(n) => {
            let _ = write!(
                text,
                " (`{}` has {} now)",
                h.table,
                crate::hazards::rows_text(*n)
            );
        }
        None => {}
    }
    text.push('.');
    match (&h.online, &h.alternative) {
        (Some(online), _) => {
            let _ = write!(text, " Online: {online}.");
        }
        (None, Some(alt)) => {
            let _ = write!(text, " Safer: {alt}.");
        }
        (None, None) => {}
    }
    wrap(&text, 80)
        .into_iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { l } else { format!("    {l}") })
        .collect()
}

/// Splits text into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
