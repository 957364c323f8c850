-- 0005: a session's last reply, kept to answer a retransmitted message.
ALTER TABLE sessions ADD COLUMN last_response BYTEA;
