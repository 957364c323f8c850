-- 0008: find earlier versions by UID and match key (issue 8): a device
-- that lost the mapping of an item the server sent it (killed before its
-- Map) sends that item back as new; if another device changed or deleted
-- it meanwhile, only an earlier version still matches.
CREATE INDEX item_versions_uid ON item_versions (datastore_id, uid) WHERE uid <> '';
CREATE INDEX item_versions_match_key ON item_versions (datastore_id, match_key) WHERE match_key <> '';
