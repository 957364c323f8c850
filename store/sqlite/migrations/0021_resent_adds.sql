-- 0021: the server's Adds a one-way sync from the server sent again after
-- holding them back once (unacked_adds.deferred): a device killed before
-- its Map may hold the item twice, the older copy under a LUID the server
-- never learned. Its next sync in which it sends that copy as new finds
-- it here (version: the one first sent, the base of an edit) and deletes
-- it on the device instead of adding a second item.
CREATE TABLE resent_adds (
	user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT    NOT NULL,
	datastore TEXT    NOT NULL,
	guid      TEXT    NOT NULL,
	version   INTEGER NOT NULL,
	PRIMARY KEY (user_id, device_id, datastore, guid)
) STRICT;
