-- 0002: the archive: history by time, and retention settings.
CREATE INDEX item_versions_time ON item_versions (datastore_id, created_at, seq);
CREATE INDEX item_versions_deleted_time ON item_versions (datastore_id, created_at, seq) WHERE deleted;

CREATE TABLE retention (
	user_id       BIGINT NOT NULL PRIMARY KEY,
	keep_versions BIGINT NOT NULL DEFAULT 0 CHECK (keep_versions >= 0),
	keep_days     BIGINT NOT NULL DEFAULT 0 CHECK (keep_days >= 0),
	updated_at    BIGINT NOT NULL
);
