//! The review pages as a browser without JavaScript uses them: the real
//! router on a random port, plain form posts, redirects not followed, a fresh
//! database per story (SQLite, and PostgreSQL when configured).

mod common;

use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::json;

const REVIEW: &str = "/incidents/INC-2026-0001/review";

struct Server {
    base: String,
    client: Client,
    _db: TestDatabase,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn page(&self, path: &str, cookie: &str) -> (StatusCode, String) {
        let res = self
            .client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts a change to the review and expects the redirect back to `section`.
    async fn change(&self, cookie: &str, form: &[(&str, &str)], section: &str) {
        let res = self.post(REVIEW, cookie, form).await;
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        let body = res.text().await.unwrap();
        assert_eq!(status, StatusCode::SEE_OTHER, "{form:?}: {body}");
        let location = location.unwrap();
        assert!(
            location.starts_with(&format!("{REVIEW}?saved={section}"))
                && location.ends_with(&format!("#{section}")),
            "{location}"
        );
    }

    /// Posts a change that is refused; the page comes back with `status`.
    async fn refused(&self, cookie: &str, form: &[(&str, &str)], status: StatusCode) -> String {
        let res = self.post(REVIEW, cookie, form).await;
        assert_eq!(res.status(), status, "{form:?}");
        assert!(res.headers().get("location").is_none());
        res.text().await.unwrap()
    }
}

async fn start(db: TestDatabase) -> Server {
    debrief_testkit::seed_users(&db.url).await;
    let app = common::app(&db).await;
    let base = common::start_app(app).await;
    let client = common::client_no_redirect();
    let s = Server {
        base,
        client,
        _db: db,
    };
    let incident = json!({
        "title": "Ransomware on file servers",
        "category": "ransomware",
        "severity": "critical",
        "timestamps": {
            "started": "2026-11-20T08:00Z",
            "detected": "2026-11-20T11:12Z",
            "contained": "2026-11-20T15:00Z"
        }
    });
    let res = s
        .client
        .post(s.url("/api/v1/incidents"))
        .json(&incident)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    s
}

async fn each_server<F, Fut>(story: F)
where
    F: Fn(Server) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        story(start(db).await).await;
    }
}

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not found"))
        + start.len();
    let len = s[from..].find(end).unwrap();
    &s[from..from + len]
}

/// The `version` hidden input of the form with id `form_id`.
fn version_of(html: &str, form_id: &str) -> String {
    let form = between(html, &format!("id=\"{form_id}\""), "</form>");
    between(form, "name=\"version\" value=\"", "\"").to_owned()
}

async fn open_as_priya(s: &Server) -> &'static str {
    let cookie = "name=Priya%20Shah";
    let res = s.post(&format!("{REVIEW}/open"), cookie, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("{REVIEW}?saved=status&did=opened#status")
    );
    cookie
}

#[tokio::test]
async fn a_facilitator_fills_in_the_review_with_plain_forms_and_it_is_approved() {
    each_server(|s| async move {
        // Before a review exists: an explanation and one button.
        let (status, html) = s.page(REVIEW, "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("No review yet") && html.contains("Open the review"));
        assert!(html.contains(&format!("action=\"{REVIEW}/open\"")));
        assert!(html.contains("aria-current=\"page\">Review</a>"));

        let priya = open_as_priya(&s).await;
        let (_, html) = s.page(REVIEW, priya).await;
        assert!(html.contains("Opened by <strong>Priya Shah</strong>"), "{html}");
        assert!(html.contains("review-draft\">Draft</span>"));
        assert!(html.contains("Submit for review") && !html.contains(">Approve</button>"));
        // The derived durations stand beside their phases.
        assert!(html.contains(">Time to detect</abbr>: <strong>3 h 12 min</strong>"));
        assert!(html.contains(">Time to contain</abbr>: <strong>3 h 48 min</strong>"));
        // The template's eleven questions, one form each.
        assert_eq!(html.matches("name=\"op\" value=\"set_answer\"").count(), 11);

        // A cause with a five-whys step; the empty second pair is ignored.
        s.change(
            priya,
            &[
                ("op", "add_item"),
                ("section", "cause"),
                ("kind", "root_cause"),
                ("category", "technology"),
                ("statement", "Backups shared credentials with production"),
                ("why_1", "Why could the attacker reach the backups?"),
                ("because_1", "The backup job used the domain admin account"),
                ("why_2", ""),
                ("because_2", ""),
            ],
            "causes",
        )
        .await;
        let (_, html) = s.page(REVIEW, priya).await;
        let causes = between(&html, "id=\"causes\"", "</section>");
        assert!(causes.contains("<h3 class=\"group\">Technology</h3>"));
        assert!(causes.contains("cause-root\">Root cause</span>"));
        assert!(causes.contains("Backups shared credentials with production"));
        assert!(causes.contains(
            "<span class=\"tag\">Why?</span> Why could the attacker reach the backups?"
        ));
        assert!(causes.contains("Remove cause “Backups shared credentials with production”"));
        let cause_id = between(causes, "id=\"item-", "\"").to_owned();

        // An impossible rating: the error beside the field, the input kept.
        let html = s
            .refused(
                priya,
                &[
                    ("op", "set_assessment"),
                    ("phase", "detection"),
                    ("version", "0"),
                    ("rating", "7"),
                    ("went_well", "The EDR alert was triaged within minutes"),
                ],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert!(html.contains("Not saved: please fix 1 problem in the detection assessment"));
        assert!(html.contains("<a href=\"#assess-detection-rating\">Rating: `7` is not a rating"));
        assert!(html.contains(
            "<p class=\"field-error\" id=\"assess-detection-rating-error\">`7` is not a rating: choose 1 (poor) to 5 (excellent)</p>"
        ));
        assert!(html.contains(
            "id=\"assess-detection-rating\" name=\"rating\" aria-invalid=\"true\" aria-describedby=\"assess-detection-rating-error\""
        ));
        assert!(html.contains("The EDR alert was triaged within minutes</textarea>"));

        // Approval with sections missing: 409 and the list of what is missing.
        s.change(priya, &[("op", "transition"), ("to", "in_review")], "status")
            .await;
        let html = s
            .refused(
                priya,
                &[("op", "transition"), ("to", "approved"), ("note", "")],
                StatusCode::CONFLICT,
            )
            .await;
        assert!(html.contains("Cannot approve yet: the review needs a summary"));
        let missing = between(&html, "id=\"missing-for-approval\"", "</div>");
        for item in [
            "a summary",
            "an assessment of detection",
            "an assessment of containment",
            "an assessment of eradication",
            "an assessment of recovery",
            "at least one lesson",
        ] {
            assert!(missing.contains(&format!("<li>{item}</li>")), "{item}");
        }
        assert!(!missing.contains("root cause"));

        // Fill the required sections.
        s.change(
            priya,
            &[
                ("op", "set_text"),
                ("section", "summary"),
                ("version", "0"),
                ("text", "Ransomware encrypted the file servers."),
            ],
            "summary",
        )
        .await;
        for (phase, rating) in [
            ("detection", "2"),
            ("containment", "3"),
            ("eradication", "4"),
            ("recovery", "5"),
        ] {
            s.change(
                priya,
                &[
                    ("op", "set_assessment"),
                    ("phase", phase),
                    ("version", "0"),
                    ("rating", rating),
                    ("went_well", ""),
                    ("to_improve", "Faster"),
                ],
                "assessments",
            )
            .await;
        }
        s.change(
            priya,
            &[
                ("op", "add_item"),
                ("section", "lesson"),
                ("statement", "Backups need their own credentials"),
                ("tags", "Backups, identity"),
            ],
            "lessons",
        )
        .await;
        let (_, html) = s.page(REVIEW, priya).await;
        assert!(!html.contains("id=\"missing-for-approval\""));
        assert_eq!(version_of(&html, "text-summary"), "1");
        assert_eq!(version_of(&html, "assess-recovery"), "1");
        assert_eq!(version_of(&html, "text-narrative"), "0");
        assert!(html.contains("<option value=\"2\" selected>2 – fair</option>"));
        assert!(html.contains("<li>#backups</li><li>#identity</li>"));

        // Editing the same cause from a stale page: a conflict, explained.
        let server = &s;
        let edit = |version: &'static str, statement: &'static str| {
            let id = cause_id.clone();
            async move {
                let form = [
                    ("op", "update_item"),
                    ("section", "cause"),
                    ("id", id.as_str()),
                    ("version", version),
                    ("kind", "root_cause"),
                    ("category", "technology"),
                    ("statement", statement),
                ];
                server.post(REVIEW, priya, &form).await
            }
        };
        assert_eq!(
            edit("1", "Backups and production shared one account")
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let res = edit("1", "A stale edit").await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let html = res.text().await.unwrap();
        assert!(html.contains("Someone else changed this item while you were editing; the page now shows their version — apply your change again if it is still right."));
        assert!(html.contains("Backups and production shared one account"));
        assert!(!html.contains("A stale edit"));

        // The review complete policy: each lesson gets a home first, with
        // the form beside it.
        let review: serde_json::Value = s
            .client
            .get(s.url("/api/v1/incidents/INC-2026-0001/review"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for lesson in review["lessons"].as_array().unwrap() {
            let id = lesson["id"].as_str().unwrap();
            let res = s
                .post(
                    "/incidents/INC-2026-0001/review/lesson-links",
                    priya,
                    &[
                        ("lesson", id),
                        ("document", ""),
                        ("change", "The backup runbook already says this"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
        // Sam approves: the name cookie is the approver.
        let sam = "tz=UTC; name=Sam%20Okafor";
        s.change(
            sam,
            &[
                ("op", "transition"),
                ("to", "approved"),
                ("note", "Good work"),
            ],
            "status",
        )
        .await;
        let (_, html) = s.page(REVIEW, sam).await;
        assert!(html.contains("review-approved\">Approved</span>"));
        assert!(html.contains("Approved by <strong>Sam Okafor</strong> on"));
        assert!(html.contains(">Reopen</button>"));
        let history = between(&html, "id=\"history\"", "</section>");
        assert!(history.contains("In review → Approved</td><td>Sam Okafor</td>"));
        assert!(history.contains("Good work"));
        assert!(html.contains("Editing as <strong>Sam Okafor</strong>"));
        // Approved content is shown, not offered for editing.
        assert!(!html.contains("value=\"set_text\""));
        assert!(html.contains("<p class=\"text\">Ransomware encrypted the file servers.</p>"));

        // Editing an approved review (from a page opened before): 409.
        let html = s
            .refused(
                priya,
                &[
                    ("op", "set_text"),
                    ("section", "narrative"),
                    ("version", "0"),
                    ("text", "Late addition"),
                ],
                StatusCode::CONFLICT,
            )
            .await;
        assert!(html.contains("The review is approved; reopen it to draft before changing it."));

        // Dissent is still possible, by name.
        s.change(
            priya,
            &[("op", "add_dissent"), ("text", "The root cause is the missing MFA")],
            "dissent",
        )
        .await;
        let (_, html) = s.page(REVIEW, priya).await;
        let dissent = between(&html, "id=\"dissent\"", "</section>");
        assert!(dissent.contains("<strong>Priya Shah</strong>"));
        assert!(dissent.contains("The root cause is the missing MFA"));
    })
    .await;
}

#[tokio::test]
async fn costs_are_checked_against_their_currency_and_totalled_with_recorded_rates() {
    each_server(|s| async move {
        let cookie = open_as_priya(&s).await;
        let cost = |amount: &'static str, currency: &'static str| {
            [
                ("op", "add_item"),
                ("section", "financial"),
                ("category", "lost_revenue"),
                ("amount", amount),
                ("currency", currency),
                ("certainty", "estimated"),
                ("note", "Orders not taken"),
                ("hours", ""),
                ("hourly_rate", ""),
            ]
        };
        let html = s
            .refused(cookie, &cost("12.5", "JPY"), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert!(html.contains(
            "<p class=\"field-error\" id=\"add-financial-amount-error\">12.5 has 1 decimal place, but JPY has none; round it to a whole number</p>"
        ));
        assert!(html.contains("<a href=\"#add-financial-amount\">Amount: 12.5 has 1 decimal place"));
        // The failed form is open and keeps what was typed.
        assert!(html.contains("id=\"add-financial-amount\" name=\"amount\" value=\"12.5\""));
        assert!(html.contains("id=\"add-financial-currency\" name=\"currency\" value=\"JPY\""));
        assert!(html.contains("Orders not taken</textarea>"));

        let html = s
            .refused(cookie, &cost("10", "EUX"), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert!(html.contains("id=\"add-financial-currency-error\">unknown currency `EUX`"));

        s.change(cookie, &cost("125000", "JPY"), "impact").await;
        // Staff time: hours × rate.
        s.change(
            cookie,
            &[
                ("op", "add_item"),
                ("section", "financial"),
                ("category", "staff_time"),
                ("amount", ""),
                ("currency", "EUR"),
                ("certainty", "actual"),
                ("hours", "37.5"),
                ("hourly_rate", "80"),
            ],
            "impact",
        )
        .await;
        let (_, html) = s.page(REVIEW, cookie).await;
        let impact = between(&html, "id=\"impact\"", "</section>");
        assert!(impact.contains("125,000 JPY"));
        assert!(impact.contains("3,000.00 EUR<span class=\"hint\">37.5 h × 80.00 EUR</span>"));
        assert!(impact.contains("No total in EUR: 1 exchange rate is missing"));
        assert!(impact.contains("<li>needs a rate for JPY→EUR on or before 2026-11-20</li>"));
        assert!(impact.contains("href=\"/settings/exchange-rates\""));

        // Record the rate; the total appears and names it.
        let res = s
            .post(
                "/settings/exchange-rates",
                "",
                &[
                    ("from", "JPY"),
                    ("to", "EUR"),
                    ("rate", "0.0061"),
                    ("date", "2026-11-01"),
                    ("source", "ECB reference rate"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, html) = s.page(REVIEW, cookie).await;
        let impact = between(&html, "id=\"impact\"", "</section>");
        assert!(impact.contains("Total: 3,762.50 EUR"), "{impact}");
        assert!(impact.contains("JPY→EUR at 0.0061 (rate of 2026-11-01, ECB reference rate)"));
        assert!(!impact.contains("needs a rate"));

        // The details: numbers, classes, the estimate change.
        s.change(
            cookie,
            &[
                ("op", "set_impact_details"),
                ("version", "0"),
                ("downtime_minutes", "340"),
                ("data_classes", "personal"),
                ("data_classes", "payment"),
                ("availability", "on"),
                ("overall", "painful"),
                ("initial_estimate", "20000"),
                ("final_estimate", "48210"),
                ("estimate_currency", "EUR"),
            ],
            "impact",
        )
        .await;
        let (_, html) = s.page(REVIEW, cookie).await;
        assert!(html.contains("name=\"data_classes\" value=\"payment\" checked"));
        assert!(html.contains("name=\"availability\" value=\"on\" checked"));
        assert!(html.contains("<option value=\"painful\" selected>Painful</option>"));
        assert!(html.contains("final estimate: <strong>+28,210.00 EUR</strong>"));

        // Remove a cost: the button names it.
        let costs = between(&html, "<table class=\"costs stack\">", "</table>");
        assert!(costs.contains("Remove cost “Lost revenue, 125,000 JPY”"));
        let id = between(costs, "id=\"item-", "\"").to_owned();
        s.change(
            cookie,
            &[
                ("op", "remove_item"),
                ("section", "financial"),
                ("id", id.as_str()),
                ("version", "1"),
            ],
            "impact",
        )
        .await;
        let (_, html) = s.page(REVIEW, cookie).await;
        assert!(!html.contains("125,000 JPY"));
        assert!(html.contains("Total: 3,000.00 EUR"));
    })
    .await;
}

#[tokio::test]
async fn exchange_rates_are_recorded_and_deleted_on_the_settings_page() {
    each_server(|s| async move {
        let (status, html) = s.page("/settings/exchange-rates", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<h1>Exchange rates</h1>") && html.contains("No rates yet"));
        assert!(html.contains("href=\"/settings/exchange-rates\" aria-current=\"page\">Settings"));

        let res = s
            .post(
                "/settings/exchange-rates",
                "",
                &[
                    ("from", "EUX"),
                    ("to", "EUR"),
                    ("rate", "1.1"),
                    ("date", "yesterday"),
                    ("source", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"rate-from-error\">unknown currency `EUX`"));
        assert!(html.contains("id=\"rate-date-error\">`yesterday` is not a date like 2026-09-01"));
        assert!(html.contains("id=\"rate-from\" name=\"from\" value=\"EUX\""));

        let res = s
            .post(
                "/settings/exchange-rates",
                "",
                &[
                    ("from", "USD"),
                    ("to", "EUR"),
                    ("rate", "0"),
                    ("date", "2026-09-01"),
                    ("source", "ECB"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains(
            "id=\"rate-rate-error\">a rate of zero would make every amount worth nothing"
        ));

        let good = [
            ("from", "usd"),
            ("to", "EUR"),
            ("rate", "0.92"),
            ("date", "2026-09-01"),
            ("source", "ECB reference rate"),
        ];
        let res = s.post("/settings/exchange-rates", "", &good).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()["location"],
            "/settings/exchange-rates?added=1"
        );
        let (_, html) = s.page("/settings/exchange-rates?added=1", "").await;
        assert!(html.contains("Rate recorded."));
        assert!(html.contains("USD → EUR</th>"));
        assert!(html.contains("ECB reference rate"));
        assert!(html.contains("Delete rate USD → EUR of 2026-09-01"));

        // The same pair and day again: refused, not duplicated.
        let res = s.post("/settings/exchange-rates", "", &good).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);

        let id = between(&html, "id=\"rate-", "\"").to_owned();
        let res = s
            .post(&format!("/settings/exchange-rates/{id}/delete"), "", &[])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, html) = s.page("/settings/exchange-rates?deleted=1", "").await;
        assert!(html.contains("Rate deleted.") && html.contains("No rates yet"));
        let res = s
            .post(&format!("/settings/exchange-rates/{id}/delete"), "", &[])
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_footer_remembers_who_is_editing() {
    each_server(|s| async move {
        let (_, html) = s.page(REVIEW, "").await;
        // Signed in (the test admin): changes carry the account's name
        // unless the admin names someone they type for.
        assert!(html.contains("Editing as <strong>Test admin</strong>"));
        let res = s
            .post(
                "/preferences/name",
                "",
                &[("name", "  Priya Shah "), ("back", REVIEW)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], REVIEW);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("name=Priya%20Shah;"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"));
        let (_, html) = s.page(REVIEW, "name=Priya%20Shah").await;
        assert!(html.contains("Editing as <strong>Priya Shah</strong>"));
        assert!(html.contains("id=\"name-picker\" name=\"name\" value=\"Priya Shah\""));

        // At most 80 characters; never a redirect elsewhere.
        let long = "x".repeat(100);
        let res = s
            .post(
                "/preferences/name",
                "",
                &[("name", &long), ("back", "//evil.example")],
            )
            .await;
        assert_eq!(res.headers()["location"], "/");
        let cookie = res.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with(&format!("name={};", "x".repeat(80))));

        // An empty name forgets it; the change is then the account's.
        let res = s.post("/preferences/name", "", &[("name", " ")]).await;
        assert!(
            res.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        let res = s.post(&format!("{REVIEW}/open"), "", &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, html) = s.page(REVIEW, "").await;
        assert!(html.contains("Opened by <strong>Test admin</strong>"));
        // Unknown incidents are a 404 page.
        let (status, _) = s.page("/incidents/INC-1999-0001/review", "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}
