package assess

import "strings"

// Group is a ranking group (排名分组): units are ranked only against the other
// units of their group, e.g. 区县 against 区县 and 市直部门 against 市直部门.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Unit (单位) is a district, county, town, street or city department that is
// assessed.
type Unit struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	GroupID string `json:"group_id"`
}

// Validate reports what is missing from a unit.
func (u Unit) Validate() error {
	switch {
	case strings.TrimSpace(u.ID) == "":
		return Errorf(EInvalid, "单位编号不能为空 (unit ID is required)")
	case strings.TrimSpace(u.Name) == "":
		return Errorf(EInvalid, "单位名称不能为空 (unit name is required)")
	case strings.TrimSpace(u.GroupID) == "":
		return Errorf(EInvalid, "单位“%s”没有所属排名分组 (unit has no ranking group)", u.Name)
	}
	return nil
}
