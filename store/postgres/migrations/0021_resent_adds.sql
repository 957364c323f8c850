-- 0021: the server's Adds a one-way sync from the server sent again after
-- holding them back once (see the SQLite migration).
CREATE TABLE resent_adds (
	user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT COLLATE "C" NOT NULL,
	datastore TEXT COLLATE "C" NOT NULL,
	guid      TEXT COLLATE "C" NOT NULL,
	version   BIGINT NOT NULL,
	pending_luid TEXT COLLATE "C" NOT NULL DEFAULT '',
	pending_newer_luid TEXT COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, device_id, datastore, guid)
);
