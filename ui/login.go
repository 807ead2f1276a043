package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// loginView is the login screen: server address (remembered), username and
// password; an offline unlock for a user who has logged in on this PC
// before; on first start a choice between a server and the built-in demo.
type loginView struct {
	s        *Shell
	server   *widget.Entry
	username *widget.Entry
	password *widget.Entry
	loginBtn *widget.Button
	offline  *widget.Button
	demoBtn  *widget.Button
	errLabel *widget.Label
	busy     *widget.ProgressBarInfinite
}

// showLogin shows the login screen (or, on first start, the choice).
func (s *Shell) showLogin() {
	v := &loginView{s: s}
	s.login = v
	p := s.app.Preferences()
	v.server = widget.NewEntry()
	v.server.SetPlaceHolder("https://yiwangtong.example.gov.cn")
	v.server.SetText(p.String(prefServer))
	if s.deps.Server != "" {
		v.server.SetText(s.deps.Server)
	}
	v.username = widget.NewEntry()
	v.username.SetText(p.String(prefUsername))
	if v.username.Text == "" {
		v.offerStored()
	}
	v.password = widget.NewPasswordEntry()
	v.password.OnSubmitted = func(string) { v.submit() }
	v.username.OnSubmitted = func(string) { s.win.Canvas().Focus(v.password) }
	v.server.OnSubmitted = func(string) { s.win.Canvas().Focus(v.username) }
	v.loginBtn = widget.NewButtonWithIcon(T("登录"), theme.LoginIcon(), v.submit)
	v.loginBtn.Importance = widget.HighImportance
	v.offline = widget.NewButton(T("离线进入"), v.unlock)
	v.errLabel = widget.NewLabel("")
	v.errLabel.Importance = widget.DangerImportance
	v.errLabel.Wrapping = fyne.TextWrapWord
	v.errLabel.Hide()
	v.busy = widget.NewProgressBarInfinite()
	v.busy.Stop()
	v.busy.Hide()

	form := widget.NewForm(
		widget.NewFormItem(T("服务器地址"), v.server),
		widget.NewFormItem(T("用户名"), v.username),
		widget.NewFormItem(T("密码"), v.password),
	)
	buttons := container.NewHBox(layout.NewSpacer(), v.offline, v.loginBtn)
	items := []fyne.CanvasObject{form, buttons, v.busy, v.errLabel}
	if s.deps.Demo != nil {
		v.demoBtn = widget.NewButtonWithIcon(T("试用内置演示"), theme.MediaPlayIcon(), v.chooseDemo)
		hint := widget.NewLabel(T("没有服务器时，可在本机启动一个演示城市（13 个单位、47 项指标）体验全部功能。"))
		hint.Wrapping = fyne.TextWrapWord
		items = append(items, widget.NewSeparator(), hint, container.NewHBox(layout.NewSpacer(), v.demoBtn))
	}
	title := canvas.NewText(T("一网通"), theme.Color(theme.ColorNamePrimary))
	title.TextSize = 30
	title.TextStyle.Bold = true
	sub := widget.NewLabel(T("法治政府建设督察考核填报与审核系统"))
	card := widget.NewCard("", "", container.NewVBox(items...))
	box := container.NewVBox(container.NewCenter(title), container.NewCenter(sub), card)
	content := container.NewCenter(container.NewGridWrap(fyne.NewSize(520, box.MinSize().Height), box))
	if !p.Bool(prefStarted) && p.String(prefServer) == "" && s.deps.Server == "" && s.deps.Demo != nil {
		s.win.SetContent(v.firstRun(content))
	} else {
		s.win.SetContent(content)
	}
	switch {
	case v.server.Text == "":
		s.win.Canvas().Focus(v.server)
	case v.username.Text == "":
		s.win.Canvas().Focus(v.username)
	default:
		s.win.Canvas().Focus(v.password)
	}
}

// offerStored fills the form with the session kept on this PC (a login
// made with the command line, say), so that only the password is missing.
func (v *loginView) offerStored() {
	background(v.s, func(ctx context.Context) (localdb.Session, error) {
		sess, ok := storeUser(ctx, v.s.deps.Store)
		if !ok {
			return sess, errNoStored
		}
		return sess, nil
	}, func(sess localdb.Session, err error) {
		if err != nil || v.username.Text != "" {
			return
		}
		v.username.SetText(sess.User.Username)
		if v.server.Text == "" {
			v.server.SetText(sess.Server)
		}
		v.s.win.Canvas().Focus(v.password)
	})
}

var errNoStored = errors.New("no session kept on this PC")

// firstRun is the first start's choice: connect to a server or try the demo.
func (v *loginView) firstRun(login fyne.CanvasObject) fyne.CanvasObject {
	s := v.s
	connect := widget.NewButtonWithIcon(T("连接服务器"), theme.ComputerIcon(), func() {
		s.app.Preferences().SetBool(prefStarted, true)
		s.win.SetContent(login)
		s.win.Canvas().Focus(v.server)
	})
	connect.Importance = widget.HighImportance
	demo := widget.NewButtonWithIcon(T("试用内置演示"), theme.MediaPlayIcon(), func() {
		s.app.Preferences().SetBool(prefStarted, true)
		s.win.SetContent(login)
		v.chooseDemo()
	})
	welcome := widget.NewLabel(T("欢迎使用一网通。请选择：连接本市的考核服务器，或先在本机试用内置的演示城市。"))
	welcome.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(welcome, connect, demo)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(460, box.MinSize().Height+20), widget.NewCard(T("首次使用"), "", box)))
}

// fail shows a login error under the form.
func (v *loginView) fail(err error) {
	v.setBusy(false)
	v.errLabel.SetText(message(err))
	v.errLabel.Show()
}

func (v *loginView) setBusy(on bool) {
	if on {
		v.errLabel.Hide()
		v.busy.Show()
		v.busy.Start()
		v.loginBtn.Disable()
		v.offline.Disable()
	} else {
		v.busy.Stop()
		v.busy.Hide()
		v.loginBtn.Enable()
		v.offline.Enable()
	}
}

// check validates the form and returns the server, username and password.
func (v *loginView) check(needServer bool) (server, username, password string, err error) {
	server, username, password = strings.TrimSpace(v.server.Text), strings.TrimSpace(v.username.Text), v.password.Text
	switch {
	case needServer && server == "":
		return "", "", "", errEmpty(T("服务器地址"))
	case username == "":
		return "", "", "", errEmpty(T("用户名"))
	case password == "":
		return "", "", "", errEmpty(T("密码"))
	}
	if needServer {
		if !strings.Contains(server, "://") {
			server = "https://" + server
		}
		if u, perr := url.Parse(server); perr != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return "", "", "", assess.Errorf(assess.EInvalid, "%s", T("服务器地址格式不对，应类似 https://yiwangtong.example.gov.cn"))
		}
	}
	return server, username, password, nil
}

// submit logs in online; when the server cannot be reached and this user
// has logged in here before, it unlocks offline instead.
func (v *loginView) submit() {
	server, username, password, err := v.check(true)
	if err != nil {
		v.fail(err)
		return
	}
	v.setBusy(true)
	v.s.loginOnline(server, username, password, v.s.db(), func(err error) {
		if err != nil {
			v.fail(err)
		}
	})
}

// unlock enters offline with the verifier kept from an earlier login.
func (v *loginView) unlock() {
	_, username, password, err := v.check(false)
	if err != nil {
		v.fail(err)
		return
	}
	v.setBusy(true)
	v.s.unlockOffline(username, password, func(err error) {
		if err != nil {
			v.fail(err)
		}
	})
}

type loggedIn struct {
	user    assess.User
	api     *client.API
	offline bool
}

// loginOnline logs username in at server, keeps the session and the offline
// verifier in db, and starts the session; done gets the error, if any.
// An unreachable server falls back to the offline unlock.
func (s *Shell) loginOnline(server, username, password string, db Store, done func(error)) {
	background(s, func(ctx context.Context) (loggedIn, error) {
		api, err := s.deps.Connect(server)
		if err != nil {
			return loggedIn{}, err
		}
		lr, err := api.Login(ctx, username, password)
		if client.Offline(err) {
			if u, uerr := unlock(ctx, db, username, password); uerr == nil {
				sess, _ := db.Session(ctx)
				api.SetToken(sess.Token)
				return loggedIn{user: u, api: api, offline: true}, nil
			}
			return loggedIn{}, err
		}
		if err != nil {
			return loggedIn{}, err
		}
		if err := db.SaveSession(ctx, localdb.Session{Server: api.BaseURL(), Token: lr.Token, User: lr.User, ExpiresAt: lr.ExpiresAt}); err != nil {
			_ = api.Logout(context.WithoutCancel(ctx))
			return loggedIn{}, err
		}
		ver, err := localdb.NewVerifier(password)
		if err == nil {
			err = db.SaveVerifier(ctx, username, ver)
		}
		if err != nil {
			return loggedIn{}, err
		}
		return loggedIn{user: lr.User, api: api}, nil
	}, func(r loggedIn, err error) {
		if err != nil {
			done(err)
			return
		}
		if s.demo == nil {
			s.app.Preferences().SetString(prefServer, server)
			s.app.Preferences().SetString(prefUsername, username)
		}
		s.startSession(r.user, r.api)
		if r.offline {
			s.info(T("离线登录"), T("暂时连不上服务器，已用本机保存的登录信息进入。可以照常填报，联网后自动同步。"))
		}
		done(nil)
	})
}

// unlockOffline enters as the user of the session kept on this PC when the
// password matches the verifier of an earlier online login.
func (s *Shell) unlockOffline(username, password string, done func(error)) {
	background(s, func(ctx context.Context) (loggedIn, error) {
		u, err := unlock(ctx, s.db(), username, password)
		if err != nil {
			return loggedIn{}, err
		}
		sess, _ := s.db().Session(ctx)
		api, err := s.deps.Connect(sess.Server)
		if err != nil {
			return loggedIn{}, err
		}
		api.SetToken(sess.Token)
		return loggedIn{user: u, api: api, offline: true}, nil
	}, func(r loggedIn, err error) {
		if err != nil {
			done(err)
			return
		}
		s.app.Preferences().SetString(prefUsername, username)
		s.startSession(r.user, r.api)
		done(nil)
	})
}

// unlock checks username and password against what an earlier login on
// this PC kept: the session's user and the argon2id verifier.
func unlock(ctx context.Context, db Store, username, password string) (assess.User, error) {
	sess, ok := storeUser(ctx, db)
	if !ok {
		return assess.User{}, assess.Errorf(assess.EUnauthorized, "%s", T("本机没有保存的登录信息，请联网登录一次后再离线使用"))
	}
	if sess.User.Username != username {
		return assess.User{}, assess.Errorf(assess.EUnauthorized, "%s", T("本机保存的是用户“%s”的数据，离线时只能以该用户进入", sess.User.Username))
	}
	ver, err := db.Verifier(ctx, username)
	if err != nil {
		return assess.User{}, err
	}
	if !localdb.CheckVerifier(ver, password) {
		return assess.User{}, assess.Errorf(assess.EUnauthorized, "%s", T("密码不正确"))
	}
	return sess.User, nil
}

// chooseDemo asks which role to try, starts the demo city and logs in.
func (v *loginView) chooseDemo() {
	s := v.s
	role := widget.NewRadioGroup([]string{T("填报用户（东城区）"), T("审核用户（市委依法治市办）")}, nil)
	role.SetSelected(T("填报用户（东城区）"))
	s.form(T("试用内置演示"), T("开始试用"), []*widget.FormItem{widget.NewFormItem(T("身份"), role)}, func() error {
		want := assess.Reporter
		if role.Selected == T("审核用户（市委依法治市办）") {
			want = assess.Reviewer
		}
		v.setBusy(true)
		s.StartDemo(want, func(err error) {
			if err != nil {
				v.fail(err)
			}
		})
		return nil
	})
}

// StartDemo starts the built-in demo city and logs in as its first account
// of role; done gets the error, if any.
func (s *Shell) StartDemo(role assess.Role, done func(error)) {
	background(s, func(ctx context.Context) (*DemoCity, error) {
		if s.demo != nil {
			return s.demo, nil
		}
		return s.deps.Demo(ctx)
	}, func(city *DemoCity, err error) {
		if err != nil {
			done(err)
			return
		}
		s.demo = city
		for _, a := range city.Accounts {
			if a.Role == role {
				s.loginOnline(city.URL, a.Username, a.Password, s.db(), done)
				return
			}
		}
		done(assess.Errorf(assess.ENotFound, "%s", T("演示城市里没有这种身份的账号")))
	})
}
