//! Accounts and roles (PRODUCT.md §11): who may sign in, with which role,
//! and the rules a new user's fields and password must meet. Hashing and
//! sessions live in `debrief-app`; this module only decides.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldErrors;
use crate::person::check_email;

/// The four roles, ordered: each may do everything the ones below it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything they can see.
    Viewer,
    /// Edits incidents, timelines, reviews and actions.
    Contributor,
    /// Runs reviews: approves, verifies actions, schedules workshops,
    /// restricts incidents, sets policies.
    Manager,
    /// Everything, including users, other people's tokens, webhooks and
    /// the audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Contributor, Role::Manager, Role::Admin];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Contributor => "contributor",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }
    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_lowercase())
            .ok_or_else(|| {
                format!("unknown role `{s}`; expected one of viewer, contributor, manager, admin")
            })
    }
}

/// A stored account (never with its password hash: the store hands that
/// out only to the sign-in check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    /// Lower-case, unique.
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: jiff::Timestamp,
}

/// The shortest password accepted.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// The longest (argon2 takes any length; this bounds the work per request).
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Raw input for a new user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDraft {
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl UserDraft {
    /// Trims the fields and lower-cases the email; every error at once.
    pub fn validate(&self) -> Result<UserDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = self.email.trim().to_lowercase();
        if let Err(m) = check_email(&email) {
            errors.push("email", m);
        }
        let name = self.name.trim();
        if name.is_empty() {
            errors.push(
                "name",
                "a user needs a name (it is shown beside their changes)",
            );
        } else if name.chars().count() > 200 {
            errors.push("name", "the name is longer than 200 characters");
        }
        errors.into_result(UserDraft {
            email,
            name: name.to_owned(),
            role: self.role,
        })
    }
}

/// The password policy: at least [`PASSWORD_MIN_CHARS`] characters, at
/// most [`PASSWORD_MAX_CHARS`], and not the email address (nor its local
/// part). Length beats composition rules (NIST SP 800-63B).
pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(format!(
            "the password needs at least {PASSWORD_MIN_CHARS} characters (it has {n})"
        ));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(format!(
            "the password may have at most {PASSWORD_MAX_CHARS} characters"
        ));
    }
    let lower = password.trim().to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if lower == email || (!local.is_empty() && lower == local) {
        return Err("the password must not be the email address".into());
    }
    Ok(())
}

/// Whether `next` is a path on this site (a sign-in's return address):
/// starts with one `/`, no scheme, no `//` or `/\` (which browsers read as
/// another host), no control characters.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && next.len() <= 2000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_from_viewer_to_admin() {
        assert!(Role::Admin.allows(Role::Manager));
        assert!(Role::Manager.allows(Role::Contributor));
        assert!(Role::Contributor.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Contributor));
        assert!(!Role::Manager.allows(Role::Admin));
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn passwords_need_twelve_characters_and_must_not_be_the_email() {
        assert!(check_password("short", "a@b.example").is_err());
        assert!(check_password("correct horse battery", "a@b.example").is_ok());
        assert!(check_password("priya.shah@x.example", "Priya.Shah@x.example").is_err());
        assert!(check_password("priya.shah.long", "priya.shah.long@x.example").is_err());
        assert!(check_password(&"x".repeat(300), "a@b.example").is_err());
    }

    #[test]
    fn user_drafts_report_every_field() {
        let e = UserDraft {
            email: "nope".into(),
            name: " ".into(),
            role: Role::Viewer,
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.0.len(), 2);
        let ok = UserDraft {
            email: " Sam@Example.ORG ".into(),
            name: " Sam ".into(),
            role: Role::Admin,
        }
        .validate()
        .unwrap();
        assert_eq!(ok.email, "sam@example.org");
        assert_eq!(ok.name, "Sam");
    }

    #[test]
    fn only_local_paths_are_return_addresses() {
        assert!(is_local_path("/incidents?x=1"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "x",
            "/a\nb",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }
}
