package localdb

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// The offline-unlock verifier: "argon2id1" || salt(16) || key(32), with
// argon2id at 19 MiB, 2 passes, 1 lane — a few tens of milliseconds on a
// district PC, and the password itself is never kept.
const (
	verifierTag     = "argon2id1"
	verifierSaltLen = 16
	verifierKeyLen  = 32
	verifierMemory  = 19 * 1024
	verifierTime    = 2
)

// NewVerifier derives an offline-unlock verifier from a password that the
// server has just accepted.
func NewVerifier(password string) ([]byte, error) {
	salt := make([]byte, verifierSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("verifier salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, verifierTime, verifierMemory, 1, verifierKeyLen)
	return append(append([]byte(verifierTag), salt...), key...), nil
}

// CheckVerifier reports whether password matches a verifier made by
// NewVerifier.
func CheckVerifier(verifier []byte, password string) bool {
	if len(verifier) != len(verifierTag)+verifierSaltLen+verifierKeyLen || !bytes.HasPrefix(verifier, []byte(verifierTag)) {
		return false
	}
	salt := verifier[len(verifierTag) : len(verifierTag)+verifierSaltLen]
	want := verifier[len(verifierTag)+verifierSaltLen:]
	got := argon2.IDKey([]byte(password), salt, verifierTime, verifierMemory, 1, verifierKeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1
}
