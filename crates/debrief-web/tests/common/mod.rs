//! What the HTTP test files share: a debrief server on a random port over a
//! test database, with the clock fixed at 2026-11-26T12:00:00Z, and
//! clients that are signed in: the test database holds one user of each
//! role with a known API token (`debrief_testkit::SEEDED`), and
//! [`client`] sends the admin's token with every request.

use std::sync::Arc;

use debrief_app::{App, FixedClock, PasswordCost, Settings};
use debrief_core::Role;
use debrief_testkit::TestDatabase;

/// The settings every test server runs with (cheap argon2id: the tests
/// sign in many times).
#[allow(dead_code)]
pub fn settings() -> Settings {
    Settings {
        password_cost: PasswordCost::FastForTests,
        ..Settings::default()
    }
}

/// The app over the test database (for tests that call use cases too).
#[allow(dead_code)]
pub async fn app(db: &TestDatabase) -> App {
    let store = debrief_store::open(&db.url).await.unwrap();
    let clock = FixedClock("2026-11-26T12:00:00Z".parse().unwrap());
    App::new(Arc::new(store), Arc::new(clock), settings())
}

/// Seeds the test users and starts the router on 127.0.0.1:0; returns its
/// base URL.
#[allow(dead_code)]
pub async fn start(db: &TestDatabase) -> String {
    debrief_testkit::seed_users(&db.url).await;
    start_app(app(db).await).await
}

/// Starts the router over an app the test built (another clock).
#[allow(dead_code)]
pub async fn start_app(app: App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            debrief_web::router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    format!("http://{addr}")
}

fn headers(token: Option<&str>) -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    if let Some(t) = token {
        h.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {t}").parse().unwrap(),
        );
    }
    h
}

/// The token of the seeded user with this role.
#[allow(dead_code)]
pub fn token_of(role: Role) -> &'static str {
    debrief_testkit::SEEDED
        .iter()
        .find(|(_, r, _)| *r == role)
        .map(|(_, _, t)| *t)
        .unwrap()
}

/// The HTTP client every test uses (follows redirects), signed in as the
/// test admin by bearer token. Tests must not build their own clients.
#[allow(dead_code)]
pub fn client() -> reqwest::Client {
    client_as(Some(Role::Admin), true)
}

/// Like [`client`], but answers redirects instead of following them (for
/// checking plain-form posts and their `303 See Other`).
#[allow(dead_code)]
pub fn client_no_redirect() -> reqwest::Client {
    client_as(Some(Role::Admin), false)
}

/// A client signed in as the seeded user of `role` (`None`: anonymous).
#[allow(dead_code)]
pub fn client_as(role: Option<Role>, follow_redirects: bool) -> reqwest::Client {
    let b = reqwest::Client::builder().default_headers(headers(role.map(token_of)));
    let b = if follow_redirects {
        b
    } else {
        b.redirect(reqwest::redirect::Policy::none())
    };
    b.build().unwrap()
}

/// A client with a bearer token of the test's choosing.
#[allow(dead_code)]
pub fn client_with_token(token: &str, follow_redirects: bool) -> reqwest::Client {
    let b = reqwest::Client::builder().default_headers(headers(Some(token)));
    let b = if follow_redirects {
        b
    } else {
        b.redirect(reqwest::redirect::Policy::none())
    };
    b.build().unwrap()
}
