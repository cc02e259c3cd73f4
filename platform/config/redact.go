package config

import (
	"net/url"
	"regexp"
	"strings"
)

// Redacted is what a masked secret reads as.
const Redacted = "xxxxx"

var (
	// userinfoRE matches the password of a URL's userinfo ("//user:password@"),
	// up to the last '@' of the word, for text that does not parse as a URL.
	userinfoRE = regexp.MustCompile(`(//[^:/@\s]*:)\S*@`)
	// secretParamRE matches key=value pairs whose key names a secret, as in
	// a query string or a key/value DSN ("host=h password=p").
	secretParamRE = regexp.MustCompile(`(?i)\b([a-z_.-]*(?:pass|pwd|secret|token)[a-z_.-]*=)[^&\s]*`)
)

// isSecretKey reports whether a query parameter or DSN key names a secret.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"pass", "pwd", "secret", "token"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// RedactURL returns raw with every secret it holds replaced by "xxxxx", so that
// it can be printed, logged or put in an error: the password of the userinfo
// (amqp://user:xxxxx@host/) and the value of every query parameter whose name
// holds pass, pwd, secret or token (postgres://h/db?password=xxxxx). Text that
// does not parse as a URL is masked textually the same way, so a malformed URL
// or a key/value DSN ("host=h password=xxxxx") never shows its password
// either. A string without secrets is returned unchanged.
//
// It is the one redaction rule of the platform; the broker's errors and every
// configuration message use it.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.Scheme == "" && u.Host == "") {
		return redactText(raw)
	}
	changed := false
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), Redacted)
		changed = true
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return redactText(raw)
		}
		for k := range q {
			if isSecretKey(k) {
				q[k] = []string{Redacted}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return raw
	}
	return u.String()
}

// redactText masks URL passwords and secret key=value pairs in free text.
func redactText(s string) string {
	s = userinfoRE.ReplaceAllString(s, "${1}"+Redacted+"@")
	return secretParamRE.ReplaceAllString(s, "${1}"+Redacted)
}

// URLSecrets returns the secrets raw holds, as RedactURL finds them: the
// password of its userinfo and the values of secret query parameters or
// key/value pairs. A caller masks them with RedactText in text that a library
// produced from raw.
func URLSecrets(raw string) []string {
	var out []string
	add := func(v string) {
		if v != "" && v != Redacted {
			out = append(out, v)
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.Scheme == "" && u.Host == "") {
		for _, m := range userinfoRE.FindAllStringSubmatch(raw, -1) {
			add(strings.TrimSuffix(strings.TrimPrefix(m[0], m[1]), "@"))
		}
		for _, m := range secretParamRE.FindAllStringSubmatch(raw, -1) {
			add(strings.TrimPrefix(m[0], m[1]))
		}
		return out
	}
	if p, has := u.User.Password(); has {
		add(p)
	}
	if q, err := url.ParseQuery(u.RawQuery); err == nil {
		for k, vs := range q {
			if isSecretKey(k) {
				for _, v := range vs {
					add(v)
				}
			}
		}
	}
	return out
}

// RedactText returns text with every given secret replaced by "xxxxx", and
// URL passwords and secret key=value pairs masked as RedactURL masks them:
// for messages of libraries that may quote a URL or a credential.
func RedactText(text string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, Redacted)
		}
	}
	return redactText(text)
}
