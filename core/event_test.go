package core

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// referenceEncoding is the digest's event encoding written plainly with
// encoding/binary, to check the in-place encoder appendEvent against.
func referenceEncoding(b []byte, e *Event) []byte {
	str := func(b []byte, s string) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	b = binary.AppendUvarint(b, e.Seq)
	b = binary.AppendVarint(b, e.Tick)
	b = append(b, byte(e.Kind), byte(e.Op), byte(e.Msg), byte(e.Status))
	b = binary.LittleEndian.AppendUint16(b, uint16(e.From))
	b = binary.LittleEndian.AppendUint16(b, uint16(e.To))
	b = binary.LittleEndian.AppendUint16(b, uint16(e.Peer))
	b = binary.AppendUvarint(b, uint64(e.Request))
	b = binary.AppendVarint(b, int64(e.Client))
	b = binary.AppendUvarint(b, e.MsgID)
	b = binary.AppendVarint(b, e.DeliverTick)
	b = str(b, e.Key)
	b = str(b, e.Version)
	b = binary.AppendUvarint(b, uint64(len(e.Values)))
	for _, v := range e.Values {
		b = str(b, v)
	}
	var flags byte
	if e.OK {
		flags |= 1
	}
	if e.Equal {
		flags |= 2
	}
	if e.Up {
		flags |= 4
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, int64(e.Count))
	b = binary.AppendVarint(b, int64(e.Need))
	b = binary.AppendUvarint(b, e.Range)
	b = binary.AppendVarint(b, int64(e.Level))
	b = binary.AppendVarint(b, int64(e.Index))
	return str(b, e.Text)
}

// appendEvent writes the same bytes as the plain encoding, for events with
// zero fields, extreme integers, long strings and many values, appended
// after earlier bytes.
func TestAppendEventMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ints := []int64{0, 1, -1, 127, 128, -64, -65, 1 << 40, math.MaxInt64, math.MinInt64}
	anyInt := func() int64 {
		if rng.IntN(2) == 0 {
			return ints[rng.IntN(len(ints))]
		}
		return rng.Int64() >> rng.IntN(64)
	}
	text := func() string { return string(bytes.Repeat([]byte{'x'}, rng.IntN(3)*rng.IntN(200))) }
	events := []Event{{}, {Seq: math.MaxUint64, Range: math.MaxUint64, MsgID: math.MaxUint64, Request: math.MaxUint64, Hash: math.MaxUint64, PeerHash: math.MaxUint64}}
	for range 2000 {
		e := Event{
			Seq: rng.Uint64() >> rng.IntN(64), Tick: anyInt(), Kind: EventKind(rng.IntN(30)), From: NodeID(rng.IntN(70000)),
			To: NoNode, Peer: NodeID(rng.IntN(3)), Request: RequestID(rng.Uint64() >> rng.IntN(64)), Op: OpKind(rng.IntN(3)),
			Client: int(anyInt()), Msg: MsgKind(rng.IntN(20)), MsgID: rng.Uint64(), DeliverTick: anyInt(),
			Key: text(), Version: text(), OK: rng.IntN(2) == 0, Count: int(anyInt()), Need: int(anyInt()),
			Range: rng.Uint64(), Level: int(anyInt()), Index: int(anyInt()), Equal: rng.IntN(2) == 0,
			Hash: rng.Uint64() >> rng.IntN(64), PeerHash: rng.Uint64(),
			Status: Status(rng.IntN(5)), Up: rng.IntN(2) == 0, Text: text(),
		}
		for range rng.IntN(12) {
			e.Values = append(e.Values, text())
		}
		events = append(events, e)
	}
	var got, want []byte
	for i := range events {
		got = appendEvent(got, &events[i])
		want = referenceEncoding(want, &events[i])
		if !bytes.Equal(got, want) {
			t.Fatalf("event %d (%+v): encoding differs from the reference", i, events[i])
		}
	}
}
