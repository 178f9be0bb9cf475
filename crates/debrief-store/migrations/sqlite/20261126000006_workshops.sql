-- Lessons-learned workshops and follow-up sessions (PRODUCT.md §8), the
-- organisation's holidays (for counting business days) and its workshop
-- policy (promptness, stakeholder coverage, service owners) as one JSON
-- document.

CREATE TABLE workshops (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    -- lessons_learned | follow_up
    kind TEXT NOT NULL,
    -- scheduled | held | cancelled
    status TEXT NOT NULL,
    starts_us INTEGER NOT NULL,
    -- The IANA zone it was planned in (invites carry it).
    time_zone TEXT NOT NULL,
    duration_min INTEGER NOT NULL,
    location TEXT NOT NULL,
    url TEXT NOT NULL,
    facilitator_id TEXT NOT NULL REFERENCES people (id),
    -- JSON: {"attendees": [...], "agenda": [...], "notes": [...]}
    document TEXT NOT NULL,
    -- The iCalendar SEQUENCE of the current invite.
    sequence INTEGER NOT NULL,
    held_us INTEGER,
    cancel_reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);
CREATE INDEX workshops_incident ON workshops (incident_id, starts_us);

CREATE TABLE holidays (
    -- YYYY-MM-DD: one holiday a day.
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_us INTEGER NOT NULL
);

-- One row (id 'default') once the organisation edits the policy; the
-- defaults of PRODUCT.md §8 live in code until then.
CREATE TABLE workshop_policy (
    id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);
