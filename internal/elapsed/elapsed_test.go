package elapsed

import (
	"testing"
	"time"
)

func TestBrief(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "1 ms"}, {12400 * time.Microsecond, "12 ms"}, {999 * time.Millisecond, "999 ms"},
		{999600 * time.Microsecond, "1.0 s"}, {1520 * time.Millisecond, "1.5 s"}, {2340 * time.Millisecond, "2.3 s"},
	} {
		if got := Brief(tc.d); got != tc.want {
			t.Errorf("Brief(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
