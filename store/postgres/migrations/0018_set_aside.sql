-- 0018: items set aside for one device (issue 16, loop detection), as
-- store/sqlite's 0018. A device that keeps refusing one server change no
-- longer gets that version of the item; the item stays on the server. A
-- new version of it is sent again. Forgotten with the device.
CREATE TABLE set_aside (
	user_id   BIGINT NOT NULL,
	device_id TEXT COLLATE "C" NOT NULL,
	datastore TEXT COLLATE "C" NOT NULL,
	guid      TEXT COLLATE "C" NOT NULL,
	seq       BIGINT NOT NULL,
	reason    TEXT   NOT NULL,
	set_at    BIGINT NOT NULL,
	PRIMARY KEY (user_id, device_id, datastore, guid),
	FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
