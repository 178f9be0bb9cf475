//! `debrief workshop …` and `debrief holiday …`: schedule a workshop (with
//! the coverage and facilitator check shown first), list and show them,
//! record attendance and notes, hold or cancel them, print the invite and
//! the minutes; the organisation's holidays. JSON output uses the REST
//! API's shapes.

use std::io::Write;

use debrief_app::App;
use debrief_app::workshops::{AttendeeInput, WorkshopCheck, WorkshopInput, WorkshopView};
use debrief_core::workshop::{ScheduleDraft, WorkshopChange};
use debrief_web::api::workshops::{HolidayDto, WorkshopDto};

use super::invalid;
use crate::cli::{
    HolidayAddArgs, HolidayDeleteArgs, PersonListArgs, WorkshopAttendArgs, WorkshopCancelArgs,
    WorkshopFileArgs, WorkshopIdArgs, WorkshopListArgs, WorkshopMinutesArgs, WorkshopNewArgs,
    WorkshopNoteArgs,
};
use crate::output;

fn input(args: &WorkshopNewArgs) -> anyhow::Result<WorkshopInput> {
    let mut attendees = Vec::new();
    for a in &args.attendees {
        let Some((person, role)) = a.rsplit_once(':') else {
            return Err(invalid(
                "attendee",
                format!("`{a}` is not EMAIL:ROLE, like elena@example.org:legal"),
            )
            .into());
        };
        attendees.push(AttendeeInput {
            person: person.trim().to_owned(),
            role: role.trim().to_owned(),
        });
    }
    let agenda = match &args.agenda {
        None => String::new(),
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| invalid("agenda", format!("cannot read `{path}`: {e}")))?,
    };
    Ok(WorkshopInput {
        kind: args.kind.clone(),
        schedule: ScheduleDraft {
            starts: args.at.clone(),
            time_zone: args.zone.clone(),
            duration_minutes: args.duration.clone(),
            location: args.location.clone(),
            url: args.url.clone(),
            facilitator: args.facilitator.clone(),
        },
        attendees,
        agenda,
    })
}

fn check_text(c: &WorkshopCheck) -> String {
    let mut s = String::new();
    if let Some(d) = &c.review_due {
        s.push_str(&format!("{}\n", d.summary()));
    }
    for n in &c.coverage.required {
        let ok = !c.coverage.missing.contains(&n.role);
        s.push_str(&format!(
            "  {} {:<15} {}\n",
            if ok { "ok     " } else { "MISSING" },
            n.role.as_str(),
            n.because.join("; ")
        ));
    }
    match (&c.facilitator, c.facilitator_concerns.is_empty()) {
        (Some(f), true) => s.push_str(&format!("  facilitator {} is neutral\n", f.name)),
        (Some(f), false) => {
            s.push_str(&format!("  facilitator {} is NOT neutral:\n", f.name));
            for r in &c.facilitator_concerns {
                s.push_str(&format!("    - {r}\n"));
            }
        }
        (None, _) => {}
    }
    s
}

pub async fn new(app: &App, args: WorkshopNewArgs, actor: &str) -> anyhow::Result<()> {
    let input = input(&args)?;
    if args.check {
        let (check, _) = app.check_workshop(&args.key, &input).await?;
        if !check.errors.is_empty() {
            return Err(debrief_app::AppError::Invalid(check.errors).into());
        }
        if args.json {
            output::print(&output::to_json(&serde_json::json!({
                "warnings": check.warnings(),
                "missing_roles": check.coverage.missing.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "facilitator_concerns": check.facilitator_concerns,
                "review_due": check.review_due.as_ref().map(|d| d.summary()),
            })))?;
        } else {
            output::print(&check_text(&check))?;
        }
        return Ok(());
    }
    let (view, check) = app.schedule_workshop(&args.key, &input, actor).await?;
    for w in check.warnings() {
        eprintln!("warning: {w}");
    }
    if args.json {
        output::print(&output::to_json(&WorkshopDto::from_view(&view)))?;
    } else {
        output::print(&format!("{}  {}\n", view.id(), summary(&view)))?;
    }
    Ok(())
}

fn summary(v: &WorkshopView) -> String {
    format!(
        "{} {} workshop, {} · {} · facilitator {}",
        v.incident.key,
        v.workshop.kind.label(),
        v.workshop.status,
        debrief_app::workshops::when_text(&v.workshop),
        v.facilitator.name
    )
}

pub async fn list(app: &App, args: WorkshopListArgs) -> anyhow::Result<()> {
    let views = match &args.key {
        Some(k) => app.incident_workshops(k).await?.1,
        None => app.all_workshops().await?,
    };
    if args.json {
        let dtos: Vec<WorkshopDto> = views.iter().map(WorkshopDto::from_view).collect();
        output::print(&output::to_json(&dtos))?;
        return Ok(());
    }
    if views.is_empty() {
        output::print("no workshops\n")?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            vec![
                v.id().to_string(),
                v.incident.key.to_string(),
                v.workshop.kind.to_string(),
                v.workshop.status.to_string(),
                debrief_app::workshops::when_text(&v.workshop),
                v.facilitator.name.clone(),
            ]
        })
        .collect();
    output::print(&output::table(
        &["ID", "INCIDENT", "KIND", "STATUS", "WHEN", "FACILITATOR"],
        &rows,
    ))?;
    Ok(())
}

pub async fn show(app: &App, args: WorkshopIdArgs) -> anyhow::Result<()> {
    let v = app.workshop(&args.id).await?;
    if args.json {
        output::print(&output::to_json(&WorkshopDto::from_view(&v)))?;
        return Ok(());
    }
    let w = &v.workshop;
    let mut s = format!("{}  {}\n", w.id, summary(&v));
    if !w.schedule.location.is_empty() {
        s.push_str(&format!("  place        {}\n", w.schedule.location));
    }
    if !w.schedule.url.is_empty() {
        s.push_str(&format!("  link         {}\n", w.schedule.url));
    }
    s.push_str(&format!("  invite       sequence {}\n", w.sequence));
    if !w.cancel_reason.is_empty() {
        s.push_str(&format!("  cancelled    {}\n", w.cancel_reason));
    }
    if !v.coverage.missing.is_empty() {
        s.push_str(&format!("  MISSING      {}\n", v.coverage.missing_text()));
    }
    for c in &v.facilitator_concerns {
        s.push_str(&format!("  NOT NEUTRAL  {c}\n"));
    }
    s.push_str("\nattendees\n");
    for a in &v.attendees {
        s.push_str(&format!(
            "  {:<10} {:<15} {} <{}>{}\n",
            a.attendance.as_str(),
            a.role.as_str(),
            a.person.name,
            a.person.email,
            if a.required { " (required)" } else { "" }
        ));
    }
    s.push_str("\nagenda\n");
    for (i, item) in w.agenda.iter().enumerate() {
        s.push_str(&format!("  {}. {}\n", i + 1, item.title));
    }
    if !w.notes.is_empty() {
        s.push_str("\nnotes\n");
        for n in &w.notes {
            s.push_str(&format!(
                "  {}  {:<8} {}: {}\n",
                n.at.strftime("%Y-%m-%d %H:%M UTC"),
                n.kind.as_str(),
                n.by,
                n.text
            ));
        }
    }
    output::print(&s)?;
    Ok(())
}

pub async fn attend(app: &App, args: WorkshopAttendArgs, actor: &str) -> anyhow::Result<()> {
    let v = app
        .change_workshop(
            &args.id,
            WorkshopChange::SetAttendance {
                person: args.email.clone(),
                attendance: args.status.clone(),
            },
            None,
            actor,
        )
        .await?;
    if args.json {
        output::print(&output::to_json(&WorkshopDto::from_view(&v)))?;
    } else {
        output::print(&format!("{}: {}\n", args.email, args.status))?;
    }
    Ok(())
}

pub async fn note(app: &App, args: WorkshopNoteArgs, actor: &str) -> anyhow::Result<()> {
    app.change_workshop(
        &args.id,
        WorkshopChange::AddNote {
            item: args.item,
            kind: if args.decision { "decision" } else { "note" }.into(),
            text: args.text.clone(),
        },
        None,
        actor,
    )
    .await?;
    output::print(if args.decision {
        "decision recorded\n"
    } else {
        "note recorded\n"
    })?;
    Ok(())
}

pub async fn held(app: &App, args: WorkshopIdArgs, actor: &str) -> anyhow::Result<()> {
    let v = app
        .change_workshop(&args.id, WorkshopChange::MarkHeld, None, actor)
        .await?;
    output::print(&format!("{}\n", summary(&v)))?;
    Ok(())
}

pub async fn cancel(app: &App, args: WorkshopCancelArgs, actor: &str) -> anyhow::Result<()> {
    let v = app
        .change_workshop(
            &args.id,
            WorkshopChange::Cancel {
                reason: args.reason.clone(),
            },
            args.version,
            actor,
        )
        .await?;
    output::print(&format!(
        "{} (send the cancellation: `debrief workshop ics {}`)\n",
        summary(&v),
        v.id()
    ))?;
    Ok(())
}

fn write_out(path: &Option<std::path::PathBuf>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => {
            let mut f = std::fs::File::create(p)
                .map_err(|e| invalid("output", format!("cannot write {}: {e}", p.display())))?;
            f.write_all(text.as_bytes())?;
            Ok(())
        }
        None => Ok(output::print(text)?),
    }
}

pub async fn ics(app: &App, args: WorkshopFileArgs) -> anyhow::Result<()> {
    let (_, ics) = app.workshop_invite(&args.id).await?;
    write_out(&args.output, &ics)
}

pub async fn minutes(app: &App, args: WorkshopMinutesArgs) -> anyhow::Result<()> {
    let (_, m) = app.workshop_minutes(&args.id).await?;
    let text = match args.format.as_str() {
        "md" => debrief_report::minutes_markdown(&m),
        "html" => debrief_report::minutes_html(&m),
        other => {
            return Err(invalid(
                "format",
                format!("`{other}` is not a format; use md or html"),
            )
            .into());
        }
    };
    write_out(&args.output, &text)
}

pub async fn holiday_add(app: &App, args: HolidayAddArgs) -> anyhow::Result<()> {
    let h = app.add_holiday(&args.date, &args.name).await?;
    output::print(&format!("added {} {}\n", h.date, h.name))?;
    Ok(())
}

pub async fn holiday_list(app: &App, args: PersonListArgs) -> anyhow::Result<()> {
    let holidays = app.holidays().await?;
    if args.json {
        let dtos: Vec<HolidayDto> = holidays
            .iter()
            .map(|h| HolidayDto {
                date: h.date.to_string(),
                name: h.name.clone(),
            })
            .collect();
        output::print(&output::to_json(&dtos))?;
        return Ok(());
    }
    if holidays.is_empty() {
        output::print("no holidays\n")?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = holidays
        .iter()
        .map(|h| {
            vec![
                h.date.to_string(),
                h.date.strftime("%a").to_string(),
                h.name.clone(),
            ]
        })
        .collect();
    output::print(&output::table(&["DATE", "DAY", "NAME"], &rows))?;
    Ok(())
}

pub async fn holiday_delete(app: &App, args: HolidayDeleteArgs) -> anyhow::Result<()> {
    app.delete_holiday(&args.date).await?;
    output::print(&format!("deleted {}\n", args.date))?;
    Ok(())
}
