-- 0006: a device's default charset, for 8-bit vCard 2.1 / vCalendar 1.0 /
-- vNote data that declares none (issue 4). '' means: UTF-8 when valid,
-- else windows-1252.
ALTER TABLE devices ADD COLUMN charset TEXT NOT NULL DEFAULT '';
