-- 0006: a device's default charset for 8-bit data that declares none.
ALTER TABLE devices ADD COLUMN charset TEXT NOT NULL DEFAULT '';
