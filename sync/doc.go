// Package sync is the home of Yiwangtong's offline-first synchronisation.
//
// The wire protocol both ends speak lives in sync/wire; the server (an
// http.Handler over a store interface, the change feed, tus uploads and the
// audit chain) in sync/server; the client (resty, tus uploads, the background
// syncer) in sync/client.
package sync
