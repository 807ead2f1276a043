// Package e2e proves the spine of Yiwangtong end to end: real central
// servers (sync/server over sync/server/sqlite) on loopback, real client
// stores (localdb) in temporary folders, the real sync client, and the real
// binaries where a process has to die. Its tests cover the whole filing and
// review cycle, exactly-once delivery under lost answers, conflicts that
// keep the user's work, kill -9 during sync, resumed uploads and offline
// work; its benchmarks measure evidence throughput and city-scale pulls.
//
// The package holds no code of its own: everything lives in its _test
// files, so that it tests the other packages exactly as they are.
package e2e
