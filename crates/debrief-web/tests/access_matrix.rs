//! The authorisation matrix (PRODUCT.md §11): every route in the policy
//! table, called by anonymous and by each role, answers as its rule says;
//! restricted incidents answer 404 to non-members on every route that names
//! them; and every route the router declares has a rule (a source scan, so a
//! route added later fails here until it gets one). Both databases.

mod common;

use std::collections::BTreeSet;

use debrief_core::Role;
use debrief_testkit::TestDatabase;
use debrief_web::access::{POLICY, Rule};
use reqwest::StatusCode;
use serde_json::Value;

const CALLERS: [Option<Role>; 5] = [
    None,
    Some(Role::Viewer),
    Some(Role::Contributor),
    Some(Role::Manager),
    Some(Role::Admin),
];

/// Every `.route("…", …)` in the crate's sources with its methods: the
/// routes the router declares. `api/mod.rs` is nested under `/api/v1`.
fn declared_routes() -> BTreeSet<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let route = regex::Regex::new(r#"\.route\(\s*("[^"]+"|[A-Z_]+),"#).unwrap();
    let method = regex::Regex::new(r"\b(get|post|put|patch|delete)\(").unwrap();
    let mut out = BTreeSet::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let prefix = if path.ends_with("api/mod.rs") {
                "/api/v1"
            } else {
                ""
            };
            let starts: Vec<_> = route.captures_iter(&text).collect();
            for (i, c) in starts.iter().enumerate() {
                let raw = c.get(1).unwrap().as_str();
                let path_text = match raw {
                    "CSS_PATH" => debrief_web_assets_css(),
                    "JS_PATH" => debrief_web_assets_js(),
                    quoted => quoted.trim_matches('"').to_owned(),
                };
                // The handlers run to the next `.route(` (or a blank line).
                let from = c.get(0).unwrap().end();
                let to = starts
                    .get(i + 1)
                    .map(|n| n.get(0).unwrap().start())
                    .unwrap_or(text.len());
                let body = &text[from..to];
                let body = body.split("\n\n").next().unwrap_or(body);
                let body = body.split(".fallback(").next().unwrap_or(body);
                let body = body.split(".merge(").next().unwrap_or(body);
                let body = body.split(".layer(").next().unwrap_or(body);
                for m in method.captures_iter(body) {
                    out.insert((
                        m.get(1).unwrap().as_str().to_uppercase(),
                        format!("{prefix}{path_text}"),
                    ));
                }
            }
        }
    }
    out
}

fn debrief_web_assets_css() -> String {
    POLICY
        .iter()
        .find(|(_, p, _)| p.ends_with(".css"))
        .unwrap()
        .1
        .to_owned()
}

fn debrief_web_assets_js() -> String {
    POLICY
        .iter()
        .find(|(_, p, _)| p.ends_with(".js"))
        .unwrap()
        .1
        .to_owned()
}

#[test]
fn every_declared_route_has_exactly_one_rule_and_every_rule_a_route() {
    let declared = declared_routes();
    assert!(declared.len() > 100, "the scan found {}", declared.len());
    let mut listed = BTreeSet::new();
    for (m, p, _) in POLICY {
        assert!(
            listed.insert((m.to_string(), p.to_string())),
            "{m} {p} is in the policy table twice"
        );
    }
    let missing: Vec<_> = declared.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes without a rule in debrief_web::access::POLICY (add one): {missing:#?}"
    );
    let stale: Vec<_> = listed.difference(&declared).collect();
    assert!(
        stale.is_empty(),
        "rules for routes that do not exist: {stale:#?}"
    );
}

#[tokio::test]
async fn every_openapi_operation_has_a_rule() {
    let db = TestDatabase::sqlite();
    let base = common::start(&db).await;
    let anon = common::client_as(None, false);
    let doc: Value = anon
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut n = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                n += 1;
                let full = format!("/api/v1{path}");
                assert!(
                    POLICY
                        .iter()
                        .any(|(m, p, _)| m.eq_ignore_ascii_case(method) && *p == full),
                    "{method} {full} is in the OpenAPI document but has no rule"
                );
            }
        }
    }
    assert!(n > 60, "{n} operations");
}

/// Real values for a route's parameters.
struct Fixtures {
    key: String,
    reference: String,
    workshop: String,
    webhook: String,
    rate: String,
    template: String,
    person: String,
    /// An event of the incident and an attachment (the demo's evidence).
    event: String,
    attachment: String,
}

async fn fixtures(base: &str, key: &str) -> Fixtures {
    let c = common::client();
    let get = |path: String| {
        let c = c.clone();
        async move {
            c.get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let actions = get(format!("/api/v1/incidents/{key}/actions")).await;
    let reference = actions["items"][0]["reference"]
        .as_str()
        .or_else(|| actions[0]["reference"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{key}-A1"));
    let workshops = get(format!("/api/v1/incidents/{key}/workshops")).await;
    let workshop = workshops[0]["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let hook: Value = c
        .post(format!("{base}/api/v1/webhooks"))
        .json(&serde_json::json!({"url": "http://127.0.0.1:9/hook", "events": ["ping"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let webhook = hook["webhook"]["id"]
        .as_str()
        .or_else(|| hook["id"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let rates = get("/api/v1/exchange-rates".into()).await;
    let templates = get("/api/v1/question-templates".into()).await;
    let people = get("/api/v1/people".into()).await;
    let first_id = |v: &Value| {
        v[0]["id"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
    };
    let timeline = get(format!("/api/v1/incidents/{key}/timeline")).await;
    let attachments = get(format!("/api/v1/incidents/{key}/attachments")).await;
    Fixtures {
        event: first_id(&timeline),
        attachment: first_id(&attachments),
        key: key.to_owned(),
        reference,
        workshop,
        webhook,
        rate: first_id(&rates),
        template: first_id(&templates),
        person: first_id(&people),
    }
}

fn fill(route: &str, f: &Fixtures) -> String {
    let id = if route.contains("/webhooks/") {
        f.webhook.as_str()
    } else if route.contains("/workshops/{id}") {
        f.workshop.as_str()
    } else if route.contains("exchange-rates/") {
        f.rate.as_str()
    } else if route.contains("question-templates/") {
        f.template.as_str()
    } else if route.contains("people/") {
        f.person.as_str()
    } else if route.contains("/attachments/{id}") {
        f.attachment.as_str()
    } else {
        "00000000-0000-0000-0000-000000000000"
    };
    route
        .replace("{key}", &f.key)
        .replace("{reference}", &f.reference)
        .replace("{lesson}", "00000000-0000-0000-0000-000000000000")
        .replace("{id}", id)
        .replace("{event_id}", &f.event)
        .replace("{field}", "started")
        .replace("{file}", "pir.md")
        .replace("{date}", "2026-12-25")
        .replace("{email}", "nobody@test.example")
        .replace("{token}", "0000")
}

async fn call(c: &reqwest::Client, base: &str, method: &str, path: &str) -> reqwest::Response {
    let url = format!("{base}{path}");
    let api = path.starts_with("/api/");
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut r = c.request(m, url);
    if method != "GET" && method != "DELETE" {
        r = if api {
            r.header("content-type", "application/json").body("{}")
        } else {
            r.form(&[("probe", "1")])
        };
    }
    r.send().await.unwrap()
}

fn names_incident(route: &str) -> bool {
    route.contains("{key}")
        || route.contains("{reference}")
        || route.contains("/workshops/{id}")
        || route.contains("/attachments/{id}")
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_rule_says() {
    for db in TestDatabase::all().await {
        eprintln!("matrix on {}", db.kind);
        let app = common::app(&db).await;
        app.load_demo().await.unwrap();
        let base = common::start(&db).await;
        let admin = common::client();
        let list: Value = admin
            .get(format!("{base}/api/v1/incidents"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let keys: Vec<String> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_owned())
            .collect();
        assert!(keys.len() >= 2, "{keys:?}");
        // The restricted incident: the contributor is a member, the
        // manager and the viewer are not.
        // Both with actions and workshops where the demo has them.
        let mut ranked = Vec::new();
        for k in &keys {
            let w: Value = admin
                .get(format!("{base}/api/v1/incidents/{k}/workshops"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ranked.push((w.as_array().map_or(0, Vec::len), k.clone()));
        }
        ranked.sort();
        let secret_key = ranked.pop().unwrap().1;
        let open_key = ranked.pop().unwrap().1;
        let res = admin
            .put(format!("{base}/api/v1/incidents/{secret_key}/access"))
            .json(&serde_json::json!({"restricted": true, "members": ["contributor@test.example"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        let open = fixtures(&base, &open_key).await;
        let secret = fixtures(&base, &secret_key).await;

        let clients: Vec<(Option<Role>, reqwest::Client)> = CALLERS
            .iter()
            .map(|r| (*r, common::client_as(*r, false)))
            .collect();
        let mut failures = Vec::new();
        for (method, route, rule) in POLICY {
            let path = fill(route, &open);
            for (role, c) in &clients {
                let res = call(c, &base, method, &path).await;
                let status = res.status();
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let ok = match (rule, role) {
                    (Rule::Public, _) => {
                        status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN
                    }
                    (Rule::AtLeast(_), None) if path.starts_with("/api/") => {
                        status == StatusCode::UNAUTHORIZED
                    }
                    (Rule::AtLeast(_), None) => {
                        status == StatusCode::SEE_OTHER && location.starts_with("/login?next=")
                    }
                    (Rule::AtLeast(needed), Some(r)) if r < needed => {
                        status == StatusCode::FORBIDDEN
                    }
                    (Rule::AtLeast(_), Some(_)) => {
                        status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN
                    }
                };
                if !ok {
                    failures.push(format!(
                        "{method} {path} as {role:?} ({rule:?}): {status} {location}"
                    ));
                }
            }
            if names_incident(route) {
                let path = fill(route, &secret);
                for (role, c) in &clients {
                    let Some(role) = role else { continue };
                    let Rule::AtLeast(needed) = rule else {
                        continue;
                    };
                    if role < needed {
                        continue;
                    }
                    let member = *role == Role::Contributor || *role == Role::Admin;
                    // A member's empty form would lift the restriction.
                    if member && route.ends_with("/access") && *method != "GET" {
                        continue;
                    }
                    let status = call(c, &base, method, &path).await.status();
                    let ok = if member {
                        status != StatusCode::NOT_FOUND || *method != "GET"
                    } else {
                        status == StatusCode::NOT_FOUND
                    };
                    if !ok {
                        failures.push(format!(
                            "restricted {method} {path} as {role:?} (member: {member}): {status}"
                        ));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} answers broke the rules:\n{}",
            failures.len(),
            failures.join("\n")
        );

        // Lists, counts and exports leave the restricted incident out for
        // non-members and keep it for members.
        for (role, sees) in [
            (Role::Viewer, false),
            (Role::Manager, false),
            (Role::Contributor, true),
            (Role::Admin, true),
        ] {
            let c = common::client_as(Some(role), true);
            let list = c
                .get(format!("{base}/api/v1/incidents"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(list.contains(&secret_key), sees, "API list as {role:?}");
            let page = c
                .get(format!("{base}/incidents"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(
                page.contains(&secret_key),
                sees,
                "incident page as {role:?}"
            );
            let actions = c
                .get(format!("{base}/api/v1/actions?limit=5000"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csv = c
                .get(format!("{base}/api/v1/actions/export.csv"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if secret.reference.starts_with(&secret_key) && actions.contains("reference") {
                assert_eq!(
                    actions.contains(&format!("\"{}\"", secret.reference)),
                    sees,
                    "actions as {role:?}"
                );
                assert_eq!(csv.contains(&secret.reference), sees, "CSV as {role:?}");
            }
        }
    }
}

#[tokio::test]
async fn anonymous_answers_are_401_for_the_api_and_a_sign_in_redirect_for_pages() {
    let db = TestDatabase::sqlite();
    let base = common::start(&db).await;
    let anon = common::client_as(None, false);
    let res = anon
        .get(format!("{base}/api/v1/incidents"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = anon
        .get(format!("{base}/incidents?status=open"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fincidents%3Fstatus%3Dopen"
    );
    for public in ["/health", "/api/v1/openapi.json", "/login"] {
        let res = anon.get(format!("{base}{public}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{public}");
    }
    // Probing addresses tells an anonymous caller nothing.
    let res = anon
        .get(format!("{base}/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = anon
        .get(format!("{base}/api/v1/no/such"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A revoked or made-up token is anonymous.
    let res = common::client_with_token("dbt_made_up", false)
        .get(format!("{base}/api/v1/incidents"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let db = TestDatabase::sqlite();
    let base = common::start(&db).await;
    for (c, path) in [
        (common::client(), "/incidents"),
        (common::client(), "/api/v1/incidents"),
        (common::client_as(None, false), "/login"),
        (common::client_as(None, false), "/api/v1/incidents"),
    ] {
        let res = c.get(format!("{base}{path}")).send().await.unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert!(h.contains_key("permissions-policy"));
    }
    let res = common::client()
        .get(format!("{base}/incidents"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
}
