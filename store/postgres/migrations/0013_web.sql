-- 0013: the web interface (issue 19), as store/sqlite's 0013. Users get an
-- admin flag (the admin pages) and a disabled flag (no sync, no web login).
-- Web sessions live in the database so that any server process can serve a
-- logged-in browser; id_hash is the SHA-256 of the cookie value, so a copy
-- of the database does not hold usable cookies.
ALTER TABLE users ADD COLUMN admin    BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;
CREATE TABLE web_sessions (
	id_hash    BYTEA  NOT NULL PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf       TEXT   NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);
CREATE INDEX web_sessions_created_at ON web_sessions (created_at);
