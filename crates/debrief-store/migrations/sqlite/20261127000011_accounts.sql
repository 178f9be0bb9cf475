-- Accounts (PRODUCT.md §11): users with argon2id password hashes, sessions
-- and API tokens stored as SHA-256 hashes of their secrets (the secret
-- itself is never stored), failed sign-ins for rate limiting (in the
-- database so every serve instance counts the same), one-time setup and
-- password-reset links, restricted incidents and their members.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_us INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    last_used_us INTEGER,
    revoked_us INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at_us INTEGER NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at_us);
CREATE INDEX login_failures_address ON login_failures (address, at_us);

-- purpose: 'setup' (the first admin) or 'reset' (a user's new password).
CREATE TABLE one_time_links (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    user_id TEXT,
    expires_us INTEGER NOT NULL,
    used_us INTEGER
);

ALTER TABLE incidents ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;

CREATE TABLE incident_members (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_members_user ON incident_members (user_id);
