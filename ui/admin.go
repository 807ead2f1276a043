package ui

import (
	"cmp"
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// admin is the part of 系统管理 that reviewers see: units and groups, users
// and roles, assessment years and weights. Everyone with the reviewer role
// may look; only administrators may change anything. Units, groups and
// years are local writes that sync like every other change; users are
// managed on the server, so that part needs a connection.
type admin struct {
	orgs  *orgAdmin
	users *userAdmin
	years *yearAdmin
}

func newAdmin(s *Shell) *admin {
	return &admin{orgs: newOrgAdmin(s), users: newUserAdmin(s), years: newYearAdmin(s)}
}

// adminData is what the administration lists show, read in one go.
type adminData struct {
	groups []assess.Group
	units  []assess.Unit
	users  []assess.User
	years  []assess.Year
}

// loadAdmin reads the groups, units and years (queued changes included)
// and the users of the local mirror.
func loadAdmin(ctx context.Context, db Store) (adminData, error) {
	var d adminData
	var err error
	if d.groups, err = db.Groups(ctx); err != nil {
		return d, err
	}
	if d.units, err = db.Units(ctx); err != nil {
		return d, err
	}
	if d.users, err = db.Users(ctx); err != nil {
		return d, err
	}
	d.years, err = db.Years(ctx)
	return d, err
}

// show puts freshly read data into the three lists.
func (a *admin) show(d adminData) {
	a.orgs.show(d.groups, d.units)
	a.users.show(d.users)
	a.years.show(d.years)
}

// readOnlyNote tells a reviewer who is not an administrator why nothing
// can be changed; administrators do not see it.
func readOnlyNote(s *Shell) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(T("只有管理员可以修改这里的内容，当前为只读。"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	l.Importance = widget.WarningImportance
	if s.user.Admin {
		l.Hide()
	}
	return l
}

// adminButton is a toolbar button that only administrators see.
func adminButton(s *Shell, label string, icon fyne.Resource, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, tapped)
	if !s.user.Admin {
		b.Hide()
	}
	return b
}

// adminGrid returns a virtualised table of text cells with a header row.
func adminGrid(headers []string, widths []float32, rows func() int, cell func(row, col int) string) *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return rows(), len(headers) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(cell(id.Row, id.Col))
		},
	)
	t.ShowHeaderColumn = false
	withHeader(t, func(col int) string {
		if col >= 0 && col < len(headers) {
			return headers[col]
		}
		return ""
	}, widths...)
	return t
}

// invalidInput is a validation error with a message already in the chosen
// language.
func invalidInput(msg string) error { return assess.Errorf(assess.EInvalid, "%s", msg) }

// checkRecordID checks a record ID typed by an administrator.
func checkRecordID(id, field string) error {
	switch {
	case id == "":
		return errEmpty(field)
	case strings.ContainsAny(id, " \t/\\"):
		return invalidInput(T("%s不能包含空格或斜杠", field))
	}
	return nil
}

// ---- 单位与分组 ----

// orgAdmin lists the ranking groups and the units, and lets
// administrators add and edit them.
type orgAdmin struct {
	s      *Shell
	groups []assess.Group
	units  []assess.Unit

	groupList, unitList     *widget.List
	addGroupBtn, addUnitBtn *widget.Button
	box                     fyne.CanvasObject
}

func newOrgAdmin(s *Shell) *orgAdmin {
	o := &orgAdmin{s: s}
	o.groupList = widget.NewList(func() int { return len(o.groups) }, newAdminRow, func(id widget.ListItemID, c fyne.CanvasObject) {
		g := o.groups[id]
		setAdminRow(c, g.Name, T("编号 %s · %d 个单位", g.ID, o.unitCount(g.ID)))
	})
	o.groupList.OnSelected = func(id widget.ListItemID) {
		o.groupList.UnselectAll()
		if s.user.Admin && id < len(o.groups) {
			o.editGroup(o.groups[id], false)
		}
	}
	o.unitList = widget.NewList(func() int { return len(o.units) }, newAdminRow, func(id widget.ListItemID, c fyne.CanvasObject) {
		u := o.units[id]
		setAdminRow(c, u.Name, T("编号 %s · %s", u.ID, s.groupName(u.GroupID)))
	})
	o.unitList.OnSelected = func(id widget.ListItemID) {
		o.unitList.UnselectAll()
		if s.user.Admin && id < len(o.units) {
			o.editUnit(o.units[id], false)
		}
	}
	o.addGroupBtn = adminButton(s, T("新增分组"), theme.ContentAddIcon(), func() { o.editGroup(assess.Group{}, true) })
	o.addUnitBtn = adminButton(s, T("新增单位"), theme.ContentAddIcon(), func() { o.editUnit(assess.Unit{}, true) })
	hint := T("单位在所属排名分组内排名。点击一行可修改（管理员）；修改保存在本机，联网后同步到服务器。")
	groups := container.NewBorder(adminBar(T("排名分组"), o.addGroupBtn), nil, nil, nil, o.groupList)
	units := container.NewBorder(adminBar(T("单位"), o.addUnitBtn), nil, nil, nil, o.unitList)
	split := container.NewHSplit(groups, units)
	split.Offset = 0.4
	o.box = container.NewBorder(container.NewVBox(readOnlyNote(s), adminHint(hint)), nil, nil, nil, split)
	return o
}

func (o *orgAdmin) view() fyne.CanvasObject { return o.box }

// show lists the groups and units.
func (o *orgAdmin) show(groups []assess.Group, units []assess.Unit) {
	o.groups, o.units = groups, units
	o.groupList.Refresh()
	o.unitList.Refresh()
}

func (o *orgAdmin) unitCount(groupID string) int {
	n := 0
	for _, u := range o.units {
		if u.GroupID == groupID {
			n++
		}
	}
	return n
}

// editGroup shows the form of a new or an existing ranking group.
func (o *orgAdmin) editGroup(g assess.Group, isNew bool) {
	s := o.s
	id, name := s.newEntry(), s.newEntry()
	id.SetText(g.ID)
	id.SetPlaceHolder(T("例如 district"))
	name.SetText(g.Name)
	name.SetPlaceHolder(T("例如 区县、市直部门"))
	title := T("修改排名分组")
	if isNew {
		title = T("新增排名分组")
	} else {
		id.Disable()
	}
	s.form(title, T("保存"), []*widget.FormItem{
		widget.NewFormItem(T("分组编号"), id),
		widget.NewFormItem(T("分组名称"), name),
	}, func() error {
		g := assess.Group{ID: trimmed(&id.Entry), Name: trimmed(&name.Entry)}
		if err := checkRecordID(g.ID, T("分组编号")); err != nil {
			return err
		}
		if isNew && slices.ContainsFunc(o.groups, func(x assess.Group) bool { return x.ID == g.ID }) {
			return invalidInput(T("编号“%s”已被使用，请换一个", g.ID))
		}
		if g.Name == "" {
			return errEmpty(T("分组名称"))
		}
		s.act(func(ctx context.Context) error { return s.db().SaveGroup(ctx, g) }, s.loadRefs)
		return nil
	})
}

// editUnit shows the form of a new or an existing unit.
func (o *orgAdmin) editUnit(u assess.Unit, isNew bool) {
	s := o.s
	if len(o.groups) == 0 {
		s.info(T("新增单位"), T("还没有排名分组，请先新增排名分组。"))
		return
	}
	id, name := s.newEntry(), s.newEntry()
	id.SetText(u.ID)
	id.SetPlaceHolder(T("例如 dongcheng"))
	name.SetText(u.Name)
	name.SetPlaceHolder(T("例如 东城区"))
	groupNames := make([]string, len(o.groups))
	for i, g := range o.groups {
		groupNames[i] = g.Name
	}
	group := widget.NewSelect(groupNames, nil)
	group.PlaceHolder = T("请选择")
	for _, g := range o.groups {
		if g.ID == u.GroupID {
			group.SetSelected(g.Name)
		}
	}
	title := T("修改单位")
	if isNew {
		title = T("新增单位")
	} else {
		id.Disable()
	}
	s.form(title, T("保存"), []*widget.FormItem{
		widget.NewFormItem(T("单位编号"), id),
		widget.NewFormItem(T("单位名称"), name),
		widget.NewFormItem(T("排名分组"), group),
	}, func() error {
		u := assess.Unit{ID: trimmed(&id.Entry), Name: trimmed(&name.Entry)}
		if i := group.SelectedIndex(); i >= 0 {
			u.GroupID = o.groups[i].ID
		}
		if err := checkRecordID(u.ID, T("单位编号")); err != nil {
			return err
		}
		if isNew && slices.ContainsFunc(o.units, func(x assess.Unit) bool { return x.ID == u.ID }) {
			return invalidInput(T("编号“%s”已被使用，请换一个", u.ID))
		}
		switch {
		case u.Name == "":
			return errEmpty(T("单位名称"))
		case u.GroupID == "":
			return invalidInput(T("请选择排名分组"))
		}
		s.act(func(ctx context.Context) error { return s.db().SaveUnit(ctx, u) }, s.loadRefs)
		return nil
	})
}

// ---- 用户与角色 ----

// userAdmin lists the users of the local mirror; administrators add users,
// disable and enable them and reset their passwords on the server, and the
// list follows with the next sync.
type userAdmin struct {
	s        *Shell
	users    []assess.User
	selected string // the selected user's ID

	table                       *widget.Table
	addBtn, toggleBtn, resetBtn *widget.Button
	box                         fyne.CanvasObject
}

func newUserAdmin(s *Shell) *userAdmin {
	a := &userAdmin{s: s}
	headers := []string{T("用户名"), T("姓名"), T("角色"), T("所属单位"), T("管理员"), T("状态")}
	a.table = adminGrid(headers, []float32{150, 180, 110, 240, 80, 80}, func() int { return len(a.users) }, a.cell)
	a.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(a.users) {
			a.selected = a.users[id.Row].ID
		}
		a.updateButtons()
	}
	a.addBtn = adminButton(s, T("新增用户"), theme.ContentAddIcon(), func() { a.showAdd() })
	a.toggleBtn = adminButton(s, T("停用"), theme.CancelIcon(), a.toggle)
	a.resetBtn = adminButton(s, T("重置密码"), theme.ViewRefreshIcon(), a.showReset)
	a.updateButtons()
	hint := T("用户由服务器管理，新增、停用和重置密码需要联网；完成后同步即可看到变化。")
	bar := container.NewHBox(widget.NewLabelWithStyle(T("用户"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		layout.NewSpacer(), a.toggleBtn, a.resetBtn, a.addBtn)
	a.box = container.NewBorder(container.NewVBox(readOnlyNote(s), adminHint(hint), bar), nil, nil, nil, a.table)
	return a
}

func (a *userAdmin) view() fyne.CanvasObject { return a.box }

func (a *userAdmin) cell(row, col int) string {
	if row >= len(a.users) {
		return ""
	}
	u := a.users[row]
	switch col {
	case 0:
		return u.Username
	case 1:
		return u.Name
	case 2:
		return roleLabel(u.Role)
	case 3:
		return a.s.unitName(u.UnitID)
	case 4:
		if u.Admin {
			return T("是")
		}
		return ""
	case 5:
		if u.Disabled {
			return T("已停用")
		}
		return T("正常")
	}
	return ""
}

// show lists the users of the local mirror.
func (a *userAdmin) show(users []assess.User) {
	a.users = users
	a.table.Refresh()
	a.updateButtons()
}

// selectedUser returns the selected user, if it is still listed.
func (a *userAdmin) selectedUser() (assess.User, bool) {
	for _, u := range a.users {
		if u.ID == a.selected && a.selected != "" {
			return u, true
		}
	}
	return assess.User{}, false
}

func (a *userAdmin) updateButtons() {
	u, ok := a.selectedUser()
	if ok && u.Disabled {
		a.toggleBtn.SetText(T("启用"))
	} else {
		a.toggleBtn.SetText(T("停用"))
	}
	if ok && u.ID != a.s.user.ID {
		a.toggleBtn.Enable()
		a.resetBtn.Enable()
	} else {
		a.toggleBtn.Disable()
		a.resetBtn.Disable()
	}
}

// userDone follows a change on the server: a sync brings the users'
// change into the mirror, and the list reloads after it.
func (a *userAdmin) userDone(title, text string) {
	a.s.SyncNow()
	a.s.info(title, text)
}

// showAdd shows the form of a new user.
func (a *userAdmin) showAdd() {
	s := a.s
	username, name, password := s.newEntry(), s.newEntry(), s.newEntry()
	password.Password = true
	password.SetPlaceHolder(T("留空则由服务器生成"))
	roles := []assess.Role{assess.Reporter, assess.Reviewer}
	role := widget.NewSelect([]string{roleLabel(assess.Reporter), roleLabel(assess.Reviewer)}, nil)
	role.SetSelectedIndex(0)
	units := slices.Collect(func(yield func(assess.Unit) bool) {
		for _, u := range s.units {
			if !yield(u) {
				return
			}
		}
	})
	slices.SortFunc(units, func(x, y assess.Unit) int {
		return cmp.Or(cmp.Compare(x.GroupID, y.GroupID), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
	})
	unitNames := make([]string, len(units))
	for i, u := range units {
		unitNames[i] = T("%s（%s）", u.Name, u.ID)
	}
	unit := widget.NewSelect(unitNames, nil)
	unit.PlaceHolder = T("请选择")
	isAdmin := widget.NewCheck(T("管理员（可管理单位、用户和考核年度）"), nil)
	var resp wire.UserAddResponse
	onlineForm(s, T("新增用户"), T("创建"), []*widget.FormItem{
		widget.NewFormItem(T("用户名"), username),
		widget.NewFormItem(T("姓名"), name),
		widget.NewFormItem(T("角色"), role),
		widget.NewFormItem(T("所属单位"), unit),
		widget.NewFormItem("", isAdmin),
		widget.NewFormItem(T("初始密码"), password),
	}, func() (request, error) {
		req := wire.UserAddRequest{Username: trimmed(&username.Entry), Name: trimmed(&name.Entry), Admin: isAdmin.Checked, Password: password.Text}
		if i := role.SelectedIndex(); i >= 0 {
			req.Role = roles[i]
		}
		if i := unit.SelectedIndex(); i >= 0 {
			req.UnitID = units[i].ID
		}
		if err := checkNewUser(req); err != nil {
			return nil, err
		}
		return func(ctx context.Context, api *client.API) (err error) {
			resp, err = api.AddUser(ctx, req)
			return err
		}, nil
	}, func() {
		text := T("已创建用户“%s”（%s）。", resp.User.Username, resp.User.Name)
		if resp.Password != "" {
			text += "\n" + T("初始密码：%s", resp.Password) + "\n" + T("请转告本人，并提醒其登录后在“系统管理”中修改密码。此密码只显示这一次。")
		}
		a.userDone(T("新增用户"), text)
	})
}

// checkNewUser checks the form of a new user before it is sent.
func checkNewUser(req wire.UserAddRequest) error {
	switch {
	case req.Username == "":
		return errEmpty(T("用户名"))
	case req.Name == "":
		return errEmpty(T("姓名"))
	case req.Role == "":
		return invalidInput(T("请选择角色"))
	case req.Role == assess.Reporter && req.UnitID == "":
		return invalidInput(T("填报用户必须选择所属单位"))
	case req.Admin && req.Role != assess.Reviewer:
		return invalidInput(T("只有审核用户可以设为管理员"))
	}
	if err := assess.ValidateUsername(req.Username); err != nil {
		return err
	}
	if req.Password != "" {
		return checkPasswordRules(req.Password)
	}
	return nil
}

// toggle disables the selected user after asking, or enables it again.
func (a *userAdmin) toggle() {
	s := a.s
	u, ok := a.selectedUser()
	if !ok {
		return
	}
	run := func() {
		api := s.api
		if api == nil {
			s.showError(errUsersOffline())
			return
		}
		background(s, func(ctx context.Context) (assess.User, error) {
			return api.SetUserDisabled(ctx, u.ID, !u.Disabled)
		}, func(got assess.User, err error) {
			if err != nil {
				s.showError(usersError(err))
				return
			}
			if got.Disabled {
				a.userDone(T("停用用户"), T("已停用“%s”，其登录已全部失效。", got.Name))
			} else {
				a.userDone(T("启用用户"), T("已启用“%s”。", got.Name))
			}
		})
	}
	if u.Disabled {
		run()
		return
	}
	s.confirm(T("停用用户"), T("停用后“%s”（%s）会立即退出登录，且不能再登录，可随时重新启用。确定停用吗？", u.Name, u.Username), T("停用"), run)
}

// showReset shows the form of a new password for the selected user.
func (a *userAdmin) showReset() {
	s := a.s
	u, ok := a.selectedUser()
	if !ok {
		return
	}
	password := s.newEntry()
	password.Password = true
	password.SetPlaceHolder(T("留空则由服务器生成"))
	note := widget.NewLabel(T("重置后“%s”的登录全部失效，需用新密码重新登录。", u.Name))
	note.Wrapping = fyne.TextWrapWord
	var generated string
	onlineForm(s, T("重置密码"), T("重置"), []*widget.FormItem{
		widget.NewFormItem(T("用户"), widget.NewLabel(T("%s（%s）", u.Name, u.Username))),
		widget.NewFormItem(T("新密码"), password),
		widget.NewFormItem("", note),
	}, func() (request, error) {
		pw := password.Text
		if pw != "" {
			if err := checkPasswordRules(pw); err != nil {
				return nil, err
			}
		}
		return func(ctx context.Context, api *client.API) (err error) {
			generated, err = api.ResetPassword(ctx, u.ID, pw)
			return err
		}, nil
	}, func() {
		text := T("已为“%s”设置新密码，其登录已全部失效。", u.Name)
		if generated != "" {
			text += "\n" + T("新密码：%s", generated) + "\n" + T("请转告本人，并提醒其登录后修改密码。此密码只显示这一次。")
		}
		a.userDone(T("重置密码"), text)
	})
}

// request is a call to the server's API.
type request func(ctx context.Context, api *client.API) error

// onlineForm shows a form whose request goes to the server: check
// validates the fields (its error shows in the form) and returns the
// request, which is sent once the form has closed. If the request fails,
// the form opens again as it was filled in, with the server's reason in its
// red line; on success done is called.
func onlineForm(s *Shell, title, confirmText string, items []*widget.FormItem, check func() (request, error), done func()) {
	var send request
	var api *client.API
	d := s.form(title, confirmText, items, func() error {
		if s.api == nil {
			return errUsersOffline()
		}
		req, err := check()
		if err != nil {
			return err
		}
		send, api = req, s.api
		return nil
	})
	d.SetOnClosed(func() {
		if send == nil {
			return // cancelled
		}
		req, api := send, api
		background(s, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, req(ctx, api)
		}, func(_ struct{}, err error) {
			if err != nil {
				onlineForm(s, title, confirmText, items, check, done)
				s.dialogErr.SetText(message(usersError(err)))
				s.dialogErr.Show()
				return
			}
			done()
		})
	})
}

func errUsersOffline() error {
	return assess.Errorf(assess.EUnavailable, "%s", T("管理用户需要连接服务器，现在连不上，请联网后再试"))
}

// usersError says in plain words that managing users needs the server.
func usersError(err error) error {
	if client.Offline(err) {
		return errUsersOffline()
	}
	return err
}

// checkPasswordRules checks a password with the server's rules
// (assess.ValidatePassword), in the chosen language.
func checkPasswordRules(pw string) error {
	if assess.ValidatePassword(pw) == nil {
		return nil
	}
	switch {
	case len([]rune(pw)) < 8:
		return invalidInput(T("密码至少需要 8 个字符"))
	case len(pw) > 256:
		return invalidInput(T("密码过长，最多 256 个字节"))
	}
	return invalidInput(T("密码需包含字母、数字、符号中的至少两类"))
}

// ---- 考核年度与权重 ----

// yearAdmin lists the assessment years; administrators create a year,
// edit a draft year's weights and close a published year.
type yearAdmin struct {
	s        *Shell
	years    []assess.Year
	selected string // the selected year's ID

	table                     *widget.Table
	addBtn, editBtn, closeBtn *widget.Button
	box                       fyne.CanvasObject
}

var yearIDPattern = regexp.MustCompile(`^[0-9]{4}$`)

func newYearAdmin(s *Shell) *yearAdmin {
	a := &yearAdmin{s: s}
	headers := []string{T("年度编号"), T("年度名称"), T("状态"), T("系统评估"), T("问卷调查"), T("实地核查"), T("预警天数"), T("整改期限")}
	a.table = adminGrid(headers, []float32{90, 160, 90, 100, 100, 100, 120, 120}, func() int { return len(a.years) }, a.cell)
	a.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(a.years) {
			a.selected = a.years[id.Row].ID
		}
		a.updateButtons()
	}
	a.addBtn = adminButton(s, T("新建年度"), theme.ContentAddIcon(), func() { a.edit(a.newYear(), true) })
	a.editBtn = adminButton(s, T("修改权重"), theme.DocumentCreateIcon(), func() {
		if y, ok := a.selectedYear(); ok {
			a.edit(y, false)
		}
	})
	a.closeBtn = adminButton(s, T("关闭年度"), theme.LogoutIcon(), a.confirmClose)
	a.closeBtn.Importance = widget.DangerImportance
	a.updateButtons()
	hint := T("总分 = Σ 权重 × 得分率，三项权重之和为 100（默认：系统评估 50、问卷调查 30、实地核查 20）。草拟中的年度可以修改权重；关闭后的年度数据冻结。")
	bar := container.NewHBox(widget.NewLabelWithStyle(T("考核年度"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		layout.NewSpacer(), a.closeBtn, a.editBtn, a.addBtn)
	a.box = container.NewBorder(container.NewVBox(readOnlyNote(s), adminHint(hint), bar), nil, nil, nil, a.table)
	return a
}

func (a *yearAdmin) view() fyne.CanvasObject { return a.box }

func (a *yearAdmin) cell(row, col int) string {
	if row >= len(a.years) {
		return ""
	}
	y := a.years[row]
	switch col {
	case 0:
		return y.ID
	case 1:
		return y.Name
	case 2:
		return yearStateLabel(y.State)
	case 3:
		return formatWeight(y.Weights.System)
	case 4:
		return formatWeight(y.Weights.Survey)
	case 5:
		return formatWeight(y.Weights.Onsite)
	case 6:
		return T("%d 个工作日", y.WarnDays)
	case 7:
		return T("%d 个工作日", y.RectifyDays)
	}
	return ""
}

// show lists the years, newest first.
func (a *yearAdmin) show(years []assess.Year) {
	slices.SortFunc(years, func(x, y assess.Year) int { return cmp.Compare(y.ID, x.ID) })
	a.years = years
	a.table.Refresh()
	a.updateButtons()
}

func (a *yearAdmin) selectedYear() (assess.Year, bool) {
	for _, y := range a.years {
		if y.ID == a.selected && a.selected != "" {
			return y, true
		}
	}
	return assess.Year{}, false
}

func (a *yearAdmin) updateButtons() {
	y, ok := a.selectedYear()
	adminEnable(a.editBtn, ok && y.State == assess.YearDraft)
	adminEnable(a.closeBtn, ok && y.State == assess.YearPublished)
}

// newYear proposes the year after the newest one, with the default weights.
func (a *yearAdmin) newYear() assess.Year {
	next := a.s.now().Year() + 1
	for _, y := range a.years {
		if n, err := strconv.Atoi(y.ID); err == nil && n >= next {
			next = n + 1
		}
	}
	id := strconv.Itoa(next)
	return assess.Year{ID: id, Name: id + "年度", Weights: assess.DefaultWeights, WarnDays: assess.DefaultWarnDays, RectifyDays: 15}
}

// edit shows the form of a new year or of a draft year.
func (a *yearAdmin) edit(y assess.Year, isNew bool) {
	s := a.s
	id, name := s.newEntry(), s.newEntry()
	id.SetText(y.ID)
	name.SetText(y.Name)
	system, survey, onsite := s.newEntry(), s.newEntry(), s.newEntry()
	system.SetText(formatWeight(y.Weights.System))
	survey.SetText(formatWeight(y.Weights.Survey))
	onsite.SetText(formatWeight(y.Weights.Onsite))
	warn, rectify := s.newEntry(), s.newEntry()
	warn.SetText(strconv.Itoa(y.WarnDays))
	rectify.SetText(strconv.Itoa(y.RectifyDays))
	title := T("修改考核年度")
	if isNew {
		title = T("新建考核年度")
	} else {
		id.Disable()
	}
	s.form(title, T("保存"), []*widget.FormItem{
		widget.NewFormItem(T("年度编号"), id),
		widget.NewFormItem(T("年度名称"), name),
		widget.NewFormItem(T("系统评估权重"), system),
		widget.NewFormItem(T("问卷调查权重"), survey),
		widget.NewFormItem(T("实地核查权重"), onsite),
		widget.NewFormItem(T("预警天数（工作日）"), warn),
		widget.NewFormItem(T("整改期限（工作日）"), rectify),
	}, func() error {
		out := assess.Year{ID: trimmed(&id.Entry), Name: trimmed(&name.Entry), State: y.State}
		if err := a.checkYear(out, isNew); err != nil {
			return err
		}
		var err error
		if out.Weights, err = readWeights(system, survey, onsite); err != nil {
			return err
		}
		if out.WarnDays, err = readDays(&warn.Entry, T("预警天数")); err != nil {
			return err
		}
		if out.RectifyDays, err = readDays(&rectify.Entry, T("整改期限")); err != nil {
			return err
		}
		s.act(func(ctx context.Context) error { return s.db().SaveYear(ctx, out) }, s.loadRefs)
		return nil
	})
}

func (a *yearAdmin) checkYear(y assess.Year, isNew bool) error {
	switch {
	case y.ID == "":
		return errEmpty(T("年度编号"))
	case !yearIDPattern.MatchString(y.ID):
		return invalidInput(T("年度编号应为四位数字的年份，例如 2027"))
	case isNew && slices.ContainsFunc(a.years, func(x assess.Year) bool { return x.ID == y.ID }):
		return invalidInput(T("考核年度“%s”已存在", y.ID))
	case y.Name == "":
		return errEmpty(T("年度名称"))
	}
	return nil
}

// readWeights reads the three weights, which must be numbers of at least 0
// that add up to 100.
func readWeights(system, survey, onsite *keyEntry) (assess.Weights, error) {
	var w assess.Weights
	for _, f := range []struct {
		e     *keyEntry
		label string
		to    *float64
	}{{system, T("系统评估权重"), &w.System}, {survey, T("问卷调查权重"), &w.Survey}, {onsite, T("实地核查权重"), &w.Onsite}} {
		v, err := strconv.ParseFloat(trimmed(&f.e.Entry), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return w, invalidInput(T("%s应为不小于 0 的数字", f.label))
		}
		*f.to = v
	}
	if math.Abs(w.Sum()-100) > 1e-9 {
		return w, invalidInput(T("三项权重之和应为 100，现在为 %s", formatWeight(w.Sum())))
	}
	return w, nil
}

// readDays reads a number of working days between 0 and 365.
func readDays(e *widget.Entry, label string) (int, error) {
	n, err := strconv.Atoi(trimmed(e))
	if err != nil || n < 0 || n > 365 {
		return 0, invalidInput(T("%s应为 0 到 365 之间的整数", label))
	}
	return n, nil
}

// confirmClose closes the selected published year after the administrator
// types its ID: a closed year is frozen for good.
func (a *yearAdmin) confirmClose() {
	s := a.s
	y, ok := a.selectedYear()
	if !ok || y.State != assess.YearPublished {
		return
	}
	warning := widget.NewLabel(T("关闭“%s”后，该年度的指标、填报、审核和评分全部冻结，任何人都不能再修改，且无法撤销。", y.Name))
	warning.Wrapping = fyne.TextWrapWord
	warning.Importance = widget.DangerImportance
	typed := s.newEntry()
	typed.SetPlaceHolder(y.ID)
	s.form(T("关闭考核年度"), T("确认关闭"), []*widget.FormItem{
		widget.NewFormItem(T("注意"), warning),
		widget.NewFormItem(T("输入年度编号确认"), typed),
	}, func() error {
		if trimmed(&typed.Entry) != y.ID {
			return invalidInput(T("请输入年度编号“%s”以确认关闭", y.ID))
		}
		s.act(func(ctx context.Context) error { return s.db().CloseYear(ctx, y.ID) }, s.loadRefs)
		return nil
	})
}

// ---- small helpers ----

// adminBar is a bold title with buttons on the right.
func adminBar(title string, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	items := []fyne.CanvasObject{widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), layout.NewSpacer()}
	return container.NewHBox(append(items, buttons...)...)
}

// adminHint is a wrapped explanation.
func adminHint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// newAdminRow is a list row of a name and a detail on the right.
func newAdminRow() fyne.CanvasObject {
	name := widget.NewLabel("")
	name.Truncation = fyne.TextTruncateEllipsis
	detail := widget.NewLabel("")
	return container.NewBorder(nil, nil, nil, detail, name)
}

// setAdminRow shows a name and its detail in a row of newAdminRow.
func setAdminRow(o fyne.CanvasObject, name, detail string) {
	c := o.(*fyne.Container)
	c.Objects[0].(*widget.Label).SetText(name)
	c.Objects[1].(*widget.Label).SetText(detail)
	c.Refresh() // lays the row out again for the detail's new width
}

// adminEnable enables or disables a button.
func adminEnable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// formatWeight writes a weight without needless decimals: 50, 12.5.
func formatWeight(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
