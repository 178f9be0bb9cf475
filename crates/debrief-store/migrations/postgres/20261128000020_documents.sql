-- Plans and training (PRODUCT.md §9): the organisation's documents, and the
-- links from a review's lessons (ids inside the review document) to the
-- document change each requires, or "no document change needed" with the
-- reason (document_id NULL). Row versions as everywhere else.

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES people (id),
    document_version TEXT NOT NULL,
    link TEXT NOT NULL,
    status TEXT NOT NULL,
    review_on TEXT,
    version BIGINT NOT NULL,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL
);

CREATE TABLE lesson_links (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    lesson_id TEXT NOT NULL,
    document_id TEXT REFERENCES documents (id),
    change TEXT NOT NULL,
    state TEXT NOT NULL,
    done_version TEXT NOT NULL,
    done_on TEXT,
    version BIGINT NOT NULL,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL
);
CREATE INDEX lesson_links_lesson ON lesson_links (incident_id, lesson_id);
CREATE INDEX lesson_links_document ON lesson_links (document_id);

-- Links change which lessons have a home: the cached list of lessons
-- without one is read again when the learning version moves.
CREATE TRIGGER learning_lesson_links AFTER INSERT OR UPDATE OR DELETE ON lesson_links
    FOR EACH STATEMENT EXECUTE FUNCTION debrief_learning_bump();
