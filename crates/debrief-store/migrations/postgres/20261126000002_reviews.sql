-- The review of each incident (PRODUCT.md §4, §5) as one JSON document
-- (serde form of debrief_core::review::Review), with its status and version
-- as columns so lists can filter and updates can compare versions.
-- Exchange rates (§5) are recorded by the organisation, one row each.

CREATE TABLE reviews (
    incident_id TEXT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    document TEXT NOT NULL,
    updated_us BIGINT NOT NULL
);
CREATE INDEX reviews_status ON reviews (status);

CREATE TABLE exchange_rates (
    id TEXT PRIMARY KEY,
    from_currency TEXT NOT NULL,
    to_currency TEXT NOT NULL,
    rate TEXT NOT NULL,
    valid_on TEXT NOT NULL,
    source TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    CONSTRAINT exchange_rates_unique UNIQUE (from_currency, to_currency, valid_on)
);
