//! The audit trail's hash chain (PRODUCT.md §11): every entry commits to
//! the one before it, so changing, removing or reordering a stored entry
//! breaks a link that [`verify_chain`] finds. Pure: the store keeps the
//! rows, this module only computes and checks.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3 … without gaps.
    pub seq: i64,
    /// UTC microseconds since the Unix epoch.
    pub at_us: i64,
    /// Who: a user's email, `system`, or the CLI's `--as`.
    pub actor: String,
    /// What kind of thing: `incident`, `user`, `api_token` …
    pub entity: String,
    pub entity_id: String,
    /// `create`, `update`, `delete`, `login` …
    pub action: String,
    /// JSON text of the thing before (`null` for a creation).
    pub before: String,
    /// JSON text of the thing after (`null` for a deletion).
    pub after: String,
    /// Through what the change came: `PATCH /api/v1/incidents/{key}`,
    /// `cli: debrief incident edit`, `system: demo` … Empty in entries
    /// written before it was recorded.
    #[serde(default)]
    pub via: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The fields an entry's hash covers.
#[derive(Debug, Clone, Copy)]
pub struct AuditFields<'a> {
    pub seq: i64,
    pub at_us: i64,
    pub actor: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub before: &'a str,
    pub after: &'a str,
    pub via: &'a str,
}

impl AuditEntry {
    pub fn fields(&self) -> AuditFields<'_> {
        AuditFields {
            seq: self.seq,
            at_us: self.at_us,
            actor: &self.actor,
            entity: &self.entity,
            entity_id: &self.entity_id,
            action: &self.action,
            before: &self.before,
            after: &self.after,
            via: &self.via,
        }
    }
}

/// The entry hash: lower-case hex SHA-256 over the canonical form
/// `debrief-audit-v1` then, for each of prev_hash, seq, at_us, actor,
/// entity, entity_id, action, before, after, its UTF-8 byte length as a
/// decimal, `:`, the bytes, and `\n`; then `via` the same way when it is
/// not empty (so entries written before `via` existed keep their hashes).
/// Length prefixes make the encoding unambiguous whatever the texts contain.
pub fn entry_hash(prev_hash: &str, f: AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    h.update(b"debrief-audit-v1\n");
    let seq = f.seq.to_string();
    let at = f.at_us.to_string();
    for part in [
        prev_hash,
        seq.as_str(),
        at.as_str(),
        f.actor,
        f.entity,
        f.entity_id,
        f.action,
        f.before,
        f.after,
    ]
    .into_iter()
    .chain((!f.via.is_empty()).then_some(f.via))
    {
        h.update(part.len().to_string().as_bytes());
        h.update(b":");
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// The first link that does not hold, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Checks entries in `seq` order: numbering without gaps from 1, each
/// `prev_hash` equal to the previous entry's `hash` (the genesis hash for
/// the first), each `hash` recomputed from the fields. Returns the number
/// of entries, or the first broken link.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<u64, BrokenLink> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut n = 0;
    for (expected_seq, e) in (1..).zip(entries) {
        if e.seq != expected_seq {
            return Err(BrokenLink {
                seq: e.seq,
                reason: format!(
                    "expected entry {expected_seq} next, found {} (an entry was removed or inserted)",
                    e.seq
                ),
            });
        }
        if e.prev_hash != prev {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "its prev_hash is not the previous entry's hash".into(),
            });
        }
        let computed = entry_hash(&e.prev_hash, e.fields());
        if computed != e.hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "its content does not match its hash (the entry was changed)".into(),
            });
        }
        prev = e.hash.clone();
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at_us: 1_000 * seq,
                    actor: "a@b.example".into(),
                    entity: "incident".into(),
                    entity_id: format!("INC-{seq}"),
                    action: "update".into(),
                    before: "null".into(),
                    after: format!("{{\"n\":{seq}}}"),
                    via: if seq % 2 == 0 {
                        "cli: debrief incident edit".into()
                    } else {
                        String::new()
                    },
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e.prev_hash, e.fields());
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&[]), Ok(0));
    }

    #[test]
    fn a_changed_entry_is_the_first_broken_link() {
        let mut c = chain(5);
        c[2].after = "{\"n\":99}".into();
        assert_eq!(verify_chain(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn a_removed_entry_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn a_rehashed_entry_still_breaks_the_next_link() {
        let mut c = chain(5);
        c[1].actor = "mallory".into();
        c[1].hash = entry_hash(&c[1].prev_hash, c[1].fields());
        assert_eq!(verify_chain(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn the_encoding_is_unambiguous() {
        let a = AuditFields {
            seq: 1,
            at_us: 1,
            actor: "ab",
            entity: "c",
            entity_id: "",
            action: "",
            before: "",
            after: "",
            via: "",
        };
        let b = AuditFields {
            actor: "a",
            entity: "bc",
            ..a
        };
        assert_ne!(entry_hash(GENESIS_HASH, a), entry_hash(GENESIS_HASH, b));
    }

    #[test]
    fn a_changed_via_breaks_the_link_and_an_empty_one_keeps_the_old_hash() {
        let mut c = chain(4);
        c[1].via = "PATCH /api/v1/incidents/{key}".into();
        assert_eq!(verify_chain(&c).unwrap_err().seq, 2);
        let old = AuditFields {
            seq: 1,
            at_us: 1,
            actor: "a",
            entity: "incident",
            entity_id: "INC-1",
            action: "update",
            before: "null",
            after: "{}",
            via: "",
        };
        // The v1 form without `via`, as written before it was recorded.
        let mut h = Sha256::new();
        h.update(b"debrief-audit-v1\n");
        for part in [
            GENESIS_HASH,
            "1",
            "1",
            "a",
            "incident",
            "INC-1",
            "update",
            "null",
            "{}",
        ] {
            h.update(format!("{}:{part}\n", part.len()).as_bytes());
        }
        assert_eq!(entry_hash(GENESIS_HASH, old), hex::encode(h.finalize()));
    }
}
