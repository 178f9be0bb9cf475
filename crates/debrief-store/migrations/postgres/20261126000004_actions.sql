-- People (owners, attendees), action items with their history, and
-- follow-up snapshots (PRODUCT.md §6). Actions are rows, not part of the
-- review document: the portfolio ranks and filters them across incidents.

-- The last action number of each incident: new actions take it with an
-- UPDATE … RETURNING, which serialises concurrent creations (and takes the
-- write lock first on SQLite).
ALTER TABLE incidents ADD COLUMN action_counter BIGINT NOT NULL DEFAULT 0;

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    team TEXT NOT NULL,
    phone TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL,
    CONSTRAINT people_email_unique UNIQUE (email)
);

CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    action_type TEXT NOT NULL,
    answers TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES people (id),
    due_on TEXT,
    risk BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    effort BIGINT NOT NULL,
    -- risk × impact × 1000 ÷ effort, rounded down: sorts and filters by score.
    score_milli BIGINT NOT NULL,
    -- 1 (P1) … 4 (P4) when overridden, with its justification.
    priority_override BIGINT,
    override_justification TEXT NOT NULL,
    ticket TEXT NOT NULL,
    status TEXT NOT NULL,
    cancel_reason TEXT NOT NULL,
    verification TEXT,
    done_on TEXT,
    -- The due date an overdue notice was sent for (NULL: none yet).
    overdue_notified_on TEXT,
    version BIGINT NOT NULL,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL,
    CONSTRAINT actions_number_unique UNIQUE (incident_id, number)
);
CREATE INDEX actions_status_due ON actions (status, due_on);
CREATE INDEX actions_owner ON actions (owner_id, status);

CREATE TABLE action_history (
    id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    incident_id TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    what TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX action_history_action ON action_history (action_id, at_us);
CREATE INDEX action_history_incident ON action_history (incident_id, at_us);

CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    taken_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL,
    -- JSON: the status of every action at that moment.
    snapshot TEXT NOT NULL
);
CREATE INDEX follow_ups_incident ON follow_ups (incident_id, taken_us);
