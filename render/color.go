package render

import (
	"image/color"

	"github.com/ringlab/ringlab/render/frame"
)

func colorOf(c frame.Color) color.Color {
	return color.NRGBA{R: uint8(c.R*255 + 0.5), G: uint8(c.G*255 + 0.5), B: uint8(c.B*255 + 0.5), A: uint8(c.A*255 + 0.5)}
}
