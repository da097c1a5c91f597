package lab

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// FragmentVersion is the version of the URL fragment format this build reads.
const FragmentVersion = 1

// fragmentMax bounds the fragment text; a longer one is ignored whole.
const fragmentMax = 8 << 10

// OptionsFromFragment reads a page URL fragment such as
// "#v=1&chapter=2&seed=7" into Options. Unknown keys are ignored; a value
// that cannot be used leaves its default and adds a notice saying what was
// ignored and why, so the lab always starts.
func OptionsFromFragment(fragment string, defaults Options) Options {
	o := defaults
	fragment = strings.TrimPrefix(fragment, "#")
	if fragment == "" {
		return o
	}
	if len(fragment) > fragmentMax {
		o.Notices = append(o.Notices, fmt.Sprintf("Ignored the link's settings: longer than %d characters.", fragmentMax))
		return o
	}
	vals, err := url.ParseQuery(fragment)
	if err != nil {
		o.Notices = append(o.Notices, "Ignored part of the link's settings: "+err.Error()+".")
	}
	var ignored []string
	if v := vals.Get("v"); v != "" && v != strconv.Itoa(FragmentVersion) {
		ignored = append(ignored, fmt.Sprintf("v=%s (this lab reads version %d)", v, FragmentVersion))
	}
	if v := vals.Get("chapter"); v != "" {
		o.Chapter = v // checked against the chapter list by New
	}
	if v := vals.Get("seed"); v != "" {
		if n, err := strconv.ParseUint(v, 10, 53); err == nil {
			o.Seed = n
		} else {
			ignored = append(ignored, fmt.Sprintf("seed=%s (a whole number from 0 to 2^53 is needed)", clip(v)))
		}
	}
	if v := vals.Get("speed"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= SpeedMin && f <= SpeedMax {
			o.Speed = f
		} else {
			ignored = append(ignored, fmt.Sprintf("speed=%s (ticks per second from %d to %d)", clip(v), SpeedMin, SpeedMax))
		}
	}
	if v := vals.Get("paused"); v != "" {
		switch v {
		case "1", "true":
			o.Paused = true
		case "0", "false":
			o.Paused = false
		default:
			ignored = append(ignored, fmt.Sprintf("paused=%s (1 or 0)", clip(v)))
		}
	}
	if len(ignored) > 0 {
		o.Notices = append(o.Notices, "Ignored from the link: "+strings.Join(ignored, "; ")+".")
	}
	return o
}

// clip shortens a value quoted back to the user.
func clip(s string) string {
	if len(s) > 24 {
		return strconv.Quote(s[:24]) + "…"
	}
	return strconv.Quote(s)
}
