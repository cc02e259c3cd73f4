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
	gonjaControl "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
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
		ControlStructures: controlStructures,
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
	// macros are the names of the macros the template defines.
	macros map[string]bool
}

// parseTemplate parses src; a syntax error names path and line. gonja's
// parser panics on some malformed input ({% if x is %}): that is a syntax
// error of the file too.
func parseTemplate(path, src string) (tp *template, err error) {
	defer func() {
		if v := recover(); v != nil {
			tp, err = nil, fmt.Errorf("%w: %s: jinja syntax error: the template cannot be parsed (%v)", ErrCompile, path, v)
		}
	}()
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
	tp = &template{path: path, src: src, t: t}
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
	s := scanNode(tp.t.Root())
	tp.calls, tp.defined, tp.macros = s.calls, s.defined, s.macros
}

// scanNode scans one syntax tree: a whole template or one macro.
func scanNode(n any) *scanner {
	s := &scanner{
		seen:    map[uintptr]bool{},
		defined: map[string]bool{"loop": true, "caller": true, "varargs": true, "kwargs": true, "self": true},
		macros:  map[string]bool{},
	}
	s.walk(reflect.ValueOf(n))
	sort.SliceStable(s.calls, func(i, j int) bool { return s.calls[i].line < s.calls[j].line })
	return s
}

type scanner struct {
	seen    map[uintptr]bool
	calls   []callSite
	defined map[string]bool
	macros  map[string]bool
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
		s.macros[n.Name] = true
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
	case *gonjaControl.ForControlStructure:
		s.defined[n.Key] = true
		if n.Value != "" {
			s.defined[n.Value] = true
		}
	case *gonjaControl.SetControlStructure:
		s.defineTarget(reflect.ValueOf(n).Elem().FieldByName("target"))
	case *gonjaControl.WithControlStructure:
		pairs := reflect.ValueOf(n).Elem().FieldByName("pairs")
		for _, k := range pairs.MapKeys() {
			s.defined[k.String()] = true
		}
	case *gonjaControl.ImportControlStructure:
		s.defined[reflect.ValueOf(n).Elem().FieldByName("as").String()] = true
	case *gonjaControl.FromImportControlStructure:
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
// failed is the innermost project or package macro that failed, if any;
// hidden explains why a name that is not callable here is not (see
// Project.hiddenMacro), or returns "".
func renderError(path string, gerr error, own error, failed *Macro, hidden func(string) string) error {
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
	// Locate the innermost macro frame, for "(in macro 'x' at macros/x.sql:3)"
	// or "(in the body of a {% call %} block at models/a.sql:4)".
	var inMacro string
	if frames := reMacroFrame.FindAllStringSubmatchIndex(msg, -1); len(frames) > 0 {
		last := frames[len(frames)-1]
		name := msg[last[2]:last[3]]
		tail := msg[last[1]:]
		mline := 0
		if ms := reAtLine.FindAllStringSubmatch(tail, -1); len(ms) > 0 {
			mline, _ = strconv.Atoi(ms[len(ms)-1][1])
		}
		switch {
		case strings.HasPrefix(name, callerMacroPrefix) && mline > 0:
			inMacro = fmt.Sprintf(" (in the body of a {%% call %%} block at %s:%d)", strings.TrimPrefix(name, callerMacroPrefix), mline)
		case failed != nil && failed.Name == name && mline > 0:
			inMacro = fmt.Sprintf(" (in macro '%s' at %s:%d)", name, failed.file.path, mline)
		default:
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
		name := m[len(m)-1][1]
		if h := hidden(name); h != "" {
			return fmt.Errorf("%w: %s: %s%s", ErrCompile, where, h, inMacro)
		}
		return fmt.Errorf("%w: %s: undefined variable '%s'%s", ErrCompile, where, name, inMacro)
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
