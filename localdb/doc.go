// Package localdb is the desktop client's local store, the district clerk's
// offline notebook: one SQLite database (yiwangtong.db) and a
// content-addressed evidence folder (evidence/) in the user's data folder.
//
// It keeps a mirror of what the server lets the user see (filled from the
// change feed by ApplyPage, with the feed cursor stored in the same
// transaction), the user's own drafts, and the outbox: every user action is
// one SQLite transaction that writes the local change together with an outbox
// entry carrying a client-generated ID, so that nothing the user does is lost
// or duplicated through crashes, kill -9, power cuts and retries.
//
// The database runs in WAL mode with synchronous=FULL, so an action that has
// returned survives a power cut. Writes go through one connection with
// IMMEDIATE transactions; reads use a pool of read-only connections beside it.
//
// DB implements client.Local, the store the syncer in sync/client works on.
package localdb
