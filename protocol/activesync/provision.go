package activesync

import (
	"strconv"

	"github.com/beevik/etree"
)

// Provision (MS-ASPROV 3.2.5.1): phase 1 sends the policy and a temporary
// key; phase 2, the device's acknowledgement with that key, gets the final
// key the device then sends as X-MS-PolicyKey. EAS 12.0 and later use the
// MS-EAS-Provisioning-WBXML policy, 2.5 the MS-WAP-Provisioning-XML one.

const (
	policyTypeWBXML = "MS-EAS-Provisioning-WBXML"
	policyTypeWAP   = "MS-WAP-Provisioning-XML"
)

// wapPolicy is the 2.5 policy: no device password (4131) and no
// unsigned-application restriction (4133), as Z-Push sends.
const wapPolicy = `<wap-provisioningdoc><characteristic type="SecurityPolicy">` +
	`<parm name="4131" value="1"/><parm name="4133" value="1"/></characteristic></wap-provisioningdoc>`

// easPolicy is the 12.0+ policy: nothing demanded of the device. The order
// is the schema's (MS-ASPROV 2.2.2.27).
var easPolicy = [][2]string{
	{"DevicePasswordEnabled", "0"}, {"AlphanumericDevicePasswordRequired", "0"},
	{"PasswordRecoveryEnabled", "0"}, {"DeviceEncryptionEnabled", "0"},
	{"AttachmentsEnabled", "1"}, {"MinDevicePasswordLength", ""},
	{"MaxInactivityTimeDeviceLock", ""}, {"MaxDevicePasswordFailedAttempts", ""},
	{"MaxAttachmentSize", ""}, {"AllowSimpleDevicePassword", "1"},
	{"DevicePasswordExpiration", ""}, {"DevicePasswordHistory", "0"},
	{"AllowStorageCard", "1"}, {"AllowCamera", "1"}, {"RequireDeviceEncryption", "0"},
	{"AllowUnsignedApplications", "1"}, {"AllowUnsignedInstallationPackages", "1"},
	{"MinDevicePasswordComplexCharacters", "1"}, {"AllowWiFi", "1"},
	{"AllowTextMessaging", "1"}, {"AllowPOPIMAPEmail", "1"}, {"AllowBluetooth", "2"},
	{"AllowIrDA", "1"}, {"RequireManualSyncWhenRoaming", "0"}, {"AllowDesktopSync", "1"},
	{"MaxCalendarAgeFilter", "0"}, {"AllowHTMLEmail", "1"}, {"MaxEmailAgeFilter", "0"},
	{"MaxEmailBodyTruncationSize", "-1"}, {"MaxEmailHTMLBodyTruncationSize", "-1"},
	{"RequireSignedSMIMEMessages", "0"}, {"RequireEncryptedSMIMEMessages", "0"},
	{"RequireSignedSMIMEAlgorithm", "0"}, {"RequireEncryptionSMIMEAlgorithm", "0"},
	{"AllowSMIMEEncryptionAlgorithmNegotiation", "2"}, {"AllowSMIMESoftCerts", "1"},
	{"AllowBrowser", "1"}, {"AllowConsumerEmail", "1"}, {"AllowRemoteDesktop", "1"},
	{"AllowInternetSharing", "1"},
}

func (c *conn) provision(in *etree.Element) (*etree.Element, error) {
	if in == nil || in.Tag != "Provision" {
		return nil, badRequest("Provision: no <Provision> body")
	}
	out := newRoot("Provision", "Provision:")
	if c.wipe.State == WipePending {
		return out, c.provisionWipe(in, out)
	}
	if in.FindElement("RemoteWipe") != nil || in.FindElement("AccountOnlyRemoteWipe") != nil {
		// Acknowledgement of a wipe this server never asks for.
		addInt(out, "Status", ProvisionOK)
		return out, nil
	}
	policy := in.FindElement("Policies/Policy")
	if policy == nil {
		addInt(out, "Status", ProvisionProtocolError)
		return out, nil
	}
	typ := text(policy, "PolicyType")
	addInt(out, "Status", ProvisionOK)
	p := add(add(out, "Policies", ""), "Policy", "")
	add(p, "PolicyType", typ)
	if typ != policyTypeWBXML && typ != policyTypeWAP {
		addInt(p, "Status", PolicyUnknownType)
		return out, nil
	}
	ctx := c.r.Context()
	if ack := text(policy, "PolicyKey"); ack != "" {
		// Phase 2: the device has applied the policy.
		if _, err := strconv.ParseUint(ack, 10, 32); err != nil || text(policy, "Status") != "1" {
			addInt(p, "Status", PolicyBadKey)
			return out, nil
		}
		key := c.srv.opts.NewPolicyKey()
		if err := c.sess.SetPolicyKey(ctx, key); err != nil {
			return nil, err
		}
		addInt(p, "Status", ProvisionOK)
		addInt(p, "PolicyKey", key)
		return out, nil
	}
	addInt(p, "Status", ProvisionOK)
	addInt(p, "PolicyKey", c.srv.opts.NewPolicyKey())
	data := add(p, "Data", "")
	if typ == policyTypeWAP {
		data.SetText(wapPolicy)
		return out, nil
	}
	doc := add(data, "EASProvisionDoc", "")
	for _, kv := range easPolicy {
		add(doc, kv[0], kv[1])
	}
	return out, nil
}
