-- 0017: a device's sessions by recency, so that a session resuming an
-- interrupted one (OMA DS 1.2 Alert 225) finds it without a scan.
CREATE INDEX sessions_device ON sessions (user_id, device_id, updated_at);
