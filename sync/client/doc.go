// Package client is the desktop side of sync: a resty-based API client
// (login, push, pull), tus resumable evidence uploads, Range-resumed evidence
// downloads, and a background syncer that reports progress through a
// callback and never blocks its caller.
package client
