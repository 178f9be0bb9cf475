-- Evidence attachments on timeline events (PRODUCT.md §3, §11). The
-- content lives in the database, so every `serve` instance and the CLI see
-- the same evidence and a database backup holds it. Metadata, content and
-- the chain of custody are separate tables: lists never read the bytes.
-- Evidence is immutable: triggers refuse every UPDATE and DELETE (someone
-- with the database owner's rights can drop them, which is why every
-- download re-hashes the bytes against the recorded SHA-256).
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    event_id TEXT NOT NULL REFERENCES timeline_events (id),
    file_name TEXT NOT NULL,
    declared_type TEXT NOT NULL,
    detected_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_us INTEGER NOT NULL,
    description TEXT
);
CREATE INDEX attachments_incident ON attachments (incident_id, event_id, added_us);

CREATE TABLE attachment_contents (
    attachment_id TEXT PRIMARY KEY REFERENCES attachments (id),
    content BLOB NOT NULL
);

CREATE TABLE attachment_custody (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    at_us INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    note TEXT
);
CREATE INDEX attachment_custody_attachment ON attachment_custody (attachment_id, seq);

CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'evidence attachments are immutable');
END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'evidence attachments are immutable');
END;
CREATE TRIGGER attachment_contents_no_update BEFORE UPDATE ON attachment_contents
BEGIN
    SELECT RAISE(ABORT, 'evidence attachments are immutable');
END;
CREATE TRIGGER attachment_contents_no_delete BEFORE DELETE ON attachment_contents
BEGIN
    SELECT RAISE(ABORT, 'evidence attachments are immutable');
END;
CREATE TRIGGER attachment_custody_no_update BEFORE UPDATE ON attachment_custody
BEGIN
    SELECT RAISE(ABORT, 'the chain of custody is append-only');
END;
CREATE TRIGGER attachment_custody_no_delete BEFORE DELETE ON attachment_custody
BEGIN
    SELECT RAISE(ABORT, 'the chain of custody is append-only');
END;
