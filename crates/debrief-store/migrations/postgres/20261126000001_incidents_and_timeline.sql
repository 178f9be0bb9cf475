-- Incidents and their chronology (PRODUCT.md §2, §3).
-- Instants are UTC microseconds; *_off is the UTC offset in seconds the value
-- was written with; *_prec its precision (day, hour, minute, second).
-- Lists (services, tags …) are JSON arrays of strings.

CREATE TABLE key_counters (
    prefix TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    key_prefix TEXT NOT NULL,
    key_year BIGINT NOT NULL,
    key_number BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank BIGINT NOT NULL,
    status TEXT NOT NULL,
    services TEXT NOT NULL,
    business_units TEXT NOT NULL,
    tags TEXT NOT NULL,
    responders TEXT NOT NULL,
    started_us BIGINT, started_off BIGINT, started_prec TEXT,
    detected_us BIGINT, detected_off BIGINT, detected_prec TEXT,
    reported_us BIGINT, reported_off BIGINT, reported_prec TEXT,
    acknowledged_us BIGINT, acknowledged_off BIGINT, acknowledged_prec TEXT,
    contained_us BIGINT, contained_off BIGINT, contained_prec TEXT,
    eradicated_us BIGINT, eradicated_off BIGINT, eradicated_prec TEXT,
    recovered_us BIGINT, recovered_off BIGINT, recovered_prec TEXT,
    closed_us BIGINT, closed_off BIGINT, closed_prec TEXT,
    version BIGINT NOT NULL,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL,
    CONSTRAINT incidents_key_unique UNIQUE (key)
);
CREATE INDEX incidents_created ON incidents (created_us, id);
CREATE INDEX incidents_status ON incidents (status);

CREATE TABLE timeline_events (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at_us BIGINT NOT NULL,
    at_off BIGINT NOT NULL,
    at_prec TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    actor TEXT,
    text TEXT NOT NULL,
    evidence_url TEXT,
    tags TEXT NOT NULL,
    is_key BIGINT NOT NULL,
    hash TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    CONSTRAINT timeline_events_hash_unique UNIQUE (incident_id, hash)
);
CREATE INDEX timeline_events_incident_at ON timeline_events (incident_id, at_us, id);
