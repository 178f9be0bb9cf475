-- Webhooks (PRODUCT.md §12): subscriptions, the outbox of deliveries and
-- the log of every attempt.
--
-- `webhooks.events` is a JSON array of event names; `active` is 0 or 1.
-- A delivery is written in the same moment the event is emitted and sent
-- later by a dispatcher; `body` is the exact JSON posted (and signed), so
-- every retry sends the same bytes. A dispatcher claims a due delivery by
-- bumping `attempts` and setting `lease_until_us` in one conditional UPDATE,
-- so several `debrief serve` instances never send the same attempt twice.

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT NOT NULL,
    active INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_us INTEGER,
    lease_until_us INTEGER,
    last_attempt_us INTEGER,
    last_http_status INTEGER,
    last_error TEXT,
    delivered_us INTEGER,
    created_us INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_us);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_us, id);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_us);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    at_us INTEGER NOT NULL,
    http_status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
