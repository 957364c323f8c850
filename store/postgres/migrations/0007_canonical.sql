-- 0007: each version's canonical form, when it differs from the data.
ALTER TABLE item_versions ADD COLUMN canonical_type TEXT NOT NULL DEFAULT '';
ALTER TABLE item_versions ADD COLUMN canonical BYTEA;
