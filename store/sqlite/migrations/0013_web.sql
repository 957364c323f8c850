-- 0013: the web interface (issue 19). Users get an admin flag (the admin
-- pages) and a disabled flag (no sync, no web login). Web sessions live in
-- the database so that any server process can serve a logged-in browser;
-- id_hash is the SHA-256 of the cookie value, so a copy of the database
-- does not hold usable cookies.
ALTER TABLE users ADD COLUMN admin    INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1));
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
CREATE TABLE web_sessions (
	id_hash    BLOB    NOT NULL PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf       TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);
CREATE INDEX web_sessions_created_at ON web_sessions (created_at);
