-- 0002: the archive: history by time, and retention settings.

-- History lists versions by time (and change sequence within one instant);
-- the partial index serves "deleted only" without reading content rows.
CREATE INDEX item_versions_time ON item_versions (datastore_id, created_at, seq);
CREATE INDEX item_versions_deleted_time ON item_versions (datastore_id, created_at, seq) WHERE deleted = 1;

-- How much history to keep (see store.Retention). user_id 0 holds the
-- server-wide default; a user's own row overrides it. 0 in a column means
-- no limit of that kind.
CREATE TABLE retention (
	user_id       INTEGER NOT NULL PRIMARY KEY,
	keep_versions INTEGER NOT NULL DEFAULT 0 CHECK (keep_versions >= 0),
	keep_days     INTEGER NOT NULL DEFAULT 0 CHECK (keep_days >= 0),
	updated_at    INTEGER NOT NULL
) STRICT;
