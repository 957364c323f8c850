-- 0014: remote wipe of a device (issue 17). pending: asked by the admin,
-- sent with every Provision until the device acknowledges; acknowledged:
-- the device reported the wipe; done: the wiped device came back and was
-- refused. account_only: remove only this account from the device
-- (AccountOnlyRemoteWipe, EAS 16.1). The row goes with `device remove`;
-- no item is ever deleted by a wipe.
ALTER TABLE devices ADD COLUMN wipe_state TEXT NOT NULL DEFAULT ''
	CHECK (wipe_state IN ('', 'pending', 'acknowledged', 'done'));
ALTER TABLE devices ADD COLUMN wipe_account_only INTEGER NOT NULL DEFAULT 0 CHECK (wipe_account_only IN (0, 1));
ALTER TABLE devices ADD COLUMN wipe_requested INTEGER;
ALTER TABLE devices ADD COLUMN wipe_changed INTEGER;
