-- 0003: leases that serialise sessions per user datastore.
CREATE TABLE datastore_leases (
	user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	datastore   TEXT    NOT NULL,
	session_key TEXT    NOT NULL,
	expires_at  INTEGER NOT NULL,
	PRIMARY KEY (user_id, datastore)
) STRICT;
CREATE INDEX datastore_leases_session ON datastore_leases (session_key);
