-- 0024: the ClientIds of an ActiveSync device's Adds, per folder (MS-ASCMD
-- 2.2.3.28.2): an Add sent again with the same ClientId (its answer was
-- lost) gets the ServerId it got first and makes no second item; sum is a
-- digest of the content the Add carried, so that a re-sent Add with other
-- content is taken as a change of that item. One row each rather than a
-- list in the device's state, so that a request reads only the ClientIds
-- it carries and writes only the new ones. A folder's go when it starts
-- again at SyncKey 0; the device's when it is removed.
CREATE TABLE eas_client_ids (
	user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT    NOT NULL,
	folder    TEXT    NOT NULL,
	client_id TEXT    NOT NULL,
	server_id TEXT    NOT NULL,
	sum       TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, device_id, folder, client_id)
) STRICT;
