package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

func readJSON(path string) (any, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// lookup walks a path like ".heal.last_events[0].ip". A trailing "#" gives
// the length of an array or object.
func lookup(v any, path string) (any, error) {
	length := strings.HasSuffix(path, "#")
	path = strings.TrimSuffix(path, "#")
	path = strings.ReplaceAll(path, "[", ".[")
	for _, part := range strings.Split(path, ".") {
		if part == "" {
			continue
		}
		if strings.HasPrefix(part, "[") && strings.HasSuffix(part, "]") {
			i, err := strconv.Atoi(part[1 : len(part)-1])
			if err != nil {
				return nil, fmt.Errorf("bad index %q", part)
			}
			a, ok := v.([]any)
			if !ok || i < 0 || i >= len(a) {
				return nil, nil
			}
			v = a[i]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil
		}
		v = m[part]
	}
	if length {
		switch x := v.(type) {
		case []any:
			return json.Number(strconv.Itoa(len(x))), nil
		case map[string]any:
			return json.Number(strconv.Itoa(len(x))), nil
		default:
			return json.Number("0"), nil
		}
	}
	return v, nil
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// shellSafe makes a value usable in a key=value word: no blanks.
func shellSafe(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\'', '"', '`', '$', '\\', ';', '&', '|', '<', '>', '(', ')':
			return '_'
		}
		return r
	}, s)
}

// cmdJSON prints the value at a path: nfvm json FILE|- PATH...
func cmdJSON(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: json FILE|- PATH...")
	}
	v, err := readJSON(args[0])
	if err != nil {
		return err
	}
	for _, p := range args[1:] {
		x, err := lookup(v, p)
		if err != nil {
			return err
		}
		fmt.Println(scalar(x))
	}
	return nil
}

var eventFields = []string{"time", "interface", "ip", "reason", "old_mac", "new_mac",
	"old_port", "new_port", "flows_deleted", "dry_run", "latency_us", "error"}

// cmdEvents prints the heal summary and each heal event of a `netfix status
// --json` document as one key=value line.
func cmdEvents(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: events FILE|-")
	}
	v, err := readJSON(args[0])
	if err != nil {
		return err
	}
	heal, _ := lookup(v, ".heal")
	h, _ := heal.(map[string]any)
	var b strings.Builder
	fmt.Fprintf(&b, "heal running=%s mode=%s events_total=%s flows_deleted=%s neighbours_tracked=%s\n",
		shellSafe(scalar(h["running"])), shellSafe(scalar(h["mode"])), shellSafe(scalar(h["events_total"])),
		shellSafe(scalar(h["flows_deleted"])), shellSafe(scalar(h["neighbours_tracked"])))
	// Repairs are "event" lines; the conntrack table's own events
	// (conntrack_full, conntrack_dropping, conntrack_reclaim), which the
	// document keeps apart in heal.table_events, are "table_event" lines.
	type list struct{ key, prefix string }
	for _, l := range []list{{"last_events", "event"}, {"table_events", "table_event"}} {
		evs, _ := h[l.key].([]any)
		writeEvents(&b, l.prefix, evs)
	}
	fmt.Print(b.String())
	return nil
}

// writeEvents prints each event as one "PREFIX i=N key=value..." line.
func writeEvents(b *strings.Builder, prefix string, evs []any) {
	for i, e := range evs {
		m, _ := e.(map[string]any)
		fmt.Fprintf(b, "%s i=%d", prefix, i)
		for _, k := range eventFields {
			val, ok := m[k]
			s := "-"
			if ok && val != nil {
				s = shellSafe(scalar(val))
			}
			fmt.Fprintf(b, " %s=%s", k, s)
		}
		// The event's time (when the daemon saw the change) in unix
		// microseconds, for timelines next to the receive logs.
		if ts, ok := m["time"].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				fmt.Fprintf(b, " time_us=%d", t.UnixMicro())
			}
		}
		b.WriteString("\n")
	}
}
