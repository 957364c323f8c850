-- 0024: the ClientIds of an ActiveSync device's Adds, per folder (see the
-- SQLite migration): a re-sent Add gets the ServerId it got first.
CREATE TABLE eas_client_ids (
	user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT COLLATE "C" NOT NULL,
	folder    TEXT COLLATE "C" NOT NULL,
	client_id TEXT COLLATE "C" NOT NULL,
	server_id TEXT COLLATE "C" NOT NULL,
	sum       TEXT COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, device_id, folder, client_id)
);
