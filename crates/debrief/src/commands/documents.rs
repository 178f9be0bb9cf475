//! `debrief document …`, `debrief lesson …` and `debrief review policy`:
//! plans and training, lessons linked to the document changes they require,
//! the lessons without a home, the "review complete" policy. JSON output
//! uses the REST API's shapes.

use debrief_app::App;
use debrief_app::documents::LessonLinkPatch;
use debrief_core::document::{DocumentDraft, LessonLinkDraft, ReviewPolicy};
use debrief_web::api::documents::{
    DocumentDto, LessonLinkDto, ReviewPolicyDto, UnhomedLessonDto, document_dto,
};

use super::invalid;
use crate::cli::{
    DocumentAddArgs, DocumentShowArgs, DocumentUpdateArgs, LessonDoneArgs, LessonLinkArgs,
    PersonListArgs, ReviewPolicyArgs, ReviewShowArgs,
};
use crate::output;

async fn dto(app: &App, d: &debrief_core::document::Document) -> anyhow::Result<DocumentDto> {
    Ok(document_dto(app, d).await?)
}

fn sheet(d: &DocumentDto) -> String {
    format!(
        "{}\n  id: {}\n  kind: {}\n  owner: {} <{}>\n  version: {}\n  link: {}\n  status: {}\n  review on: {}\n",
        d.title,
        d.id,
        d.kind,
        d.owner_name,
        d.owner,
        if d.document_version.is_empty() {
            "—"
        } else {
            &d.document_version
        },
        d.link,
        d.status,
        d.review_on.as_deref().unwrap_or("—"),
    )
}

pub async fn add(app: &App, args: DocumentAddArgs) -> anyhow::Result<()> {
    let d = app
        .add_document(&DocumentDraft {
            kind: args.kind,
            title: args.title,
            owner: args.owner,
            document_version: args.doc_version,
            link: args.link,
            status: args.status,
            review_on: args.review_on,
        })
        .await?;
    if args.json {
        output::print(&output::to_json(&dto(app, &d).await?))?;
    } else {
        output::print(&format!("{}\n", d.id))?;
    }
    Ok(())
}

pub async fn list(app: &App, args: PersonListArgs) -> anyhow::Result<()> {
    let mut dtos = Vec::new();
    for d in app.documents().await? {
        dtos.push(dto(app, &d).await?);
    }
    if args.json {
        output::print(&output::to_json(&dtos))?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = dtos
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.kind.clone(),
                d.document_version.clone(),
                d.status.clone(),
                d.owner.clone(),
                d.title.clone(),
            ]
        })
        .collect();
    output::print(&output::table(
        &["ID", "KIND", "VERSION", "STATUS", "OWNER", "TITLE"],
        &rows,
    ))?;
    Ok(())
}

pub async fn show(app: &App, args: DocumentShowArgs) -> anyhow::Result<()> {
    let d = dto(app, &app.document(&args.id).await?).await?;
    if args.json {
        output::print(&output::to_json(&d))?;
    } else {
        output::print(&sheet(&d))?;
    }
    Ok(())
}

pub async fn update(app: &App, args: DocumentUpdateArgs) -> anyhow::Result<()> {
    let current = dto(app, &app.document(&args.id).await?).await?;
    let draft = DocumentDraft {
        kind: args.kind.unwrap_or(current.kind),
        title: args.title.unwrap_or(current.title),
        owner: args.owner.unwrap_or(current.owner),
        document_version: args.doc_version.unwrap_or(current.document_version),
        link: args.link.unwrap_or(current.link),
        status: args.status.unwrap_or(current.status),
        review_on: args
            .review_on
            .unwrap_or(current.review_on.unwrap_or_default()),
    };
    let d = app
        .update_document(&args.id, args.version.unwrap_or(current.version), &draft)
        .await?;
    let d = dto(app, &d).await?;
    if args.json {
        output::print(&output::to_json(&d))?;
    } else {
        output::print(&sheet(&d))?;
    }
    Ok(())
}

/// A lesson named by its number (1 = the first) or its id.
async fn lesson_id(app: &App, key: &str, lesson: &str) -> anyhow::Result<String> {
    let Ok(n) = lesson.trim().parse::<usize>() else {
        return Ok(lesson.trim().to_owned());
    };
    let (_, review) = app.review(key).await?;
    let lessons = review.map(|r| r.lessons).unwrap_or_default();
    match n.checked_sub(1).and_then(|i| lessons.get(i)) {
        Some(l) => Ok(l.id.to_string()),
        None => Err(invalid(
            "lesson",
            format!(
                "{key}'s review has {} lesson{}; there is no lesson {n}",
                lessons.len(),
                if lessons.len() == 1 { "" } else { "s" }
            ),
        )
        .into()),
    }
}

pub async fn link(app: &App, args: LessonLinkArgs) -> anyhow::Result<()> {
    let lesson = lesson_id(app, &args.key, &args.lesson).await?;
    let draft = match args.none {
        Some(reason) => LessonLinkDraft {
            change: reason,
            state: "not_needed".into(),
            ..Default::default()
        },
        None => LessonLinkDraft {
            document: args.document.unwrap_or_default(),
            change: args.change.unwrap_or_default(),
            ..Default::default()
        },
    };
    let l = app.link_lesson(&args.key, &lesson, &draft).await?;
    if args.json {
        output::print(&output::to_json(&LessonLinkDto::from_link(&l)))?;
    } else {
        output::print(&format!("{}\n", l.id))?;
    }
    Ok(())
}

pub async fn done(app: &App, args: LessonDoneArgs) -> anyhow::Result<()> {
    let links = app.lesson_links(&args.key).await?;
    let current = links
        .iter()
        .find(|l| l.id.to_string() == args.link.trim())
        .ok_or_else(|| {
            debrief_app::AppError::NotFound(format!(
                "link {} is not a lesson link of {}",
                args.link, args.key
            ))
        })?;
    let on = args.on.unwrap_or_else(|| app.today().to_string());
    let l = app
        .update_lesson_link(
            &args.key,
            &args.link,
            args.version.unwrap_or(current.version),
            &LessonLinkPatch {
                state: Some("done".into()),
                done_version: Some(args.doc_version),
                done_on: Some(on),
                ..Default::default()
            },
        )
        .await?;
    if args.json {
        output::print(&output::to_json(&LessonLinkDto::from_link(&l)))?;
    } else {
        output::print(&format!(
            "done in version {} on {}\n",
            l.done_version,
            l.done_on.map(|d| d.to_string()).unwrap_or_default()
        ))?;
    }
    Ok(())
}

pub async fn links(app: &App, args: ReviewShowArgs) -> anyhow::Result<()> {
    let (_, review) = app.review(&args.key).await?;
    let links = app.lesson_links(&args.key).await?;
    if args.json {
        let dtos: Vec<LessonLinkDto> = links.iter().map(LessonLinkDto::from_link).collect();
        output::print(&output::to_json(&dtos))?;
        return Ok(());
    }
    let documents = app.documents().await?;
    let mut out = String::new();
    for (i, lesson) in review
        .map(|r| r.lessons)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        out.push_str(&format!("{}. {}\n", i + 1, lesson.statement));
        let mine: Vec<_> = links.iter().filter(|l| l.lesson_id == lesson.id).collect();
        if mine.is_empty() {
            out.push_str("   no document link yet\n");
        }
        for l in mine {
            let doc = l
                .document_id
                .and_then(|id| documents.iter().find(|d| d.id == id))
                .map(|d| d.title.as_str())
                .unwrap_or("no document");
            let state = match l.state {
                debrief_core::document::LinkState::Done => format!(
                    "done in {} on {}",
                    l.done_version,
                    l.done_on.map(|d| d.to_string()).unwrap_or_default()
                ),
                s => s.label().to_lowercase(),
            };
            out.push_str(&format!(
                "   {} [{}] {}: {} ({})\n",
                l.id, state, doc, l.change, l.version
            ));
        }
    }
    output::print(&out)?;
    Ok(())
}

pub async fn unhomed(app: &App, args: PersonListArgs) -> anyhow::Result<()> {
    let lessons = app.unhomed_lessons(&debrief_store::Visibility::All).await?;
    if args.json {
        let dtos: Vec<UnhomedLessonDto> =
            lessons.iter().map(UnhomedLessonDto::from_lesson).collect();
        output::print(&output::to_json(&dtos))?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = lessons
        .iter()
        .map(|u| {
            vec![
                u.incident_key.clone(),
                format!("{} d", u.age_days),
                u.review_status.as_str().to_owned(),
                if u.changes_needed == 0 {
                    "none".into()
                } else {
                    format!("{} needed", u.changes_needed)
                },
                u.statement.clone(),
            ]
        })
        .collect();
    output::print(&output::table(
        &["INCIDENT", "AGE", "REVIEW", "CHANGES", "LESSON"],
        &rows,
    ))?;
    Ok(())
}

pub async fn review_policy(app: &App, args: ReviewPolicyArgs) -> anyhow::Result<()> {
    let mut p = app.review_policy().await?;
    if let Some(v) = args.lessons_need_documents {
        let on = match v.trim() {
            "on" | "true" | "yes" => true,
            "off" | "false" | "no" => false,
            other => {
                return Err(invalid(
                    "lessons_need_documents",
                    format!("`{other}` is neither on nor off"),
                )
                .into());
            }
        };
        p = app
            .save_review_policy(
                ReviewPolicy {
                    lessons_need_documents: on,
                },
                p.version,
            )
            .await?;
    }
    let dto = ReviewPolicyDto {
        lessons_need_documents: p.policy.lessons_need_documents,
        version: p.version,
    };
    if args.json {
        output::print(&output::to_json(&dto))?;
    } else {
        output::print(&format!(
            "lessons need documents: {}\n",
            if dto.lessons_need_documents {
                "on (approval waits until every lesson has a document link)"
            } else {
                "off"
            }
        ))?;
    }
    Ok(())
}
