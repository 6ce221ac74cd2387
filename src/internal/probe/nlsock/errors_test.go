package nlsock

import (
	"errors"
	"fmt"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err     error
		missing error
		want    error
	}{
		{syscall.EPERM, ErrConntrackMissing, ErrNotPermitted},
		{fmt.Errorf("netlink receive: %w", syscall.EACCES), nil, ErrNotPermitted},
		{syscall.EOPNOTSUPP, ErrConntrackMissing, ErrConntrackMissing},
		{syscall.EPROTONOSUPPORT, ErrConntrackMissing, ErrConntrackMissing},
		{syscall.ENOENT, ErrConntrackMissing, ErrConntrackMissing},
		{syscall.ENOENT, nil, nil},
		{syscall.EBUSY, ErrConntrackMissing, nil},
	}
	for _, tt := range tests {
		got := Classify("op", tt.err, tt.missing)
		if !errors.Is(got, tt.err) && tt.want == nil {
			t.Errorf("Classify(%v) = %v lost the cause", tt.err, got)
		}
		if tt.want != nil && !errors.Is(got, tt.want) {
			t.Errorf("Classify(%v, %v) = %v, want %v", tt.err, tt.missing, got, tt.want)
		}
		for _, s := range []error{ErrNotPermitted, ErrConntrackMissing} {
			if tt.want == nil && errors.Is(got, s) {
				t.Errorf("Classify(%v) = %v, should not be %v", tt.err, got, s)
			}
		}
	}
}
