-- Settings the organisation edits as a whole document, one row per name
-- (the blameless-language rules, …), versioned like every other write.
CREATE TABLE org_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);
