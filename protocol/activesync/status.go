package activesync

// Typed status codes per command (MS-ASCMD 2.2.3.177). Each command has its
// own type so that a Sync status cannot be written into a FolderSync answer.

// SyncStatus is Sync's Status (MS-ASCMD 2.2.3.177.16).
type SyncStatus int

const (
	SyncOK              SyncStatus = 1
	SyncInvalidKey      SyncStatus = 3
	SyncProtocolError   SyncStatus = 4
	SyncServerError     SyncStatus = 5
	SyncClientError     SyncStatus = 6 // item could not be converted
	SyncConflict        SyncStatus = 7 // server wins
	SyncNotFound        SyncStatus = 8
	SyncHierarchyChange SyncStatus = 12
	SyncIncomplete      SyncStatus = 13
	SyncBadWait         SyncStatus = 14 // Wait/HeartbeatInterval out of bounds; Limit says the bound
	SyncRetry           SyncStatus = 16
)

// FolderSyncStatus is FolderSync's Status (MS-ASCMD 2.2.3.177.5).
type FolderSyncStatus int

const (
	FolderSyncOK          FolderSyncStatus = 1
	FolderSyncServerError FolderSyncStatus = 6
	FolderSyncInvalidKey  FolderSyncStatus = 9
	FolderSyncBadRequest  FolderSyncStatus = 10
)

// EstimateStatus is GetItemEstimate's Status (MS-ASCMD 2.2.3.177.6).
type EstimateStatus int

const (
	EstimateOK                EstimateStatus = 1
	EstimateInvalidCollection EstimateStatus = 2
	EstimateNotPrimed         EstimateStatus = 3 // SyncKey 0: no estimate before the first Sync
	EstimateInvalidKey        EstimateStatus = 4
)

// ProvisionStatus is Provision's Status (MS-ASPROV 2.2.2.54.1 and .2).
type ProvisionStatus int

const (
	ProvisionOK            ProvisionStatus = 1
	ProvisionProtocolError ProvisionStatus = 2
	ProvisionServerError   ProvisionStatus = 3
	PolicyNone             ProvisionStatus = 2 // Policy Status: no policy for this client
	PolicyUnknownType      ProvisionStatus = 3
	PolicyBadKey           ProvisionStatus = 5 // the acknowledged key is not the one sent
)

// SettingsStatus is Settings' Status (MS-ASCMD 2.2.3.177.14).
type SettingsStatus int

const (
	SettingsOK            SettingsStatus = 1
	SettingsProtocolError SettingsStatus = 2
)

// ItemOperationsStatus is ItemOperations' Status (MS-ASCMD 2.2.3.177.8).
type ItemOperationsStatus int

const (
	ItemOperationsOK            ItemOperationsStatus = 1
	ItemOperationsProtocolError ItemOperationsStatus = 2
	ItemOperationsServerError   ItemOperationsStatus = 3
	ItemOperationsNotFound      ItemOperationsStatus = 6
)

// PingStatus is Ping's Status (MS-ASCMD 2.2.3.177.11).
type PingStatus int

const (
	PingExpired     PingStatus = 1 // nothing changed within the heartbeat
	PingChanges     PingStatus = 2
	PingNeedFolders PingStatus = 3 // ask the client to send its folder list
	PingBadRequest  PingStatus = 4
	// PingBadHeartbeat: the heartbeat is outside the server's bounds; the
	// answer's HeartbeatInterval is the bound (MS-ASCMD 2.2.3.88.1).
	PingBadHeartbeat PingStatus = 5
	// PingTooManyFolders: the answer's MaxFolders is the limit.
	PingTooManyFolders   PingStatus = 6
	PingHierarchyChanged PingStatus = 7 // FolderSync first
	PingServerError      PingStatus = 8
)

// CommonStatus is the global status of MS-ASCMD 2.2.2, for requests that
// cannot reach their command (e.g. 142: device not provisioned).
type CommonStatus int

const (
	StatusInvalidWBXML        CommonStatus = 102
	StatusInvalidXML          CommonStatus = 103
	StatusNotProvisioned      CommonStatus = 142
	StatusPolicyRefresh       CommonStatus = 143
	StatusInvalidPolicyKey    CommonStatus = 144
	StatusCommandNotSupported CommonStatus = 137
	StatusVersionNotSupported CommonStatus = 138
)
