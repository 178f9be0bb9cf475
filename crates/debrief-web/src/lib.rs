//! debrief's HTTP face: the REST API under `/api/v1` with its generated
//! OpenAPI document, and the server-rendered pages. The only crate that knows
//! HTTP; every handler calls a use case of `debrief-app` and nothing below it.

pub mod access;
pub mod api;
mod assets;
pub(crate) mod pages;
pub(crate) mod reports;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use debrief_app::App;

/// The largest request body: timeline imports arrive as one body.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// The whole HTTP application.
pub fn router(app: App) -> Router {
    Router::new()
        .nest("/api/v1", api::routes())
        .merge(pages::routes())
        .merge(assets::routes())
        .merge(reports::routes())
        .route("/health", get(|| async { "ok" }))
        // Last, so it wraps every route above, including routes merged in
        // later: each gets its rule from `access::POLICY`.
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            access::guard,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// Serves until the process receives Ctrl-C or SIGTERM.
pub async fn serve(app: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
