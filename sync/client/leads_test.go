package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func TestImportLeads(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	// A service account with a token issued on the server, as another
	// system's import would use it.
	hash, err := server.HashPassword("Service#2026")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.store.AddUser(ctx, assess.User{ID: "u-rexian", Username: "rexian", Name: "12345热线接口", Role: assess.Service}, hash); err != nil {
		t.Fatal(err)
	}
	tok, _, err := server.IssueServiceToken(ctx, c.store, "rexian", c.now, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := client.New(c.http.URL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc.SetToken(tok)

	batch := wire.LeadBatch{Leads: []wire.LeadRecord{
		{Source: assess.LeadHotline, RecordID: "12345-0301-8", UnitID: unitA, Date: "2026-03-01", Summary: "市民反映甲区某窗口一次性告知不到位。", IndicatorCode: "1.1"},
		{Source: assess.LeadPetition, RecordID: "XF-0302", UnitID: unitB, Date: "2026-03-02", Summary: "来信反映乙区征收补偿程序问题。"},
	}}
	resp, err := svc.ImportLeads(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Created != 2 || resp.Results[0].ID != "hotline:12345-0301-8" || resp.Results[1].Status != wire.LeadCreated {
		t.Fatalf("first import: %+v", resp)
	}
	if resp, err = svc.ImportLeads(ctx, batch); err != nil || resp.Unchanged != 2 {
		t.Fatalf("the same batch again: %+v %v", resp, err)
	}

	// Refusals arrive as coded Chinese errors; nothing of the batch is kept.
	bad := wire.LeadBatch{Leads: []wire.LeadRecord{
		{Source: assess.LeadProposal, RecordID: "JY-1", UnitID: unitA, Date: "2026-03-03", Summary: "代表建议办理超期。"},
		{Source: assess.LeadProposal, RecordID: "JY-2", UnitID: "unit-z", Date: "2026-03-03", Summary: "代表建议办理超期。"},
	}}
	_, err = svc.ImportLeads(ctx, bad)
	if assess.ErrorCode(err) != assess.EInvalid || !strings.Contains(assess.ErrorMessage(err), "单位“unit-z”不存在") {
		t.Errorf("unknown unit: %v", err)
	}
	if _, err := svc.ImportLeads(ctx, wire.LeadBatch{}); assess.ErrorCode(err) != assess.EInvalid || !hasHan(assess.ErrorMessage(err)) {
		t.Errorf("empty batch: %v", err)
	}
	rep := c.pc("rep-a", nil, nil)
	if _, err := rep.api.ImportLeads(ctx, batch); assess.ErrorCode(err) != assess.EForbidden || !hasHan(assess.ErrorMessage(err)) {
		t.Errorf("a reporter imports leads: %v", err)
	}
	if _, err := svc.Changes(ctx, 0, 0); assess.ErrorCode(err) != assess.EForbidden {
		t.Errorf("the service account pulls the feed: %v", err)
	}

	// The reviewer's PC gets the imported leads with its next sync.
	rev := c.pc("reviewer", nil, nil)
	if err := rev.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	leads, err := rev.db.Leads(ctx, localdb.LeadFilter{YearID: yearID})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range leads {
		got[l.ID] = l.UnitID + " " + l.IndicatorID + " " + l.ImportedBy
	}
	if len(got) != 2 || got["hotline:12345-0301-8"] != unitA+" ind-1-1 u-rexian" || got["petition:XF-0302"] != unitB+"  u-rexian" {
		t.Errorf("the reviewer's leads: %v", got)
	}
}
