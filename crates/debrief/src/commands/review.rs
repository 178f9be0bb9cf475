//! `debrief review …` and `debrief rate …`: the post-incident review and the
//! exchange rates its totals use.

use std::io::Read;

use debrief_app::App;
use debrief_core::review::{Review, ReviewChange};

use super::{invalid, open_input, parse_zone};
use crate::cli::ReportArgs;
use crate::cli::{
    LintRulesSetArgs, LintRulesShowArgs, RateAddArgs, RateDeleteArgs, RateListArgs,
    ReviewChangeArgs, ReviewOpenArgs, ReviewShowArgs, TemplateSetArgs,
};
use crate::output;

pub async fn show(app: &App, args: ReviewShowArgs) -> anyhow::Result<()> {
    let (incident, review) = app.review(&args.key).await?;
    let Some(review) = review else {
        return Err(debrief_app::AppError::NotFound(format!(
            "{} has no review yet; open it with `debrief review open {}`",
            incident.key, incident.key
        ))
        .into());
    };
    if args.json {
        output::print(&output::to_json(&review))?;
    } else {
        output::print(&review_sheet(&incident.key.to_string(), &review))?;
    }
    Ok(())
}

pub async fn open(app: &App, args: ReviewOpenArgs, actor: &str) -> anyhow::Result<()> {
    let review = app
        .open_review_with(&args.key, actor, args.template.as_deref())
        .await?;
    output::print(&format!(
        "opened the review of {} ({} questions in the template)\n",
        args.key,
        review.template.questions.len()
    ))?;
    Ok(())
}

pub async fn change(app: &App, args: ReviewChangeArgs, actor: &str) -> anyhow::Result<()> {
    let mut text = String::new();
    open_input(&args.file)?
        .read_to_string(&mut text)
        .map_err(|e| invalid("file", format!("cannot read `{}`: {e}", args.file)))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid("file", format!("not JSON: {e}")))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    let mut changes = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let change: ReviewChange = serde_json::from_value(item)
            .map_err(|e| invalid(&format!("changes[{i}]"), e.to_string()))?;
        changes.push(change);
    }
    let mut last = None;
    for change in changes {
        last = Some(app.change_review(&args.key, change, actor).await?);
    }
    match (last, args.json) {
        (Some(review), true) => output::print(&output::to_json(&review))?,
        (Some(review), false) => output::print(&format!(
            "{}: review {} (version {})\n",
            args.key,
            review.status.label().to_lowercase(),
            review.version
        ))?,
        (None, _) => output::print("no changes given\n")?,
    }
    Ok(())
}

pub async fn total(app: &App, args: ReviewShowArgs) -> anyhow::Result<()> {
    let total = app.impact_total(&args.key).await?;
    if args.json {
        let mut value = serde_json::to_value(&total)?;
        value["describe"] = serde_json::json!(total.describe());
        output::print(&output::to_json(&value))?;
    } else {
        output::print(&(total.describe().join("\n") + "\n"))?;
    }
    if !total.is_complete() {
        // Not an error of the command, but scripts should notice.
        eprintln!(
            "note: the total is incomplete; record the missing rates with `debrief rate add`"
        );
    }
    Ok(())
}

pub async fn rate_add(app: &App, args: RateAddArgs) -> anyhow::Result<()> {
    let (id, rate) = app
        .add_rate(&args.from, &args.to, &args.rate, &args.date, &args.source)
        .await?;
    output::print(&format!("recorded {rate} (id {id})\n"))?;
    Ok(())
}

pub async fn rate_list(app: &App, args: RateListArgs) -> anyhow::Result<()> {
    let rates = app.rates().await?;
    if args.json {
        let list: Vec<serde_json::Value> = rates
            .iter()
            .map(|(id, r)| {
                serde_json::json!({
                    "id": id.to_string(), "from": r.from().code(), "to": r.to().code(),
                    "rate": r.rate().normalize().to_string(), "date": r.date().to_string(), "source": r.source(),
                })
            })
            .collect();
        output::print(&output::to_json(&list))?;
    } else {
        let rows: Vec<Vec<String>> = rates
            .iter()
            .map(|(id, r)| {
                vec![
                    format!("{}→{}", r.from().code(), r.to().code()),
                    r.rate().normalize().to_string(),
                    r.date().to_string(),
                    r.source().to_owned(),
                    id.to_string(),
                ]
            })
            .collect();
        output::print(&output::table(
            &["PAIR", "RATE", "FROM", "SOURCE", "ID"],
            &rows,
        ))?;
    }
    Ok(())
}

pub async fn rate_delete(app: &App, args: RateDeleteArgs) -> anyhow::Result<()> {
    let id = uuid::Uuid::parse_str(args.id.trim())
        .map_err(|_| debrief_app::AppError::NotFound(format!("no exchange rate {}", args.id)))?;
    app.delete_rate(id).await?;
    output::print(&format!("deleted exchange rate {id}\n"))?;
    Ok(())
}

/// The review as text for a terminal.
fn review_sheet(key: &str, r: &Review) -> String {
    let mut out = format!(
        "{key} review: {} (version {})\n",
        r.status.label(),
        r.version
    );
    if let Some(s) = &r.sign_off {
        out.push_str(&format!("  approved by {} at {}\n", s.by, s.at));
    }
    let section = |out: &mut String, title: &str, lines: Vec<String>| {
        out.push_str(&format!("\n{title}\n"));
        if lines.is_empty() {
            out.push_str("  (none)\n");
        }
        for l in lines {
            out.push_str(&format!("  - {l}\n"));
        }
    };
    out.push_str(&format!(
        "\nSummary\n  {}\n",
        if r.summary.text.is_empty() {
            "(none)"
        } else {
            &r.summary.text
        }
    ));
    section(
        &mut out,
        "Causes",
        r.causes
            .iter()
            .map(|c| {
                format!(
                    "[{}, {}] {}",
                    c.kind.label(),
                    c.category.label(),
                    c.statement
                )
            })
            .collect(),
    );
    section(
        &mut out,
        "Assessments",
        r.assessments
            .iter()
            .map(|a| format!("{}: {}/5", a.phase.label(), a.rating))
            .collect(),
    );
    section(
        &mut out,
        "Gaps",
        r.gaps
            .iter()
            .map(|g| {
                format!(
                    "[{}, {}] {}",
                    g.area.label(),
                    g.severity.label(),
                    g.description
                )
            })
            .collect(),
    );
    section(
        &mut out,
        "Lessons",
        r.lessons.iter().map(|l| l.statement.clone()).collect(),
    );
    section(
        &mut out,
        "Recommendations",
        r.recommendations.iter().map(|x| x.text.clone()).collect(),
    );
    section(
        &mut out,
        "Costs",
        r.impact
            .financial
            .iter()
            .map(|f| {
                format!(
                    "{} — {} ({})",
                    f.amount,
                    f.category.label(),
                    f.certainty.label().to_lowercase()
                )
            })
            .collect(),
    );
    let missing = r.missing_for_approval();
    if !missing.is_empty() && r.status != debrief_core::review::ReviewStatus::Approved {
        out.push_str(&format!(
            "\nBefore approval the review needs {}.\n",
            missing.join(", ")
        ));
    }
    out
}

pub async fn report(app: &App, args: ReportArgs) -> anyhow::Result<()> {
    let body = match args.key.as_deref() {
        Some(key) if !args.programme => {
            let kind = args.kind.parse().map_err(|m: String| invalid("kind", m))?;
            let format = args
                .format
                .parse()
                .map_err(|m: String| invalid("format", m))?;
            let zone = parse_zone(args.zone.as_deref())?.unwrap_or(jiff::tz::TimeZone::UTC);
            app.report(key, kind, format, &zone).await?
        }
        _ => {
            let format: debrief_app::programme::ProgrammeFormat = args
                .format
                .parse()
                .map_err(|m: String| invalid("format", m))?;
            let period = debrief_app::programme::ProgrammePeriod::parse(
                args.from.as_deref(),
                args.to.as_deref(),
                args.quarter.as_deref(),
                args.year.as_deref(),
            )?;
            app.programme_report(&period, format, &debrief_store::Visibility::All)
                .await?
        }
    };
    match args.output {
        Some(path) => std::fs::write(&path, body)
            .map_err(|e| invalid("output", format!("cannot write {}: {e}", path.display())))?,
        None => output::print(&body)?,
    }
    Ok(())
}

pub async fn template_list(app: &App, args: RateListArgs) -> anyhow::Result<()> {
    let templates = app.templates().await?;
    if args.json {
        let list: Vec<serde_json::Value> = templates
            .iter()
            .map(|(t, v)| serde_json::json!({"id": t.id, "name": t.name, "questions": t.questions, "version": v}))
            .collect();
        output::print(&output::to_json(&list))?;
    } else {
        let mut out = String::new();
        for (t, v) in &templates {
            out.push_str(&format!("{} — {} (version {v})\n", t.id, t.name));
            for (i, q) in t.questions.iter().enumerate() {
                out.push_str(&format!("  {}. {}\n", i + 1, q.text));
            }
        }
        output::print(&out)?;
    }
    Ok(())
}

pub async fn template_set(app: &App, args: TemplateSetArgs) -> anyhow::Result<()> {
    let t = app
        .save_template(&args.id, &args.name, &args.questions, args.version)
        .await?;
    output::print(&format!(
        "saved template {} with {} questions (version {})\n",
        t.id,
        t.questions.len(),
        args.version + 1
    ))?;
    Ok(())
}

pub async fn findings(app: &App, args: ReviewShowArgs) -> anyhow::Result<()> {
    let findings = app.incident_findings(&args.key).await?;
    if args.json {
        output::print(&output::to_json(&findings))?;
        return Ok(());
    }
    if findings.is_empty() {
        output::print(&format!("{}: no blameless-language findings\n", args.key))?;
        return Ok(());
    }
    let mut out = String::new();
    for f in &findings {
        out.push_str(&format!(
            "{} [{}]: “{}” — {}{}\n",
            f.label,
            f.finding.rule,
            f.finding.excerpt,
            f.finding.message,
            match &f.acknowledged {
                Some(a) => format!(" (kept by {}: {})", a.by, a.reason),
                None => String::new(),
            }
        ));
        if !f.finding.suggestion.is_empty() && f.acknowledged.is_none() {
            out.push_str(&format!("    {}\n", f.finding.suggestion));
        }
    }
    let open = findings.iter().filter(|f| f.acknowledged.is_none()).count();
    out.push_str(&format!("{} finding(s), {open} open\n", findings.len()));
    output::print(&out)?;
    Ok(())
}

pub async fn lint_rules_show(app: &App, args: LintRulesShowArgs) -> anyhow::Result<()> {
    let r = app.lint_rules().await?;
    let version = r.version;
    let rules = r.rules.into_rules();
    if args.json {
        output::print(&output::to_json(
            &serde_json::json!({"rules": rules, "version": version}),
        ))?;
    } else {
        output::print(&output::to_json(&rules))?;
    }
    Ok(())
}

pub async fn lint_rules_set(app: &App, args: LintRulesSetArgs) -> anyhow::Result<()> {
    let mut text = String::new();
    open_input(&args.file)?
        .read_to_string(&mut text)
        .map_err(|e| invalid("file", format!("cannot read `{}`: {e}", args.file)))?;
    let set = debrief_app::lint::rules_from_json(&text).map_err(debrief_app::AppError::Invalid)?;
    let version = match args.version {
        Some(v) => v,
        None => app.lint_rules().await?.version,
    };
    let saved = app.save_lint_rules(set.into_rules(), version).await?;
    output::print(&format!(
        "saved {} rules (version {})\n",
        saved.rules.rules().len(),
        saved.version
    ))?;
    Ok(())
}
