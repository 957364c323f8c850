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
