-- 0018: items set aside for one device (issue 16, loop detection). A
-- device that keeps refusing one server change (it asks again with the
-- same ActiveSync SyncKey, down to a window of one item) no longer gets
-- that version of the item; the item itself stays on the server. A new
-- version of it is sent again. Forgotten with the device.
CREATE TABLE set_aside (
	user_id   INTEGER NOT NULL,
	device_id TEXT    NOT NULL,
	datastore TEXT    NOT NULL,
	guid      TEXT    NOT NULL,
	seq       INTEGER NOT NULL, -- the item's sequence when it was set aside
	reason    TEXT    NOT NULL,
	set_at    INTEGER NOT NULL,
	PRIMARY KEY (user_id, device_id, datastore, guid),
	FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
) STRICT;
