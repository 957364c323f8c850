-- 0020: failed logins counted for every node on this database, so that
-- password guesses spread over several nodes are throttled together
-- (protocol/engine's login throttle). key is a user at a client address
-- (bytes: the engine joins the two with a NUL);
-- last_at (Unix nanoseconds) ends the window: a failure more than the
-- window after it starts the count again.
CREATE TABLE login_failures (
	key     BYTEA   PRIMARY KEY,
	count   INTEGER NOT NULL,
	last_at BIGINT  NOT NULL
);
CREATE INDEX login_failures_last ON login_failures (last_at);
