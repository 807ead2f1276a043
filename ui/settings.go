package ui

import (
	"context"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// languageNames are the choices of the language switch. Each language is
// named in itself, as people look for it, whatever language is shown.
var languageNames = map[string]string{LangChinese: "中文", LangEnglish: "English"}

// settings is the 系统管理 area. Both roles see their account (with the
// password change), the server and sync, the language, the local data
// folder and the version; reviewers also see the administration of units
// and groups, users and roles, and assessment years (admin.go), which only
// administrators may change.
type settings struct {
	s *Shell

	name, username, role, unit *widget.Label
	oldPw, newPw, repeatPw     *widget.Entry
	pwErr                      *widget.Label
	pwBtn                      *widget.Button

	server, lastSync *widget.Label
	language         *widget.RadioGroup

	dataDir, dataSize, freed *widget.Label
	openBtn, clearBtn        *widget.Button

	admin *admin // nil for reporters
	box   fyne.CanvasObject
}

func newSettings(s *Shell) area {
	a := &settings{s: s}
	general := container.NewVScroll(container.NewGridWithColumns(2,
		container.NewVBox(a.accountCard()),
		container.NewVBox(a.serverCard(), a.languageCard(), a.dataCard(), a.aboutCard()),
	))
	if s.user.Role != assess.Reviewer {
		a.box = general
		return a
	}
	a.admin = newAdmin(s)
	tabs := container.NewAppTabs(container.NewTabItemWithIcon(T("本机与账号"), theme.AccountIcon(), general))
	tabs.Append(container.NewTabItemWithIcon(T("单位与分组"), theme.ListIcon(), a.admin.orgs.view()))
	tabs.Append(container.NewTabItemWithIcon(T("用户与角色"), theme.AccountIcon(), a.admin.users.view()))
	tabs.Append(container.NewTabItemWithIcon(T("考核年度与权重"), theme.StorageIcon(), a.admin.years.view()))
	a.box = tabs
	return a
}

func (a *settings) view() fyne.CanvasObject { return a.box }

// refresh shows the user, the server and the sync state, and reloads the
// size of the data folder and, for reviewers, the administration lists.
func (a *settings) refresh() {
	s := a.s
	u := s.user
	a.name.SetText(u.Name)
	a.username.SetText(u.Username)
	role := roleLabel(u.Role)
	if u.Admin {
		role = T("%s（管理员）", role)
	}
	a.role.SetText(role)
	a.unit.SetText(s.unitName(u.UnitID))
	a.server.SetText(a.serverText())
	_, _, last := s.Status()
	a.lastSync.SetText(last)
	a.dataDir.SetText(s.db().Dir())
	a.load()
}

// settingsData is what 系统管理 reads from the store, in one go.
type settingsData struct {
	size  int64
	admin adminData
}

// load reads the data folder's size and, for reviewers, the
// administration lists off the UI goroutine, then shows them.
func (a *settings) load() {
	db, reviewer := a.s.db(), a.admin != nil
	background(a.s, func(ctx context.Context) (settingsData, error) {
		var d settingsData
		var err error
		if d.size, err = db.DataSize(ctx); err != nil || !reviewer {
			return d, err
		}
		d.admin, err = loadAdmin(ctx, db)
		return d, err
	}, func(d settingsData, err error) {
		if err != nil {
			a.s.showError(err)
			return
		}
		a.dataSize.SetText(formatBytes(d.size))
		if a.admin != nil {
			a.admin.show(d.admin)
		}
	})
}

// accountCard shows who is logged in and the password change.
func (a *settings) accountCard() fyne.CanvasObject {
	a.name, a.username, a.role, a.unit = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	info := widget.NewForm(
		widget.NewFormItem(T("姓名"), a.name),
		widget.NewFormItem(T("用户名"), a.username),
		widget.NewFormItem(T("角色"), a.role),
		widget.NewFormItem(T("所属单位"), a.unit),
	)
	a.oldPw, a.newPw, a.repeatPw = widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	a.oldPw.OnSubmitted = func(string) { a.s.win.Canvas().Focus(a.newPw) }
	a.newPw.OnSubmitted = func(string) { a.s.win.Canvas().Focus(a.repeatPw) }
	a.repeatPw.OnSubmitted = func(string) { a.changePassword() }
	pw := widget.NewForm(
		widget.NewFormItem(T("原密码"), a.oldPw),
		widget.NewFormItem(T("新密码"), a.newPw),
		widget.NewFormItem(T("再次输入新密码"), a.repeatPw),
	)
	hint := widget.NewLabel(T("新密码至少 8 个字符，包含字母、数字、符号中的至少两类。修改密码需要连接服务器。"))
	hint.Wrapping = fyne.TextWrapWord
	a.pwErr = widget.NewLabel("")
	a.pwErr.Wrapping = fyne.TextWrapWord
	a.pwErr.Hide()
	a.pwBtn = widget.NewButtonWithIcon(T("修改密码"), theme.ConfirmIcon(), a.changePassword)
	a.pwBtn.Importance = widget.HighImportance
	return widget.NewCard(T("我的账号"), "", container.NewVBox(info, widget.NewSeparator(),
		widget.NewLabelWithStyle(T("修改密码"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		pw, hint, a.pwErr, container.NewHBox(layout.NewSpacer(), a.pwBtn)))
}

// serverCard shows the server address, where it is kept, and sync now.
func (a *settings) serverCard() fyne.CanvasObject {
	a.server = widget.NewLabel("")
	a.server.Wrapping = fyne.TextWrapBreak
	a.lastSync = widget.NewLabel("")
	where := widget.NewLabel(T("服务器地址保存在本机的程序设置中，登录时自动填写；更换服务器请退出登录，在登录界面填写新地址。"))
	where.Wrapping = fyne.TextWrapWord
	syncBtn := widget.NewButtonWithIcon(T("立即同步"), theme.ViewRefreshIcon(), a.s.SyncNow)
	return widget.NewCard(T("服务器与同步"), "", container.NewVBox(
		widget.NewForm(widget.NewFormItem(T("服务器地址"), a.server)), where,
		container.NewBorder(nil, nil, nil, syncBtn, a.lastSync)))
}

// languageCard switches between Chinese and English.
func (a *settings) languageCard() fyne.CanvasObject {
	a.language = widget.NewRadioGroup([]string{languageNames[LangChinese], languageNames[LangEnglish]}, nil)
	a.language.Horizontal = true
	a.language.Required = true
	current := a.s.app.Preferences().StringWithFallback(prefLanguage, LangChinese)
	if current != LangEnglish {
		current = LangChinese
	}
	a.language.SetSelected(languageNames[current])
	a.language.OnChanged = a.setLanguage
	return widget.NewCard(T("语言"), "", a.language)
}

// dataCard shows the local data folder and its size, opens it, and clears
// the cache of downloaded evidence.
func (a *settings) dataCard() fyne.CanvasObject {
	a.dataDir = widget.NewLabel("")
	a.dataDir.Wrapping = fyne.TextWrapBreak
	a.dataSize = widget.NewLabel("")
	a.freed = widget.NewLabel("")
	a.freed.Hide()
	a.openBtn = widget.NewButtonWithIcon(T("打开文件夹"), theme.FolderOpenIcon(), a.openFolder)
	a.clearBtn = widget.NewButtonWithIcon(T("清理缓存"), theme.DeleteIcon(), a.clearCache)
	return widget.NewCard(T("本地数据"), "", container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(T("数据文件夹"), a.dataDir),
			widget.NewFormItem(T("占用空间"), a.dataSize),
		),
		a.freed,
		container.NewHBox(layout.NewSpacer(), a.openBtn, a.clearBtn)))
}

// aboutCard shows the version.
func (a *settings) aboutCard() fyne.CanvasObject {
	v := a.s.deps.Version
	if v == "" {
		v = "dev"
	}
	return widget.NewCard(T("关于"), "", widget.NewLabel(T("一网通 · 法治政府建设督察考核填报与审核系统")+"\n"+T("版本")+" "+v))
}

// serverText is the address of the server the session talks to.
func (a *settings) serverText() string {
	s := a.s
	addr := s.app.Preferences().String(prefServer)
	if s.api != nil {
		addr = s.api.BaseURL()
	}
	if s.demo != nil {
		return T("内置演示城市（本机）%s", addr)
	}
	if addr == "" {
		return T("尚未连接服务器")
	}
	return addr
}

// setLanguage keeps the chosen language and rebuilds the window in it.
func (a *settings) setLanguage(name string) {
	code := LangChinese
	if name == languageNames[LangEnglish] {
		code = LangEnglish
	}
	s := a.s
	if code == s.app.Preferences().StringWithFallback(prefLanguage, LangChinese) {
		return
	}
	if err := SetLanguage(code); err != nil {
		s.showError(err)
		return
	}
	s.app.Preferences().SetString(prefLanguage, code)
	var r rebuilder = s
	r.rebuild()
}

// rebuilder is the shell's rebuild, called through an interface: the area
// table refers to newSettings, so a direct call would be an initialisation
// cycle.
type rebuilder interface{ rebuild() }

// loadSize reads the size of the data folder off the UI goroutine.
func (a *settings) loadSize() {
	background(a.s, func(ctx context.Context) (int64, error) {
		return a.s.db().DataSize(ctx)
	}, func(n int64, err error) {
		if err != nil {
			a.dataSize.SetText(message(err))
			return
		}
		a.dataSize.SetText(formatBytes(n))
	})
}

// openFolder opens the data folder in the system's file manager.
func (a *settings) openFolder() {
	s := a.s
	u, err := url.Parse(storage.NewFileURI(s.db().Dir()).String())
	if err == nil {
		err = s.app.OpenURL(u)
	}
	if err != nil {
		s.info(T("打开文件夹"), T("无法打开文件夹，请在文件管理器中打开：%s", s.db().Dir()))
	}
}

// clearCache asks, then removes downloaded evidence that nothing local
// needs, and says how much space it freed.
func (a *settings) clearCache() {
	s := a.s
	s.confirm(T("清理缓存"),
		T("将删除从服务器下载到本机的佐证材料副本，需要时会重新下载。草稿、本机添加的材料和尚未发送的修改都会保留。确定清理吗？"),
		T("清理"), func() {
			a.clearBtn.Disable()
			background(s, func(ctx context.Context) (int64, error) {
				return s.db().ClearCache(ctx)
			}, func(n int64, err error) {
				a.clearBtn.Enable()
				if err != nil {
					s.showError(err)
					return
				}
				text := T("已清理缓存，释放 %s", formatBytes(n))
				a.freed.SetText(text)
				a.freed.Show()
				a.loadSize()
				s.info(T("清理缓存"), text)
			})
		})
}

// changePassword checks the three fields and changes the password on the
// server. The server answers with a new session, which is kept, together
// with a new offline verifier, so that both the next sync and an offline
// unlock use the new password.
func (a *settings) changePassword() {
	oldPw, newPw := a.oldPw.Text, a.newPw.Text
	if err := checkNewPassword(oldPw, newPw, a.repeatPw.Text); err != nil {
		a.passwordFailed(err)
		return
	}
	s := a.s
	api, db, username := s.api, s.db(), s.user.Username
	if api == nil {
		a.passwordFailed(errPasswordOffline())
		return
	}
	a.pwErr.Hide()
	a.pwBtn.Disable()
	background(s, func(ctx context.Context) (struct{}, error) {
		lr, err := api.ChangePassword(ctx, oldPw, newPw)
		if err != nil {
			return struct{}{}, err
		}
		if err := db.SaveSession(ctx, localdb.Session{Server: api.BaseURL(), Token: lr.Token, User: lr.User, ExpiresAt: lr.ExpiresAt}); err != nil {
			return struct{}{}, err
		}
		ver, err := localdb.NewVerifier(newPw)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, db.SaveVerifier(ctx, username, ver)
	}, func(_ struct{}, err error) {
		a.pwBtn.Enable()
		if client.Offline(err) {
			err = errPasswordOffline()
		}
		if err != nil {
			a.passwordFailed(err)
			return
		}
		for _, e := range []*widget.Entry{a.oldPw, a.newPw, a.repeatPw} {
			e.SetText("")
		}
		a.pwErr.Importance = widget.SuccessImportance
		a.pwErr.SetText(T("密码已修改。下次登录和离线进入请使用新密码。"))
		a.pwErr.Show()
	})
}

// passwordFailed shows why the password was not changed.
func (a *settings) passwordFailed(err error) {
	a.pwErr.Importance = widget.DangerImportance
	a.pwErr.SetText(message(err))
	a.pwErr.Show()
}

// passwordMessage returns the line under the password change, for tests
// and the tour.
func (a *settings) passwordMessage() string {
	if !a.pwErr.Visible() {
		return ""
	}
	return a.pwErr.Text
}

func errPasswordOffline() error {
	return assess.Errorf(assess.EUnavailable, "%s", T("修改密码需要连接服务器，现在连不上，请联网后再试"))
}

// checkNewPassword checks a password change before it is sent, with the
// server's rules (assess.ValidatePassword): at least 8 characters with two
// of letters, digits and symbols, different from the current one, typed
// the same twice.
func checkNewPassword(oldPw, newPw, repeat string) error {
	switch {
	case oldPw == "":
		return errEmpty(T("原密码"))
	case newPw == "":
		return errEmpty(T("新密码"))
	}
	if err := checkPasswordRules(newPw); err != nil {
		return err
	}
	switch {
	case newPw == oldPw:
		return invalidInput(T("新密码不能与原密码相同"))
	case repeat != newPw:
		return invalidInput(T("两次输入的新密码不一致，请重新输入"))
	}
	return nil
}
