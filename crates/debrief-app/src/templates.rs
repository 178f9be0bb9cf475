//! Question templates: data an organisation edits. The built-in NIST
//! SP 800-61r2 template is always available; storing a template with its id
//! replaces it. A review keeps a copy of the template it was opened with.

use debrief_core::review::QuestionTemplate;
use debrief_store::StoredTemplate;

use crate::{App, AppError};

/// The template new reviews use unless another is named.
pub const DEFAULT_TEMPLATE: &str = "nist-800-61r2";

impl App {
    /// Every template with its version (0: the built-in, never edited).
    pub async fn templates(&self) -> Result<Vec<(QuestionTemplate, i64)>, AppError> {
        let stored = self.store().templates().await?;
        let mut out: Vec<(QuestionTemplate, i64)> = Vec::new();
        if !stored.iter().any(|t| t.template.id == DEFAULT_TEMPLATE) {
            out.push((QuestionTemplate::nist_default(), 0));
        }
        out.extend(stored.into_iter().map(|t| (t.template, t.version)));
        Ok(out)
    }

    pub async fn template(&self, id: &str) -> Result<(QuestionTemplate, i64), AppError> {
        self.templates()
            .await?
            .into_iter()
            .find(|(t, _)| t.id == id)
            .ok_or_else(|| AppError::NotFound(format!("question template `{id}` was not found")))
    }

    /// Creates (version 0) or edits (the version read) a template.
    pub async fn save_template(
        &self,
        id: &str,
        name: &str,
        questions: &[String],
        version: i64,
    ) -> Result<QuestionTemplate, AppError> {
        let previous = self.template(id.trim()).await.ok();
        let template =
            QuestionTemplate::from_texts(id, name, questions, previous.as_ref().map(|(t, _)| t))?;
        let stored_version = match &previous {
            Some((_, v)) if *v > 0 => Some(*v),
            _ => None,
        };
        if stored_version.unwrap_or(0) != version {
            return Err(AppError::Conflict {
                message: format!(
                    "template `{}` was changed by someone else (you had version {version}, it is now {}); reload and apply your edit again",
                    template.id,
                    stored_version.unwrap_or(0)
                ),
                current_version: stored_version.or(Some(0)),
            });
        }
        let record = StoredTemplate {
            template: template.clone(),
            version: version + 1,
        };
        self.store()
            .save_template(&record, stored_version, self.now())
            .await?;
        Ok(template)
    }
}
