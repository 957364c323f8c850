-- 0004: conflict settings (issue 6).
CREATE TABLE conflict_settings (
	user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	datastore   TEXT COLLATE "C" NOT NULL DEFAULT '',
	policy      TEXT    NOT NULL,
	delete_wins BOOLEAN NOT NULL DEFAULT false,
	updated_at  BIGINT  NOT NULL,
	PRIMARY KEY (user_id, datastore)
);
