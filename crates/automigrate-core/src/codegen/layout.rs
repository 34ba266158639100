//! Printing: the file is a [`syn::File`] printed by `prettyplease`, except the statements of the
//! migration's functions, which are laid out here by rustfmt's rules (its default configuration,
//! style edition 2024), so that the file comes out as rustfmt would format it.
//!
//! prettyplease breaks lines at 89 columns and knows no `chain_width`/`fn_call_width`, and neither
//! prints `//` comments: before printing, each function body the layout below understands, each
//! comment and each blank line is put aside and replaced by a placeholder item
//! (`__automigrate_slot!(n);`) on its own line; after printing, each placeholder line is replaced
//! by what was put aside, at its indentation. No text of the user's goes through a placeholder:
//! comments are written here, as `//` lines, from the text of their string literal.
//!
//! Comments inside the statements are placeholders too, which the layout below turns into `//`
//! lines: `__automigrate_comment!("text");` as a statement, `.__automigrate_comment("text")` as a
//! step of a method chain (rustfmt keeps a comment between two steps on lines of its own).
//!
//! The layout mirrors rustfmt's `chains.rs` and `overflow.rs` for the expressions codegen writes
//! (paths, literals, calls, method chains with `.await?`, tuples and arrays); widths are counted in
//! characters. A statement rustfmt cannot fit in 100 columns (a very long name or literal) it
//! leaves as written, so any layout of it is stable: it is laid out by the same rules without the
//! limit. A function body holding a statement of another kind is left to prettyplease (codegen
//! writes none: its comment markers would be printed as code, which the tests would see).
use std::cell::Cell;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{Expr, ImplItem, Item, Stmt};

/// The marker of a comment, as a macro statement or a chain step.
pub(super) const COMMENT: &str = "__automigrate_comment";
/// The marker of a blank line between items.
pub(super) const BLANK: &str = "__automigrate_blank";
/// What prettyplease prints in place of what was put aside.
const SLOT: &str = "__automigrate_slot";

const MAX_WIDTH: usize = 100;
/// The width of the layout of what does not fit in [`MAX_WIDTH`].
const UNLIMITED: usize = 1 << 20;
const TAB: usize = 4;
const FN_CALL_WIDTH: usize = 60;
const CHAIN_WIDTH: usize = 60;
const ARRAY_WIDTH: usize = 60;
const SHORT_ARRAY_ELEMENT: usize = 10;

/// A `//` comment at `indent`, one line per line of `text`; control and bidirectional-formatting
/// characters become spaces, so that the text cannot end the comment or hide code.
pub(super) fn comment_lines(text: &str, indent: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let line = format!("{}// {}", " ".repeat(indent), clean);
    line.trim_end().to_string()
}

/// The text of a comment marker (`__automigrate_comment!("text")`'s literal).
fn comment_text(tokens: &TokenStream) -> Option<String> {
    syn::parse2::<syn::LitStr>(tokens.clone())
        .ok()
        .map(|l| l.value())
}

fn is_comment_macro(mac: &syn::Macro) -> bool {
    mac.path.is_ident(COMMENT)
}

/// What a placeholder stands for.
enum Slot {
    Body(Vec<Stmt>),
    Comment(String),
    Blank,
}

/// Prints the file: prettyplease for the items, [`Layout`] for the bodies of the `impl`'s
/// functions, comments and blank lines put in at the placeholders.
pub(super) fn print_file(mut file: syn::File) -> String {
    let mut slots = Vec::new();
    let mut slot = |s: Slot| -> TokenStream {
        let n = proc_macro2::Literal::usize_unsuffixed(slots.len());
        slots.push(s);
        let name = syn::Ident::new(SLOT, Span::call_site());
        quote!(#name!(#n);)
    };
    for item in &mut file.items {
        match item {
            Item::Macro(m) if m.mac.path.is_ident(BLANK) => {
                *item = syn::parse2(slot(Slot::Blank)).expect("a placeholder item");
            }
            // The parts of a long `up` or `down`.
            Item::Fn(f) if Layout::new().block(&f.block.stmts, TAB).is_some() => {
                let stmts = std::mem::take(&mut f.block.stmts);
                let placeholder = slot(Slot::Body(stmts));
                f.block.stmts = vec![syn::parse2(placeholder).expect("a statement")];
            }
            Item::Impl(imp) => {
                for it in &mut imp.items {
                    match it {
                        ImplItem::Macro(m) if m.mac.path.is_ident(BLANK) => {
                            *it = syn::parse2(slot(Slot::Blank)).expect("a placeholder item");
                        }
                        ImplItem::Macro(m) if is_comment_macro(&m.mac) => {
                            let text = comment_text(&m.mac.tokens).unwrap_or_default();
                            *it =
                                syn::parse2(slot(Slot::Comment(text))).expect("a placeholder item");
                        }
                        ImplItem::Fn(f) if Layout::new().block(&f.block.stmts, 8).is_some() => {
                            let stmts = std::mem::take(&mut f.block.stmts);
                            let placeholder = slot(Slot::Body(stmts));
                            f.block.stmts = vec![syn::parse2(placeholder).expect("a statement")];
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let printed = prettyplease::unparse(&file);
    let mut out = String::with_capacity(printed.len() * 2);
    for line in printed.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let taken = trimmed
            .strip_prefix(SLOT)
            .and_then(|rest| rest.strip_prefix("!("))
            .and_then(|rest| rest.strip_suffix(");"))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| slots.get(n));
        match taken {
            Some(Slot::Blank) => out.push('\n'),
            Some(Slot::Comment(text)) => {
                out.push_str(&comment_lines(text, indent));
                out.push('\n');
            }
            Some(Slot::Body(stmts)) => {
                let body = Layout::new()
                    .block(stmts, indent)
                    .expect("laid out before printing");
                out.push_str(&body);
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The statements of a function body, each line ending with a newline; `None` for a statement
/// the layout does not know.
impl Layout {
    pub(super) fn block(&self, stmts: &[Stmt], indent: usize) -> Option<String> {
        let mut out = String::new();
        for stmt in stmts {
            match stmt {
                Stmt::Macro(m) if is_comment_macro(&m.mac) => {
                    out.push_str(&comment_lines(&comment_text(&m.mac.tokens)?, indent));
                }
                Stmt::Expr(e, semi) => {
                    let suffix = usize::from(semi.is_some());
                    let shape = Shape::statement(MAX_WIDTH, indent, suffix);
                    // What rustfmt cannot fit in 100 columns (a very long name or literal), it
                    // leaves as written: then any layout stays, and this one is rustfmt's
                    // without the limit.
                    let text = self
                        .expr(e, shape)
                        .or_else(|| self.expr(e, Shape::statement(UNLIMITED, indent, suffix)))?;
                    out.push_str(&" ".repeat(indent));
                    out.push_str(&text);
                    if semi.is_some() {
                        out.push(';');
                    }
                }
                _ => return None,
            }
            out.push('\n');
        }
        Some(out)
    }
}

/// Where text goes, as rustfmt's `Shape` (block indentation only): `width` columns left on the
/// current line, which starts at `indent + offset`; following lines start at `indent`.
#[derive(Clone, Copy, Debug)]
struct Shape {
    indent: usize,
    offset: usize,
    width: usize,
    /// rustfmt's `max_width`.
    max: usize,
}

impl Shape {
    /// An expression statement at `indent`, `suffix` columns kept for its `;`.
    fn statement(max: usize, indent: usize, suffix: usize) -> Shape {
        Shape {
            indent,
            offset: 0,
            width: max.saturating_sub(indent + suffix),
            max,
        }
    }

    fn used_width(self) -> usize {
        self.indent + self.offset
    }

    fn rhs_overhead(self) -> usize {
        self.max.saturating_sub(self.used_width() + self.width)
    }

    fn offset_left(self, w: usize) -> Option<Shape> {
        Some(Shape {
            offset: self.offset + w,
            width: self.width.checked_sub(w)?,
            ..self
        })
    }

    fn sub_width(self, w: usize) -> Option<Shape> {
        Some(Shape {
            width: self.width.checked_sub(w)?,
            ..self
        })
    }

    fn block_indent(self, extra: usize) -> Shape {
        Shape {
            indent: self.indent + extra,
            offset: 0,
            ..self
        }
    }

    fn block(self) -> Shape {
        Shape { offset: 0, ..self }
    }

    fn with_max_width(self) -> Shape {
        Shape {
            width: self.max.saturating_sub(self.indent),
            ..self
        }
    }

    fn newline(self) -> String {
        format!("\n{}", " ".repeat(self.indent))
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn first_line_width(s: &str) -> usize {
    width(s.split('\n').next().unwrap_or(""))
}

fn last_line_width(s: &str) -> usize {
    width(s.rsplit('\n').next().unwrap_or(""))
}

/// rustfmt's `wrap_str`: the first line fits the shape, the others the maximum width, and the last
/// leaves the shape's right-hand side free. Comments are not measured.
fn fits(s: &str, shape: Shape) -> bool {
    let code: Vec<&str> = s
        .split('\n')
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let s = &code.join("\n");
    if first_line_width(s) > shape.width {
        return false;
    }
    if !s.contains('\n') {
        return true;
    }
    if s.lines().skip(1).any(|l| width(l) > shape.max) {
        return false;
    }
    last_line_width(s) <= shape.used_width() + shape.width
}

/// rustfmt's `last_line_extendable`.
fn last_line_extendable(s: &str) -> bool {
    if s.ends_with("\"#") {
        return true;
    }
    for c in s.chars().rev() {
        match c {
            '(' | ')' | ']' | '}' | '?' | '>' => continue,
            '\n' => break,
            c if c.is_whitespace() => continue,
            _ => return false,
        }
    }
    true
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tactic {
    Horizontal,
    Vertical,
    Mixed,
}

/// One step of a method chain.
enum Child<'a> {
    Method(&'a syn::ExprMethodCall, usize),
    Await(usize),
    Comment(String),
}

impl Child<'_> {
    fn tries(&self) -> usize {
        match self {
            Child::Method(_, t) | Child::Await(t) => *t,
            Child::Comment(_) => 0,
        }
    }
}

pub(super) struct Layout {
    /// rustfmt's `force_one_line_chain`: set while a method chain is tried as the last argument
    /// of a call that overflows it.
    one_line_chain: Cell<bool>,
}

impl Layout {
    pub(super) fn new() -> Layout {
        Layout {
            one_line_chain: Cell::new(false),
        }
    }

    fn expr(&self, e: &Expr, shape: Shape) -> Option<String> {
        match e {
            Expr::Lit(l) => {
                let text = l.lit.to_token_stream().to_string();
                // A (non-raw) string literal on one line always fits: rustfmt leaves it alone.
                if (text.starts_with('"') && !text.contains('\n')) || width(&text) <= shape.width {
                    Some(text)
                } else {
                    None
                }
            }
            Expr::Path(p) if p.qself.is_none() => {
                let text = path(&p.path)?;
                (width(&text) <= shape.width).then_some(text)
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
                let inner = self.expr(&u.expr, shape.offset_left(1)?)?;
                Some(format!("-{inner}"))
            }
            Expr::Call(c) => {
                let callee = self.expr(&c.func, shape)?;
                let args: Vec<&Expr> = c.args.iter().collect();
                self.overflow(&callee, &args, shape, ("(", ")"), FN_CALL_WIDTH)
            }
            Expr::Tuple(t) if t.elems.len() != 1 => {
                let items: Vec<&Expr> = t.elems.iter().collect();
                self.overflow("", &items, shape, ("(", ")"), FN_CALL_WIDTH)
            }
            Expr::Array(a) => {
                let items: Vec<&Expr> = a.elems.iter().collect();
                self.overflow("", &items, shape, ("[", "]"), ARRAY_WIDTH)
            }
            Expr::MethodCall(_) | Expr::Await(_) | Expr::Try(_) => self.chain(e, shape),
            _ => None,
        }
    }

    /// A call's arguments, a tuple or an array: rustfmt's `overflow::Context::rewrite`.
    fn overflow(
        &self,
        ident: &str,
        items: &[&Expr],
        shape: Shape,
        (prefix, suffix): (&str, &str),
        item_max_width: usize,
    ) -> Option<String> {
        let ident_width = last_line_width(ident);
        let one_line_width = shape.width.saturating_sub(ident_width + 2);
        let one_line_shape = shape
            .offset_left(ident_width + 1)
            .and_then(|s| s.sub_width(1))
            .unwrap_or(Shape { width: 0, ..shape });
        let nested = shape.block().block_indent(TAB).with_max_width();
        let nested = Shape {
            width: nested.width.saturating_sub(1),
            ..nested
        };
        let mut list: Vec<Option<String>> = items.iter().map(|e| self.expr(e, nested)).collect();
        let tactic = self.overflow_last_item(
            ident,
            items,
            &mut list,
            (one_line_shape, one_line_width, nested),
            item_max_width,
        );
        let items_str = write_list(&list, tactic, nested)?;
        let width_after_ident = shape.width.saturating_sub(ident_width);
        let extend_width = if items_str.is_empty() {
            2
        } else {
            first_line_width(&items_str) + 1
        };
        let mut out = format!("{ident}{prefix}");
        if tactic == Tactic::Horizontal && extend_width <= width_after_ident {
            out.push_str(&items_str);
        } else {
            if !items_str.is_empty() {
                out.push_str(&nested.newline());
                out.push_str(&items_str);
            }
            out.push_str(&shape.block().newline());
        }
        out.push_str(suffix);
        Some(out)
    }

    /// rustfmt's `try_overflow_last_item`.
    fn overflow_last_item(
        &self,
        ident: &str,
        items: &[&Expr],
        list: &mut [Option<String>],
        (one_line_shape, one_line_width, nested): (Shape, usize, Shape),
        item_max_width: usize,
    ) -> Tactic {
        let limit = one_line_width.min(item_max_width);
        let Some((&last, _)) = items.split_last() else {
            return definitive_tactic(list, limit);
        };
        let n = items.len();
        let combine = n == 1 && ident.len() < TAB;
        let overflow_last = combine || can_be_overflowed(last, n);
        let placeholder = if overflow_last {
            let old = self.one_line_chain.get();
            if !combine && is_method_call(last) {
                self.one_line_chain.set(true);
            }
            let result =
                last_item_shape(items, list, one_line_shape, item_max_width).and_then(|shape| {
                    let rewrite = self.expr(last, shape)?;
                    list[n - 1] = Some(rewrite.split('\n').next().unwrap_or("").to_string());
                    Some(rewrite)
                });
            self.one_line_chain.set(old);
            result
        } else {
            None
        };
        let mut tactic = definitive_tactic(list, limit);
        match (overflow_last, tactic, placeholder) {
            (true, Tactic::Horizontal, Some(overflowed)) if n == 1 => {
                if overflowed.matches('\n').count() == 1 {
                    let rewrite = self.expr(last, nested);
                    list[n - 1] = if rewrite.as_ref().is_some_and(|s| !s.contains('\n')) {
                        rewrite
                    } else {
                        Some(overflowed)
                    };
                } else {
                    list[n - 1] = Some(overflowed);
                }
            }
            (true, Tactic::Horizontal, Some(overflowed)) => list[n - 1] = Some(overflowed),
            _ => {
                list[n - 1] = self.expr(last, nested);
                let only = list[0].as_deref().unwrap_or("");
                if n == 1
                    && one_line_width != 0
                    && !only.contains('\n')
                    && width(only) <= one_line_width
                {
                    tactic = Tactic::Horizontal;
                } else {
                    tactic = definitive_tactic(list, limit);
                    if tactic == Tactic::Vertical
                        && items.iter().all(|e| is_simple(e))
                        && list
                            .iter()
                            .all(|i| i.as_deref().unwrap_or("").len() <= SHORT_ARRAY_ELEMENT)
                    {
                        tactic = Tactic::Mixed;
                    }
                }
            }
        }
        tactic
    }

    /// A method chain, with its `.await` and `?`: rustfmt's `ChainFormatterBlock`.
    fn chain(&self, e: &Expr, shape: Shape) -> Option<String> {
        let (parent, parent_tries, children) = flatten_chain(e);
        let child_count = children.len();
        let mut root = self.expr(parent, shape)? + &"?".repeat(parent_tries);
        let mut root_ends_with_block = root.contains('\n') && matches!(parent, Expr::Call(_));
        let mut children = &children[..];
        let tab_width = TAB.saturating_sub(shape.offset);
        while root.len() <= tab_width && !root.contains('\n') && !children.is_empty() {
            if let Child::Comment(_) = children[0] {
                break;
            }
            let Some(rewrite) = self.child(&children[0], shape.offset_left(root.len())?) else {
                break;
            };
            root.push_str(&rewrite);
            root_ends_with_block = last_line_extendable(&root);
            children = &children[1..];
        }
        if children.is_empty() {
            return fits(&root, shape).then_some(root);
        }
        let child_shape = if root_ends_with_block {
            shape.block_indent(0)
        } else {
            shape.block_indent(TAB)
        }
        .with_max_width();
        let mut rewrites = vec![root];
        let (last, rest) = children.split_last()?;
        for child in rest {
            rewrites.push(self.child(child, child_shape)?);
        }

        // The last child: rustfmt's `format_last_child`.
        let extendable = last_line_extendable(&rewrites[0]);
        let almost_total = if extendable {
            last_line_width(&rewrites[0])
        } else {
            rewrites.iter().map(|r| width(r)).sum()
        } + last.tries();
        let budget = if child_count == 1 {
            shape.width
        } else {
            shape.width.min(CHAIN_WIDTH)
        }
        .saturating_sub(almost_total);
        let all_in_one_line = !children.iter().any(|c| matches!(c, Child::Comment(_)))
            && rewrites.iter().all(|r| !r.contains('\n'))
            && budget > 0;
        let last_shape = if all_in_one_line {
            shape.sub_width(last.tries())?
        } else if extendable {
            child_shape.sub_width(last.tries())?
        } else {
            child_shape.sub_width(shape.rhs_overhead() + last.tries())?
        };
        let mut fits_single_line = false;
        let mut last_rewrite = None;
        // First the last child overflowed on the chain's line, kept if it looks better than on a
        // line of its own.
        if (all_in_one_line || extendable)
            && let Some(one_line_shape) = last_shape.offset_left(almost_total)
            && let Some(rw) = self.child(last, one_line_shape)
        {
            let line_count = rw.lines().count();
            let could_fit_single_line = first_line_width(&rw) <= budget;
            if could_fit_single_line && line_count >= 5 {
                last_rewrite = Some(rw);
                fits_single_line = all_in_one_line;
            } else {
                let own_line = child_shape.sub_width(shape.rhs_overhead() + last.tries())?;
                match self.child(last, own_line) {
                    Some(new) if !could_fit_single_line => last_rewrite = Some(new),
                    Some(new) if new.lines().count() >= line_count => {
                        last_rewrite = Some(rw);
                        fits_single_line = could_fit_single_line && all_in_one_line;
                    }
                    Some(new) => last_rewrite = Some(new),
                    None => {
                        last_rewrite = Some(rw);
                        fits_single_line = could_fit_single_line && all_in_one_line;
                    }
                }
            }
        }
        let last_rewrite = match last_rewrite {
            Some(r) => r,
            None => self.child(last, last_shape)?,
        };
        rewrites.push(last_rewrite);

        let connector = if fits_single_line {
            String::new()
        } else {
            if self.one_line_chain.get() {
                return None;
            }
            child_shape.newline()
        };
        let mut result = rewrites[0].clone();
        for r in &rewrites[1..] {
            result.push_str(&connector);
            result.push_str(r);
        }
        fits(&result, shape).then_some(result)
    }

    fn child(&self, child: &Child, shape: Shape) -> Option<String> {
        match child {
            Child::Method(m, tries) => {
                let ident = format!(".{}", m.method);
                let args: Vec<&Expr> = m.args.iter().collect();
                let call = self.overflow(&ident, &args, shape, ("(", ")"), FN_CALL_WIDTH)?;
                Some(call + &"?".repeat(*tries))
            }
            Child::Await(tries) => Some(format!(".await{}", "?".repeat(*tries))),
            Child::Comment(text) => Some(comment_lines(text, 0)),
        }
    }
}

/// `a::b::C`; `None` for a path with generic arguments.
fn path(p: &syn::Path) -> Option<String> {
    let mut out = String::new();
    if p.leading_colon.is_some() {
        out.push_str("::");
    }
    for (i, seg) in p.segments.iter().enumerate() {
        if !seg.arguments.is_none() {
            return None;
        }
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&seg.ident.to_string());
    }
    Some(out)
}

/// The chain's parent (with its `?`s) and its steps, first to last.
fn flatten_chain(e: &Expr) -> (&Expr, usize, Vec<Child<'_>>) {
    let mut children = Vec::new();
    let mut tries = 0;
    let mut e = e;
    loop {
        match e {
            Expr::Try(t) => {
                tries += 1;
                e = &t.expr;
            }
            Expr::Await(a) => {
                children.push(Child::Await(std::mem::take(&mut tries)));
                e = &a.base;
            }
            Expr::MethodCall(m) => {
                let comment = (m.method == COMMENT && m.args.len() == 1)
                    .then(|| match &m.args[0] {
                        Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }) => Some(s.value()),
                        _ => None,
                    })
                    .flatten();
                match comment {
                    // Codegen writes no `?` after a comment.
                    Some(text) => children.push(Child::Comment(text)),
                    None => children.push(Child::Method(m, std::mem::take(&mut tries))),
                }
                e = &m.receiver;
            }
            _ => break,
        }
    }
    children.reverse();
    (e, tries, children)
}

fn definitive_tactic(list: &[Option<String>], limit: usize) -> Tactic {
    let items: Vec<&str> = list.iter().map(|i| i.as_deref().unwrap_or("")).collect();
    let total: usize =
        items.iter().map(|i| width(i)).sum::<usize>() + 2 * items.len().saturating_sub(1);
    if total <= limit && !items.iter().any(|i| i.contains('\n')) {
        Tactic::Horizontal
    } else {
        Tactic::Vertical
    }
}

/// rustfmt's `write_list` for a call's arguments: trailing comma when vertical.
fn write_list(list: &[Option<String>], tactic: Tactic, shape: Shape) -> Option<String> {
    let items: Vec<&str> = list.iter().map(|i| i.as_deref()).collect::<Option<_>>()?;
    Some(match tactic {
        Tactic::Horizontal => items.join(", "),
        Tactic::Vertical => items
            .iter()
            .map(|i| format!("{i},"))
            .collect::<Vec<_>>()
            .join(&shape.newline()),
        Tactic::Mixed => {
            let mut out = String::new();
            let mut line = 0;
            for item in items {
                let total = width(item) + 1;
                if line > 0 && line + 1 + total > shape.width {
                    out.push_str(&shape.newline());
                    line = 0;
                }
                if line > 0 {
                    out.push(' ');
                    line += 1;
                }
                out.push_str(item);
                out.push(',');
                line += total;
            }
            out
        }
    })
}

fn last_item_shape(
    items: &[&Expr],
    list: &[Option<String>],
    shape: Shape,
    max_width: usize,
) -> Option<Shape> {
    if items.len() == 1 && !is_nested_call(items[0]) {
        return Some(shape);
    }
    let offset: usize = list[..list.len() - 1]
        .iter()
        .map(|i| 2 + i.as_deref().unwrap_or("").len())
        .sum();
    Shape {
        width: max_width.min(shape.width),
        ..shape
    }
    .offset_left(offset)
}

fn can_be_overflowed(e: &Expr, n: usize) -> bool {
    match e {
        Expr::Call(_) | Expr::MethodCall(_) | Expr::Tuple(_) | Expr::Array(_) | Expr::Macro(_) => {
            n == 1
        }
        Expr::Unary(u) => can_be_overflowed(&u.expr, n),
        Expr::Try(t) => can_be_overflowed(&t.expr, n),
        _ => false,
    }
}

fn is_method_call(e: &Expr) -> bool {
    match e {
        Expr::MethodCall(_) => true,
        Expr::Unary(u) => is_method_call(&u.expr),
        Expr::Try(t) => is_method_call(&t.expr),
        _ => false,
    }
}

fn is_nested_call(e: &Expr) -> bool {
    match e {
        Expr::Call(_) | Expr::Macro(_) => true,
        Expr::Unary(u) => is_nested_call(&u.expr),
        Expr::Try(t) => is_nested_call(&t.expr),
        _ => false,
    }
}

fn is_simple(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) => true,
        Expr::Path(p) => p.qself.is_none() && p.path.segments.len() <= 1,
        Expr::Unary(u) => is_simple(&u.expr),
        Expr::Try(t) => is_simple(&t.expr),
        _ => false,
    }
}
