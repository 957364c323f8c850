package activesync

import "github.com/beevik/etree"

// Settings (MS-ASCMD 2.2.1.18): DeviceInformation Set is recorded,
// UserInformation Get answers the user name as address, Out of Office is
// answered as off (this server carries no mail).
func (c *conn) settings(in *etree.Element) (*etree.Element, error) {
	if in == nil || in.Tag != "Settings" {
		return nil, badRequest("Settings: no <Settings> body")
	}
	out := newRoot("Settings", "Settings:")
	addInt(out, "Status", SettingsOK)
	for _, e := range in.ChildElements() {
		switch e.Tag {
		case "DeviceInformation":
			set := e.FindElement("Set")
			st := SettingsOK
			if set == nil {
				st = SettingsProtocolError
			} else if err := c.sess.SetDeviceInfo(c.r.Context(), DeviceInfo{
				Model: text(set, "Model"), IMEI: text(set, "IMEI"), FriendlyName: text(set, "FriendlyName"),
				OS: text(set, "OS"), OSLanguage: text(set, "OSLanguage"), PhoneNumber: text(set, "PhoneNumber"),
				UserAgent: text(set, "UserAgent"), MobileOperator: text(set, "MobileOperator"),
			}); err != nil {
				return nil, err
			}
			addInt(add(out, "DeviceInformation", ""), "Status", st)
		case "UserInformation":
			u := add(out, "UserInformation", "")
			addInt(u, "Status", SettingsOK)
			add(add(add(u, "Get", ""), "EmailAddresses", ""), "SmtpAddress", c.req.User)
		case "Oof":
			o := add(out, "Oof", "")
			addInt(o, "Status", SettingsOK)
			if e.FindElement("Get") != nil {
				addInt(add(o, "Get", ""), "OofState", 0)
			}
		case "DevicePassword", "RightsManagementInformation":
			addInt(add(out, e.Tag, ""), "Status", SettingsOK)
		}
	}
	return out, nil
}
