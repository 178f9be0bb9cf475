-- Which incidents changed, so a server's KPI facts cache re-reads only
-- those (PRODUCT.md §9; `cargo xtask bench learning` at 100,000 incidents:
-- rebuilding every incident's facts after each write took seconds).
--
-- Every write to a table the facts come from bumps the data version and,
-- in the same transaction, records the incident it touched with that
-- version (one row per incident, the latest version wins). A cache that
-- holds version V reads `learning_changes WHERE version > V` and refreshes
-- those incidents only. Changes that concern every incident (holidays, the
-- workshop policy, exchange rates) also move `settings_version`, which
-- makes the cache rebuild in full. Lesson links record their incident for
-- the unhomed-lessons cache.

ALTER TABLE learning_version ADD COLUMN settings_version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE learning_changes (
    incident_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE INDEX learning_changes_version ON learning_changes (version);

-- Row by row: the version a change gets is the one its transaction holds
-- (the row lock on learning_version orders writers by commit).
CREATE FUNCTION debrief_learning_change() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    v BIGINT;
    incident TEXT;
BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
    IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME = 'incidents' THEN incident := OLD.id; ELSE incident := OLD.incident_id; END IF;
    ELSE
        IF TG_TABLE_NAME = 'incidents' THEN incident := NEW.id; ELSE incident := NEW.incident_id; END IF;
    END IF;
    INSERT INTO learning_changes (incident_id, version) VALUES (incident, v)
        ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$;

CREATE FUNCTION debrief_learning_settings() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

DROP TRIGGER learning_incidents ON incidents;
CREATE TRIGGER learning_incidents AFTER INSERT OR UPDATE OR DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION debrief_learning_change();

DROP TRIGGER learning_reviews ON reviews;
CREATE TRIGGER learning_reviews AFTER INSERT OR UPDATE OR DELETE ON reviews
    FOR EACH ROW EXECUTE FUNCTION debrief_learning_change();

DROP TRIGGER learning_actions ON actions;
CREATE TRIGGER learning_actions AFTER INSERT OR UPDATE OR DELETE ON actions
    FOR EACH ROW EXECUTE FUNCTION debrief_learning_change();

DROP TRIGGER learning_workshops ON workshops;
CREATE TRIGGER learning_workshops AFTER INSERT OR UPDATE OR DELETE ON workshops
    FOR EACH ROW EXECUTE FUNCTION debrief_learning_change();

DROP TRIGGER learning_lesson_links ON lesson_links;
CREATE TRIGGER learning_lesson_links AFTER INSERT OR UPDATE OR DELETE ON lesson_links
    FOR EACH ROW EXECUTE FUNCTION debrief_learning_change();

DROP TRIGGER learning_holidays ON holidays;
CREATE TRIGGER learning_holidays AFTER INSERT OR UPDATE OR DELETE ON holidays
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_settings();

DROP TRIGGER learning_workshop_policy ON workshop_policy;
CREATE TRIGGER learning_workshop_policy AFTER INSERT OR UPDATE OR DELETE ON workshop_policy
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_settings();

DROP TRIGGER learning_exchange_rates ON exchange_rates;
CREATE TRIGGER learning_exchange_rates AFTER INSERT OR UPDATE OR DELETE ON exchange_rates
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_settings();

-- Caches built before this migration start again from scratch.
UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
