//! The blameless-language API (PRODUCT.md §7): lint any text, the findings
//! over everything written about an incident, and the organisation's rules.
//! Acknowledging a finding is a review change (`acknowledge_finding`).

use axum::Json;
use axum::extract::{Path, State};
use debrief_app::App;
use debrief_core::lint::{Finding, LintRule};
use debrief_core::review::blameless::LocatedFinding;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::problem::{ApiError, Problem};

/// Text to lint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LintInput {
    pub text: String,
    /// Read the text as Markdown (code, HTML and link targets skipped).
    #[serde(default)]
    pub markdown: bool,
}

/// The findings, in text order: `rule`, `severity`, byte `start`/`end`,
/// 1-based `line`/`column`, `excerpt`, `message`, `why`, `suggestion`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LintOutput {
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<Finding>,
}

/// The organisation's rules and their version (0: the built-in rules).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LintRulesDto {
    /// Each rule: `id`, `matcher` (`{"kind": "pattern", "regex"|"phrases",
    /// "person_subject"}` or a built-in kind: `counterfactual`, `human_error`,
    /// `judgemental`, `person_as_subject`, `blame_question`), `message`,
    /// `why`, `suggestion`, `severity` (`warning`|`notice`), `enabled`.
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<LintRule>,
    pub version: i64,
}

/// Lint a text with the organisation's rules and the people debrief knows.
#[utoipa::path(post, path = "/lint", tag = "blameless", request_body = LintInput,
    responses((status = 200, body = LintOutput), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn lint_text(
    State(app): State<App>,
    ApiJson(input): ApiJson<LintInput>,
) -> Result<Json<LintOutput>, ApiError> {
    Ok(Json(LintOutput {
        findings: app.lint_text(&input.text, input.markdown).await?,
    }))
}

/// The findings over the incident's review, actions and timeline, each with
/// its `location`, `label`, `anchor` and `acknowledged` (who and why, when
/// kept on purpose). Approval waits for every open one.
#[utoipa::path(get, path = "/incidents/{key}/findings", tag = "blameless",
    params(("key" = String, Path)),
    responses((status = 200, description = "findings", body = [Object]),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn incident_findings(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Vec<LocatedFinding>>, ApiError> {
    Ok(Json(app.incident_findings(&key).await?))
}

/// The rules in force.
#[utoipa::path(get, path = "/lint-rules", tag = "blameless",
    responses((status = 200, body = LintRulesDto)))]
pub async fn get_rules(State(app): State<App>) -> Result<Json<LintRulesDto>, ApiError> {
    let r = app.lint_rules().await?;
    Ok(Json(LintRulesDto {
        rules: r.rules.into_rules(),
        version: r.version,
    }))
}

/// Replace the rules (send every rule, and the version you read; 0 for the
/// built-in rules). Each problem is reported under the rule's id and field.
#[utoipa::path(put, path = "/lint-rules", tag = "blameless", request_body = LintRulesDto,
    responses((status = 200, body = LintRulesDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_rules(
    State(app): State<App>,
    ApiJson(input): ApiJson<LintRulesDto>,
) -> Result<Json<LintRulesDto>, ApiError> {
    let r = app.save_lint_rules(input.rules, input.version).await?;
    Ok(Json(LintRulesDto {
        rules: r.rules.into_rules(),
        version: r.version,
    }))
}
