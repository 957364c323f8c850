-- 0003: leases that serialise sessions per user datastore. A lease past
-- expires_at is free: another node takes it over.
CREATE TABLE datastore_leases (
	user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	datastore   TEXT COLLATE "C" NOT NULL,
	session_key TEXT COLLATE "C" NOT NULL,
	expires_at  BIGINT NOT NULL,
	PRIMARY KEY (user_id, datastore)
);
CREATE INDEX datastore_leases_session ON datastore_leases (session_key);
