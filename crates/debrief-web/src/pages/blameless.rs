//! Settings → Blameless language: the organisation's linter rules (PRODUCT.md
//! §7) — switch rules on and off, reword their messages, add the
//! organisation's own phrases or patterns, go back to the built-in rules —
//! and a box to try them on a text. Plain forms; every change saves the whole
//! rule list over the version it was read at (a stale save is refused).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use debrief_app::{App, AppError};
use debrief_core::lint::{Finding, LintRule, LintSeverity, Matcher, PatternMatcher, RuleSet};

use super::form::{Failed, FormView, pairs};
use super::view::Viewer;
use super::{FormValues, Layout, error_page, render};

pub(super) fn routes() -> Router<App> {
    Router::new().route("/settings/lint-rules", get(rules_page).post(change_rules))
}

struct RuleRow {
    id: String,
    kind: &'static str,
    pattern: bool,
    enabled: bool,
    severity: &'static str,
    message: String,
    form: FormView,
}

#[derive(Template)]
#[template(path = "settings_lint_rules.html", whitespace = "minimize")]
struct RulesPage {
    layout: Layout,
    rules: Vec<RuleRow>,
    version: i64,
    builtin: bool,
    add: FormView,
    try_form: FormView,
    tried: Option<Vec<Finding>>,
    severities: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    notice: Option<String>,
}

fn kind(m: &Matcher) -> &'static str {
    match m {
        Matcher::Pattern(_) => "Pattern of the organisation",
        Matcher::Counterfactual {} => "Built-in: counterfactuals said of people",
        Matcher::HumanError {} => "Built-in: “human error” and the like",
        Matcher::Judgemental {} => "Built-in: judgemental words",
        Matcher::PersonAsSubject {} => "Built-in: a person's name as the subject of a cause",
        Matcher::BlameQuestion {} => "Built-in: “why did you…” questions",
    }
}

fn values(rule: &LintRule, version: i64) -> Vec<(String, String)> {
    let mut v = pairs([
        ("id", rule.id.clone()),
        ("message", rule.message.clone()),
        ("why", rule.why.clone()),
        ("suggestion", rule.suggestion.clone()),
        ("severity", rule.severity.as_str().to_owned()),
        ("version", version.to_string()),
    ]);
    if rule.enabled {
        v.push(("enabled".into(), "on".into()));
    }
    if let Matcher::Pattern(p) = &rule.matcher {
        v.push(("phrases".into(), p.phrases.join("\n")));
        v.push(("regex".into(), p.regex.clone().unwrap_or_default()));
        if p.person_subject {
            v.push(("person_subject".into(), "on".into()));
        }
    }
    v
}

async fn respond(
    app: &App,
    viewer: &Viewer,
    failed: Option<Failed>,
    tried: Option<Vec<Finding>>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let current = match app.lint_rules().await {
        Ok(r) => r,
        Err(e) => return error_page(viewer, e),
    };
    let version = current.version;
    let rules = current.rules.rules();
    let page = RulesPage {
        layout: Layout::new(
            "Blameless language",
            "settings",
            viewer,
            "/settings/lint-rules",
        ),
        rules: rules
            .iter()
            .map(|r| RuleRow {
                id: r.id.clone(),
                kind: kind(&r.matcher),
                pattern: matches!(r.matcher, Matcher::Pattern(_)),
                enabled: r.enabled,
                severity: r.severity.label(),
                message: r.message.clone(),
                form: FormView::new(
                    format!("edit-rule-{}", r.id),
                    values(r, version),
                    failed.as_ref(),
                ),
            })
            .collect(),
        version,
        builtin: version == 0,
        add: FormView::new(
            "add-rule",
            pairs([
                ("severity", "warning".into()),
                ("version", version.to_string()),
            ]),
            failed.as_ref(),
        ),
        try_form: FormView::new("try", Vec::new(), failed.as_ref()),
        tried,
        severities: LintSeverity::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
            .collect(),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
    };
    render(&page, status)
}

async fn rules_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let notice = q
        .as_deref()
        .filter(|q| q.contains("saved=1"))
        .map(|_| "Rules saved.".to_owned());
    respond(&app, &viewer, None, None, notice, StatusCode::OK).await
}

/// The rule described by an add or edit form.
fn rule_from(v: &FormValues, matcher: Matcher) -> Result<LintRule, String> {
    Ok(LintRule {
        id: v.get("id").trim().to_owned(),
        matcher,
        message: v.get("message").trim().to_owned(),
        why: v.get("why").trim().to_owned(),
        suggestion: v.get("suggestion").trim().to_owned(),
        severity: v.get("severity").parse()?,
        enabled: v.get("enabled") == "on",
    })
}

fn pattern_from(v: &FormValues) -> Matcher {
    let regex = v.get("regex");
    Matcher::Pattern(PatternMatcher {
        regex: (!regex.trim().is_empty()).then(|| regex.trim().to_owned()),
        phrases: v
            .get("phrases")
            .lines()
            .flat_map(|l| l.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        person_subject: v.get("person_subject") == "on",
    })
}

/// Field errors of a rule (`my-rule.matcher.regex`) as the form's fields.
fn form_field(field: &str) -> Option<String> {
    let last = field.rsplit('.').next().unwrap_or(field);
    Some(match last {
        "regex" | "phrases" | "matcher" => if field.ends_with("regex") {
            "regex"
        } else {
            "phrases"
        }
        .to_owned(),
        other => other.to_owned(),
    })
}

async fn change_rules(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let v = FormValues { fields };
    let op = v.get("op");
    if op == "try" {
        return match app.lint_text(&v.get("text"), false).await {
            Ok(found) => respond(&app, &viewer, None, Some(found), None, StatusCode::OK).await,
            Err(e) => error_page(&viewer, e),
        };
    }
    let current = match app.lint_rules().await {
        Ok(r) => r,
        Err(e) => return error_page(&viewer, e),
    };
    let version: i64 = v.get("version").trim().parse().unwrap_or(-1);
    let mut rules = current.rules.clone().into_rules();
    let id = v.get("id").trim().to_owned();
    let form_key = match op.as_str() {
        "add" => "add-rule".to_owned(),
        _ => format!("edit-rule-{id}"),
    };
    let fail = |errors: Vec<(Option<String>, String)>| Failed {
        key: form_key.clone(),
        title: "the rules".into(),
        values: v.fields.clone(),
        errors,
    };
    let position = rules.iter().position(|r| r.id == id);
    let edited: Result<(), String> = match (op.as_str(), position) {
        ("add", _) => rule_from(&v, pattern_from(&v)).map(|mut r| {
            r.enabled = true;
            rules.push(r);
        }),
        ("edit", Some(i)) => {
            let matcher = match &rules[i].matcher {
                Matcher::Pattern(_) => pattern_from(&v),
                other => other.clone(),
            };
            rule_from(&v, matcher).map(|r| rules[i] = r)
        }
        ("toggle", Some(i)) => {
            rules[i].enabled = !rules[i].enabled;
            Ok(())
        }
        ("delete", Some(i)) => {
            rules.remove(i);
            Ok(())
        }
        ("reset", _) => {
            rules = RuleSet::builtin().into_rules();
            Ok(())
        }
        (_, None) => Err(format!("there is no rule `{id}` (any more)")),
        _ => Err(format!("unknown operation `{op}`")),
    };
    if let Err(m) = edited {
        let errors = vec![(Some("severity".to_owned()), m)];
        return respond(
            &app,
            &viewer,
            Some(fail(errors)),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match app.save_lint_rules(rules, version).await {
        Ok(_) => Redirect::to("/settings/lint-rules?saved=1").into_response(),
        Err(AppError::Invalid(e)) => {
            let errors = e
                .iter()
                .map(|e| (form_field(&e.field), e.message.clone()))
                .collect();
            respond(
                &app,
                &viewer,
                Some(fail(errors)),
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict { message, .. }) => {
            respond(
                &app,
                &viewer,
                Some(fail(vec![(None, message)])),
                None,
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}
