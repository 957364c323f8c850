-- 0021: the server's Adds a one-way sync from the server sent again after
-- holding them back once (unacked_adds.deferred): a device killed before
-- its Map may hold the item twice, the older copy under a LUID the server
-- never learned. Its next sync in which it sends that copy as new finds
-- it here (version: the one first sent, the base of an edit) and deletes
-- it on the device instead of adding a second item. pending_luid: the
-- older copy came in a sync in which the server sends nothing (one-way or
-- refresh from the device); its Delete goes in the device's next sync in
-- which the server sends its changes ('' for none). pending_newer_luid:
-- the same for the newer copy (mapped) of an item deleted since, sent
-- back unchanged in such a sync: the deletion goes to it then.
CREATE TABLE resent_adds (
	user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT    NOT NULL,
	datastore TEXT    NOT NULL,
	guid      TEXT    NOT NULL,
	version   INTEGER NOT NULL,
	pending_luid TEXT NOT NULL DEFAULT '',
	pending_newer_luid TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, device_id, datastore, guid)
) STRICT;
