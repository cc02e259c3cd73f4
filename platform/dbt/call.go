package dbt

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// controlStructures are gonja's control structures with {% call %}
// replaced by callBlock.
var controlStructures = func() *exec.ControlStructureSet {
	set := exec.NewControlStructureSet(map[string]parser.ControlStructureParser{})
	set.Update(builtins.ControlStructures)
	if err := set.Replace("call", parseCallBlock); err != nil {
		panic(err)
	}
	return set
}()

// callBlock is Jinja's {% call [(params)] macro(args) %}body{% endcall %}.
//
// gonja's own call block hands the body to the macro through the context of
// the template that contains the block, so a macro defined in another file
// (every project and package macro: each macro file has its own renderer)
// never sees it and fails with "caller is not callable"; it also has no
// parameter list. callBlock passes the body as caller, a macro made of the
// block's parameters and body that renders in the scope of the block, the
// way Jinja2 compiles a CallBlock.
type callBlock struct {
	Location *tokens.Token
	Call     *nodes.Call  // the macro invocation
	Caller   *nodes.Macro // named caller: the block's parameters and body
}

func (c *callBlock) Position() *tokens.Token { return c.Location }

func (c *callBlock) String() string {
	return fmt.Sprintf("call block (line %d)", c.Location.Line)
}

// callerKwarg is the reserved keyword argument with which a call block hands
// its caller to a project or package macro (see renderer.wrapMacro).
const callerKwarg = "__dbt_caller__"

// callerMacroPrefix starts the name of the macro made of a call block's body.
const callerMacroPrefix = "caller of a call block in "

// gonjaCallerSlot is where gonja's macros look for a caller: a macro defined
// with {% macro %} in the same template consumes it when it starts.
const gonjaCallerSlot = "__gonja_caller__"

// Execute implements exec.ControlStructure.
func (c *callBlock) Execute(r *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	caller, err := exec.MacroNodeToFunc(c.Caller, r)
	if err != nil {
		return err
	}
	fn := r.Eval(c.Call.Func)
	if fn.IsError() {
		return fn
	}
	var out *exec.Value
	if m, ok := fn.Interface().(dbtMacro); ok {
		va := exec.NewVarArgs()
		for _, a := range c.Call.Args {
			v := r.Eval(a)
			if v.IsError() {
				return v
			}
			va.Args = append(va.Args, v)
		}
		for k, a := range c.Call.Kwargs {
			v := r.Eval(a)
			if v.IsError() {
				return v
			}
			va.KwArgs[k] = v
		}
		va.KwArgs[callerKwarg] = exec.AsValue(caller)
		out = m(va)
	} else {
		// Anything else callable (a macro gonja defined while rendering):
		// gonja's own hand-over, through the slot of this renderer's context.
		r.Environment.Context.Set(gonjaCallerSlot, caller)
		out = r.Eval(c.Call)
		r.Environment.Context.Set(gonjaCallerSlot, nil)
	}
	if out.IsError() {
		return out
	}
	_, err = r.Output.Write([]byte(out.String()))
	return err
}

// at is the token to report a syntax error at: the current one, else (at
// the end of the tag, where gonja gives a token of line 0) the call tag's.
func at(args *parser.Parser, tag *tokens.Token) *tokens.Token {
	if t := args.Current(); t != nil && t.Line > 0 {
		return t
	}
	return tag
}

// parseCallBlock parses {% call [(params)] callee(args) %}...{% endcall %};
// params take defaults like a macro's ({% call(row, sep=', ') m() %}).
func parseCallBlock(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	c := &callBlock{Location: p.Current()}
	where := ""
	if p.Template != nil {
		where = strings.TrimPrefix(p.Template.Identifier, "/")
	}
	// The name only shows in errors: renderError reads it back to say that
	// the error is in the body of this block.
	c.Caller = &nodes.Macro{Location: c.Location, Name: callerMacroPrefix + where, Kwargs: []*nodes.Pair{}}
	if args.Match(tokens.LeftParenthesis) != nil {
		for args.Match(tokens.RightParenthesis) == nil {
			name := args.Match(tokens.Name)
			if name == nil {
				return nil, args.Error("Expected a parameter name in call-tag parameters.", at(args, c.Location))
			}
			param := &nodes.Pair{Key: &nodes.String{Location: name, Val: name.Val}}
			if args.Match(tokens.Assign) != nil {
				expr, err := args.ParseExpression()
				if err != nil {
					return nil, err
				}
				param.Value = expr
			} else {
				param.Value = &nodes.Error{Location: name, Error: fmt.Errorf("parameter \"%s\" of caller() was not provided", name.Val)}
			}
			c.Caller.Kwargs = append(c.Caller.Kwargs, param)
			if args.Match(tokens.RightParenthesis) != nil {
				break
			}
			if args.Match(tokens.Comma) == nil {
				return nil, args.Error("Expected ',' or ')' in call-tag parameters.", at(args, c.Location))
			}
		}
	}
	expr, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	call, ok := expr.(*nodes.Call)
	if !ok {
		return nil, args.Error("Expected a macro call after {% call %}.", at(args, c.Location))
	}
	c.Call = call
	if !args.End() {
		return nil, args.Error("Malformed call-tag.", at(args, c.Location))
	}
	body, end, err := p.WrapUntil("endcall")
	if err != nil {
		return nil, err
	}
	if !end.End() {
		return nil, end.Error("endcall takes no arguments.", nil)
	}
	c.Caller.Wrapper = body
	return c, nil
}
