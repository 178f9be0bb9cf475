//! The one place that turns an [`IncidentScope`] into SQL: every query that
//! selects or aggregates a set of incidents for learning (search, related
//! incidents, KPI fetches) builds its `WHERE` over `incidents` here.
//!
//! **Visibility hook:** restricted incidents (PRODUCT.md §11, the accounts
//! branch) must be filtered by adding the viewer's clause in
//! [`scope_sql`], so that no learning query can forget it.

use crate::accounts::Visibility;
use debrief_core::kpi::IncidentScope;

use crate::sql::{Dialect, Value, int, text};

/// The instant an incident is placed in time by (detected, else started,
/// else recorded); indexed as `incidents_period` on both databases.
pub(crate) fn period_expr(alias: &str) -> String {
    format!("COALESCE({alias}.detected_us, {alias}.started_us, {alias}.created_us)")
}

/// A condition that a JSON array column (`services`, `tags`) holds one of
/// the placeholders `params`.
pub(crate) fn json_list_has(dialect: Dialect, column: &str, params: &[String]) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "EXISTS (SELECT 1 FROM json_each({column}) je WHERE je.value IN ({}))",
            params.join(", ")
        ),
        Dialect::Postgres => format!(
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(({column})::jsonb) je WHERE je IN ({}))",
            params.join(", ")
        ),
    }
}

/// Appends the conditions of `scope` over the incidents aliased `alias`
/// to `wheres`, binding into `values` (placeholders continue after the
/// values already there).
pub(crate) fn scope_sql(
    scope: &IncidentScope,
    visibility: &Visibility,
    dialect: Dialect,
    alias: &str,
    wheres: &mut Vec<String>,
    values: &mut Vec<Value>,
) {
    // Restricted incidents: only members and admins see them (issue 6).
    if !matches!(visibility, Visibility::All) {
        wheres.push(visibility.clause(alias, values));
    }
    let param = |v: Value, values: &mut Vec<Value>| {
        values.push(v);
        format!("${}", values.len())
    };
    if !scope.categories.is_empty() {
        let p: Vec<String> = scope
            .categories
            .iter()
            .map(|c| param(text(c.clone()), values))
            .collect();
        wheres.push(format!("{alias}.category IN ({})", p.join(", ")));
    }
    if !scope.severities.is_empty() {
        let p: Vec<String> = scope
            .severities
            .iter()
            .map(|s| param(text(s.as_str()), values))
            .collect();
        wheres.push(format!("{alias}.severity IN ({})", p.join(", ")));
    }
    if !scope.services.is_empty() {
        let p: Vec<String> = scope
            .services
            .iter()
            .map(|s| param(text(s.clone()), values))
            .collect();
        wheres.push(json_list_has(dialect, &format!("{alias}.services"), &p));
    }
    if !scope.tags.is_empty() {
        let p: Vec<String> = scope
            .tags
            .iter()
            .map(|s| param(text(s.clone()), values))
            .collect();
        wheres.push(json_list_has(dialect, &format!("{alias}.tags"), &p));
    }
    if let Some(from) = scope.from {
        let p = param(int(from.as_microsecond()), values);
        wheres.push(format!("{} >= {p}", period_expr(alias)));
    }
    if let Some(to) = scope.to {
        let p = param(int(to.as_microsecond()), values);
        wheres.push(format!("{} < {p}", period_expr(alias)));
    }
}

/// `WHERE a AND b …`, or nothing.
pub(crate) fn where_clause(wheres: &[String]) -> String {
    if wheres.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", wheres.join(" AND "))
    }
}
