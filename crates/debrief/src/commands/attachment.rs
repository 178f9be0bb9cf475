//! `debrief timeline attach|attachments` and `debrief attachment
//! get|verify|custody`: evidence files with their SHA-256 and chain of
//! custody. The CLI acts as `Caller::system` under `--as`.

use std::io::Write as _;

use anyhow::Context as _;
use debrief_app::{App, Caller};
use debrief_core::attachment::{Attachment, AttachmentDraft, CustodyEntry, human_size};
use serde_json::json;

use crate::cli::{AttachArgs, AttachmentGetArgs, AttachmentIdArgs, ListAttachmentsArgs};
use crate::output;

fn attachment_json(a: &Attachment) -> serde_json::Value {
    json!({
        "id": a.id,
        "incident_id": a.incident_id,
        "event_id": a.event_id,
        "file_name": a.file_name,
        "declared_type": a.declared_type,
        "detected_type": a.detected_type,
        "served_as": a.serving().content_type,
        "size": a.size,
        "sha256": a.sha256,
        "added_by": a.added_by,
        "added_at": a.added_at.to_string(),
        "description": a.description,
    })
}

fn custody_json(entries: &[CustodyEntry]) -> serde_json::Value {
    json!(
        entries
            .iter()
            .map(|e| json!({
                "at": e.at.to_string(),
                "actor": e.actor,
                "action": e.action.as_str(),
                "sha256": e.sha256,
                "note": e.note,
            }))
            .collect::<Vec<_>>()
    )
}

pub async fn attach(app: &App, args: AttachArgs, actor: &str) -> anyhow::Result<()> {
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    // Refuse before reading a huge file into memory.
    if size > app.max_attachment_bytes() {
        let mut errors = debrief_core::FieldErrors::default();
        errors.push(
            "file",
            debrief_core::attachment::too_large_message(size, app.max_attachment_bytes()),
        );
        return Err(debrief_app::AppError::Invalid(errors).into());
    }
    let content = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let draft = AttachmentDraft {
        file_name: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        content_type: args.content_type,
        description: args.description,
    };
    let caller = Caller::system(actor);
    let a = app
        .add_attachment(&caller, &args.key, &args.event_id, &draft, &content)
        .await?;
    if args.json {
        output::print(&format!("{:#}\n", attachment_json(&a)))?;
    } else {
        output::print(&format!(
            "attached {} ({}, {}) to event {} of {} as {}\nsha256 {}\n",
            a.file_name,
            human_size(a.size),
            a.detected_type,
            a.event_id,
            args.key,
            a.id,
            a.sha256
        ))?;
    }
    Ok(())
}

pub async fn list(app: &App, args: ListAttachmentsArgs, actor: &str) -> anyhow::Result<()> {
    let caller = Caller::system(actor);
    let all = app.incident_attachments(&caller, &args.key).await?;
    if args.json {
        let items: Vec<_> = all.iter().map(attachment_json).collect();
        output::print(&format!("{:#}\n", json!(items)))?;
    } else if all.is_empty() {
        let _ = writeln!(std::io::stderr(), "{}: no attachments", args.key);
    } else {
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|a| {
                vec![
                    a.id.to_string(),
                    a.event_id.to_string(),
                    a.file_name.clone(),
                    human_size(a.size),
                    a.detected_type.clone(),
                    a.short_hash().to_owned(),
                    a.added_by.clone(),
                    a.added_at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                ]
            })
            .collect();
        output::print(&output::table(
            &[
                "ID", "EVENT", "FILE", "SIZE", "TYPE", "SHA-256", "ADDED BY", "ADDED",
            ],
            &rows,
        ))?;
    }
    Ok(())
}

pub async fn get(app: &App, args: AttachmentGetArgs, actor: &str) -> anyhow::Result<()> {
    let caller = Caller::system(actor);
    let download = app.download_attachment(&caller, &args.id).await?;
    if args.output == "-" {
        std::io::stdout()
            .write_all(&download.content)
            .context("cannot write to standard output")?;
    } else {
        std::fs::write(&args.output, &download.content)
            .with_context(|| format!("cannot write {}", args.output))?;
        let a = &download.attachment;
        let _ = writeln!(
            std::io::stderr(),
            "wrote {} ({}) to {}; sha256 {} matches the recorded hash",
            a.file_name,
            human_size(a.size),
            args.output,
            a.sha256
        );
    }
    Ok(())
}

pub async fn verify(app: &App, args: AttachmentIdArgs, actor: &str) -> anyhow::Result<()> {
    let caller = Caller::system(actor);
    let a = app.verify_attachment(&caller, &args.id).await?;
    if args.json {
        output::print(&format!(
            "{:#}\n",
            json!({"id": a.id, "sha256": a.sha256, "intact": true})
        ))?;
    } else {
        output::print(&format!(
            "{} ({}): sha256 {} matches the recorded hash\n",
            a.id, a.file_name, a.sha256
        ))?;
    }
    Ok(())
}

pub async fn custody(app: &App, args: AttachmentIdArgs, actor: &str) -> anyhow::Result<()> {
    let caller = Caller::system(actor);
    let (a, entries) = app.attachment_custody(&caller, &args.id).await?;
    if args.json {
        output::print(&format!(
            "{:#}\n",
            json!({"attachment": attachment_json(&a), "custody": custody_json(&entries)})
        ))?;
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                vec![
                    e.at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    e.actor.clone(),
                    e.action.label().to_owned(),
                    e.sha256.clone(),
                    e.note.clone().unwrap_or_default(),
                ]
            })
            .collect();
        output::print(&format!(
            "{} ({}), recorded sha256 {}\n",
            a.id, a.file_name, a.sha256
        ))?;
        output::print(&output::table(
            &["WHEN", "WHO", "WHAT", "SHA-256 SEEN", "NOTE"],
            &rows,
        ))?;
    }
    Ok(())
}
