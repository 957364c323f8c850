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
-- The last client anchors of each partnership, newest last, and whether
-- the session that sent each one had been forced into a slow sync: a
-- device whose Last anchor is an older one of its own while the current
-- one came from a forced slow sync has two clients taking turns.
CREATE TABLE client_anchors (
	user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT    NOT NULL,
	datastore TEXT    NOT NULL,
	seq       INTEGER NOT NULL,
	anchor    TEXT    NOT NULL,
	forced    INTEGER NOT NULL,
	PRIMARY KEY (user_id, device_id, datastore, seq)
) STRICT;
