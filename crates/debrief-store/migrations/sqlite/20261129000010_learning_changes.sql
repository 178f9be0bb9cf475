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

ALTER TABLE learning_version ADD COLUMN settings_version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE learning_changes (
    incident_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE INDEX learning_changes_version ON learning_changes (version);

DROP TRIGGER learning_incidents_insert;
CREATE TRIGGER learning_incidents_insert AFTER INSERT ON incidents BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_incidents_update;
CREATE TRIGGER learning_incidents_update AFTER UPDATE ON incidents BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_incidents_delete;
CREATE TRIGGER learning_incidents_delete AFTER DELETE ON incidents BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (OLD.id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_reviews_insert;
CREATE TRIGGER learning_reviews_insert AFTER INSERT ON reviews BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_reviews_update;
CREATE TRIGGER learning_reviews_update AFTER UPDATE ON reviews BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_reviews_delete;
CREATE TRIGGER learning_reviews_delete AFTER DELETE ON reviews BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (OLD.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_actions_insert;
CREATE TRIGGER learning_actions_insert AFTER INSERT ON actions BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_actions_update;
CREATE TRIGGER learning_actions_update AFTER UPDATE ON actions BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_actions_delete;
CREATE TRIGGER learning_actions_delete AFTER DELETE ON actions BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (OLD.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_workshops_insert;
CREATE TRIGGER learning_workshops_insert AFTER INSERT ON workshops BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_workshops_update;
CREATE TRIGGER learning_workshops_update AFTER UPDATE ON workshops BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_workshops_delete;
CREATE TRIGGER learning_workshops_delete AFTER DELETE ON workshops BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (OLD.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_lesson_links_insert;
CREATE TRIGGER learning_lesson_links_insert AFTER INSERT ON lesson_links BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_lesson_links_update;
CREATE TRIGGER learning_lesson_links_update AFTER UPDATE ON lesson_links BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (NEW.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_lesson_links_delete;
CREATE TRIGGER learning_lesson_links_delete AFTER DELETE ON lesson_links BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
    INSERT INTO learning_changes (incident_id, version)
        VALUES (OLD.incident_id, (SELECT version FROM learning_version WHERE id = 1))
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version;
END;

DROP TRIGGER learning_holidays_insert;
CREATE TRIGGER learning_holidays_insert AFTER INSERT ON holidays BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

DROP TRIGGER learning_holidays_update;
CREATE TRIGGER learning_holidays_update AFTER UPDATE ON holidays BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

DROP TRIGGER learning_holidays_delete;
CREATE TRIGGER learning_holidays_delete AFTER DELETE ON holidays BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

DROP TRIGGER learning_workshop_policy_insert;
CREATE TRIGGER learning_workshop_policy_insert AFTER INSERT ON workshop_policy BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

DROP TRIGGER learning_workshop_policy_update;
CREATE TRIGGER learning_workshop_policy_update AFTER UPDATE ON workshop_policy BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

DROP TRIGGER learning_workshop_policy_delete;
CREATE TRIGGER learning_workshop_policy_delete AFTER DELETE ON workshop_policy BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

DROP TRIGGER learning_exchange_rates_insert;
CREATE TRIGGER learning_exchange_rates_insert AFTER INSERT ON exchange_rates BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

DROP TRIGGER learning_exchange_rates_update;
CREATE TRIGGER learning_exchange_rates_update AFTER UPDATE ON exchange_rates BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

DROP TRIGGER learning_exchange_rates_delete;
CREATE TRIGGER learning_exchange_rates_delete AFTER DELETE ON exchange_rates BEGIN
    UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
END;

-- Caches built before this migration start again from scratch.
UPDATE learning_version SET version = version + 1, settings_version = version + 1 WHERE id = 1;
