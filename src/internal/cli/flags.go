package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// flagSet parses a subcommand's options like package flag does for the
// few kinds netfix has (bool, string, duration): -name or --name, a value
// after = or as the next argument (a bool only after =), parsing stops at
// the first argument that is not an option or after "--", -h/-help print
// the usage. package flag would do, but it costs the router binary about
// 20 KB (its reflection-based default check and its ten value types), and
// the binary is held to 4,000,000 bytes.
type flagSet struct {
	name  string
	out   io.Writer
	flags []*option
	args  []string
	// Usage prints the help; nil prints "usage of NAME:" and the options.
	Usage func()
}

type option struct {
	name, usage string
	kind        string // "bool", "string" or "duration"
	str         *string
	on          *bool
	dur         *time.Duration
	def         string // the default as shown, "" for none
}

// errHelp is returned by parse after -h or -help: the caller exits 0.
var errHelp = errors.New("help requested")

func newFlagSet(name string, out io.Writer) *flagSet { return &flagSet{name: name, out: out} }

func (f *flagSet) Bool(name string, def bool, usage string) *bool {
	p := new(bool)
	f.BoolVar(p, name, def, usage)
	return p
}

func (f *flagSet) BoolVar(p *bool, name string, def bool, usage string) {
	*p = def
	f.flags = append(f.flags, &option{name: name, usage: usage, kind: "bool", on: p})
}

func (f *flagSet) String(name, def, usage string) *string {
	p := new(string)
	f.StringVar(p, name, def, usage)
	return p
}

func (f *flagSet) StringVar(p *string, name, def, usage string) {
	*p = def
	var shown string
	if def != "" {
		shown = fmt.Sprintf("%q", def)
	}
	f.flags = append(f.flags, &option{name: name, usage: usage, kind: "string", str: p, def: shown})
}

func (f *flagSet) Duration(name string, def time.Duration, usage string) *time.Duration {
	p := new(time.Duration)
	*p = def
	var shown string
	if def != 0 {
		shown = def.String()
	}
	f.flags = append(f.flags, &option{name: name, usage: usage, kind: "duration", dur: p, def: shown})
	return p
}

// NArg and Arg are the arguments left after the options.
func (f *flagSet) NArg() int { return len(f.args) }

func (f *flagSet) Arg(i int) string {
	if i < 0 || i >= len(f.args) {
		return ""
	}
	return f.args[i]
}

// parse reads the options in args. An error has been printed with the
// usage; errHelp means help was asked for.
func (f *flagSet) parse(args []string) error {
	for len(args) > 0 {
		a := args[0]
		if len(a) < 2 || a[0] != '-' {
			break // the first argument that is not an option
		}
		args = args[1:]
		name := strings.TrimPrefix(a[1:], "-")
		if a == "--" {
			break
		}
		if name == "" || name[0] == '-' || name[0] == '=' {
			return f.fail("bad flag syntax: %s", a)
		}
		value, hasValue := "", false
		if i := strings.IndexByte(name, '='); i >= 0 {
			name, value, hasValue = name[:i], name[i+1:], true
		}
		o := f.lookup(name)
		if o == nil {
			if name == "h" || name == "help" {
				f.usage()
				return errHelp
			}
			return f.fail("flag provided but not defined: -%s", name)
		}
		if o.kind == "bool" {
			if !hasValue {
				*o.on = true
				continue
			}
			switch value {
			case "1", "t", "T", "true", "TRUE", "True":
				*o.on = true
			case "0", "f", "F", "false", "FALSE", "False":
				*o.on = false
			default:
				return f.fail("invalid boolean value %q for -%s: parse error", value, name)
			}
			continue
		}
		if !hasValue {
			if len(args) == 0 {
				return f.fail("flag needs an argument: -%s", name)
			}
			value, args = args[0], args[1:]
		}
		if o.kind == "string" {
			*o.str = value
			continue
		}
		d, err := time.ParseDuration(value)
		if err != nil {
			return f.fail("invalid value %q for flag -%s: parse error", value, name)
		}
		*o.dur = d
	}
	f.args = args
	return nil
}

func (f *flagSet) lookup(name string) *option {
	for _, o := range f.flags {
		if o.name == name {
			return o
		}
	}
	return nil
}

func (f *flagSet) fail(format string, a ...any) error {
	err := fmt.Errorf(format, a...)
	fmt.Fprintln(f.out, err)
	f.usage()
	return err
}

func (f *flagSet) usage() {
	if f.Usage != nil {
		f.Usage()
		return
	}
	fmt.Fprintf(f.out, "Usage of %s:\n", f.name)
	f.PrintDefaults()
}

// PrintDefaults lists the options as package flag does: a `word` in the
// usage names the value, the default follows when it is not the zero one.
func (f *flagSet) PrintDefaults() {
	for _, o := range f.flags {
		value, usage := o.kind, o.usage
		if i := strings.IndexByte(usage, '`'); i >= 0 {
			if j := strings.IndexByte(usage[i+1:], '`'); j >= 0 {
				value = usage[i+1 : i+1+j]
				usage = usage[:i] + value + usage[i+1+j+1:]
			}
		}
		if o.kind == "bool" {
			value = ""
		}
		line := "  -" + o.name
		if value != "" {
			line += " " + value
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if o.def != "" {
			line += " (default " + o.def + ")"
		}
		fmt.Fprintln(f.out, line)
	}
}
