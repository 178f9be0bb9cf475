//! `debrief user`, `debrief token` and `debrief audit`: accounts and the
//! audit trail from the shell. The CLI has the database in hand, so it acts
//! as an admin (`Caller::system`) under the name `--as` gives.

use std::io::BufRead as _;

use debrief_app::{App, AppError, Caller};
use debrief_core::{Role, UserDraft};
use debrief_store::AuditFilter;
use uuid::Uuid;

use super::invalid;
use crate::cli::{
    AuditListArgs, PersonListArgs, TokenCreateArgs, TokenListArgs, TokenRevokeArgs, UserAddArgs,
    UserEmailArgs, UserSetRoleArgs,
};
use crate::exit::AuditBroken;
use crate::output;

fn role(s: &str) -> Result<Role, AppError> {
    s.parse::<Role>().map_err(|m| invalid("role", m))
}

pub async fn user_add(app: &App, args: UserAddArgs, actor: &str) -> anyhow::Result<()> {
    let role = if args.admin {
        Role::Admin
    } else {
        role(&args.role)?
    };
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (debrief_app::accounts::random_password()?, true)
    };
    let draft = UserDraft {
        email: args.email,
        name: args.name,
        role,
    };
    let user = app
        .add_user(&Caller::system(actor), &draft, &password)
        .await?;
    let mut text = format!("added {} ({})\n", user.email, user.role);
    if generated {
        text.push_str(&format!("password: {password}\n"));
    }
    output::print(&text)?;
    Ok(())
}

pub async fn user_list(app: &App, args: PersonListArgs, actor: &str) -> anyhow::Result<()> {
    let users = app.users(&Caller::system(actor)).await?;
    if args.json {
        let v: Vec<_> = users
            .iter()
            .map(|u| serde_json::json!({"email": u.email, "name": u.name, "role": u.role, "active": u.active}))
            .collect();
        output::print(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(());
    }
    let mut text = String::new();
    for u in users {
        text.push_str(&format!(
            "{:<32} {:<12} {:<12} {}\n",
            u.email,
            u.role.as_str(),
            if u.active { "active" } else { "deactivated" },
            u.name
        ));
    }
    output::print(&text)?;
    Ok(())
}

pub async fn user_set_role(app: &App, args: UserSetRoleArgs, actor: &str) -> anyhow::Result<()> {
    let u = app
        .update_user(
            &Caller::system(actor),
            &args.email,
            Some(role(&args.role)?),
            None,
        )
        .await?;
    output::print(&format!("{} is now {}\n", u.email, u.role))?;
    Ok(())
}

pub async fn user_deactivate(app: &App, args: UserEmailArgs, actor: &str) -> anyhow::Result<()> {
    let u = app
        .update_user(&Caller::system(actor), &args.email, None, Some(false))
        .await?;
    output::print(&format!(
        "{} is deactivated; their sessions ended and their tokens stopped working\n",
        u.email
    ))?;
    Ok(())
}

pub async fn token_create(app: &App, args: TokenCreateArgs, actor: &str) -> anyhow::Result<()> {
    let r = args.role.as_deref().map(role).transpose()?;
    let (secret, _) = app
        .create_token(&Caller::system(actor), &args.user, &args.name, r)
        .await?;
    output::print(&format!("{secret}\n"))?;
    Ok(())
}

pub async fn token_list(app: &App, args: TokenListArgs, actor: &str) -> anyhow::Result<()> {
    let mut tokens = app.tokens(&Caller::system(actor), true).await?;
    if let Some(u) = &args.user {
        let u = u.trim().to_lowercase();
        tokens.retain(|t| t.user_email == u);
    }
    if args.json {
        let v: Vec<_> = tokens
            .iter()
            .map(|t| {
                serde_json::json!({
                    "id": t.id, "user": t.user_email, "name": t.name, "role": t.role,
                    "created_at": t.created_at.to_string(),
                    "last_used_at": t.last_used_at.map(|t| t.to_string()),
                    "revoked_at": t.revoked_at.map(|t| t.to_string()),
                })
            })
            .collect();
        output::print(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(());
    }
    let mut text = String::new();
    for t in tokens {
        text.push_str(&format!(
            "{}  {:<28} {:<12} {:<16} last used {}{}\n",
            t.id,
            t.user_email,
            t.role.as_str(),
            t.name,
            t.last_used_at
                .map(|t| t.to_string())
                .unwrap_or_else(|| "never".into()),
            if t.revoked_at.is_some() {
                "  (revoked)"
            } else {
                ""
            }
        ));
    }
    output::print(&text)?;
    Ok(())
}

pub async fn token_revoke(app: &App, args: TokenRevokeArgs, actor: &str) -> anyhow::Result<()> {
    let id = Uuid::parse_str(args.id.trim())
        .map_err(|_| AppError::NotFound(format!("there is no API token {}", args.id)))?;
    app.revoke_token(&Caller::system(actor), id).await?;
    output::print(&format!("revoked {id}\n"))?;
    Ok(())
}

pub async fn audit_verify(app: &App) -> anyhow::Result<()> {
    match app.verify_audit().await? {
        Ok(n) => {
            output::print(&format!("{n} entries, chain intact\n"))?;
            Ok(())
        }
        Err(b) => Err(AuditBroken {
            seq: b.seq,
            reason: b.reason,
        }
        .into()),
    }
}

/// An instant or a day (midnight UTC) for `--since` / `--until`.
fn audit_instant(name: &str, value: Option<&str>) -> anyhow::Result<Option<jiff::Timestamp>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = v.parse::<jiff::Timestamp>() {
        return Ok(Some(t));
    }
    match v.parse::<jiff::civil::Date>() {
        Ok(d) => Ok(Some(
            jiff::tz::TimeZone::UTC.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))?,
        )),
        Err(_) => Err(anyhow::Error::new(super::invalid(
            name,
            format!(
                "`{v}` is neither an RFC 3339 instant (2026-11-28T09:00:00Z) nor a day (2026-11-28)"
            ),
        ))),
    }
}

pub async fn audit_list(app: &App, args: AuditListArgs, actor: &str) -> anyhow::Result<()> {
    let filter = AuditFilter {
        entity: args.entity,
        actor: args.actor,
        from: audit_instant("since", args.since.as_deref())?,
        until: audit_instant("until", args.until.as_deref())?,
    };
    let entries = app
        .audit_log(
            &Caller::system(actor),
            &filter,
            0,
            args.limit.clamp(1, 10_000),
        )
        .await?;
    if args.json {
        let with_changes: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e)?;
                v["changes"] =
                    serde_json::to_value(debrief_app::audit::changes(&e.before, &e.after))?;
                Ok(v)
            })
            .collect::<Result<_, serde_json::Error>>()?;
        output::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&with_changes)?
        ))?;
        return Ok(());
    }
    let mut text = String::new();
    for e in entries {
        let at = jiff::Timestamp::from_microsecond(e.at_us)
            .map(|t| t.to_string())
            .unwrap_or_default();
        text.push_str(&format!(
            "{:>6}  {at}  {:<28} {} {}  {}{}\n",
            e.seq,
            e.actor,
            e.entity,
            e.entity_id,
            e.action,
            if e.via.is_empty() {
                String::new()
            } else {
                format!("  ({})", e.via)
            }
        ));
        for c in debrief_app::audit::changes(&e.before, &e.after) {
            text.push_str(&format!(
                "          {}: {} → {}\n",
                c.field,
                c.old.as_deref().unwrap_or("(none)"),
                c.new.as_deref().unwrap_or("(none)")
            ));
        }
    }
    output::print(&text)?;
    Ok(())
}
