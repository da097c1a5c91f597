package measureit

import (
	"strings"
	"testing"
)

// A link's tooltip names its measurement, which a narrow side panel cuts
// from the button's label.
func TestLinkTooltipNamesTheMeasurement(t *testing.T) {
	for name, short := range shortNames {
		if tip := NewLink(name).button.Tooltip(); !strings.HasSuffix(tip, ": "+short) {
			t.Errorf("%s: tooltip %q does not name %q", name, tip, short)
		}
	}
}
