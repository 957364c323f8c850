-- 0001: the initial Anchorage schema.
--
-- Times are Unix nanoseconds (UTC) in INTEGER columns; NULL means the zero
-- time.Time ("never"). Booleans are 0/1 INTEGERs. Nothing here relies on
-- SQLite-only semantics except STRICT, AUTOINCREMENT and INTEGER PRIMARY KEY
-- as the row id, which map to identity columns in PostgreSQL.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	name          TEXT    NOT NULL UNIQUE,
	password_hash BLOB,                              -- bcrypt
	md5_secret    TEXT    NOT NULL DEFAULT '',       -- b64(md5("name:password")), '' = MD5 auth disabled
	created_at    INTEGER NOT NULL
) STRICT;

-- One change sequence per user datastore ("contacts", "calendar", ...).
-- Created by the first write (or LastSeq in a write transaction).
CREATE TABLE datastores (
	id       INTEGER PRIMARY KEY,
	user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name     TEXT    NOT NULL,
	last_seq INTEGER NOT NULL DEFAULT 0, -- the latest change sequence handed out
	UNIQUE (user_id, name)
) STRICT;

-- Every version of every item, content or tombstone: the archive and the
-- change log in one. Append-only: rows are never updated, and deleted only
-- by retention pruning.
CREATE TABLE item_versions (
	datastore_id INTEGER NOT NULL REFERENCES datastores (id) ON DELETE CASCADE,
	guid         TEXT    NOT NULL,
	version      INTEGER NOT NULL,                           -- 1, 2, ... per item
	seq          INTEGER NOT NULL,                           -- datastore change sequence
	deleted      INTEGER NOT NULL CHECK (deleted IN (0, 1)), -- a tombstone
	content_type TEXT    NOT NULL DEFAULT '',
	data         BLOB,                                       -- NULL for tombstones
	uid          TEXT    NOT NULL DEFAULT '',
	match_key    TEXT    NOT NULL DEFAULT '',
	summary      TEXT    NOT NULL DEFAULT '',
	origin       TEXT    NOT NULL DEFAULT '',                -- device id, "admin", "restore", ...
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (datastore_id, guid, version),
	UNIQUE (datastore_id, seq)
) STRICT;

-- The latest version of each item (live or tombstone), without its content:
-- what Changes, LiveItems and FindTwins search.
CREATE TABLE items (
	datastore_id INTEGER NOT NULL,
	guid         TEXT    NOT NULL,
	version      INTEGER NOT NULL,
	seq          INTEGER NOT NULL,
	deleted      INTEGER NOT NULL CHECK (deleted IN (0, 1)),
	content_type TEXT    NOT NULL DEFAULT '',
	uid          TEXT    NOT NULL DEFAULT '',
	match_key    TEXT    NOT NULL DEFAULT '',
	summary      TEXT    NOT NULL DEFAULT '',
	origin       TEXT    NOT NULL DEFAULT '',
	modified_at  INTEGER NOT NULL,
	PRIMARY KEY (datastore_id, guid),
	FOREIGN KEY (datastore_id, guid, version) REFERENCES item_versions (datastore_id, guid, version)
) STRICT;
CREATE UNIQUE INDEX items_seq ON items (datastore_id, seq);
CREATE INDEX items_uid ON items (datastore_id, uid);
CREATE INDEX items_match_key ON items (datastore_id, match_key);

CREATE TABLE devices (
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id  TEXT    NOT NULL,
	devinf     BLOB,                    -- the device's last DevInf (XML)
	nonce      BLOB,                    -- raw MD5 nonce bytes
	first_seen INTEGER,
	last_seen  INTEGER,
	last_error TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, device_id)
) STRICT;

-- A device's sync state for one datastore.
CREATE TABLE partnerships (
	user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id      TEXT    NOT NULL,
	datastore      TEXT    NOT NULL,
	client_anchor  TEXT    NOT NULL DEFAULT '',
	server_anchor  TEXT    NOT NULL DEFAULT '',
	ack_seq        INTEGER NOT NULL DEFAULT 0,
	last_sync_at   INTEGER,             -- NULL: never completed
	last_sync_mode INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, device_id, datastore)
) STRICT;

-- LUID <-> GUID, one to one within a partnership.
CREATE TABLE mappings (
	user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT    NOT NULL,
	datastore TEXT    NOT NULL,
	luid      TEXT    NOT NULL,
	guid      TEXT    NOT NULL,
	session   TEXT    NOT NULL DEFAULT '', -- the session that last confirmed the mapping
	PRIMARY KEY (user_id, device_id, datastore, luid),
	UNIQUE (user_id, device_id, datastore, guid)
) STRICT;

-- Protocol session state; user_id is 0 until the session is authenticated.
CREATE TABLE sessions (
	key        TEXT    NOT NULL PRIMARY KEY,
	user_id    INTEGER NOT NULL DEFAULT 0,
	device_id  TEXT    NOT NULL DEFAULT '',
	state      BLOB,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_updated_at ON sessions (updated_at);
