-- 0025: the LUIDs of the older copies of a resent Add to delete on the
-- device, a row each (see the SQLite migration).
CREATE TABLE resent_older_luids (
	user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT COLLATE "C" NOT NULL,
	datastore TEXT COLLATE "C" NOT NULL,
	guid      TEXT COLLATE "C" NOT NULL,
	luid      TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (user_id, device_id, datastore, guid, luid)
);
INSERT INTO resent_older_luids (user_id, device_id, datastore, guid, luid)
	SELECT user_id, device_id, datastore, guid, pending_luid FROM resent_adds WHERE pending_luid <> '';
ALTER TABLE resent_adds DROP COLUMN pending_luid;
