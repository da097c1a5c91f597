// Package scene computes what the lab draws of the simulated cluster: the
// ring with its virtual nodes and keys, the physical nodes with their state,
// and the messages in flight. It is a pure function of a core.View, recent
// events, the screen area and the fraction of the current tick, written as
// frame geometry, so that it is tested without a display.
package scene

import (
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
)

// Okabe-Ito colour-blind-safe palette.
var (
	Black      = frame.RGB(0x000000)
	Orange     = frame.RGB(0xE69F00)
	SkyBlue    = frame.RGB(0x56B4E9)
	Green      = frame.RGB(0x009E73)
	Yellow     = frame.RGB(0xF0E442)
	Blue       = frame.RGB(0x0072B2)
	Vermillion = frame.RGB(0xD55E00)
	Purple     = frame.RGB(0xCC79A7)
)

// nodeColors are the palette's colours that stand out on the lab's dark
// background (black is kept for outlines), in the order nodes take them.
var nodeColors = [...]frame.Color{Orange, SkyBlue, Green, Yellow, Vermillion, Purple, Blue}

// NodeColor is the colour that marks a node, its virtual nodes and its keys.
// Colours repeat every seven nodes; labels tell repeated colours apart.
func NodeColor(n core.NodeID) frame.Color {
	if n == core.NoNode {
		return Grey
	}
	return nodeColors[int(n)%len(nodeColors)]
}

// Neutral colours of the scene.
var (
	Grey      = frame.RGB(0x8a8f99) // down nodes, dropped messages
	RingTrack = frame.RGB(0x3b404c)
	TextColor = frame.RGB(0xf2f2f2)
	TextDim   = frame.RGB(0xb4b9c4)
)

// MessageColor is the colour of a message dot: writes orange, reads green,
// their answers in the lighter blue, repairs and hand-offs vermillion,
// membership gossip purple, Merkle exchange yellow.
func MessageColor(k core.MsgKind) frame.Color {
	switch k {
	case core.MsgPutReq:
		return Orange
	case core.MsgGetReq:
		return Green
	case core.MsgPutAck, core.MsgGetResp:
		return SkyBlue
	case core.MsgRepair, core.MsgRepairAck, core.MsgHandoff, core.MsgHandoffAck:
		return Vermillion
	case core.MsgGossip, core.MsgGossipReply:
		return Purple
	default:
		return Yellow
	}
}

// IsReply reports whether a message answers another; replies are drawn as
// diamonds, requests as discs, so direction does not rest on colour alone.
func IsReply(k core.MsgKind) bool {
	switch k {
	case core.MsgPutAck, core.MsgGetResp, core.MsgRepairAck, core.MsgHandoffAck, core.MsgGossipReply, core.MsgMerkleResp, core.MsgKeysReply:
		return true
	}
	return false
}
