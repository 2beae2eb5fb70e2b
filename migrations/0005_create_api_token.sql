-- Bearer tokens for the server. Only the SHA-256 of each secret is kept: a copy of this file
-- lets nobody call the API. Tokens are access control, not release history, so they are not logged.
CREATE TABLE api_token (
    token_hash  BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
    name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    scopes      TEXT NOT NULL,          -- space-separated, e.g. 'builds:write read'
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
) WITHOUT ROWID;
