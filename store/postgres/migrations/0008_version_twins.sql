-- 0008: find earlier versions by UID and match key (issue 8).
CREATE INDEX item_versions_uid ON item_versions (datastore_id, uid) WHERE uid <> '';
CREATE INDEX item_versions_match_key ON item_versions (datastore_id, match_key) WHERE match_key <> '';
