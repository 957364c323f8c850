-- 0009: the server's Adds a device has not mapped yet (issue 8).
CREATE TABLE unacked_adds (
	user_id   BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT COLLATE "C" NOT NULL,
	datastore TEXT COLLATE "C" NOT NULL,
	guid      TEXT COLLATE "C" NOT NULL,
	ident     TEXT COLLATE "C" NOT NULL DEFAULT '',
	version   BIGINT  NOT NULL,
	seq       BIGINT  NOT NULL,
	session   TEXT COLLATE "C" NOT NULL DEFAULT '',
	sent_at   BIGINT  NOT NULL,
	deferred  BOOLEAN NOT NULL DEFAULT false,
	PRIMARY KEY (user_id, device_id, datastore, guid, ident)
);
CREATE INDEX unacked_adds_ident ON unacked_adds (user_id, device_id, datastore, ident);
