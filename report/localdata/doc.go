// Package localdata builds the input types of package report
// (FeedbackData, CitySummaryData, ChecklistData, MatrixData, BundleItem,
// the rows of the data downloads) from the desktop client's local store, so
// that the window and the headless `yiwangtong report|export|import|template`
// commands make the same documents, offline, from what the client holds.
//
// Task states, scores, reviews, rectifications and standings are the
// server's copies as last pulled: the record a printed report must match
// (the feedback report's digest is computed from them, so the server can
// recompute it), never the user's changes still waiting to be sent. The
// caller says so to the user when the outbox is not empty.
//
// The package also plans imports: it matches an imported indicator tree or
// a set of external scores to what the year already holds, so that only new
// and changed records are queued and importing the same workbook twice
// queues nothing.
package localdata
