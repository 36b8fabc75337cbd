package httpsig

import (
	"errors"
	"strings"
)

// scanner walks a signature header: name = value pairs separated by commas.
type scanner struct {
	s   string
	pos int
}

func (sc *scanner) done() bool { return sc.pos >= len(sc.s) }

func (sc *scanner) peek() byte { return sc.s[sc.pos] }

// skip advances past any of the bytes in set.
func (sc *scanner) skip(set string) {
	for !sc.done() && strings.IndexByte(set, sc.peek()) >= 0 {
		sc.pos++
	}
}

// token reads up to the next byte in stop.
func (sc *scanner) token(stop string) string {
	start := sc.pos
	for !sc.done() && strings.IndexByte(stop, sc.peek()) < 0 {
		sc.pos++
	}
	return sc.s[start:sc.pos]
}

// param reads name OWS "=" OWS value, then expects a comma or the end.
func (sc *scanner) param() (name, value string, err error) {
	name = sc.token(`= ,	"`)
	if name == "" {
		return "", "", errors.New("parameter without a name")
	}
	sc.skip(" \t")
	if sc.done() || sc.peek() != '=' {
		return "", "", errors.New("parameter " + name + " without a value")
	}
	sc.pos++
	sc.skip(" \t")
	if !sc.done() && sc.peek() == '"' {
		value, err = sc.quoted()
		if err != nil {
			return "", "", err
		}
	} else {
		value = sc.token(", \t\"")
	}
	sc.skip(" \t")
	if !sc.done() && sc.peek() != ',' {
		return "", "", errors.New("parameter " + name + ": unexpected text after the value")
	}
	return name, value, nil
}

// quoted reads a quoted string with backslash escapes, the opening quote
// under the cursor.
func (sc *scanner) quoted() (string, error) {
	sc.pos++
	var b strings.Builder
	for !sc.done() {
		c := sc.peek()
		sc.pos++
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			if sc.done() {
				return "", errors.New("unterminated escape")
			}
			b.WriteByte(sc.peek())
			sc.pos++
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated quoted value")
}
