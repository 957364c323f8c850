-- 0015: the mass-deletion guard (issue 20). A device session that would
-- delete more than a threshold of a datastore leaves its deletes held here
-- for the owner to accept or reject; nothing is written to the items until
-- then. hold_settings overrides the server's threshold for one user.
CREATE TABLE holds (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	datastore  TEXT    NOT NULL,
	device_id  TEXT    NOT NULL,
	state      TEXT    NOT NULL CHECK (state IN ('open', 'accepted', 'rejected', 'returned')),
	items      INTEGER NOT NULL,
	live       INTEGER NOT NULL,
	seq        INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	decided_at INTEGER
) STRICT;
CREATE INDEX holds_partner ON holds (user_id, device_id, datastore, state);
CREATE TABLE held_deletes (
	hold_id INTEGER NOT NULL REFERENCES holds (id) ON DELETE CASCADE,
	guid    TEXT    NOT NULL,
	luid    TEXT    NOT NULL,
	PRIMARY KEY (hold_id, guid)
) STRICT;
CREATE INDEX held_deletes_guid ON held_deletes (guid);
CREATE TABLE hold_settings (
	user_id   INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	percent   INTEGER NOT NULL,
	min_items INTEGER NOT NULL
) STRICT;
