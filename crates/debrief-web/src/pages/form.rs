//! Forms on pages that hold many of them (the review, the exchange rates).
//! Each form has a key that prefixes the ids of its fields, so ids stay
//! unique across the page; it shows the stored values, or — when it is the
//! form whose POST failed — what was typed and, beside each field, what is
//! wrong.

use std::collections::HashMap;

use super::view::capitalise;

/// The form whose POST failed: which one, what was typed, what is wrong.
pub struct Failed {
    /// The key of the form (see [`FormView::key`]).
    pub key: String,
    /// What the form is, for the error summary ("the new cause").
    pub title: String,
    pub values: Vec<(String, String)>,
    /// `(form field name, message)`; `None` for a problem that is not about
    /// one field.
    pub errors: Vec<(Option<String>, String)>,
}

impl Failed {
    /// The error summary's lines: `(link target id, text)`.
    pub fn summary(&self) -> Vec<(String, String)> {
        self.errors
            .iter()
            .map(|(field, message)| match field {
                Some(f) => (
                    field_id(&self.key, f),
                    match label(f) {
                        Some(l) => format!("{l}: {message}"),
                        None => capitalise(message),
                    },
                ),
                None => (self.key.clone(), capitalise(message)),
            })
            .collect()
    }
}

/// `{key}-{name}` with underscores as hyphens.
pub fn field_id(key: &str, name: &str) -> String {
    format!("{key}-{}", name.replace('_', "-"))
}

/// A field name as people read it: `hourly_rate` → "Hourly rate",
/// `why_2` → "Step 2". `None` for the main text of a form, whose messages
/// ("write the lesson") say enough on their own.
pub fn label(name: &str) -> Option<String> {
    if let Some(n) = name.strip_prefix("why_") {
        return Some(format!("Step {n}"));
    }
    Some(match name {
        "text" | "statement" => return None,
        "went_well" => "What went well".into(),
        "to_improve" => "What to improve".into(),
        "sla_breaches" => "SLA breaches".into(),
        "overall" => "Overall rating".into(),
        "reputational" => "Reputational rating".into(),
        "date" => "Valid from".into(),
        "url" => "URL".into(),
        other => capitalise(&other.replace('_', " ")),
    })
}

/// One form on the page.
pub struct FormView {
    /// Unique on the page; the form element's id and the prefix of its
    /// fields' ids.
    pub key: String,
    values: Vec<(String, String)>,
    errors: HashMap<String, String>,
    /// Problems that are not about one field, shown at the top of the form.
    pub general: Vec<String>,
    /// This is the form that failed: open it if it is folded away.
    pub failed: bool,
    /// Numbered repeated groups (the why/because pairs of a cause).
    pub slots: Vec<usize>,
    /// An edit form folded under an item (key `edit-…`): its fields go
    /// without hints, which the add form of the section already shows.
    pub brief: bool,
}

impl FormView {
    /// A form showing `values`, or what was typed if it is the one that failed.
    pub fn new(
        key: impl Into<String>,
        values: Vec<(String, String)>,
        failed: Option<&Failed>,
    ) -> Self {
        let key = key.into();
        let brief = key.starts_with("edit-");
        match failed.filter(|f| f.key == key) {
            Some(f) => Self {
                key,
                values: f.values.clone(),
                errors: f
                    .errors
                    .iter()
                    .filter_map(|(field, m)| field.clone().map(|field| (field, m.clone())))
                    .fold(HashMap::new(), |mut map, (field, m)| {
                        map.entry(field).or_insert(m);
                        map
                    }),
                general: f
                    .errors
                    .iter()
                    .filter(|(field, _)| field.is_none())
                    .map(|(_, m)| capitalise(m))
                    .collect(),
                failed: true,
                slots: Vec::new(),
                brief,
            },
            None => Self {
                key,
                values,
                errors: HashMap::new(),
                general: Vec::new(),
                failed: false,
                slots: Vec::new(),
                brief,
            },
        }
    }

    /// Numbered slots: at least `min`, and at least one more than the
    /// values fill (with what was typed, as many as were posted).
    pub fn with_slots(mut self, prefix: &str, min: usize) -> Self {
        let filled = self
            .values
            .iter()
            .filter(|(k, v)| k.starts_with(prefix) && !v.trim().is_empty())
            .filter_map(|(k, _)| k.strip_prefix(prefix)?.parse::<usize>().ok())
            .max()
            .unwrap_or(0);
        let posted = self
            .values
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(prefix)?.parse::<usize>().ok())
            .max()
            .unwrap_or(0);
        let n = if self.failed { posted } else { filled + 1 };
        self.slots = (1..=min.max(n)).collect();
        self
    }

    /// The id of the field `name`.
    pub fn id(&self, name: &str) -> String {
        field_id(&self.key, name)
    }

    /// The (first) value of `name`.
    pub fn v(&self, name: &str) -> String {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Whether `name` has the value `value` (a selected option, a ticked box).
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }

    /// Every value of a repeated field.
    pub fn values_of(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The problem with `name`, if this form failed because of it.
    pub fn err(&self, name: &str) -> Option<&String> {
        self.errors.get(name)
    }

    /// `name` of the `n`th slot: `why` 2 → `why_2`.
    pub fn nth(&self, name: &str, n: &usize) -> String {
        format!("{name}_{n}")
    }
}

/// `(name, value)` pairs from anything printable.
pub fn pairs<const N: usize>(items: [(&str, String); N]) -> Vec<(String, String)> {
    items.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failed_form_keeps_its_input_and_the_others_show_stored_values() {
        let failed = Failed {
            key: "add-cause".into(),
            title: "the new cause".into(),
            values: pairs([("statement", "typed".into()), ("why_7", "deep".into())]),
            errors: vec![
                (Some("why_7".into()), "each step needs both".into()),
                (None, "at most 10 steps".into()),
            ],
        };
        let f = FormView::new("add-cause", Vec::new(), Some(&failed)).with_slots("why_", 5);
        assert!(f.failed && f.v("statement") == "typed");
        assert_eq!(f.slots.len(), 7);
        assert_eq!(
            f.err("why_7").map(String::as_str),
            Some("each step needs both")
        );
        assert_eq!(f.general, ["At most 10 steps"]);
        assert_eq!(f.id("why_7"), "add-cause-why-7");
        assert_eq!(
            failed.summary(),
            [
                (
                    "add-cause-why-7".to_owned(),
                    "Step 7: each step needs both".to_owned()
                ),
                ("add-cause".to_owned(), "At most 10 steps".to_owned()),
            ]
        );
        let other = FormView::new(
            "edit-x",
            pairs([("why_1", "a".into()), ("because_1", "b".into())]),
            Some(&failed),
        )
        .with_slots("why_", 2);
        assert!(!other.failed && other.brief && other.err("why_7").is_none());
        assert_eq!(other.slots, [1, 2]);
    }
}
