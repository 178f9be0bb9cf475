-- The audit log (PRODUCT.md §11): append-only and hash-chained. Each row's
-- hash commits to the previous row's (debrief_core::audit). Triggers refuse
-- every UPDATE and DELETE, so the store cannot rewrite history by mistake;
-- someone with the database owner's rights can still drop them, which is
-- what `debrief audit verify` is for.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log (actor);

-- One row that every append locks (SELECT … FOR UPDATE) before reading the
-- last hash, so concurrent appends from several instances form one chain.
CREATE TABLE audit_chain_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
