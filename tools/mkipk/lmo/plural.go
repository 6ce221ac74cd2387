package lmo

import "strings"

// EvalPlural evaluates the "plural=" expression of a Plural-Forms header
// for n, as lmo.c's lmo_eval_plural does: C operators on integers
// (?: || && == != < > <= >= + - * / % ! and parentheses). It returns -1
// when the expression cannot be read, and lets the caller fall back to
// (n != 1) like lmo.c.
func EvalPlural(forms string, n int) int {
	i := strings.Index(forms, "plural=")
	if i < 0 {
		return -1
	}
	expr := forms[i+len("plural="):]
	if j := strings.IndexByte(expr, ';'); j >= 0 {
		expr = expr[:j]
	}
	p := &pluralParser{s: expr, n: n}
	v := p.ternary()
	p.space()
	if p.bad || p.i != len(p.s) {
		return -1
	}
	return v
}

type pluralParser struct {
	s   string
	i   int
	n   int
	bad bool
}

func (p *pluralParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *pluralParser) eat(op string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], op) {
		// "<" must not eat the "<" of "<=", "!" not the "!" of "!="
		if (op == "<" || op == ">" || op == "!" || op == "=") && p.i+1 < len(p.s) && p.s[p.i+1] == '=' {
			return false
		}
		p.i += len(op)
		return true
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (p *pluralParser) ternary() int {
	c := p.or()
	if p.eat("?") {
		a := p.ternary()
		if !p.eat(":") {
			p.bad = true
			return 0
		}
		b := p.ternary()
		if c != 0 {
			return a
		}
		return b
	}
	return c
}

func (p *pluralParser) or() int {
	v := p.and()
	for p.eat("||") {
		r := p.and()
		v = b2i(v != 0 || r != 0)
	}
	return v
}

func (p *pluralParser) and() int {
	v := p.equality()
	for p.eat("&&") {
		r := p.equality()
		v = b2i(v != 0 && r != 0)
	}
	return v
}

func (p *pluralParser) equality() int {
	v := p.relation()
	for {
		switch {
		case p.eat("=="):
			v = b2i(v == p.relation())
		case p.eat("!="):
			v = b2i(v != p.relation())
		default:
			return v
		}
	}
}

func (p *pluralParser) relation() int {
	v := p.additive()
	for {
		switch {
		case p.eat("<="):
			v = b2i(v <= p.additive())
		case p.eat(">="):
			v = b2i(v >= p.additive())
		case p.eat("<"):
			v = b2i(v < p.additive())
		case p.eat(">"):
			v = b2i(v > p.additive())
		default:
			return v
		}
	}
}

func (p *pluralParser) additive() int {
	v := p.term()
	for {
		switch {
		case p.eat("+"):
			v += p.term()
		case p.eat("-"):
			v -= p.term()
		default:
			return v
		}
	}
}

func (p *pluralParser) term() int {
	v := p.unary()
	for {
		switch {
		case p.eat("*"):
			v *= p.unary()
		case p.eat("/"), p.eat("%"):
			op := p.s[p.i-1]
			r := p.unary()
			if r == 0 {
				p.bad = true
				return 0
			}
			if op == '/' {
				v /= r
			} else {
				v %= r
			}
		default:
			return v
		}
	}
}

func (p *pluralParser) unary() int {
	if p.eat("!") {
		return b2i(p.unary() == 0)
	}
	p.space()
	if p.i >= len(p.s) {
		p.bad = true
		return 0
	}
	switch c := p.s[p.i]; {
	case c == 'n':
		p.i++
		return p.n
	case c == '(':
		p.i++
		v := p.ternary()
		if !p.eat(")") {
			p.bad = true
		}
		return v
	case c >= '0' && c <= '9':
		v := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			v = v*10 + int(p.s[p.i]-'0')
			p.i++
		}
		return v
	}
	p.bad = true
	return 0
}
