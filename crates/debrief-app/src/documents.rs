//! Plans and training (PRODUCT.md §9): the document register, lessons linked
//! to the document change they require, the lessons without a home, and the
//! "review complete" policy — a review is not approved while one of its
//! lessons has no document link (a change needed or done, or "no document
//! change needed" with a reason).

use debrief_core::document::{
    Document, DocumentDraft, LessonLink, LessonLinkDraft, LinkState, ReviewPolicy,
};
use debrief_core::review::{Review, ReviewStatus};
use debrief_core::{FieldError, FieldErrors, Incident, Severity};
use debrief_store::documents::IncidentReview;
use debrief_store::{StoreError, Visibility};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{App, AppError};

/// The unhomed lessons of every incident, under the data version read.
#[derive(Default)]
pub struct UnhomedCache {
    inner: tokio::sync::Mutex<Option<(i64, Arc<Vec<Unhomed>>)>>,
}

/// An unhomed lesson with its incident's id (what a change names).
#[derive(Debug, Clone)]
struct Unhomed {
    incident_id: Uuid,
    lesson: UnhomedLesson,
}

use crate::learning::REFRESH_AT_MOST;

/// The name of the stored review policy.
pub const REVIEW_POLICY: &str = "review_policy";

/// The review policy in force and its version (0: the default, never saved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredReviewPolicy {
    pub policy: ReviewPolicy,
    pub version: i64,
}

/// A partial change of a link: absent fields keep their value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonLinkPatch {
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub change: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub done_version: Option<String>,
    #[serde(default)]
    pub done_on: Option<String>,
}

/// A lesson not yet folded into any document (no link, or only changes
/// still needed).
#[derive(Debug, Clone, Serialize)]
pub struct UnhomedLesson {
    pub incident_key: String,
    pub incident_title: String,
    pub severity: Severity,
    pub review_status: ReviewStatus,
    pub lesson_id: Uuid,
    pub statement: String,
    /// Document changes recorded as needed for it (0: none linked at all).
    pub changes_needed: usize,
    /// Since when the lesson waits: the review's approval, else its opening.
    pub since: jiff::Timestamp,
    /// Whole days from `since` to now.
    pub age_days: i64,
}

impl App {
    // ----- documents -----------------------------------------------------

    /// Every registered document (current first, by title).
    pub async fn documents(&self) -> Result<Vec<Document>, AppError> {
        Ok(self.store().documents().await?)
    }

    /// A document by id.
    pub async fn document(&self, id: &str) -> Result<Document, AppError> {
        let uuid = parse_id("document", id)?;
        self.store()
            .document_by_id(uuid)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("document {id} was not found")))
    }

    async fn document_owner(&self, owner: &str) -> Result<Uuid, AppError> {
        match self.person(owner).await? {
            Some(p) => Ok(p.id),
            None => Err(AppError::Invalid(FieldErrors::from(FieldError::new(
                "owner",
                format!(
                    "`{owner}` is not a person debrief knows (add them under Settings → People)"
                ),
            )))),
        }
    }

    /// Registers a document; its owner is a person's email (or id).
    pub async fn add_document(&self, draft: &DocumentDraft) -> Result<Document, AppError> {
        let valid = draft.validate()?;
        let owner_id = self.document_owner(&valid.owner).await?;
        let doc = Document {
            id: Uuid::now_v7(),
            kind: valid.kind,
            title: valid.title,
            owner_id,
            document_version: valid.document_version,
            link: valid.link,
            status: valid.status,
            review_on: valid.review_on,
            version: 1,
        };
        self.store().create_document(&doc, self.now()).await?;
        Ok(doc)
    }

    /// Replaces a document's fields over the version read.
    pub async fn update_document(
        &self,
        id: &str,
        expected_version: i64,
        draft: &DocumentDraft,
    ) -> Result<Document, AppError> {
        let current = self.document(id).await?;
        let valid = draft.validate()?;
        let owner_id = self.document_owner(&valid.owner).await?;
        let doc = Document {
            id: current.id,
            kind: valid.kind,
            title: valid.title,
            owner_id,
            document_version: valid.document_version,
            link: valid.link,
            status: valid.status,
            review_on: valid.review_on,
            version: expected_version + 1,
        };
        self.store()
            .update_document(&doc, expected_version, self.now())
            .await?;
        Ok(doc)
    }

    // ----- lesson links --------------------------------------------------

    /// The links of an incident's lessons.
    pub async fn lesson_links(&self, key: &str) -> Result<Vec<LessonLink>, AppError> {
        let incident = self.incident(key).await?;
        Ok(self.store().lesson_links_of(incident.id).await?)
    }

    async fn check_link_target(
        &self,
        incident: &Incident,
        lesson_id: Uuid,
        document_id: Option<Uuid>,
    ) -> Result<(), AppError> {
        let review = self.store().review(incident.id).await?;
        let has_lesson = review
            .as_ref()
            .is_some_and(|r| r.lessons.iter().any(|l| l.id == lesson_id));
        if !has_lesson {
            return Err(AppError::NotFound(format!(
                "lesson {lesson_id} is not a lesson of {}'s review",
                incident.key
            )));
        }
        if let Some(doc) = document_id
            && self.store().document_by_id(doc).await?.is_none()
        {
            return Err(AppError::Invalid(FieldErrors::from(FieldError::new(
                "document",
                format!("`{doc}` is not a registered document (see Plans & training)"),
            ))));
        }
        Ok(())
    }

    /// Links a lesson of `key`'s review to the document change it requires
    /// (or records that none is needed, with the reason).
    pub async fn link_lesson(
        &self,
        key: &str,
        lesson_id: &str,
        draft: &LessonLinkDraft,
    ) -> Result<LessonLink, AppError> {
        let incident = self.incident(key).await?;
        let lesson_id = parse_id("lesson", lesson_id)?;
        let valid = draft.validate()?;
        self.check_link_target(&incident, lesson_id, valid.document_id)
            .await?;
        let link = LessonLink {
            id: Uuid::now_v7(),
            incident_id: incident.id,
            lesson_id,
            document_id: valid.document_id,
            change: valid.change,
            state: valid.state,
            done_version: valid.done_version,
            done_on: valid.done_on,
            version: 1,
        };
        self.store().create_lesson_link(&link, self.now()).await?;
        Ok(link)
    }

    /// Changes a link over the version read; absent fields keep their value
    /// (`done` needs the document version and date of the change).
    pub async fn update_lesson_link(
        &self,
        key: &str,
        link_id: &str,
        expected_version: i64,
        patch: &LessonLinkPatch,
    ) -> Result<LessonLink, AppError> {
        let incident = self.incident(key).await?;
        let id = parse_id("link", link_id)?;
        let current = self
            .store()
            .lesson_link_by_id(id)
            .await?
            .filter(|l| l.incident_id == incident.id)
            .ok_or_else(|| {
                AppError::NotFound(format!("link {link_id} is not a lesson link of {key}"))
            })?;
        let draft = LessonLinkDraft {
            document: patch.document.clone().unwrap_or_else(|| {
                current
                    .document_id
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            }),
            change: patch.change.clone().unwrap_or(current.change.clone()),
            state: patch
                .state
                .clone()
                .unwrap_or_else(|| current.state.as_str().to_owned()),
            done_version: patch
                .done_version
                .clone()
                .unwrap_or(current.done_version.clone()),
            done_on: patch
                .done_on
                .clone()
                .unwrap_or_else(|| current.done_on.map(|d| d.to_string()).unwrap_or_default()),
        };
        let valid = draft.validate()?;
        self.check_link_target(&incident, current.lesson_id, valid.document_id)
            .await?;
        let link = LessonLink {
            document_id: valid.document_id,
            change: valid.change,
            state: valid.state,
            done_version: valid.done_version,
            done_on: valid.done_on,
            version: expected_version + 1,
            ..current
        };
        self.store()
            .update_lesson_link(&link, expected_version, self.now())
            .await?;
        Ok(link)
    }

    /// Every lesson the caller may see that is not folded into a document
    /// yet, oldest first.
    pub async fn unhomed_lessons(
        &self,
        visibility: &Visibility,
    ) -> Result<Vec<UnhomedLesson>, AppError> {
        let all = self.all_unhomed_lessons().await?;
        let hidden = self.hidden_keys(visibility).await?;
        let now = self.now();
        Ok(all
            .iter()
            .map(|u| &u.lesson)
            .filter(|u| !hidden.contains(&u.incident_key))
            .map(|u| UnhomedLesson {
                age_days: now.duration_since(u.since).as_hours().div_euclid(24),
                ..u.clone()
            })
            .collect())
    }

    /// How many lessons [`App::unhomed_lessons`] would list (the
    /// dashboard's count, without copying the list).
    pub async fn unhomed_count(&self, visibility: &Visibility) -> Result<usize, AppError> {
        let all = self.all_unhomed_lessons().await?;
        let hidden = self.hidden_keys(visibility).await?;
        Ok(all
            .iter()
            .filter(|u| !hidden.contains(&u.lesson.incident_key))
            .count())
    }

    async fn hidden_keys(&self, visibility: &Visibility) -> Result<HashSet<String>, AppError> {
        Ok(self
            .store()
            .hidden_incident_keys(visibility)
            .await?
            .into_iter()
            .collect())
    }

    /// Every unhomed lesson, current with the data: the incidents written
    /// to since the cached version (reviews and links record theirs) are
    /// read again, everything only after a large change.
    async fn all_unhomed_lessons(&self) -> Result<Arc<Vec<Unhomed>>, AppError> {
        let version = self.store().learning_version().await?;
        let mut guard = self.unhomed_cache.inner.lock().await;
        let cached = guard.clone();
        let out = match cached {
            Some((v, list)) if v == version => return Ok(list),
            Some((v, list)) => {
                let changed = self.store().learning_changes_since(v).await?;
                if changed.len() > REFRESH_AT_MOST {
                    self.read_all_unhomed().await?
                } else {
                    let gone: HashSet<Uuid> = changed.iter().copied().collect();
                    let (reviews, links) = self.store().reviews_and_links_of(&changed).await?;
                    let mut out: Vec<Unhomed> = list
                        .iter()
                        .filter(|u| !gone.contains(&u.incident_id))
                        .cloned()
                        .chain(unhomed_from(&reviews, links))
                        .collect();
                    sort_unhomed(&mut out);
                    out
                }
            }
            None => self.read_all_unhomed().await?,
        };
        let out = Arc::new(out);
        *guard = Some((version, out.clone()));
        Ok(out)
    }

    async fn read_all_unhomed(&self) -> Result<Vec<Unhomed>, AppError> {
        let reviews = self.store().incident_reviews(&Visibility::All).await?;
        let links = self.store().all_lesson_links().await?;
        let mut out = unhomed_from(&reviews, links);
        sort_unhomed(&mut out);
        Ok(out)
    }

    // ----- the "review complete" policy ----------------------------------

    /// The review policy in force.
    pub async fn review_policy(&self) -> Result<StoredReviewPolicy, AppError> {
        match self.store().setting(REVIEW_POLICY).await? {
            None => Ok(StoredReviewPolicy {
                policy: ReviewPolicy::default(),
                version: 0,
            }),
            Some(s) => Ok(StoredReviewPolicy {
                policy: serde_json::from_str(&s.value).map_err(|e| {
                    AppError::Store(StoreError::Corrupt(format!(
                        "the stored review policy no longer reads: {e}"
                    )))
                })?,
                version: s.version,
            }),
        }
    }

    /// Replaces the review policy over the version read (0: the default).
    pub async fn save_review_policy(
        &self,
        policy: ReviewPolicy,
        expected_version: i64,
    ) -> Result<StoredReviewPolicy, AppError> {
        let json = serde_json::to_string(&policy)
            .map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))?;
        let expected = (expected_version > 0).then_some(expected_version);
        match self
            .store()
            .save_setting(REVIEW_POLICY, &json, expected, self.now())
            .await
        {
            Ok(version) => Ok(StoredReviewPolicy { policy, version }),
            Err(StoreError::Duplicate { .. }) => {
                let current = self.review_policy().await?.version;
                Err(AppError::Conflict {
                    message: format!(
                        "the review policy was changed by someone else (you had version {expected_version}, it is now {current}); reload and apply your change again"
                    ),
                    current_version: Some(current),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses approval while the policy asks for document links and a
    /// lesson has none, naming the lessons.
    pub(crate) async fn check_lessons_linked(&self, incident: &Incident) -> Result<(), AppError> {
        if !self.review_policy().await?.policy.lessons_need_documents {
            return Ok(());
        }
        let Some(review) = self.store().review(incident.id).await? else {
            return Ok(());
        };
        let links = self.store().lesson_links_of(incident.id).await?;
        let open: Vec<&str> = review
            .lessons
            .iter()
            .filter(|l| !links.iter().any(|k| k.lesson_id == l.id))
            .map(|l| l.statement.as_str())
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let listed: Vec<String> = open.iter().take(5).map(|s| format!("“{s}”")).collect();
        Err(AppError::NotAllowed(format!(
            "{} lesson{} no home yet — link each to the document change it requires, or mark it as needing no document change with a reason: {}{}",
            open.len(),
            if open.len() == 1 { " has" } else { "s have" },
            listed.join("; "),
            if open.len() > 5 { "; …" } else { "" }
        )))
    }

    /// Refuses removing a lesson that is linked to a document change, so
    /// no link is left pointing at nothing.
    pub(crate) async fn check_lesson_unlinked(
        &self,
        incident: &Incident,
        lesson_id: Uuid,
    ) -> Result<(), AppError> {
        let n = self
            .store()
            .lesson_links_of(incident.id)
            .await?
            .iter()
            .filter(|l| l.lesson_id == lesson_id)
            .count();
        if n == 0 {
            return Ok(());
        }
        Err(AppError::NotAllowed(format!(
            "lesson {lesson_id} is linked to {n} document change{}; a lesson with links is kept (edit its statement instead)",
            if n == 1 { "" } else { "s" }
        )))
    }
}

/// The unhomed lessons of these reviews, given (at least) their links.
fn unhomed_from(reviews: &[IncidentReview], links: Vec<LessonLink>) -> Vec<Unhomed> {
    let mut by_incident: HashMap<Uuid, Vec<LessonLink>> = HashMap::new();
    for l in links {
        by_incident.entry(l.incident_id).or_default().push(l);
    }
    reviews
        .iter()
        .flat_map(|ir| {
            let mine = by_incident
                .get(&ir.incident.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            unhomed_of(ir, mine)
        })
        .collect()
}

/// The lessons of one review that no link homes.
fn unhomed_of(ir: &IncidentReview, links: &[LessonLink]) -> Vec<Unhomed> {
    let since = waiting_since(&ir.review);
    ir.review
        .lessons
        .iter()
        .filter_map(|lesson| {
            let mine: Vec<&LessonLink> =
                links.iter().filter(|l| l.lesson_id == lesson.id).collect();
            if mine.iter().any(|l| l.homes()) {
                return None;
            }
            Some(Unhomed {
                incident_id: ir.incident.id,
                lesson: UnhomedLesson {
                    incident_key: ir.incident.key.to_string(),
                    incident_title: ir.incident.fields.title.clone(),
                    severity: ir.incident.fields.severity,
                    review_status: ir.review.status,
                    lesson_id: lesson.id,
                    statement: lesson.statement.clone(),
                    changes_needed: mine.iter().filter(|l| l.state == LinkState::Needed).count(),
                    since,
                    age_days: 0,
                },
            })
        })
        .collect()
}

/// Oldest first, then by incident key.
fn sort_unhomed(list: &mut [Unhomed]) {
    list.sort_by(|a, b| {
        a.lesson
            .since
            .cmp(&b.lesson.since)
            .then_with(|| a.lesson.incident_key.cmp(&b.lesson.incident_key))
    });
}

/// Since when a review's lessons wait for a home.
fn waiting_since(review: &Review) -> jiff::Timestamp {
    review
        .sign_off
        .as_ref()
        .map(|s| s.at)
        .unwrap_or(review.opened_at)
}

fn parse_id(what: &str, id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.trim())
        .map_err(|_| AppError::NotFound(format!("{what} {id} was not found (not an id)")))
}
