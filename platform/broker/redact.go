package broker

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

const redactedPassword = "xxxxx"

var userinfoRE = regexp.MustCompile(`(//[^:/@]*:)[^@]*@`)

// RedactURL returns rawURL with the password replaced by "xxxxx", so that it
// can be logged or put in an error. A URL that does not parse is masked
// textually.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return userinfoRE.ReplaceAllString(rawURL, "${1}"+redactedPassword+"@")
	}
	return u.Redacted()
}

func hasAMQPScheme(rawURL string) bool {
	l := strings.ToLower(rawURL)
	return strings.HasPrefix(l, "amqp://") || strings.HasPrefix(l, "amqps://")
}

// urlPassword extracts the password of rawURL, or "".
func urlPassword(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		if m := userinfoRE.FindStringSubmatch(rawURL); m != nil {
			s := strings.TrimSuffix(strings.TrimPrefix(m[0], m[1]), "@")
			return s
		}
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// redactedError hides a password that a wrapped error may carry in its text.
type redactedError struct {
	err    error
	secret string
}

func (e *redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, redactedPassword)
}

func (e *redactedError) Unwrap() error { return e.err }

// redactErr wraps err so its message never shows the password of rawURL.
func redactErr(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	secret := urlPassword(rawURL)
	if secret == "" {
		return err
	}
	var re *redactedError
	if errors.As(err, &re) {
		return err
	}
	if !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redactedError{err: err, secret: secret}
}
