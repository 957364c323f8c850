-- 0007: each version's canonical form (issue 4): vCard 3.0, iCalendar 2.0
-- or UTF-8 text, what comparison, merge and export read. Stored only when
-- it differs from the data as received (vCard 2.1, vCalendar 1.0, vNote,
-- SIF...); '' / NULL mean the received data is already canonical.
ALTER TABLE item_versions ADD COLUMN canonical_type TEXT NOT NULL DEFAULT '';
ALTER TABLE item_versions ADD COLUMN canonical BLOB;
