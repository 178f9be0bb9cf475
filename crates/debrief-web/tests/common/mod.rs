//! What the HTTP test files share: a debrief server on a random port over a
//! test database, with the clock fixed at 2026-11-26T12:00:00Z.

use std::sync::Arc;

use debrief_app::{App, FixedClock, Settings};
use debrief_testkit::TestDatabase;

/// Starts the router on 127.0.0.1:0; returns its base URL.
#[allow(dead_code)]
pub async fn start(db: &TestDatabase) -> String {
    let store = debrief_store::open(&db.url).await.unwrap();
    let clock = FixedClock("2026-11-26T12:00:00Z".parse().unwrap());
    let app = App::new(Arc::new(store), Arc::new(clock), Settings::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, debrief_web::router(app))
            .await
            .unwrap()
    });
    format!("http://{addr}")
}

/// The HTTP client every test uses (follows redirects). Requests made through
/// it are the requests of a signed-in test user once accounts exist, so tests
/// must not build their own clients.
#[allow(dead_code)]
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

/// Like [`client`], but answers redirects instead of following them (for
/// checking plain-form posts and their `303 See Other`).
#[allow(dead_code)]
pub fn client_no_redirect() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
