-- Full-text search (PRODUCT.md §9) over incidents, timeline events, reviews
-- (every free text of the document: summary, narrative, answers, causes and
-- their whys, assessments, gaps, observations, lessons, recommendations) and
-- actions. `search_docs` holds each indexed row's text and a weighted
-- `tsvector` (English stemming; title A, body B) under a GIN index.
-- Triggers keep it in step with every write, inside the writing
-- transaction, so a rollback leaves the index as it was and every server
-- instance sees the same index.

CREATE TABLE search_docs (
    id BIGSERIAL PRIMARY KEY,
    -- incident | event | review | action
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
    ) STORED,
    CONSTRAINT search_docs_source_unique UNIQUE (source, source_id)
);
CREATE INDEX search_docs_incident ON search_docs (incident_id);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);

CREATE FUNCTION debrief_review_text(document TEXT) RETURNS TEXT
LANGUAGE SQL IMMUTABLE AS $$
    SELECT COALESCE(string_agg(v #>> '{}', ' '), '')
    FROM (
        SELECT jsonb_path_query(document::jsonb, 'strict $.**.text') AS v
        UNION ALL SELECT jsonb_path_query(document::jsonb, 'strict $.**.statement')
        UNION ALL SELECT jsonb_path_query(document::jsonb, 'strict $.**.why')
        UNION ALL SELECT jsonb_path_query(document::jsonb, 'strict $.**.because')
        UNION ALL SELECT jsonb_path_query(document::jsonb, 'strict $.**.description')
        UNION ALL SELECT jsonb_path_query(document::jsonb, 'strict $.**.went_well')
        UNION ALL SELECT jsonb_path_query(document::jsonb, 'strict $.**.to_improve')
        UNION ALL SELECT jsonb_path_query(document::jsonb, 'strict $.**.note')
    ) s
    WHERE jsonb_typeof(v) = 'string'
$$;

CREATE FUNCTION debrief_search_upsert(p_source TEXT, p_id TEXT, p_incident TEXT, p_title TEXT, p_body TEXT)
RETURNS VOID LANGUAGE SQL AS $$
    INSERT INTO search_docs (source, source_id, incident_id, title, body)
    VALUES (p_source, p_id, p_incident, p_title, p_body)
    ON CONFLICT (source, source_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body
$$;

CREATE FUNCTION debrief_search_index() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME = 'incidents' THEN
            DELETE FROM search_docs WHERE incident_id = OLD.id;
        ELSIF TG_TABLE_NAME = 'reviews' THEN
            DELETE FROM search_docs WHERE source = 'review' AND source_id = OLD.incident_id;
        ELSIF TG_TABLE_NAME = 'timeline_events' THEN
            DELETE FROM search_docs WHERE source = 'event' AND source_id = OLD.id;
        ELSE
            DELETE FROM search_docs WHERE source = 'action' AND source_id = OLD.id;
        END IF;
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'incidents' THEN
        PERFORM debrief_search_upsert('incident', NEW.id, NEW.id, NEW.key || ' ' || NEW.title,
            NEW.summary || ' ' || NEW.services || ' ' || NEW.tags);
    ELSIF TG_TABLE_NAME = 'timeline_events' THEN
        PERFORM debrief_search_upsert('event', NEW.id, NEW.incident_id, '',
            NEW.text || ' ' || COALESCE(NEW.actor, ''));
    ELSIF TG_TABLE_NAME = 'reviews' THEN
        PERFORM debrief_search_upsert('review', NEW.incident_id, NEW.incident_id, '',
            debrief_review_text(NEW.document));
    ELSE
        PERFORM debrief_search_upsert('action', NEW.id, NEW.incident_id, NEW.title, NEW.description);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER search_incident AFTER INSERT OR DELETE OR UPDATE OF key, title, summary, services, tags
    ON incidents FOR EACH ROW EXECUTE FUNCTION debrief_search_index();
CREATE TRIGGER search_event AFTER INSERT OR DELETE OR UPDATE OF text, actor
    ON timeline_events FOR EACH ROW EXECUTE FUNCTION debrief_search_index();
CREATE TRIGGER search_review AFTER INSERT OR DELETE OR UPDATE OF document
    ON reviews FOR EACH ROW EXECUTE FUNCTION debrief_search_index();
CREATE TRIGGER search_action AFTER INSERT OR DELETE OR UPDATE OF title, description
    ON actions FOR EACH ROW EXECUTE FUNCTION debrief_search_index();

-- Index what existed before this migration.
INSERT INTO search_docs (source, source_id, incident_id, title, body)
    SELECT 'incident', id, id, key || ' ' || title, summary || ' ' || services || ' ' || tags FROM incidents;
INSERT INTO search_docs (source, source_id, incident_id, title, body)
    SELECT 'event', id, incident_id, '', text || ' ' || COALESCE(actor, '') FROM timeline_events;
INSERT INTO search_docs (source, source_id, incident_id, title, body)
    SELECT 'review', incident_id, incident_id, '', debrief_review_text(document) FROM reviews;
INSERT INTO search_docs (source, source_id, incident_id, title, body)
    SELECT 'action', id, incident_id, title, description FROM actions;

-- Incidents are placed in a period by when they were detected (else
-- started, else recorded); KPIs and search filter on it.
CREATE INDEX incidents_period ON incidents ((COALESCE(detected_us, started_us, created_us)));
