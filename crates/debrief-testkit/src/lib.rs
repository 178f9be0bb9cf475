//! Fresh, empty databases for tests: SQLite in a temporary folder always, and
//! PostgreSQL when `DEBRIEF_TEST_POSTGRES_URL` names a server (a database is
//! created per test and dropped afterwards). Under `CI=true` a missing
//! PostgreSQL is an error, never a silent skip.
//!
//! [`receiver`] is a real HTTP server that receives webhook deliveries.

pub mod receiver;

use sqlx::AnyConnection;
use sqlx::Connection;
use sqlx::Executor;

/// The variable naming the PostgreSQL server tests may create databases on.
pub const POSTGRES_ENV: &str = "DEBRIEF_TEST_POSTGRES_URL";

/// One empty database for one test. Dropping it removes the database.
pub struct TestDatabase {
    /// `sqlite` or `postgres`, for messages.
    pub kind: &'static str,
    /// A URL `debrief_store::open` understands.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = dir.path().join("debrief.db").display().to_string();
        Self {
            kind: "sqlite",
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new database on the configured server, or `None` when none is
    /// configured outside CI.
    pub async fn postgres() -> Option<Self> {
        let admin = match std::env::var(POSTGRES_ENV) {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("CI=true but {POSTGRES_ENV} is not set: the PostgreSQL suite must run in CI")
            }
            _ => {
                eprintln!("note: {POSTGRES_ENV} is not set; PostgreSQL stories are skipped");
                return None;
            }
        };
        sqlx::any::install_default_drivers();
        let name = format!("debrief_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = AnyConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin}: {e}"));
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = conn.close().await;
        let url = replace_database(&admin, &name);
        Some(Self {
            kind: "postgres",
            url,
            _dir: None,
            postgres: Some((admin, name)),
        })
    }

    /// SQLite, then PostgreSQL when configured: what every story runs on.
    pub async fn all() -> Vec<Self> {
        let mut dbs = vec![Self::sqlite()];
        dbs.extend(Self::postgres().await);
        dbs
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Dropping runs outside any runtime the test may be shutting down.
        let _ = std::thread::spawn(move || {
            let rt = tokio_runtime();
            rt.block_on(async {
                if let Ok(mut conn) = AnyConnection::connect(&admin).await {
                    let _ = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                    let _ = conn.close().await;
                }
            });
        })
        .join();
    }
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// `postgres://user@host:5432/postgres?x` → same with another database name.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let mut out = match path_start {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => format!("{base}/{name}"),
    };
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The API token [`seed_users`] gives the test admin: HTTP tests send it by
/// default, so every existing test runs signed in.
pub const ADMIN_TOKEN: &str =
    "dbt_test_admin_0000000000000000000000000000000000000000000000000000000000";

/// The seeded users: (email, role, API token). Their passwords cannot be
/// used (the stored hash is not a PHC string); tests that sign in with a
/// password add their own user through the use cases.
pub const SEEDED: [(&str, debrief_core::Role, &str); 4] = [
    ("admin@test.example", debrief_core::Role::Admin, ADMIN_TOKEN),
    (
        "manager@test.example",
        debrief_core::Role::Manager,
        "dbt_test_manager_00000000000000000000000000000000000000000000000000000000",
    ),
    (
        "contributor@test.example",
        debrief_core::Role::Contributor,
        "dbt_test_contributor_0000000000000000000000000000000000000000000000000000",
    ),
    (
        "viewer@test.example",
        debrief_core::Role::Viewer,
        "dbt_test_viewer_000000000000000000000000000000000000000000000000000000000",
    ),
];

/// Adds one user of each role with a known API token ([`SEEDED`]) to the
/// database at `url` (migrating it first). Idempotent per database.
pub async fn seed_users(url: &str) {
    use debrief_store::{AccountStore, AuditRecord, TokenRecord};
    use sha2::Digest;
    let store = debrief_store::open(url)
        .await
        .expect("the test database opens");
    if store.count_users().await.expect("users count") > 0 {
        return;
    }
    let now = jiff::Timestamp::from_second(1_764_158_400).expect("a valid instant");
    let audit = |entity: &str, id: &str| AuditRecord {
        at: now,
        actor: "testkit".into(),
        entity: entity.into(),
        entity_id: id.into(),
        action: "create".into(),
        before: "null".into(),
        after: "null".into(),
    };
    for (email, role, token) in SEEDED {
        let user = debrief_core::User {
            id: uuid::Uuid::new_v4(),
            email: email.into(),
            name: format!("Test {role}"),
            role,
            active: true,
            created_at: now,
        };
        store
            .create_user(&user, "!no-password", audit("user", email))
            .await
            .expect("the test user is added");
        let record = TokenRecord {
            id: uuid::Uuid::new_v4(),
            user_id: user.id,
            user_email: user.email.clone(),
            name: "tests".into(),
            role,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        let hash = hex::encode(sha2::Sha256::digest(token.as_bytes()));
        store
            .create_token(&record, &hash, audit("api_token", email))
            .await
            .expect("the test token is added");
    }
    store.close().await;
}

/// [`seed_users`], returning the admin's token.
pub async fn seed_admin(url: &str) -> &'static str {
    seed_users(url).await;
    ADMIN_TOKEN
}
