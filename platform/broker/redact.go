package broker

import (
	"errors"

	"github.com/meshterious/warehouse/platform/config"
)

// redactedError hides the secrets that a wrapped error may carry in its text.
type redactedError struct {
	err     error
	secrets []string
}

func (e *redactedError) Error() string { return config.RedactText(e.err.Error(), e.secrets...) }

func (e *redactedError) Unwrap() error { return e.err }

// redactErr wraps err so its message never shows a secret of rawURL
// (config.URLSecrets).
func redactErr(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	var re *redactedError
	if errors.As(err, &re) {
		return err
	}
	secrets := config.URLSecrets(rawURL)
	msg := err.Error()
	if config.RedactText(msg, secrets...) == msg {
		return err
	}
	return &redactedError{err: err, secrets: secrets}
}
