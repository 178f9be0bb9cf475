//! `debrief action …` and `debrief person …`: action items, the portfolio,
//! verification, the CSV export and follow-ups; the people who own them.
//! JSON output uses the REST API's shapes, so scripts see one format.

use std::io::Write;

use debrief_app::App;
use debrief_app::actions::{ActionQuery, ActionView, VerifyInput};
use debrief_core::PersonDraft;
use debrief_core::action::{ActionDraft, ActionStatus, Priority};
use debrief_web::api::actions::{ActionDto, ActionSavedDto, PersonDto};

use super::invalid;
use crate::cli::{
    ActionExportArgs, ActionFieldArgs, ActionListArgs, ActionNewArgs, ActionShowArgs,
    ActionUpdateArgs, ActionVerifyArgs, FollowUpArgs, PersonAddArgs, PersonListArgs,
};
use crate::output;

fn draft(fields: &ActionFieldArgs) -> ActionDraft {
    ActionDraft {
        title: fields.title.clone().unwrap_or_default(),
        description: fields.description.clone().unwrap_or_default(),
        action_type: fields.action_type.clone().unwrap_or_default(),
        answers: fields.answers.clone(),
        owner: fields.owner.clone().unwrap_or_default(),
        due_on: fields.due.clone().unwrap_or_default(),
        risk: fields.risk.unwrap_or(0),
        impact: fields.impact.unwrap_or(0),
        effort: fields.effort.unwrap_or(0),
        priority_override: fields.priority_override.clone().unwrap_or_default(),
        override_justification: fields.justification.clone().unwrap_or_default(),
        ticket: fields.ticket.clone().unwrap_or_default(),
    }
}

/// The stored draft with the options given laid over it.
fn merged(v: &ActionView, f: &ActionFieldArgs) -> ActionDraft {
    let a = v.action();
    let cur = &a.fields;
    ActionDraft {
        title: f.title.clone().unwrap_or_else(|| cur.title.clone()),
        description: f
            .description
            .clone()
            .unwrap_or_else(|| cur.description.clone()),
        action_type: f
            .action_type
            .clone()
            .unwrap_or_else(|| cur.action_type.to_string()),
        answers: if f.answers.is_empty() {
            cur.answers.iter().map(|r| r.to_string()).collect()
        } else {
            f.answers.clone()
        },
        owner: f
            .owner
            .clone()
            .unwrap_or_else(|| v.record.owner.email.clone()),
        due_on: f
            .due
            .clone()
            .unwrap_or_else(|| cur.due_on.map(|d| d.to_string()).unwrap_or_default()),
        risk: f.risk.unwrap_or(i64::from(cur.scoring.risk)),
        impact: f.impact.unwrap_or(i64::from(cur.scoring.impact)),
        effort: f.effort.unwrap_or(i64::from(cur.scoring.effort)),
        priority_override: f.priority_override.clone().unwrap_or_else(|| {
            cur.priority_override
                .as_ref()
                .map(|o| o.priority.to_string())
                .unwrap_or_default()
        }),
        override_justification: f.justification.clone().unwrap_or_else(|| {
            cur.priority_override
                .as_ref()
                .map(|o| o.justification.clone())
                .unwrap_or_default()
        }),
        ticket: f.ticket.clone().unwrap_or_else(|| cur.ticket.clone()),
    }
}

fn any_field(f: &ActionFieldArgs) -> bool {
    f.title.is_some()
        || f.description.is_some()
        || f.action_type.is_some()
        || f.owner.is_some()
        || f.due.is_some()
        || f.risk.is_some()
        || f.impact.is_some()
        || f.effort.is_some()
        || f.priority_override.is_some()
        || f.justification.is_some()
        || !f.answers.is_empty()
        || f.ticket.is_some()
}

fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

pub async fn new(app: &App, args: ActionNewArgs, actor: &str) -> anyhow::Result<()> {
    let (view, warnings) = app
        .create_action(&args.key, &draft(&args.fields), actor)
        .await?;
    if args.json {
        output::print(&output::to_json(&ActionSavedDto {
            action: ActionDto::from_view(&view),
            warnings: warnings.0,
        }))?;
    } else {
        warn(&warnings.0);
        output::print(&format!(
            "{}  {} (score {}, {})\n",
            view.key,
            view.action().fields.title,
            view.score,
            view.priority
        ))?;
    }
    Ok(())
}

fn query(args: &ActionListArgs) -> anyhow::Result<ActionQuery> {
    let parse = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let statuses = parse(&args.statuses)
        .iter()
        .map(|s| s.parse::<ActionStatus>().map_err(|m| invalid("status", m)))
        .collect::<Result<_, _>>()?;
    let priorities = parse(&args.priorities)
        .iter()
        .map(|s| s.parse::<Priority>().map_err(|m| invalid("priority", m)))
        .collect::<Result<_, _>>()?;
    let types = parse(&args.types)
        .iter()
        .map(|s| s.parse().map_err(|m: String| invalid("type", m)))
        .collect::<Result<_, _>>()?;
    Ok(ActionQuery {
        incident: args.incident.clone(),
        owner: args.owner.clone(),
        statuses,
        open: args.open,
        types,
        priorities,
        overdue: args.overdue,
        after: None,
        limit: args.limit,
        // The CLI acts as the system: every incident's actions.
        visibility: debrief_store::Visibility::All,
    })
}

pub async fn list(app: &App, args: ActionListArgs) -> anyhow::Result<()> {
    let mut q = query(&args)?;
    let want = args.limit.map(u64::from);
    let mut all: Vec<ActionView> = Vec::new();
    loop {
        q.limit = Some(5000);
        let page = app.list_actions(&q).await?;
        all.extend(page.items);
        if want.is_some_and(|w| all.len() as u64 >= w) {
            all.truncate(want.unwrap_or(0) as usize);
            break;
        }
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    if args.json {
        let dtos: Vec<ActionDto> = all.iter().map(ActionDto::from_view).collect();
        output::print(&output::to_json(&dtos))?;
        return Ok(());
    }
    if all.is_empty() {
        output::print("no actions\n")?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|v| {
            let a = v.action();
            vec![
                v.key.to_string(),
                format!(
                    "{}{}",
                    v.priority,
                    if a.fields.priority_override.is_some() {
                        "*"
                    } else {
                        ""
                    }
                ),
                v.score.to_string(),
                a.status.to_string(),
                v.record.owner.email.clone(),
                match (a.fields.due_on, v.overdue) {
                    (Some(d), true) => format!("{d} ({} d overdue)", v.days_overdue),
                    (Some(d), false) => d.to_string(),
                    (None, _) => "-".into(),
                },
                a.fields.title.clone(),
            ]
        })
        .collect();
    output::print(&output::table(
        &["ACTION", "PRIO", "SCORE", "STATUS", "OWNER", "DUE", "TITLE"],
        &rows,
    ))?;
    Ok(())
}

pub async fn show(app: &App, args: ActionShowArgs) -> anyhow::Result<()> {
    let v = app.action(&args.reference).await?;
    let history = app.action_history(&args.reference).await?;
    if args.json {
        let history = serde_json::to_value(
            history
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "at": h.at.to_string(), "actor": h.actor, "what": h.what,
                        "from_status": h.from_status.map(|s| s.to_string()),
                        "to_status": h.to_status.map(|s| s.to_string()),
                        "detail": h.detail,
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        let mut value = serde_json::to_value(ActionDto::from_view(&v))?;
        if let Some(map) = value.as_object_mut() {
            map.insert("history".into(), history);
        }
        output::print(&output::to_json(&value))?;
        return Ok(());
    }
    let a = v.action();
    let f = &a.fields;
    let mut s = format!("{}  {}\n", v.key, f.title);
    let line = |s: &mut String, k: &str, val: String| {
        s.push_str(&format!("  {k:<12} {val}\n"));
    };
    line(
        &mut s,
        "incident",
        format!("{} {}", v.record.incident_key, v.record.incident_title),
    );
    line(&mut s, "status", a.status.to_string());
    line(
        &mut s,
        "priority",
        format!(
            "{} (score {} = risk {} × impact {} ÷ effort {}; computed {})",
            v.priority,
            v.score,
            f.scoring.risk,
            f.scoring.impact,
            f.scoring.effort,
            v.computed_priority
        ),
    );
    if let Some(o) = &f.priority_override {
        line(&mut s, "override", o.justification.clone());
    }
    line(&mut s, "type", f.action_type.to_string());
    line(
        &mut s,
        "owner",
        format!("{} <{}>", v.record.owner.name, v.record.owner.email),
    );
    line(
        &mut s,
        "due",
        match f.due_on {
            Some(d) if v.overdue => format!("{d} — {} days overdue", v.days_overdue),
            Some(d) => d.to_string(),
            None => "-".into(),
        },
    );
    if !f.ticket.is_empty() {
        line(&mut s, "ticket", f.ticket.clone());
    }
    for r in &f.answers {
        line(&mut s, "answers", r.to_string());
    }
    if !a.cancel_reason.is_empty() {
        line(&mut s, "cancelled", a.cancel_reason.clone());
    }
    if let Some(x) = &a.verification {
        line(
            &mut s,
            "verified",
            format!("{} by {}: {}", x.verified_on, x.verified_by, x.evidence),
        );
    }
    if !f.description.is_empty() {
        s.push_str(&format!("\n{}\n", f.description));
    }
    s.push_str("\nhistory\n");
    for h in &history {
        let what = match (h.from_status, h.to_status) {
            (Some(from), Some(to)) => format!("{from} → {to}"),
            _ => h.what.clone(),
        };
        s.push_str(&format!(
            "  {}  {}  {}{}\n",
            h.at.strftime("%Y-%m-%d %H:%M UTC"),
            h.actor,
            what,
            if h.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", h.detail)
            }
        ));
    }
    output::print(&s)?;
    Ok(())
}

pub async fn update(app: &App, args: ActionUpdateArgs, actor: &str) -> anyhow::Result<()> {
    if !any_field(&args.fields) && args.status.is_none() {
        return Err(invalid(
            "update",
            "nothing to change: give a field option or --status",
        )
        .into());
    }
    let mut view = app.action(&args.reference).await?;
    let mut version = args.version.unwrap_or(view.action().version);
    let mut warnings = Vec::new();
    if any_field(&args.fields) {
        let (v, w) = app
            .update_action(
                &args.reference,
                version,
                &merged(&view, &args.fields),
                actor,
            )
            .await?;
        warnings = w.0;
        version = v.action().version;
        view = v;
    }
    if let Some(status) = &args.status {
        let to = status
            .parse::<ActionStatus>()
            .map_err(|m| invalid("status", m))?;
        view = app
            .move_action(
                &args.reference,
                version,
                to,
                args.reason.as_deref().unwrap_or(""),
                actor,
            )
            .await?;
    }
    if args.json {
        output::print(&output::to_json(&ActionSavedDto {
            action: ActionDto::from_view(&view),
            warnings,
        }))?;
    } else {
        warn(&warnings);
        output::print(&format!(
            "{}  {} · {} · {} (version {})\n",
            view.key,
            view.action().status,
            view.priority,
            view.action().fields.title,
            view.action().version
        ))?;
    }
    Ok(())
}

pub async fn verify(app: &App, args: ActionVerifyArgs, actor: &str) -> anyhow::Result<()> {
    let current = app.action(&args.reference).await?;
    let view = app
        .verify_action(
            &args.reference,
            args.version.unwrap_or(current.action().version),
            &VerifyInput {
                verified_on: args.on.clone().unwrap_or_default(),
                verified_by: args.by.clone().unwrap_or_default(),
                evidence: args.evidence.clone(),
            },
            actor,
        )
        .await?;
    if args.json {
        output::print(&output::to_json(&ActionDto::from_view(&view)))?;
    } else {
        output::print(&format!("{} verified\n", view.key))?;
    }
    Ok(())
}

pub async fn export(app: &App, args: ActionExportArgs) -> anyhow::Result<()> {
    if args.format != "csv" {
        return Err(invalid(
            "format",
            format!(
                "`{}` is not a format; use csv (the bundle carries actions too)",
                args.format
            ),
        )
        .into());
    }
    let q = ActionQuery {
        incident: args.incident.clone(),
        owner: args.owner.clone(),
        open: args.open,
        ..Default::default()
    };
    let csv = app.actions_csv(&q).await?;
    match &args.output {
        Some(path) => {
            let mut f = std::fs::File::create(path)
                .map_err(|e| invalid("output", format!("cannot write {}: {e}", path.display())))?;
            f.write_all(csv.as_bytes())?;
        }
        None => output::print(&csv)?,
    }
    Ok(())
}

pub async fn follow_up(app: &App, args: FollowUpArgs, actor: &str) -> anyhow::Result<()> {
    let f = app.take_follow_up(&args.key, &args.note, actor).await?;
    if args.json {
        output::print(&output::to_json(&f))?;
    } else {
        let counts: Vec<String> = f
            .counts()
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        output::print(&format!(
            "follow-up of {} recorded: {}\n",
            args.key,
            counts.join(", ")
        ))?;
    }
    Ok(())
}

pub async fn notify_overdue(app: &App) -> anyhow::Result<()> {
    let sent = app.notify_overdue().await?;
    output::print(&format!("{sent} overdue notice(s) queued\n"))?;
    Ok(())
}

pub async fn person_add(app: &App, args: PersonAddArgs) -> anyhow::Result<()> {
    let p = app
        .add_person(&PersonDraft {
            name: args.name,
            email: args.email,
            team: args.team,
            phone: args.phone,
        })
        .await?;
    if args.json {
        output::print(&output::to_json(&PersonDto::from_person(&p)))?;
    } else {
        output::print(&format!("added {} <{}>\n", p.name, p.email))?;
    }
    Ok(())
}

pub async fn person_list(app: &App, args: PersonListArgs) -> anyhow::Result<()> {
    let people = app.people().await?;
    if args.json {
        let dtos: Vec<PersonDto> = people.iter().map(PersonDto::from_person).collect();
        output::print(&output::to_json(&dtos))?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = people
        .iter()
        .map(|p| vec![p.email.clone(), p.team.clone(), p.name.clone()])
        .collect();
    output::print(&output::table(&["EMAIL", "TEAM", "NAME"], &rows))?;
    Ok(())
}
