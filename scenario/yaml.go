package scenario

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/shuttle-mediation/shuttle"
)

// node is a YAML element reduced to what the decoder needs: its shape, its
// line and, for scalars, the text as written. Converting goccy's AST once
// keeps the decoder free of its many node types and resolves aliases.
type node struct {
	kind  nodeKind
	line  int
	text  string  // scalar: the value without quotes
	num   bool    // scalar: written as a YAML number (int or float)
	isInt bool    // scalar: written as a YAML integer
	keys  []*node // mapping: the keys, in file order
	vals  []*node // mapping: the values, parallel to keys
	items []*node // sequence: the items
	size  int     // elements in the tree under this node, itself included
}

type nodeKind uint8

const (
	nullNode nodeKind = iota
	scalarNode
	mapNode
	seqNode
)

func (k nodeKind) String() string {
	switch k {
	case scalarNode:
		return "a single value"
	case mapNode:
		return "a mapping (key: value)"
	case seqNode:
		return "a list"
	}
	return "empty"
}

// Limits on what an input can make the YAML parser do: its time grows
// faster than linearly with nesting, and aliases multiply elements.
const (
	maxNodes = 200000
	maxDepth = 64
)

// startsScalar reports whether a quote after b opens a quoted scalar rather
// than being part of plain text (don't).
func startsScalar(b byte) bool {
	switch b {
	case 0, ' ', '\t', '\n', '[', '{', ',', ':', '-':
		return true
	}
	return false
}

// checkDepth refuses input nested deeper than maxDepth, by indentation or
// by brackets, before the parser sees it. The scan is rough (it does not
// know which brackets belong to plain text), which is harmless at a limit
// no scenario comes near.
func checkDepth(file string, data []byte) error {
	depth, line := 0, 1
	indent, lineStart := 0, true
	var quote, prev byte // the open quote, if any; the byte before c
	for i := 0; i < len(data); i, prev = i+1, data[i] {
		c := data[i]
		if c == '\n' {
			line++
			indent, lineStart = 0, true
			continue
		}
		if lineStart {
			if c == ' ' || c == '-' || c == '\t' {
				indent++
				if indent > 4*maxDepth {
					return &shuttle.Error{Code: shuttle.ETooLarge, File: file, Line: line, Message: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
				}
				continue
			}
			lineStart = false
		}
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && startsScalar(prev):
			quote = c
		case c == '#' && (prev == 0 || prev == ' ' || prev == '\t' || prev == '\n'):
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == '[' || c == '{':
			if depth++; depth > maxDepth {
				return &shuttle.Error{Code: shuttle.ETooLarge, File: file, Line: line, Message: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
			}
		case c == ']' || c == '}':
			depth = max(depth-1, 0)
		}
	}
	return nil
}

// parseYAML reads one YAML document into a node tree. A syntax error is
// reported at its line.
func parseYAML(file string, data []byte) (*node, error) {
	if len(data) > MaxFileSize {
		return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: file, Message: fmt.Sprintf("larger than %d bytes", MaxFileSize)}
	}
	if err := checkDepth(file, data); err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var ye interface {
			GetToken() *token.Token
			GetMessage() string
		}
		if errors.As(err, &ye) {
			line := 0
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				line = tk.Position.Line
			}
			return nil, shuttle.InFile(file, line, "", "YAML: %s", ye.GetMessage())
		}
		return nil, shuttle.InFile(file, 0, "", "YAML: %v", err)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil && !isComment(d.Body) {
			docs = append(docs, d)
		}
	}
	switch len(docs) {
	case 0:
		return nil, shuttle.InFile(file, 0, "", "the file is empty")
	case 1:
	default:
		return nil, shuttle.InFile(file, lineOf(docs[1]), "", "a scenario file holds one YAML document, this is the second")
	}
	c := converter{file: file, anchors: map[string]*node{}}
	return c.convert(docs[0].Body)
}

func isComment(n ast.Node) bool {
	switch n.(type) {
	case *ast.CommentNode, *ast.CommentGroupNode:
		return true
	}
	return false
}

func lineOf(n ast.Node) int {
	if n == nil {
		return 0
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return lineOf(m.Values[0].Key)
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

type converter struct {
	file    string
	anchors map[string]*node
	count   int
}

func (c *converter) convert(n ast.Node) (*node, error) {
	c.count++
	if c.count > maxNodes {
		return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: c.file, Line: lineOf(n), Message: fmt.Sprintf("more than %d YAML elements", maxNodes)}
	}
	line := lineOf(n)
	switch t := n.(type) {
	case nil:
		return &node{kind: nullNode, line: line, size: 1}, nil
	case *ast.NullNode:
		return &node{kind: nullNode, line: line, size: 1}, nil
	case *ast.StringNode:
		return &node{kind: scalarNode, line: line, text: t.Value, size: 1}, nil
	case *ast.LiteralNode:
		return &node{kind: scalarNode, line: line, text: t.Value.Value, size: 1}, nil
	case *ast.IntegerNode:
		return &node{kind: scalarNode, line: line, text: t.GetToken().Value, num: true, isInt: true, size: 1}, nil
	case *ast.FloatNode:
		return &node{kind: scalarNode, line: line, text: t.GetToken().Value, num: true, size: 1}, nil
	case *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return &node{kind: scalarNode, line: line, text: t.GetToken().Value, size: 1}, nil
	case *ast.TagNode:
		return c.convert(t.Value)
	case *ast.AnchorNode:
		v, err := c.convert(t.Value)
		if err != nil {
			return nil, err
		}
		c.anchors[t.Name.GetToken().Value] = v
		return v, nil
	case *ast.AliasNode:
		name := t.Value.GetToken().Value
		v, ok := c.anchors[name]
		if !ok {
			return nil, shuttle.InFile(c.file, line, "", "alias *%s names no earlier anchor", name)
		}
		// The decoder walks an alias's tree at every use: count it each time.
		if c.count += v.size; c.count > maxNodes {
			return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: c.file, Line: line, Message: fmt.Sprintf("more than %d YAML elements, aliases expanded", maxNodes)}
		}
		return v, nil
	case *ast.MappingValueNode:
		return c.mapping(line, []*ast.MappingValueNode{t})
	case *ast.MappingNode:
		return c.mapping(line, t.Values)
	case *ast.SequenceNode:
		out := &node{kind: seqNode, line: line, size: 1}
		for _, it := range t.Values {
			v, err := c.convert(it)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, v)
			out.size += v.size
		}
		return out, nil
	}
	return nil, shuttle.InFile(c.file, line, "", "unsupported YAML element (%s)", n.Type())
}

// mapping converts key-value pairs, expanding merge keys (<<: *anchor) with
// the explicit keys taking precedence.
func (c *converter) mapping(line int, pairs []*ast.MappingValueNode) (*node, error) {
	out := &node{kind: mapNode, line: line, size: 1}
	var merged []*node
	for _, p := range pairs {
		v, err := c.convert(p.Value)
		if err != nil {
			return nil, err
		}
		if _, ok := p.Key.(*ast.MergeKeyNode); ok {
			merged = append(merged, v)
			continue
		}
		k, err := c.convert(p.Key)
		if err != nil {
			return nil, err
		}
		if k.kind != scalarNode {
			return nil, shuttle.InFile(c.file, k.line, "", "a mapping key must be a single value, not %s", k.kind)
		}
		if v.kind == nullNode || v.line < k.line {
			// An empty value has no line of its own, and an alias's is its
			// anchor's: the key's line says where the fault is.
			c := *v
			c.line = k.line
			v = &c
		}
		out.keys = append(out.keys, k)
		out.vals = append(out.vals, v)
		out.size += k.size + v.size
	}
	for _, m := range merged {
		if m.kind != mapNode {
			return nil, shuttle.InFile(c.file, m.line, "", "a merge key (<<) needs a mapping, not %s", m.kind)
		}
		for i, k := range m.keys {
			if out.get(k.text) == nil {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, m.vals[i])
				out.size += k.size + m.vals[i].size
			}
		}
	}
	return out, nil
}

// get is the value under key in a mapping, or nil.
func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k.text == key {
			return n.vals[i]
		}
	}
	return nil
}
