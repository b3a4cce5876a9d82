//! Offcycle's server: configuration → tracing → state → router → serve.
//!
//! A library too, so the integration tests start the real server in-process on port 0.

#![forbid(unsafe_code)]

pub mod api_pipeline;
pub mod api_v1;
pub mod archive;
pub mod attachments;
pub mod auth;
pub mod config;
pub mod demo;
pub mod http;
pub mod ical;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod pdf;
pub mod retry;
pub mod settings;
pub mod signed_in;
pub mod store;

use app::ports::Services;
use axum::routing::get;
use axum::Router;
use config::Config;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use store::{Db, Store};

/// What every handler can reach. Every request's middleware and its rendering take a copy, so
/// a copy is one pointer: the parts live once, in [`Shared`].
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    /// Storage.
    pub store: Store,
    /// Settings.
    pub config: Config,
    /// What server functions reach through context (shared the same way).
    pub services: Arc<Services>,
    /// Leptos's own settings (site root, output name).
    pub leptos_options: LeptosOptions,
    /// The mail worker, if mail can go anywhere.
    pub mailer: Option<mail::Mailer>,
    /// The identity provider's relying party, when OIDC is configured.
    pub oidc: Option<Arc<oidc::Oidc>>,
    /// Sent on every response (see [`http::content_security_policy`]).
    pub content_security_policy: axum::http::HeaderValue,
}

impl AppState {
    /// The application service: every handler reads and changes requests through it.
    pub fn workflow(&self) -> app::service::Workflow<'_> {
        app::service::Workflow {
            store: &self.store,
            clock: &*self.services.clock,
            public_url: &self.services.public_url,
        }
    }

    /// [`Workflow::readable`] for a handler: "not found" for a request this person may not see,
    /// and a failure to load logged and answered as such.
    ///
    /// [`Workflow::readable`]: app::service::Workflow::readable
    pub async fn readable(
        &self,
        user: &app::api::types::SessionUser,
        reference: &str,
    ) -> Result<app::service::Readable, axum::response::Response> {
        use axum::response::IntoResponse;
        match self.workflow().readable(user, reference).await {
            Ok(r) => Ok(r),
            Err(app::error::AppError::NotFound) => {
                Err((axum::http::StatusCode::NOT_FOUND, "Not found").into_response())
            }
            Err(e) => {
                tracing::error!("loading {reference}: {e:?}");
                Err(axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response())
            }
        }
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Opens storage, seeds the demo organisation if asked, and builds the state.
pub async fn build_state(config: Config) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    let db = Db::open(&config.database_url).await?;
    tracing::info!(backend = db.backend(), "database ready");
    let store = Store::new(db);
    let clock: Arc<dyn app::service::Clock> = Arc::new(app::service::SystemClock);
    if config.demo {
        let generated = demo::seed(&store, config.demo_password.as_deref(), clock.as_ref()).await?;
        if config.demo_requests {
            let n = demo::seed_requests(&store, &config.public_url, clock.as_ref()).await?;
            if n > 0 {
                tracing::info!("seeded {n} demo requests, one or more in every state of the process");
            }
        }
        if let Some(password) = generated {
            // Printed once, on the first start; only its hash is kept.
            println!("\n  Demo organisation created. Every demo user's password is: {password}\n  (sign in as dev@example.gov, hosting@example.gov, cor1@example.gov, …; set OFFCYCLE_DEMO_PASSWORD to choose it)\n");
        }
    }
    if !config.demo && store.active_admins().await? == 0 {
        tracing::warn!(
            "no admin exists yet, so nobody can sign in: run `server create-admin you@agency.gov --name \"Your Name\"` with this DATABASE_URL and open the link it prints"
        );
    }
    // Installed before anything counts.
    let _ = metrics::handle();
    let demo_inbox = app::ports::DemoInbox::default();
    let mailer = mail::Mailer::from_config(store.clone(), &config, &demo_inbox, clock.clone())?;
    if mailer.is_none() {
        tracing::warn!("SMTP_URL is not set: messages wait in the outbox until it is");
    }
    if config.password_sign_in == app::domain::identity::PasswordSignIn::AdminsOnly && config.oidc.is_none() {
        return Err("OFFCYCLE_PASSWORD_SIGN_IN=admins needs OFFCYCLE_OIDC_ISSUER: nobody else could sign in".into());
    }
    let oidc = match &config.oidc {
        Some(settings) => Some(Arc::new(oidc::Oidc::new(settings.clone(), &config.public_url, clock.clone())?)),
        None => None,
    };
    let sign_in_methods = app::api::types::SignInMethods {
        provider: oidc.as_ref().map(|o| o.settings().label.clone()),
        passwords_for_admins_only: config.password_sign_in == app::domain::identity::PasswordSignIn::AdminsOnly,
    };
    let form_action = app::ports::form_action(config.oidc.as_ref().map(|o| o.issuer.as_str()));
    let content_security_policy = http::content_security_policy(&form_action);
    let services = Arc::new(Services {
        form_action,
        requests: Arc::new(store.clone()),
        accounts: Arc::new(auth::AccountService::new(
            store.clone(),
            oidc.clone(),
            sign_in_methods.clone(),
            clock.clone(),
        )),
        sign_in_methods,
        people: Arc::new(store.clone()),
        secure_cookies: config.is_https(),
        public_url: config.public_url.clone(),
        demo: config.demo,
        loopback_only: config.bind.ip().is_loopback(),
        webhooks_allow_private: config.webhooks_allow_private,
        demo_inbox,
        reveal: app::ports::Reveal::default(),
        clock,
    });
    let leptos_options = LeptosOptions::builder()
        .output_name("offcycle")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .build();
    Ok(AppState(Arc::new(Shared { store, config, services, leptos_options, mailer, oidc, content_security_policy })))
}

/// The app's pages, listed once per process. Listing runs the app with every resource in the
/// process held back (leptos#4773), so listing again for a second server (tests start many) left
/// a page another server was rendering at that moment waiting for its data for good.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let routes = routes();
    let leptos_options = state.leptos_options.clone();
    let services = state.services.clone();
    let bench_bare_file = state.config.bench_bare_file.clone();
    let context = move || provide_context(services.clone());
    let app = Router::new()
        .route("/healthz", get(http::healthz))
        .route("/readyz", get(http::readyz))
        .route("/metrics", get(metrics::scrape))
        .merge(api_v1::routes(state.clone()))
        .route(
            "/requests/{reference}/attachments",
            axum::routing::post(attachments::upload)
                .layer(axum::extract::DefaultBodyLimit::max(app::domain::attachment::MAX_BYTES + 1024 * 1024)),
        )
        .route("/requests/{reference}/attachments/{id}", get(attachments::download))
        .route("/changes/{file}", get(archive::current_pdf))
        .route("/archive/copies/{file}", get(archive::copy_pdf))
        .route("/archive/export.csv", get(archive::export_csv))
        .route("/calendar.ics", get(ical::feed))
        .route("/auth/oidc/start", get(oidc::start))
        .route("/auth/oidc/callback", get(oidc::callback))
        .route(
            "/api/{*fn_name}",
            axum::routing::post({
                let context = context.clone();
                move |req| leptos_axum::handle_server_fns_with_context(context.clone(), req)
            })
            .get({
                let context = context.clone();
                move |req| leptos_axum::handle_server_fns_with_context(context.clone(), req)
            }),
        )
        .leptos_routes_with_context(&state, routes, context, {
            let leptos_options = leptos_options.clone();
            move || app::shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(axum::middleware::from_fn(http::require_sign_in))
        .layer(axum::middleware::from_fn(metrics::record))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::identify))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::security_headers))
        // Pages and JSON compressed per response (brotli quality 4, gzip); the static assets
        // already carry their build-time .br/.gz and pass through untouched.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn(http::request_id))
        .with_state(state);
    match bench_bare_file {
        Some(path) => bench_bare_route(path).merge(app),
        None => app,
    }
}

/// `bench/server-load.sh`'s yardstick: `GET /bench/bare` answers the bytes of a file read once,
/// outside every middleware (no session, no headers, no compression). Only when
/// [`Config::bench_bare_file`] is set.
fn bench_bare_route(path: std::path::PathBuf) -> Router {
    use axum::{http::StatusCode, response::IntoResponse};
    let bytes = Arc::new(std::sync::OnceLock::<axum::body::Bytes>::new());
    Router::new().route(
        "/bench/bare",
        get(move || {
            let (bytes, path) = (bytes.clone(), path.clone());
            async move {
                // Read on first request (the bench writes the file after the server starts); an
                // unreadable file is an error, never an empty page that would flatter the yardstick.
                let body = match bytes.get() {
                    Some(body) => body.clone(),
                    None => match std::fs::read(&path) {
                        Ok(read) => bytes.get_or_init(|| read.into()).clone(),
                        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
                    },
                };
                ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
            }
        }),
    )
}

/// Serves until `shutdown` resolves, then drains connections and closes the database.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let db = state.store.db().clone();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = state.mailer.clone().map(|m| m.spawn(state.config.mail_poll, stop_rx.clone()));
    let archivist = archive::spawn(
        state.store.clone(),
        state.config.archive_dir.clone(),
        state.config.archive_poll,
        state.services.clock.clone(),
        stop_rx,
    );
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Without TCP_NODELAY a response written in more than one piece (a streamed page, a file)
    // waits for the client's delayed ACK: about 40 ms per request under load.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {e}");
        }
    });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    let _ = stop_tx.send(true);
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    let _ = archivist.await;
    db.close().await;
    Ok(())
}
