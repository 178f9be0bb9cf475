-- The version of the data the KPIs are computed from (PRODUCT.md §9): one
-- counter bumped by triggers in the same transaction as every write to the
-- tables KPIs read. A server caches KPI inputs under the version it read and
-- re-reads when the version moved, so every instance is current after any
-- instance's (or the CLI's) write, and a rolled-back write changes nothing.

CREATE TABLE learning_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO learning_version (id, version) VALUES (1, 1);

CREATE FUNCTION debrief_learning_bump() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER learning_incidents AFTER INSERT OR UPDATE OR DELETE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_bump();

CREATE TRIGGER learning_reviews AFTER INSERT OR UPDATE OR DELETE ON reviews
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_bump();

CREATE TRIGGER learning_actions AFTER INSERT OR UPDATE OR DELETE ON actions
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_bump();

CREATE TRIGGER learning_workshops AFTER INSERT OR UPDATE OR DELETE ON workshops
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_bump();

CREATE TRIGGER learning_holidays AFTER INSERT OR UPDATE OR DELETE ON holidays
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_bump();

CREATE TRIGGER learning_workshop_policy AFTER INSERT OR UPDATE OR DELETE ON workshop_policy
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_bump();

CREATE TRIGGER learning_exchange_rates AFTER INSERT OR UPDATE OR DELETE ON exchange_rates
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_bump();
