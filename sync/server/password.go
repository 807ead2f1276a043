package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters of new password hashes: 46 MiB of memory, one pass,
// one lane, a 16-byte random salt and a 32-byte key.
const (
	argonMemory  = 47104 // KiB
	argonTime    = 1
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Bounds on the parameters a stored hash may ask for, so that a damaged or
// hostile record cannot make one check take unbounded memory or time.
const (
	maxArgonMemory = 4 << 20 // KiB (4 GiB)
	maxArgonTime   = 64
	maxKeyLen      = 128
)

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of pw in PHC string format:
// $argon2id$v=19$m=47104,t=1,p=1$<salt>$<key>, salt and key in unpadded
// standard base64.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches an argon2id hash made by
// HashPassword (or any PHC argon2id string with sane parameters). The
// comparison takes constant time; a malformed hash is an error.
func CheckPassword(hash, pw string) (bool, error) {
	p, err := parseArgon(hash)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

type argonHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

var errBadHash = errors.New("password hash is not a valid argon2id PHC string")

func parseArgon(s string) (argonHash, error) {
	var p argonHash
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, errBadHash
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads); err != nil || n != 3 {
		return p, errBadHash
	}
	if p.memory < 8 || p.memory > maxArgonMemory || p.time < 1 || p.time > maxArgonTime || threads < 1 || threads > 255 {
		return p, errBadHash
	}
	p.threads = uint8(threads)
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, errBadHash
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > maxKeyLen {
		return p, errBadHash
	}
	return p, nil
}

// Letters and digits of generated passwords, without the characters easily
// misread (0 O o 1 l I).
const (
	passwordLetters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
	passwordDigits  = "23456789"
)

// GeneratedPasswordLen is the length of the passwords the server and its
// administration commands generate.
const GeneratedPasswordLen = 14

// GeneratePassword returns n (at least 4) random, readable letters and
// digits from crypto/rand, with at least two of each, so that it passes
// assess.ValidatePassword.
func GeneratePassword(n int) (string, error) {
	alphabet := passwordLetters + passwordDigits
	for {
		b := make([]byte, max(n, 4))
		letters, digits := 0, 0
		for i := range b {
			k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				return "", fmt.Errorf("生成密码失败 (generate a password): %w", err)
			}
			b[i] = alphabet[k.Int64()]
			if strings.IndexByte(passwordDigits, b[i]) >= 0 {
				digits++
			} else {
				letters++
			}
		}
		if letters >= 2 && digits >= 2 {
			return string(b), nil
		}
	}
}
