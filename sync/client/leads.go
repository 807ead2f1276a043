package client

import (
	"context"
	"net/http"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// ImportLeads sends a batch of leads (督察线索) to the server's import API
// as a service account or a reviewer, and returns what the server did with
// each. The server applies the batch all or none: on an error nothing of it
// is stored. Sending the same batch again changes nothing.
func (a *API) ImportLeads(ctx context.Context, batch wire.LeadBatch) (wire.LeadImportResponse, error) {
	if batch.Leads == nil {
		batch.Leads = []wire.LeadRecord{}
	}
	var out wire.LeadImportResponse
	if err := a.do(ctx, http.MethodPost, wire.LeadsPath, nil, batch, &out); err != nil {
		return wire.LeadImportResponse{}, err
	}
	if len(out.Results) != len(batch.Leads) {
		return wire.LeadImportResponse{}, assess.Errorf(assess.EInternal, "服务器返回的导入结果数量（%d）与提交的线索数量（%d）不符 (result count mismatch)", len(out.Results), len(batch.Leads))
	}
	return out, nil
}
