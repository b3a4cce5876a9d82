//! `server`: runs Offcycle. `server verify-audit [--expect HEAD_HASH]` re-computes the audit chain;
//! `server backup FILE` copies a running SQLite database; `server restore FILE` restores one into a
//! new `DATABASE_URL`; `server create-admin EMAIL [--name NAME]` makes an admin.

use server::config::Config;
use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: under a sustained write load glibc's per-thread arenas
/// kept growing (rows are allocated on sqlx's SQLite threads and freed on tokio's), +27% RSS in
/// three minutes while heaptrack showed a flat live heap (bench/notes/sustained.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| server::settings::setting("RUST_LOG").default.value().unwrap_or_default().into());
    // `OFFCYCLE_LOG_FORMAT=json`: one JSON object a line, each with its request's id.
    if std::env::var("OFFCYCLE_LOG_FORMAT").is_ok_and(|f| f.trim() == "json") {
        tracing_subscriber::fmt().json().with_current_span(true).with_span_list(false).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let command = std::env::args().nth(1);
    match command.as_deref() {
        None | Some("serve") => serve(config).await,
        Some("verify-audit") => verify_audit(config).await,
        Some("create-admin") => create_admin(config).await,
        Some("backup") => backup(config).await,
        Some("restore") => restore(config).await,
        Some(other) => {
            eprintln!("unknown command {other:?}; use `server` (serve), `server create-admin EMAIL [--name NAME]`, `server verify-audit`, `server backup FILE` or `server restore FILE`");
            ExitCode::from(2)
        }
    }
}

async fn serve(config: Config) -> ExitCode {
    let bind = config.bind;
    let state = match server::build_state(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("could not listen on {bind}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    println!("Offcycle listening on http://{addr}");
    match server::serve(listener, state, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `server create-admin EMAIL [--name NAME]`: the first admin (or another), with a single-use
/// set-password link printed once; only its hash is stored.
async fn create_admin(config: Config) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let (email, name) = match args.as_slice() {
        [email] => (email.clone(), None),
        [email, flag, name] if flag == "--name" => (email.clone(), Some(name.clone())),
        _ => {
            eprintln!("usage: server create-admin EMAIL [--name NAME]");
            return ExitCode::from(2);
        }
    };
    let email = email.trim().to_lowercase();
    if !app::domain::cr_form::is_email(&email) {
        eprintln!("{email:?} is not an email address like name@agency.gov");
        return ExitCode::from(2);
    }
    let name = name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
    let name = match app::domain::roles::NewPerson::name(&name) {
        Ok(name) => name,
        Err(e) => {
            eprintln!("{}", e.message);
            return ExitCode::from(2);
        }
    };
    let db = match server::store::Db::open(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let store = server::store::Store::new(db);
    let token = server::auth::new_token();
    let now = app::service::Clock::now(&app::service::SystemClock);
    let expires = now + chrono::Duration::hours(app::domain::notify::SET_PASSWORD_LINK_HOURS);
    match store.create_admin(&email, &name, &server::auth::token_hash(&token), now, expires).await {
        Ok((_, created)) => {
            let what = if created { "Created the admin" } else { "Made an admin:" };
            println!("{what} {email}.");
            println!("Choose the password (the link works once, until {} UTC):", expires.format("%Y-%m-%d %H:%M"));
            println!("{}/set-password/{token}", config.public_url.trim_end_matches('/'));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("could not create the admin: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The one FILE argument of `backup` and `restore`.
fn file_argument(command: &str) -> Option<std::path::PathBuf> {
    let args: Vec<String> = std::env::args().skip(2).collect();
    match args.as_slice() {
        [file] => Some(std::path::PathBuf::from(file)),
        _ => {
            eprintln!("usage: server {command} FILE");
            None
        }
    }
}

fn report(
    done: &str,
    file: &std::path::Path,
    outcome: Result<server::store::ChainHead, server::store::BackupError>,
) -> ExitCode {
    match outcome {
        Ok(head) => {
            println!("{done} {} (audit chain intact: {} rows)", file.display(), head.rows);
            println!("head hash: {}", head.hash);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// `server backup FILE`: a consistent copy of the running SQLite database.
async fn backup(config: Config) -> ExitCode {
    let Some(file) = file_argument("backup") else { return ExitCode::from(2) };
    let db = match server::store::Db::open(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = db.backup(&file).await;
    db.close().await;
    report("backup written:", &file, outcome)
}

/// `server restore FILE`: a backup into the new SQLite database `DATABASE_URL` names.
async fn restore(config: Config) -> ExitCode {
    let Some(file) = file_argument("restore") else { return ExitCode::from(2) };
    let outcome = server::store::restore(&file, &config.database_url).await;
    report("restored from", &file, outcome)
}

async fn verify_audit(config: Config) -> ExitCode {
    let db = match server::store::Db::open(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // `server verify-audit --expect HASH`: the head hash printed by an earlier run.
    let args: Vec<String> = std::env::args().skip(2).collect();
    let kept = match args.as_slice() {
        [] => None,
        [flag, hash] if flag == "--expect" => Some(hash.as_str()),
        _ => {
            eprintln!("usage: server verify-audit [--expect HEAD_HASH]");
            return ExitCode::from(2);
        }
    };
    match server::store::verify_audit_chain(&db, kept).await {
        Ok(Ok(head)) => {
            println!("audit chain intact: {} rows verified", head.rows);
            // Kept outside the database, it shows later whether the chain was rewritten.
            println!("head hash: {}", head.hash);
            ExitCode::SUCCESS
        }
        Ok(Err(b)) => {
            println!("audit chain broken at row {}: {}", b.row_id, b.reason);
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("could not read the audit log: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    println!("shutting down");
}
