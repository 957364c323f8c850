-- 0016: device ids shared by several SyncML clients (issue 17), as
-- store/sqlite's 0016. One row per device id found shared, for `device
-- list` and the log: how many clients (DevInf fingerprints) were seen and
-- what was seen last, and the partnerships (device ids of
-- their own, space-separated) given to clients other than the first.
CREATE TABLE shared_devices (
	user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id  TEXT COLLATE "C" NOT NULL,
	clients    BIGINT NOT NULL,
	detail     TEXT   NOT NULL,
	partners   TEXT   NOT NULL,
	first_seen BIGINT NOT NULL,
	last_seen  BIGINT NOT NULL,
	PRIMARY KEY (user_id, device_id)
);
-- The last client anchors of each partnership, newest last, and whether
-- the session that sent each one had been forced into a slow sync: a
-- device whose Last anchor is an older one of its own while the current
-- one came from a forced slow sync has two clients taking turns.
CREATE TABLE client_anchors (
	user_id   BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT COLLATE "C" NOT NULL,
	datastore TEXT COLLATE "C" NOT NULL,
	seq       BIGINT  NOT NULL,
	anchor    TEXT    NOT NULL,
	forced    BIGINT  NOT NULL,
	PRIMARY KEY (user_id, device_id, datastore, seq)
);
