//! Reading the audit log: an entry's before and after as a compact,
//! field-level diff (what the log page, the API and `debrief audit log`
//! show), and the time-range parsing their filters share. Writing is the
//! store's (`debrief_store::audit`), under the edges' audit context.

use serde::Serialize;
use serde_json::Value;

pub use debrief_store::{AuditContext, current_context, with_audit_context};

/// One changed field: its path (`title`, `document.causes.0.text`) and the
/// values before and after as compact JSON, `None` where there was none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Values longer than this are cut (with `…`): the diff is for reading;
/// the entry keeps the whole text.
const VALUE_LIMIT: usize = 160;

/// The fields that differ between two JSON texts. Objects (and arrays) are
/// compared member by member for an update; a creation or deletion lists
/// the top-level fields it set or removed. Texts that are not JSON compare
/// as a whole.
pub fn changes(before: &str, after: &str) -> Vec<FieldChange> {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::String(s.into()));
    let (before, after) = (parse(before), parse(after));
    let mut out = Vec::new();
    match (&before, &after) {
        (Value::Null, Value::Object(o)) => {
            for (k, v) in o {
                out.push(change(k.clone(), None, Some(v)));
            }
        }
        (Value::Object(o), Value::Null) => {
            for (k, v) in o {
                out.push(change(k.clone(), Some(v), None));
            }
        }
        _ => walk(String::new(), Some(&before), Some(&after), &mut out),
    }
    out
}

fn walk(path: String, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    if before == after {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            for (k, v) in b {
                walk(join(k), Some(v), a.get(k), out);
            }
            for (k, v) in a.iter().filter(|(k, _)| !b.contains_key(*k)) {
                walk(join(k), None, Some(v), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) => {
            for i in 0..b.len().max(a.len()) {
                walk(join(&i.to_string()), b.get(i), a.get(i), out);
            }
        }
        _ => out.push(change(
            if path.is_empty() {
                "value".into()
            } else {
                path
            },
            before,
            after,
        )),
    }
}

fn change(field: String, old: Option<&Value>, new: Option<&Value>) -> FieldChange {
    FieldChange {
        field,
        old: old.map(compact),
        new: new.map(compact),
    }
}

fn compact(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > VALUE_LIMIT {
        let cut: String = text.chars().take(VALUE_LIMIT).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_lists_only_the_changed_fields_with_their_paths() {
        let before = r#"{"title":"Old","version":1,"document":{"causes":[{"text":"a"}]}}"#;
        let after =
            r#"{"title":"New","version":2,"document":{"causes":[{"text":"b"},{"text":"c"}]}}"#;
        let c = changes(before, after);
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        // In the order of the keys (serde_json's maps are sorted).
        assert_eq!(
            fields,
            [
                "document.causes.0.text",
                "document.causes.1",
                "title",
                "version"
            ]
        );
        assert_eq!(c[2].old.as_deref(), Some("Old"));
        assert_eq!(c[2].new.as_deref(), Some("New"));
        assert_eq!(c[1].old, None);
    }

    #[test]
    fn a_creation_and_a_deletion_list_the_top_level_fields() {
        let c = changes(
            "null",
            r#"{"url":"https://x.example","secret":"[redacted]"}"#,
        );
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|c| c.old.is_none()));
        let d = changes(r#"{"day":"2026-12-25"}"#, "null");
        assert_eq!(d[0].new, None);
    }

    #[test]
    fn long_values_are_cut_for_reading() {
        let long = "x".repeat(500);
        let c = changes("null", &format!("{{\"text\":\"{long}\"}}"));
        assert!(c[0].new.as_ref().unwrap().ends_with('…'));
    }
}
