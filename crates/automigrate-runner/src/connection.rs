//! Connecting to the database with errors a person can act on, and what comes before it
//! (`.env`, the URL). Shared by the runner's command line and by `cargo xtask` (the
//! `automigrate` crate), so that both say the same thing the same way:
//!
//! - the driver's message once (sea-orm nests it twice), without the driver's source location,
//!   followed by what to do about it (create the database, the role, check the password…);
//! - at once when nothing listens at the server's address: the pool would otherwise retry for its
//!   whole acquire timeout (30 s) and then only say that it timed out;
//! - never the password: every URL shown goes through [`redact`].
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::bail;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr};

/// How long to wait for the server's TCP port to answer before saying it does not.
const PORT_WAIT: Duration = Duration::from_secs(5);

/// The URL with its password replaced by `***`. The password is everything between the first
/// `:` of the user information and the `@` that ends it, which is the last `@` before the host:
/// a password may itself contain `@` (or even `/`), and none of it is ever shown.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    // The authority ends at the first `/`, `?` or `#`; the user information at its last `@`.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = match rest[..authority_end].rfind('@') {
        Some(at) => at,
        // An `@` further on: a password with `/`, `?` or `#` in it (which the driver would
        // refuse), or an `@` in the path or query. Hide up to the last one, to be safe.
        None => match rest.rfind('@') {
            Some(at) => at,
            None => return url.to_string(),
        },
    };
    let userinfo = &rest[..at];
    let Some((user, _password)) = userinfo.split_once(':') else {
        return url.to_string();
    };
    let head = scheme.map(|s| format!("{s}://")).unwrap_or_default();
    format!("{head}{user}:***@{}", &rest[at + 1..])
}

/// Loads `.env` (from the current directory or the nearest one above it that has one) without
/// overriding the environment, as dotenvy does. A line it cannot parse is an error that names
/// the file and the line (dotenvy stops there: the variables after it would silently be
/// missing); the line's value is not shown, since it may hold a password. Returns the file
/// loaded, if any.
pub fn load_dotenv() -> anyhow::Result<Option<PathBuf>> {
    match dotenvy::dotenv() {
        Ok(path) => Ok(Some(path)),
        Err(e) if e.not_found() => Ok(None),
        Err(dotenvy::Error::LineParse(line, index)) => {
            let path = find_dotenv().unwrap_or_else(|| PathBuf::from(".env"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            bail!("{}", dotenv_line_error(&path, &text, &line, index))
        }
        Err(e) => {
            let path = find_dotenv().unwrap_or_else(|| PathBuf::from(".env"));
            bail!("cannot read {}: {e}", path.display())
        }
    }
}

/// The `.env` dotenvy reads: in the current directory or the nearest one above it.
fn find_dotenv() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|d| d.join(".env"))
        .find(|p| p.is_file())
}

/// What is wrong with `.env`'s logical line `line` (as dotenvy reports it, with the position of
/// the error in it), and how to fix it.
fn dotenv_line_error(path: &Path, text: &str, line: &str, index: usize) -> String {
    let needle = line.trim_end_matches(['\n', '\r']);
    // The first physical line that starts the logical one: the lines before it parsed.
    let mut number = None;
    let mut start = 0;
    for (i, physical) in text.split_inclusive('\n').enumerate() {
        if !needle.is_empty() && text[start..].starts_with(needle) {
            number = Some(i + 1);
            break;
        }
        start += physical.len();
    }
    let at = match number {
        Some(n) => format!("{}, line {n}", path.display()),
        None => path.display().to_string(),
    };
    let column = needle[..index.min(needle.len())].chars().count() + 1;
    // The key, when the line has one; never the value.
    let key = needle
        .split_once('=')
        .map(|(k, _)| k.trim())
        .map(|k| k.strip_prefix("export ").unwrap_or(k).trim())
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || "_.-".contains(c)));
    let what = match key {
        Some(k) => format!("the line of `{k}` cannot be parsed (at character {column})"),
        None => format!("this line is not KEY=value (at character {column})"),
    };
    format!(
        "{at}: {what}, and the variables after it are not loaded. Write it as KEY=value, quote a \
         value that has spaces or `#` (KEY=\"a b\"), close every quote, or remove the line"
    )
}

/// The backends a URL can name, by its scheme.
fn scheme_of(url: &str) -> Option<&'static str> {
    let scheme = url.split_once(':')?.0;
    match scheme {
        "sqlite" => Some("sqlite"),
        "postgres" | "postgresql" => Some("postgres"),
        "mysql" | "mariadb" => Some("mysql"),
        _ => None,
    }
}

/// Refuses an empty URL or one that names no backend, before the driver sees it (its message
/// would show the whole URL, password included).
pub fn check_url(url: &str) -> anyhow::Result<()> {
    if url.trim().is_empty() {
        bail!(
            "DATABASE_URL is empty: set it in the environment or in .env \
             (e.g. sqlite://app.db?mode=rwc, postgres://user:password@localhost/app)"
        );
    }
    if scheme_of(url).is_none() {
        bail!(
            "`{}` is not a database URL: it must start with sqlite://, postgres:// or mysql:// \
             (e.g. postgres://user:password@localhost:5432/app)",
            redact(url)
        );
    }
    Ok(())
}

/// The server's host and port in a PostgreSQL or MySQL URL; `None` for SQLite, a Unix socket or
/// a URL this cannot read (the driver then says what it thinks).
fn host_port(url: &str) -> Option<(String, u16)> {
    let default = match scheme_of(url)? {
        "postgres" => 5432,
        "mysql" => 3306,
        _ => return None,
    };
    let rest = url.split_once("://")?.1;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() || host.contains(['%', '/', ',']) {
        return None;
    }
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => default,
    };
    Some((host.to_string(), port))
}

/// Fails at once, saying why, when nothing answers at the server's address.
async fn server_answers(url: &str) -> anyhow::Result<()> {
    let Some((host, port)) = host_port(url) else {
        return Ok(());
    };
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(PORT_WAIT, connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => bail!(
            "cannot connect to {}: {host}:{port} refuses the connection or cannot be reached \
             ({e}): is the database server running, and are the host and port right?",
            redact(url)
        ),
        Err(_) => bail!(
            "cannot connect to {}: no answer from {host}:{port} within {} s: is the database \
             server running, and are the host and port right (a firewall)?",
            redact(url),
            PORT_WAIT.as_secs()
        ),
    }
}

/// Connects with `options`: checks the URL, fails at once when the server's port does not
/// answer, bounds the wait for the connection (10 s, unless `options` says), and turns a
/// failure into one line with what to do ([`describe_error`]).
pub async fn connect(mut options: ConnectOptions) -> anyhow::Result<DatabaseConnection> {
    let url = options.get_url().to_string();
    check_url(&url)?;
    server_answers(&url).await?;
    if options.get_connect_timeout().is_none() {
        options.connect_timeout(Duration::from_secs(10));
    }
    if options.get_acquire_timeout().is_none() {
        options.acquire_timeout(Duration::from_secs(15));
    }
    Database::connect(options).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot connect to {}: {}",
            redact(&url),
            describe_error(&e, &url)
        )
    })
}

/// A connection error to `url` as one line: the driver's message once, without its source
/// location and with the URL redacted if it quotes it, then what to do about it.
pub fn describe_error(e: &DbErr, url: &str) -> String {
    let sqlx = match e {
        DbErr::Conn(RuntimeErr::SqlxError(s))
        | DbErr::Exec(RuntimeErr::SqlxError(s))
        | DbErr::Query(RuntimeErr::SqlxError(s)) => Some(s.as_ref()),
        _ => None,
    };
    let (text, code) = match sqlx {
        Some(sea_orm::sqlx::Error::Database(d)) => {
            (d.message().to_string(), d.code().map(|c| c.into_owned()))
        }
        Some(other) => (other.to_string(), None),
        None => {
            // The innermost message: sea-orm repeats its source in its own.
            let mut cause: &dyn std::error::Error = e;
            while let Some(inner) = cause.source() {
                cause = inner;
            }
            (cause.to_string(), None)
        }
    };
    let mut text = clean_message(&text);
    if text.starts_with("The connection string '") && text.ends_with("cannot be parsed") {
        // sea-orm quotes the whole URL, password included.
        text = "it is not a valid URL".into();
    } else if !url.is_empty() {
        text = text.replace(url, &redact(url));
    }
    let hint = hint(&text, code.as_deref(), sqlx);
    format!("{text}: {hint}")
}

/// Without sqlx's source location (`… (sqlx_postgres::connection::establish:948)`, `… at line
/// 948`) and without `error returned from database: `.
fn clean_message(text: &str) -> String {
    let mut text = text.trim().trim_end_matches('.').to_string();
    if let Some(rest) = text.strip_prefix("error returned from database: ") {
        text = rest.to_string();
    }
    if let Some(i) = text.rfind(" at line ")
        && text[i + 9..].chars().all(|c| c.is_ascii_digit())
    {
        text.truncate(i);
    }
    // `err_protocol!`'s ` (module::path:line)`.
    if text.ends_with(')')
        && let Some(i) = text.rfind(" (")
    {
        let inner = &text[i + 2..text.len() - 1];
        if let Some((module, line)) = inner.rsplit_once(':')
            && module.contains("::")
            && !line.is_empty()
            && line.chars().all(|c| c.is_ascii_digit())
        {
            text.truncate(i);
        }
    }
    text
}

/// What to do about a connection error, from its SQLSTATE when the server gave one, else from
/// its text.
fn hint(text: &str, code: Option<&str>, sqlx: Option<&sea_orm::sqlx::Error>) -> &'static str {
    let lower = text.to_ascii_lowercase();
    if matches!(sqlx, Some(sea_orm::sqlx::Error::Configuration(_)))
        || lower.contains("not a valid url")
    {
        return "the URL cannot be read: write it as postgres://user:password@host:5432/database \
                (or mysql://…, sqlite://path?mode=rwc), with special characters of the user name \
                and password percent-encoded (@ as %40, / as %2F, : as %3A)";
    }
    if matches!(sqlx, Some(sea_orm::sqlx::Error::Tls(_)))
        || lower.contains("tls")
        || lower.contains("ssl")
    {
        return "the TLS connection failed: check the server's certificate and the URL's sslmode";
    }
    if code == Some("3D000") || lower.contains("unknown database") {
        return "create the database first (CREATE DATABASE …), or fix its name in the URL";
    }
    if lower.contains("role") && lower.contains("does not exist") {
        return "the server has no such user: create it (CREATE ROLE … LOGIN PASSWORD '…') or \
                fix the user name in the URL";
    }
    if lower.contains("pg_hba.conf") {
        return "the server does not accept this user from this host: allow it in pg_hba.conf, \
                or connect as another user";
    }
    if code == Some("28P01")
        || lower.contains("password")
        || lower.contains("access denied")
        || code == Some("28000")
    {
        return "check the user name and the password in the URL (special characters \
                percent-encoded: @ as %40)";
    }
    if lower.contains("unable to open database file") || lower.contains("code: 14") {
        return "check the path and that its directory exists, or add ?mode=rwc to the URL to \
                create the file";
    }
    if matches!(sqlx, Some(sea_orm::sqlx::Error::PoolTimedOut)) || lower.contains("timed out") {
        return "the server did not let us in within the time allowed: is it overloaded, or out \
                of connections (max_connections)?";
    }
    "is the server running, and is the URL right?"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let cases = [
            (
                "postgres://app:s3cret@db:5432/app",
                "postgres://app:***@db:5432/app",
            ),
            (
                "postgres://app:p@ss@w0rd@db:5432/app",
                "postgres://app:***@db:5432/app",
            ),
            (
                "mysql://root:a:b@c@127.0.0.1/x?ssl-mode=disabled",
                "mysql://root:***@127.0.0.1/x?ssl-mode=disabled",
            ),
            ("postgres://app@db/app", "postgres://app@db/app"),
            (
                "postgres://db/app?application_name=a@b",
                "postgres://db/app?application_name=a@b",
            ),
            ("sqlite://app.db?mode=rwc", "sqlite://app.db?mode=rwc"),
            ("app:hunter2@db/app", "app:***@db/app"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact(url), shown, "{url}");
        }
        // A password with a `/` (which the driver would refuse) is hidden too.
        let shown = redact("postgres://app:pa/ss@word@db/app");
        assert!(
            !shown.contains("pa/ss") && !shown.contains("word@db"),
            "{shown}"
        );
        assert_eq!(shown, "postgres://app:***@db/app");
    }

    #[test]
    fn server_addresses() {
        assert_eq!(
            host_port("postgres://u:p@ss@db.example:6543/app?x=1"),
            Some(("db.example".into(), 6543))
        );
        assert_eq!(
            host_port("mysql://root@127.0.0.1/test"),
            Some(("127.0.0.1".into(), 3306))
        );
        assert_eq!(
            host_port("postgres://[::1]:5999/x"),
            Some(("::1".into(), 5999))
        );
        assert_eq!(host_port("postgres:///app"), None);
        assert_eq!(host_port("postgres://%2Fvar%2Frun/app"), None);
        assert_eq!(host_port("sqlite://app.db"), None);
    }

    #[test]
    fn urls_are_checked_without_showing_the_password() {
        let err = check_url("postgress://u:topsecret@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a database URL"), "{err}");
        assert!(!err.contains("topsecret"), "{err}");
        assert!(check_url(" ").unwrap_err().to_string().contains("empty"));
        assert!(check_url("mariadb://root@h/db").is_ok());
    }

    #[test]
    fn messages_lose_the_source_location() {
        assert_eq!(
            clean_message(
                "error returned from database: password authentication failed at line 948"
            ),
            "password authentication failed"
        );
        assert_eq!(
            clean_message(
                "encountered unexpected message (sqlx_postgres::connection::establish:103)"
            ),
            "encountered unexpected message"
        );
        assert_eq!(
            clean_message("Unknown database 'x' (hint)"),
            "Unknown database 'x' (hint)"
        );
    }

    #[test]
    fn a_missing_role_is_not_a_missing_database() {
        let role = hint("role \"nobody\" does not exist", Some("28000"), None);
        assert!(
            role.contains("CREATE ROLE") && !role.contains("DATABASE"),
            "{role}"
        );
        let db = hint("database \"nope\" does not exist", Some("3D000"), None);
        assert!(db.contains("CREATE DATABASE"), "{db}");
        let my = hint("Unknown database 'nope'", Some("42000"), None);
        assert!(my.contains("CREATE DATABASE"), "{my}");
        let denied = hint(
            "Access denied for user 'root'@'localhost' (using password: YES)",
            Some("28000"),
            None,
        );
        assert!(denied.contains("password"), "{denied}");
        let ssl = hint(
            "server does not support SSL, but SSL was required",
            None,
            None,
        );
        assert!(ssl.contains("sslmode"), "{ssl}");
    }

    #[test]
    fn a_bad_env_line_is_named_without_its_value() {
        let text =
            "# settings\nRUST_LOG=info\nDATABASE_URL=postgres://u:pw@h/db extra words\nOTHER=1\n";
        let msg = dotenv_line_error(
            Path::new("/app/.env"),
            text,
            "DATABASE_URL=postgres://u:pw@h/db extra words\n",
            35,
        );
        assert!(
            msg.starts_with("/app/.env, line 3: the line of `DATABASE_URL`"),
            "{msg}"
        );
        assert!(!msg.contains("pw"), "{msg}");
        let msg = dotenv_line_error(Path::new(".env"), "oops here\n", "oops here\n", 5);
        assert!(
            msg.starts_with(".env, line 1: this line is not KEY=value"),
            "{msg}"
        );
    }
}
