package dbt

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/nikolalohinski/gonja/v2"
	"github.com/nikolalohinski/gonja/v2/builtins"
	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
)

// jinjaConfig is the gonja configuration every template is parsed with:
// Jinja's defaults (no trim_blocks, trailing newline dropped) plus strict
// undefined names, like dbt, so a typo fails instead of rendering "".
func jinjaConfig() *config.Config {
	c := config.New()
	c.StrictUndefined = true
	return c
}

// baseEnvironment is the environment templates are parsed with; its context
// holds gonja's global functions (range, dict, namespace...).
func newEnvironment(ctx *exec.Context) *exec.Environment {
	return &exec.Environment{
		Context:           ctx,
		Filters:           builtins.Filters,
		Tests:             builtins.Tests,
		ControlStructures: builtins.ControlStructures,
		Methods:           builtins.Methods,
	}
}

// template is one parsed Jinja file (a model, a macro file, an analysis).
type template struct {
	path  string // display path: models/marts/x.sql, or <package>/macros/y.sql
	src   string
	t     *exec.Template
	calls []callSite
	// defined holds the names the template itself binds (set, for, macro
	// parameters...), which may legitimately be called.
	defined map[string]bool
}

// parseTemplate parses src; a syntax error names path and line.
func parseTemplate(path, src string) (*template, error) {
	id := "/" + path
	loader, err := loaders.NewMemoryLoader(map[string]string{id: src})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrProject, path, err)
	}
	t, err := exec.NewTemplate(id, jinjaConfig(), loader, newEnvironment(gonja.DefaultContext))
	if err != nil {
		var se *parser.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%w: %s:%d: jinja syntax error: %s (near %q)", ErrCompile, path, se.Line, se.Message, se.Raw)
		}
		msg := err.Error()
		if i := strings.LastIndex(msg, "': "); i >= 0 && strings.HasPrefix(msg, "failed to parse template") {
			msg = msg[i+3:]
		}
		return nil, fmt.Errorf("%w: %s: jinja syntax error: %s", ErrCompile, path, msg)
	}
	tp := &template{path: path, src: src, t: t}
	tp.scan()
	return tp, nil
}

// callSite is one function call found in a template's syntax tree.
type callSite struct {
	name   string // dotted name of the callee (adapter.get_relation), "" if not rooted at a name
	line   int
	args   []nodes.Expression
	kwargs map[string]nodes.Expression
}

// literalArgs returns the call's positional arguments when all are string
// literals.
func (c callSite) literalArgs() ([]string, bool) {
	out := make([]string, 0, len(c.args))
	for _, a := range c.args {
		s, ok := a.(*nodes.String)
		if !ok {
			return nil, false
		}
		out = append(out, s.Val)
	}
	return out, true
}

// scan walks the whole syntax tree (including control structures, whose
// fields gonja keeps unexported) collecting calls and locally bound names.
func (tp *template) scan() {
	s := &scanner{seen: map[uintptr]bool{}, defined: map[string]bool{"loop": true, "caller": true, "varargs": true, "kwargs": true, "self": true}}
	s.walk(reflect.ValueOf(tp.t.Root()))
	tp.calls = s.calls
	tp.defined = s.defined
	sort.SliceStable(tp.calls, func(i, j int) bool { return tp.calls[i].line < tp.calls[j].line })
}

type scanner struct {
	seen    map[uintptr]bool
	calls   []callSite
	defined map[string]bool
}

// usable returns an interface for a pointer value reached through
// unexported fields (reflect marks those read-only).
func usable(v reflect.Value) any {
	if v.CanInterface() {
		return v.Interface()
	}
	return reflect.NewAt(v.Type().Elem(), unsafe.Pointer(v.Pointer())).Interface()
}

func (s *scanner) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if s.seen[v.Pointer()] {
			return
		}
		s.seen[v.Pointer()] = true
		if v.Type().Elem().Kind() == reflect.Struct {
			s.visit(usable(v))
		}
		s.walk(v.Elem())
	case reflect.Interface:
		if !v.IsNil() {
			s.walk(v.Elem())
		}
	case reflect.Struct:
		if v.Type().PkgPath() == "github.com/nikolalohinski/gonja/v2/tokens" {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			s.walk(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			s.walk(v.Index(i))
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			s.walk(it.Value())
		}
	}
}

func (s *scanner) visit(n any) {
	switch n := n.(type) {
	case *nodes.Call:
		line := 0
		if n.Location != nil {
			line = n.Location.Line
		}
		s.calls = append(s.calls, callSite{name: dottedName(n.Func), line: line, args: n.Args, kwargs: n.Kwargs})
	case *nodes.Macro:
		s.defined[n.Name] = true
		for _, kw := range n.Kwargs {
			if name := dottedName(kw.Key); name != "" {
				s.defined[name] = true
			} else if str, ok := kw.Key.(*nodes.String); ok {
				s.defined[str.Val] = true
			}
		}
		if n.VarArgsName != "" {
			s.defined[n.VarArgsName] = true
		}
		if n.KwArgsName != "" {
			s.defined[n.KwArgsName] = true
		}
	case *controlStructures.ForControlStructure:
		s.defined[n.Key] = true
		if n.Value != "" {
			s.defined[n.Value] = true
		}
	case *controlStructures.SetControlStructure:
		s.defineTarget(reflect.ValueOf(n).Elem().FieldByName("target"))
	case *controlStructures.WithControlStructure:
		pairs := reflect.ValueOf(n).Elem().FieldByName("pairs")
		for _, k := range pairs.MapKeys() {
			s.defined[k.String()] = true
		}
	case *controlStructures.ImportControlStructure:
		s.defined[reflect.ValueOf(n).Elem().FieldByName("as").String()] = true
	case *controlStructures.FromImportControlStructure:
		for k := range n.As {
			s.defined[k] = true
		}
	}
}

func (s *scanner) defineTarget(v reflect.Value) {
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	switch t := usable(v).(type) {
	case *nodes.Name:
		s.defined[t.Name.Val] = true
	case *nodes.Tuple:
		for _, e := range t.Val {
			s.defineTarget(reflect.ValueOf(&e).Elem())
		}
	case *nodes.List:
		for _, e := range t.Val {
			s.defineTarget(reflect.ValueOf(&e).Elem())
		}
	}
}

// dottedName returns "a.b.c" for a callee written as a.b.c, "" otherwise.
func dottedName(n nodes.Node) string {
	switch n := n.(type) {
	case *nodes.Name:
		return n.Name.Val
	case *nodes.GetAttribute:
		if n.Attribute == "" {
			return ""
		}
		if p := dottedName(n.Node); p != "" {
			return p + "." + n.Attribute
		}
	}
	return ""
}

// rootName is the first element of a dotted name.
func rootName(dotted string) string {
	if i := strings.IndexByte(dotted, '.'); i >= 0 {
		return dotted[:i]
	}
	return dotted
}

// ---- run-time error attribution --------------------------------------------

var (
	reAtLine     = regexp.MustCompile(`at line (\d+)`)
	reMacroFrame = regexp.MustCompile(`(?i)unable to execute macro '([^']+)'`)
	reUndefName  = regexp.MustCompile(`Unable to evaluate name "([^"]+)"`)
	reAttr       = regexp.MustCompile(`Unable to evaluate ([^:]+): attribute '([^']+)' not found`)
)

// renderError turns a gonja execution error into "<path>:<line>: <message>".
// gonja wraps errors in "Unable to render expression at line N: ..." layers,
// outermost first; the last line number before the first macro frame is the
// statement of this template that failed. The message is the error recorded
// by our own functions when there is one, else gonja's innermost message.
func renderError(path string, gerr error, own error, macroPaths map[string]string) error {
	msg := gerr.Error()
	head := msg
	loc := reMacroFrame.FindStringSubmatchIndex(msg)
	if loc != nil {
		head = msg[:loc[0]]
	}
	line := 0
	if ms := reAtLine.FindAllStringSubmatch(head, -1); len(ms) > 0 {
		line, _ = strconv.Atoi(ms[len(ms)-1][1])
	}
	var where string
	if line > 0 {
		where = fmt.Sprintf("%s:%d", path, line)
	} else {
		where = path
	}
	// Locate the innermost macro frame, for "(in macro x at macros/x.sql:3)".
	var inMacro string
	if frames := reMacroFrame.FindAllStringSubmatchIndex(msg, -1); len(frames) > 0 {
		last := frames[len(frames)-1]
		name := msg[last[2]:last[3]]
		tail := msg[last[1]:]
		mline := 0
		if ms := reAtLine.FindAllStringSubmatch(tail, -1); len(ms) > 0 {
			mline, _ = strconv.Atoi(ms[len(ms)-1][1])
		}
		if p, ok := macroPaths[name]; ok && mline > 0 {
			inMacro = fmt.Sprintf(" (in macro '%s' at %s:%d)", name, p, mline)
		} else {
			inMacro = fmt.Sprintf(" (in macro '%s')", name)
		}
	}
	if own != nil {
		kind, text := ErrCompile, own.Error()
		for _, s := range []error{ErrCompile, ErrUnsupported, ErrProject} {
			if errors.Is(own, s) {
				kind = s
			}
			text = strings.TrimPrefix(text, s.Error()+": ")
		}
		return fmt.Errorf("%w: %s: %s%s", kind, where, text, inMacro)
	}
	if m := reUndefName.FindAllStringSubmatch(msg, -1); len(m) > 0 {
		return fmt.Errorf("%w: %s: undefined variable '%s'%s", ErrCompile, where, m[len(m)-1][1], inMacro)
	}
	if m := reAttr.FindAllStringSubmatch(msg, -1); len(m) > 0 {
		return fmt.Errorf("%w: %s: undefined attribute '%s' of %s%s", ErrCompile, where, m[len(m)-1][2], strings.TrimSpace(m[len(m)-1][1]), inMacro)
	}
	inner := msg
	if i := strings.LastIndex(inner, ": "); i >= 0 {
		inner = inner[i+2:]
	}
	return fmt.Errorf("%w: %s: %s%s", ErrCompile, where, inner, inMacro)
}
