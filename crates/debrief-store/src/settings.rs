//! Organisation settings kept as named JSON documents (`org_settings`): the
//! blameless-language rules today. The app owns their shape; the store keeps
//! the text and its version.

use async_trait::async_trait;
use sqlx::Row;

use crate::StoreError;
use crate::audit::{record_row, row_json};
use crate::codec::micros;
use crate::sql::{SqlStore, duplicate_or, stale_write_error};

/// A stored setting: its JSON text and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSetting {
    pub value: String,
    pub version: i64,
}

#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The setting `name`, if it was ever saved.
    async fn setting(&self, name: &str) -> Result<Option<StoredSetting>, StoreError>;
    /// Writes the setting: new when `expected_version` is `None` (a
    /// `Duplicate` if someone saved it first), else only over that version.
    /// Returns the new version.
    async fn save_setting(
        &self,
        name: &str,
        value: &str,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<i64, StoreError>;
}

#[async_trait]
impl SettingsStore for SqlStore {
    async fn setting(&self, name: &str) -> Result<Option<StoredSetting>, StoreError> {
        let row = sqlx::query("SELECT value, version FROM org_settings WHERE name = $1")
            .bind(name.to_owned())
            .fetch_optional(&mut *self.pool().acquire().await?)
            .await?;
        row.map(|r| {
            Ok(StoredSetting {
                value: r.try_get("value")?,
                version: r.try_get("version")?,
            })
        })
        .transpose()
    }

    async fn save_setting(
        &self,
        name: &str,
        value: &str,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<i64, StoreError> {
        let mut conn = self.audited_tx().await?;
        let before = row_json(&mut conn, "org_settings", "name", name).await?;
        let version = match expected_version {
            None => {
                sqlx::query(
                    "INSERT INTO org_settings (name, value, version, updated_us) VALUES ($1, $2, 1, $3)",
                )
                .bind(name.to_owned())
                .bind(value.to_owned())
                .bind(micros(now))
                .execute(&mut *conn)
                .await
                .map_err(|e| duplicate_or(e, |_| format!("the setting {name} was just saved by someone else")))?;
                1
            }
            Some(expected) => {
                let done = sqlx::query(
                    "UPDATE org_settings SET value = $1, version = $2, updated_us = $3 WHERE name = $4 AND version = $5",
                )
                .bind(value.to_owned())
                .bind(expected + 1)
                .bind(micros(now))
                .bind(name.to_owned())
                .bind(expected)
                .execute(&mut *conn)
                .await?;
                if done.rows_affected() != 1 {
                    let sql = "SELECT version FROM org_settings WHERE name = $1";
                    return Err(stale_write_error(
                        &mut conn,
                        sql,
                        "setting",
                        name.to_owned(),
                        expected,
                    )
                    .await);
                }
                expected + 1
            }
        };
        record_row(
            &mut conn,
            "setting",
            name,
            ("org_settings", "name", name),
            &before,
        )
        .await?;
        conn.commit().await?;
        Ok(version)
    }
}
