-- Full-text search (PRODUCT.md §9) over incidents, timeline events, reviews
-- (every free text of the document: summary, narrative, answers, causes and
-- their whys, assessments, gaps, observations, lessons, recommendations) and
-- actions. `search_docs` names what each indexed row is; `search_fts` (FTS5,
-- Porter stemming) holds its text under the same rowid. Triggers keep both
-- in step with every write, inside the writing transaction, so a rollback
-- leaves the index as it was and every server instance sees the same index.

CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    -- incident | event | review | action
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    CONSTRAINT search_docs_source_unique UNIQUE (source, source_id)
);
CREATE INDEX search_docs_incident ON search_docs (incident_id);

CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Incidents: key and title weigh most; summary, services and tags.
CREATE TRIGGER search_incident_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO search_docs (source, source_id, incident_id) VALUES ('incident', NEW.id, NEW.id);
    INSERT INTO search_fts (rowid, title, body) VALUES (
        (SELECT id FROM search_docs WHERE source = 'incident' AND source_id = NEW.id),
        NEW.key || ' ' || NEW.title,
        NEW.summary || ' ' || NEW.services || ' ' || NEW.tags);
END;
CREATE TRIGGER search_incident_update AFTER UPDATE OF key, title, summary, services, tags ON incidents BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source = 'incident' AND source_id = NEW.id);
    INSERT INTO search_fts (rowid, title, body) VALUES (
        (SELECT id FROM search_docs WHERE source = 'incident' AND source_id = NEW.id),
        NEW.key || ' ' || NEW.title,
        NEW.summary || ' ' || NEW.services || ' ' || NEW.tags);
END;
CREATE TRIGGER search_incident_delete AFTER DELETE ON incidents BEGIN
    DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE incident_id = OLD.id);
    DELETE FROM search_docs WHERE incident_id = OLD.id;
END;

CREATE TRIGGER search_event_insert AFTER INSERT ON timeline_events BEGIN
    INSERT INTO search_docs (source, source_id, incident_id) VALUES ('event', NEW.id, NEW.incident_id);
    INSERT INTO search_fts (rowid, title, body) VALUES (
        (SELECT id FROM search_docs WHERE source = 'event' AND source_id = NEW.id),
        '', NEW.text || ' ' || COALESCE(NEW.actor, ''));
END;
CREATE TRIGGER search_event_update AFTER UPDATE OF text, actor ON timeline_events BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source = 'event' AND source_id = NEW.id);
    INSERT INTO search_fts (rowid, title, body) VALUES (
        (SELECT id FROM search_docs WHERE source = 'event' AND source_id = NEW.id),
        '', NEW.text || ' ' || COALESCE(NEW.actor, ''));
END;
CREATE TRIGGER search_event_delete AFTER DELETE ON timeline_events BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source = 'event' AND source_id = OLD.id);
    DELETE FROM search_docs WHERE source = 'event' AND source_id = OLD.id;
END;

-- Reviews: the string values under the keys that hold people's text.
CREATE TRIGGER search_review_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO search_docs (source, source_id, incident_id) VALUES ('review', NEW.incident_id, NEW.incident_id);
    INSERT INTO search_fts (rowid, title, body) VALUES (
        (SELECT id FROM search_docs WHERE source = 'review' AND source_id = NEW.incident_id),
        '',
        COALESCE((SELECT group_concat(value, ' ') FROM json_tree(NEW.document)
                  WHERE type = 'text' AND key IN ('text', 'statement', 'why', 'because',
                        'description', 'went_well', 'to_improve', 'note')), ''));
END;
CREATE TRIGGER search_review_update AFTER UPDATE OF document ON reviews BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source = 'review' AND source_id = NEW.incident_id);
    INSERT INTO search_fts (rowid, title, body) VALUES (
        (SELECT id FROM search_docs WHERE source = 'review' AND source_id = NEW.incident_id),
        '',
        COALESCE((SELECT group_concat(value, ' ') FROM json_tree(NEW.document)
                  WHERE type = 'text' AND key IN ('text', 'statement', 'why', 'because',
                        'description', 'went_well', 'to_improve', 'note')), ''));
END;
CREATE TRIGGER search_review_delete AFTER DELETE ON reviews BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source = 'review' AND source_id = OLD.incident_id);
    DELETE FROM search_docs WHERE source = 'review' AND source_id = OLD.incident_id;
END;

CREATE TRIGGER search_action_insert AFTER INSERT ON actions BEGIN
    INSERT INTO search_docs (source, source_id, incident_id) VALUES ('action', NEW.id, NEW.incident_id);
    INSERT INTO search_fts (rowid, title, body) VALUES (
        (SELECT id FROM search_docs WHERE source = 'action' AND source_id = NEW.id),
        NEW.title, NEW.description);
END;
CREATE TRIGGER search_action_update AFTER UPDATE OF title, description ON actions BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source = 'action' AND source_id = NEW.id);
    INSERT INTO search_fts (rowid, title, body) VALUES (
        (SELECT id FROM search_docs WHERE source = 'action' AND source_id = NEW.id),
        NEW.title, NEW.description);
END;
CREATE TRIGGER search_action_delete AFTER DELETE ON actions BEGIN
    DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE source = 'action' AND source_id = OLD.id);
    DELETE FROM search_docs WHERE source = 'action' AND source_id = OLD.id;
END;

-- Index what existed before this migration.
INSERT INTO search_docs (source, source_id, incident_id) SELECT 'incident', id, id FROM incidents;
INSERT INTO search_docs (source, source_id, incident_id) SELECT 'event', id, incident_id FROM timeline_events;
INSERT INTO search_docs (source, source_id, incident_id) SELECT 'review', incident_id, incident_id FROM reviews;
INSERT INTO search_docs (source, source_id, incident_id) SELECT 'action', id, incident_id FROM actions;
INSERT INTO search_fts (rowid, title, body)
    SELECT d.id, i.key || ' ' || i.title, i.summary || ' ' || i.services || ' ' || i.tags
    FROM search_docs d JOIN incidents i ON d.source = 'incident' AND i.id = d.source_id;
INSERT INTO search_fts (rowid, title, body)
    SELECT d.id, '', e.text || ' ' || COALESCE(e.actor, '')
    FROM search_docs d JOIN timeline_events e ON d.source = 'event' AND e.id = d.source_id;
INSERT INTO search_fts (rowid, title, body)
    SELECT d.id, '', COALESCE((SELECT group_concat(value, ' ') FROM json_tree(r.document)
        WHERE type = 'text' AND key IN ('text', 'statement', 'why', 'because',
              'description', 'went_well', 'to_improve', 'note')), '')
    FROM search_docs d JOIN reviews r ON d.source = 'review' AND r.incident_id = d.source_id;
INSERT INTO search_fts (rowid, title, body)
    SELECT d.id, a.title, a.description
    FROM search_docs d JOIN actions a ON d.source = 'action' AND a.id = d.source_id;

-- Incidents are placed in a period by when they were detected (else
-- started, else recorded); KPIs and search filter on it.
CREATE INDEX incidents_period ON incidents (COALESCE(detected_us, started_us, created_us));
