package hostaddr

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string // the host address; "" when refused
		errPart string // part of the refusal
	}{
		// Hosts, one of every unicast class a router forwards for.
		{in: "192.168.1.240", want: "192.168.1.240"},
		{in: "10.0.0.1", want: "10.0.0.1"},
		{in: "100.64.0.9", want: "100.64.0.9"},
		{in: "203.0.113.7", want: "203.0.113.7"},
		{in: "169.254.10.1", want: "169.254.10.1"},
		{in: "192.168.1.255", want: "192.168.1.255"}, // a host on a /23 or /31; only the interface knows
		{in: "2001:db8::1", want: "2001:db8::1"},
		{in: "fd00::240", want: "fd00::240"},
		{in: "fe80::1", want: "fe80::1"},
		{in: "::ffff:192.168.1.2", want: "192.168.1.2"},

		// Not one host.
		{in: "", errPart: "empty"},
		{in: "not-an-ip", errPart: "not an IPv4 or IPv6 address"},
		{in: " 192.168.1.2", errPart: "not an IPv4 or IPv6 address"},
		{in: "192.168.1.0/24", errPart: "not an IPv4 or IPv6 address"},
		{in: "192.168.1.256", errPart: "not an IPv4 or IPv6 address"},
		{in: "0.0.0.0", errPart: "unspecified"},
		{in: "::", errPart: "unspecified"},
		{in: "::ffff:0.0.0.0", errPart: "unspecified"},
		{in: "224.0.0.1", errPart: "multicast"},
		{in: "239.255.255.250", errPart: "multicast"},
		{in: "ff02::1", errPart: "multicast"},
		{in: "ff05::1:3", errPart: "multicast"},
		{in: "255.255.255.255", errPart: "broadcast"},
		{in: "127.0.0.1", errPart: "loopback"},
		{in: "127.8.9.10", errPart: "loopback"},
		{in: "::1", errPart: "loopback"},
		{in: "::ffff:127.0.0.1", errPart: "loopback"},
		{in: "fe80::1%eth0", errPart: "zone"},
		{in: "fe80::1%br-lan", errPart: "zone"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.want != "" {
			if err != nil || got.String() != tt.want {
				t.Errorf("Parse(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("Parse(%q) = %v; want a refusal mentioning %q", tt.in, got, tt.errPart)
			continue
		}
		if !errors.Is(err, ErrNotHost) || !strings.Contains(err.Error(), tt.errPart) {
			t.Errorf("Parse(%q) error = %v; want ErrNotHost mentioning %q", tt.in, err, tt.errPart)
		}
	}
}
