// Package elapsed writes how long something took for people to read: the
// lab's experiments page (a sweep's time) and sim explore (a search's).
package elapsed

import (
	"strconv"
	"time"
)

// Brief is d in milliseconds under a second (most small searches and
// sweeps take a few, which "0.0 s" would hide), at least 1 ms, and in
// seconds to a tenth above.
func Brief(d time.Duration) string {
	if ms := d.Round(time.Millisecond); ms < time.Second {
		return strconv.FormatInt(max(ms.Milliseconds(), 1), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}
