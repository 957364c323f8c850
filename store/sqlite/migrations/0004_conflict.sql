-- 0004: conflict settings (issue 6). One row per user and datastore, or
-- per user for all datastores when datastore is ''. A missing row means
-- the server's default (serve --conflict).
CREATE TABLE conflict_settings (
	user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	datastore   TEXT    NOT NULL DEFAULT '',
	policy      TEXT    NOT NULL,
	delete_wins INTEGER NOT NULL DEFAULT 0 CHECK (delete_wins IN (0, 1)),
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (user_id, datastore)
) STRICT;
