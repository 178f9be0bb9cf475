-- The version of the data the KPIs are computed from (PRODUCT.md §9): one
-- counter bumped by triggers in the same transaction as every write to the
-- tables KPIs read. A server caches KPI inputs under the version it read and
-- re-reads when the version moved, so every instance is current after any
-- instance's (or the CLI's) write, and a rolled-back write changes nothing.

CREATE TABLE learning_version (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO learning_version (id, version) VALUES (1, 1);

CREATE TRIGGER learning_incidents_insert AFTER INSERT ON incidents BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_incidents_update AFTER UPDATE ON incidents BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_incidents_delete AFTER DELETE ON incidents BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_reviews_insert AFTER INSERT ON reviews BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_reviews_update AFTER UPDATE ON reviews BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_reviews_delete AFTER DELETE ON reviews BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_actions_insert AFTER INSERT ON actions BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_actions_update AFTER UPDATE ON actions BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_actions_delete AFTER DELETE ON actions BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_workshops_insert AFTER INSERT ON workshops BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_workshops_update AFTER UPDATE ON workshops BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_workshops_delete AFTER DELETE ON workshops BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_holidays_insert AFTER INSERT ON holidays BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_holidays_update AFTER UPDATE ON holidays BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_holidays_delete AFTER DELETE ON holidays BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_workshop_policy_insert AFTER INSERT ON workshop_policy BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_workshop_policy_update AFTER UPDATE ON workshop_policy BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_workshop_policy_delete AFTER DELETE ON workshop_policy BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_exchange_rates_insert AFTER INSERT ON exchange_rates BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_exchange_rates_update AFTER UPDATE ON exchange_rates BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER learning_exchange_rates_delete AFTER DELETE ON exchange_rates BEGIN
    UPDATE learning_version SET version = version + 1 WHERE id = 1;
END;
