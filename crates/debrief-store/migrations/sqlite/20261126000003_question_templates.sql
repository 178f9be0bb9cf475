-- Question templates an organisation edits (PRODUCT.md §4.9). The built-in
-- NIST SP 800-61r2 template lives in code; a stored template with the same id
-- replaces it. `questions` is a JSON array of {"id", "text"}.
CREATE TABLE question_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    questions TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);
