-- 0005: a session's last reply (kept to answer a retransmitted message
-- again) in a column of its own, so that the session's JSON state stays
-- small and the reply is never re-encoded. NULL: none kept (or, for a row
-- written before this migration, kept inside the state).
ALTER TABLE sessions ADD COLUMN last_response BLOB;
