//! People debrief knows: action owners, workshop attendees, facilitators.
//! A person is not an account (accounts come with sign-in); an owner must be
//! a person so that "owner: the team" or a typo cannot hide who is on the hook.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldErrors;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    /// Unique, compared case-insensitively (stored lower-case).
    pub email: String,
    /// Team or job title, free text.
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub phone: String,
    pub version: i64,
}

/// Raw input for a person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonDraft {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub phone: String,
}

impl PersonDraft {
    /// Checks the fields; the result has trimmed values and a lower-case email.
    pub fn validate(&self) -> Result<PersonDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() {
            errors.push("name", "a person needs a name");
        } else if name.chars().count() > 200 {
            errors.push("name", "the name is longer than 200 characters");
        }
        let email = self.email.trim().to_lowercase();
        if let Err(message) = check_email(&email) {
            errors.push("email", message);
        }
        if self.team.chars().count() > 200 {
            errors.push("team", "the team is longer than 200 characters");
        }
        if self.phone.chars().count() > 50 {
            errors.push("phone", "the phone number is longer than 50 characters");
        }
        errors.into_result(PersonDraft {
            name: name.to_owned(),
            email,
            team: self.team.trim().to_owned(),
            phone: self.phone.trim().to_owned(),
        })
    }
}

/// A plain shape check: one `@`, something before it, a dot after it, no
/// spaces. Deliverability is the mail system's business.
pub fn check_email(email: &str) -> Result<(), String> {
    if email.is_empty() {
        return Err("an email address is needed (it identifies the person)".into());
    }
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if ok && email.len() <= 254 {
        Ok(())
    } else {
        Err(format!(
            "`{email}` is not an email address like name@example.org"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_normalises() {
        let p = PersonDraft {
            name: "  Ada Byron ".into(),
            email: " Ada@Example.ORG ".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(p.name, "Ada Byron");
        assert_eq!(p.email, "ada@example.org");
    }

    #[test]
    fn names_every_bad_field() {
        let e = PersonDraft {
            name: " ".into(),
            email: "ada at example".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.for_field("name").is_some());
        assert!(e.for_field("email").unwrap().contains("ada at example"));
        for bad in ["a@b", "@x.org", "a@@x.org", "a b@x.org", "a@.org"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
