-- 0016: device ids shared by several SyncML clients (issue 17): Outlook
-- installs all call themselves sc-pim-outlook, cloned phones exist. One row
-- per device id found shared, for `device list` and the log: how many
-- clients (DevInf fingerprints) were seen, what was seen last, and the
-- partnerships (device ids of their own, space-separated) given to clients
-- other than the first.
CREATE TABLE shared_devices (
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id  TEXT    NOT NULL,
	clients    INTEGER NOT NULL,
	detail     TEXT    NOT NULL,
	partners   TEXT    NOT NULL,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	PRIMARY KEY (user_id, device_id)
) STRICT;
