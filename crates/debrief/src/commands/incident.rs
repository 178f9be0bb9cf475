//! `debrief incident new|list|show|edit|set-time`.

use std::io::Write as _;

use debrief_app::incidents::IncidentQuery;
use debrief_app::{App, AppError};
use debrief_core::{FieldErrors, Incident, IncidentDraft, Severity, Status};
use debrief_store::{IncidentFilter, IncidentSort};

use super::{parse_each, parse_zone};
use crate::cli::{
    EditIncidentArgs, IncidentFieldArgs, ListIncidentsArgs, NewIncidentArgs, SetTimeArgs,
    ShowIncidentArgs,
};
use crate::exit::UsageError;
use crate::output;

pub async fn new(app: &App, args: NewIncidentArgs) -> anyhow::Result<()> {
    let zone = parse_zone(args.fields.zone.as_deref())?;
    let draft = IncidentDraft {
        title: args.title,
        summary: args.fields.summary.clone().unwrap_or_default(),
        category: args.category,
        severity: args.severity,
        services: args.fields.services.clone(),
        business_units: args.fields.business_units.clone(),
        tags: args.fields.tags.clone(),
        responders: args.fields.responders.clone(),
        timestamps: args
            .fields
            .lifecycle
            .given()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        ..Default::default()
    };
    let incident = app.create_incident_in_zone(&draft, zone.as_ref()).await?;
    if args.json {
        let view = app.incident_view(&incident.key.to_string()).await?;
        output::print(&output::incident_view_json(&view))?;
    } else {
        output::print(&format!("{}\n", incident.key))?;
    }
    Ok(())
}

pub async fn list(app: &App, args: ListIncidentsArgs) -> anyhow::Result<()> {
    let taxonomy = &app.settings().taxonomy;
    let mut errors = FieldErrors::default();
    let filter = IncidentFilter {
        statuses: parse_each(
            &args.statuses,
            "status",
            |s| s.parse::<Status>(),
            &mut errors,
        ),
        severities: parse_each(
            &args.severities,
            "severity",
            |s| s.parse::<Severity>(),
            &mut errors,
        ),
        // An unknown category would silently match nothing; a typo deserves an error.
        categories: parse_each(
            &args.categories,
            "category",
            |c| taxonomy.parse(c),
            &mut errors,
        ),
        text: args.search.clone().filter(|s| !s.trim().is_empty()),
        // The CLI acts as the system: it sees restricted incidents too.
        visibility: debrief_store::Visibility::All,
    };
    let sort = args
        .sort
        .parse::<IncidentSort>()
        .map_err(|m| errors.push("sort", m))
        .unwrap_or_default();
    errors.into_result(()).map_err(AppError::Invalid)?;
    let mut query = IncidentQuery {
        filter,
        sort,
        after: None,
        limit: Some(args.limit),
    };
    let mut incidents: Vec<Incident> = Vec::new();
    loop {
        let page = app.list_incidents(&query).await?;
        incidents.extend(page.items);
        match page.next {
            Some(next) if args.all => query.after = Some(next.encode()),
            Some(_) => {
                // Stdout stays exactly the first page; the hint goes to stderr.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: more incidents match; pass --all for every page"
                );
                break;
            }
            None => break,
        }
    }
    if args.json {
        output::print(&output::incident_list_json(&incidents))?;
    } else if incidents.is_empty() {
        let _ = writeln!(std::io::stderr(), "no incidents match");
    } else {
        output::print(&output::incident_table(&incidents))?;
    }
    Ok(())
}

pub async fn show(app: &App, args: ShowIncidentArgs) -> anyhow::Result<()> {
    let view = app.incident_view(&args.key).await?;
    if args.json {
        output::print(&output::incident_view_json(&view))?;
    } else {
        output::print(&output::incident_sheet(&view, &app.settings().taxonomy))?;
    }
    Ok(())
}

pub async fn edit(app: &App, args: EditIncidentArgs) -> anyhow::Result<()> {
    if !changes_anything(&args) {
        return Err(UsageError(
            "nothing to change: pass at least one field option (see `debrief incident edit --help`)"
                .into(),
        )
        .into());
    }
    let zone = parse_zone(args.fields.zone.as_deref())?;
    let current = app.incident(&args.key).await?;
    // Start from the stored values so that every option left out keeps its value.
    let mut draft = current.fields.to_draft();
    if let Some(title) = args.title {
        draft.title = title;
    }
    if let Some(category) = args.category {
        draft.category = category;
    }
    if let Some(severity) = args.severity {
        draft.severity = severity;
    }
    apply_fields(&mut draft, &args.fields);
    let updated = app
        .update_incident(&args.key, args.version, &draft, zone.as_ref())
        .await?;
    print_updated(app, &updated, args.json).await
}

/// Whether `edit` was asked to change anything at all.
fn changes_anything(args: &EditIncidentArgs) -> bool {
    let f = &args.fields;
    args.title.is_some()
        || args.category.is_some()
        || args.severity.is_some()
        || f.summary.is_some()
        || !f.services.is_empty()
        || !f.business_units.is_empty()
        || !f.tags.is_empty()
        || !f.responders.is_empty()
        || !f.lifecycle.given().is_empty()
}

/// Lays the given options over a draft of the current values. A list option
/// replaces the whole list (`--tag ''` empties it); an empty time clears it.
fn apply_fields(draft: &mut IncidentDraft, fields: &IncidentFieldArgs) {
    if let Some(summary) = &fields.summary {
        draft.summary = summary.clone();
    }
    for (list, given) in [
        (&mut draft.services, &fields.services),
        (&mut draft.business_units, &fields.business_units),
        (&mut draft.tags, &fields.tags),
        (&mut draft.responders, &fields.responders),
    ] {
        if !given.is_empty() {
            list.clone_from(given);
        }
    }
    for (name, value) in fields.lifecycle.given() {
        draft.timestamps.retain(|(n, _)| n != name);
        // The stored precision belonged to the old value; the new one says its own.
        draft.precisions.retain(|(n, _)| n != name);
        draft.timestamps.push((name.to_owned(), value.to_owned()));
    }
}

pub async fn set_time(app: &App, args: SetTimeArgs) -> anyhow::Result<()> {
    let updated = match (&args.value, &args.from_event, args.clear) {
        (_, _, true) => {
            app.set_time(&args.key, &args.field, None, args.version)
                .await?
        }
        (_, Some(event), false) => {
            // A malformed id names no event, just as a malformed key names no incident.
            let id = uuid::Uuid::parse_str(event.trim())
                .map_err(|_| AppError::NotFound(format!("timeline event {event} was not found")))?;
            app.set_time_from_event(&args.key, &args.field, id, args.version)
                .await?
        }
        (value, None, false) => {
            app.set_time(&args.key, &args.field, value.as_deref(), args.version)
                .await?
        }
    };
    print_updated(app, &updated, args.json).await
}

/// After an edit: the new version (which the next edit must name), or the
/// whole incident as JSON.
async fn print_updated(app: &App, incident: &Incident, json: bool) -> anyhow::Result<()> {
    if json {
        let view = app.incident_view(&incident.key.to_string()).await?;
        output::print(&output::incident_view_json(&view))?;
    } else {
        output::print(&format!(
            "{} updated; it is now version {}\n",
            incident.key, incident.version
        ))?;
    }
    Ok(())
}
