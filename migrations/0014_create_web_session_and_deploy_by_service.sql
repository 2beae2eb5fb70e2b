-- Sign-in sessions of the web pages: a read token given once on the login page becomes a random session
-- secret in an HttpOnly cookie. Only the secret's SHA-256 is kept; a session ends when it expires, at logout,
-- or when its token is revoked (the lookup joins the token). Access control, not release history: not logged.
CREATE TABLE web_session (
    session_hash BLOB PRIMARY KEY NOT NULL CHECK (length(session_hash) = 32),
    token_name   TEXT NOT NULL REFERENCES api_token (name),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ended_at     TEXT
) WITHOUT ROWID;
CREATE INDEX web_session_by_token ON web_session (token_name);

-- A service's deploy history across environments, newest first (the web pages' service timeline).
CREATE INDEX deploy_by_service ON deploy (service, id);
