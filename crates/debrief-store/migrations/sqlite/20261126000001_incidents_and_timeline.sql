-- Incidents and their chronology (PRODUCT.md §2, §3).
-- Instants are UTC microseconds; *_off is the UTC offset in seconds the value
-- was written with; *_prec its precision (day, hour, minute, second).
-- Lists (services, tags …) are JSON arrays of strings.

CREATE TABLE key_counters (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    key_prefix TEXT NOT NULL,
    key_year INTEGER NOT NULL,
    key_number INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    status TEXT NOT NULL,
    services TEXT NOT NULL,
    business_units TEXT NOT NULL,
    tags TEXT NOT NULL,
    responders TEXT NOT NULL,
    started_us INTEGER, started_off INTEGER, started_prec TEXT,
    detected_us INTEGER, detected_off INTEGER, detected_prec TEXT,
    reported_us INTEGER, reported_off INTEGER, reported_prec TEXT,
    acknowledged_us INTEGER, acknowledged_off INTEGER, acknowledged_prec TEXT,
    contained_us INTEGER, contained_off INTEGER, contained_prec TEXT,
    eradicated_us INTEGER, eradicated_off INTEGER, eradicated_prec TEXT,
    recovered_us INTEGER, recovered_off INTEGER, recovered_prec TEXT,
    closed_us INTEGER, closed_off INTEGER, closed_prec TEXT,
    version INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    CONSTRAINT incidents_key_unique UNIQUE (key)
);
CREATE INDEX incidents_created ON incidents (created_us, id);
CREATE INDEX incidents_status ON incidents (status);

CREATE TABLE timeline_events (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at_us INTEGER NOT NULL,
    at_off INTEGER NOT NULL,
    at_prec TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    actor TEXT,
    text TEXT NOT NULL,
    evidence_url TEXT,
    tags TEXT NOT NULL,
    is_key INTEGER NOT NULL,
    hash TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    CONSTRAINT timeline_events_hash_unique UNIQUE (incident_id, hash)
);
CREATE INDEX timeline_events_incident_at ON timeline_events (incident_id, at_us, id);
