-- 0009: the server's Adds a device has not mapped yet (issue 8). A device
-- killed before its Map holds the items under LUIDs the server never
-- learns and sends them back as new; when it edited one first, its
-- identifiers (UID, e-mail, phone; SUMMARY+DTSTART) still pair it with the
-- item that was sent. One row per GUID and identifier ('' when none);
-- deferred: a one-way sync from the server did not send it again, once.
CREATE TABLE unacked_adds (
	user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT    NOT NULL,
	datastore TEXT    NOT NULL,
	guid      TEXT    NOT NULL,
	ident     TEXT    NOT NULL DEFAULT '',
	version   INTEGER NOT NULL,
	seq       INTEGER NOT NULL,
	session   TEXT    NOT NULL DEFAULT '',
	sent_at   INTEGER NOT NULL,
	deferred  INTEGER NOT NULL DEFAULT 0 CHECK (deferred IN (0, 1)),
	PRIMARY KEY (user_id, device_id, datastore, guid, ident)
) STRICT;
CREATE INDEX unacked_adds_ident ON unacked_adds (user_id, device_id, datastore, ident);
