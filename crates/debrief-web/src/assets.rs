//! Static assets, compiled into the binary so nothing is loaded from another
//! host. Cached for a day; the URL carries the crate version to bust caches.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use debrief_app::App;

const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");

/// The path pages link the stylesheet under.
pub const CSS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".css");
pub const JS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".js");

pub fn routes() -> Router<App> {
    Router::new()
        .route(CSS_PATH, get(css))
        .route(JS_PATH, get(js))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CSS,
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        JS,
    )
}
