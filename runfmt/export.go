package runfmt

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// The exported tables: the event trace and the client history, as CSV with
// a header row. The lab's Save menu and sim replay's -events and -history
// write these same bytes.

var eventKindNames = [...]string{
	core.EvMsgSend: "msg_send", core.EvMsgDeliver: "msg_deliver", core.EvMsgDrop: "msg_drop",
	core.EvRequestStart: "request_start", core.EvQuorumReached: "quorum_reached", core.EvQuorumFailed: "quorum_failed",
	core.EvRequestDone: "request_done", core.EvVersionCreated: "version_created", core.EvVersionStored: "version_stored",
	core.EvSiblingCreated: "sibling_created", core.EvSuperseded: "superseded", core.EvLWWDiscard: "lww_discard",
	core.EvHintStored: "hint_stored", core.EvHintHandedOff: "hint_handed_off", core.EvReadRepair: "read_repair",
	core.EvMerkleCompare: "merkle_compare", core.EvMerkleKeys: "merkle_keys", core.EvGossip: "gossip",
	core.EvNodeState: "node_state", core.EvMembership: "membership", core.EvPartition: "partition",
	core.EvRingChange: "ring_change", core.EvConfigChange: "config_change", core.EvTransfer: "transfer",
	core.EvTransferDone: "transfer_done",
}

// EventKindName is the event kind's name in exports ("msg_send").
func EventKindName(k core.EventKind) string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "event" + strconv.Itoa(int(k))
}

func nodeCell(id core.NodeID) string {
	if id == core.NoNode {
		return ""
	}
	return id.String()
}

func numCell[T ~int | ~int64 | ~uint64 | ~uint8](v T) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatInt(int64(v), 10)
}

// EventsCSV is the event trace as CSV, one event a row, with a header.
// Fields that do not apply are empty; "text" is the event log's sentence.
func EventsCSV(evs []core.Event) []byte {
	var buf bytes.Buffer
	w := NewEventsWriter(&buf)
	_ = w.Write(evs)
	_ = w.Flush()
	return buf.Bytes()
}

// HistoryCSV is the client history (core.Op) as CSV, one operation a row
// in invocation order; return_tick is -1 while an operation is pending and
// values of a get are joined by "|".
func HistoryCSV(ops []core.Op) []byte {
	var buf bytes.Buffer
	w := NewHistoryWriter(&buf)
	_ = w.Write(ops)
	_ = w.Flush()
	return buf.Bytes()
}

// TableWriter writes a table as CSV a few rows at a time (the header
// first), so that a long export can be written in chunks: the rows of
// every Write, after a Flush, are the bytes EventsCSV or HistoryCSV give
// for all of them.
type TableWriter[T any] struct {
	w      *csv.Writer
	header []string
	row    func(*T) []string
	begun  bool
}

// Write writes the header (the first time) and rows, one a row.
func (t *TableWriter[T]) Write(rows []T) error {
	if !t.begun {
		t.begun = true
		if err := t.w.Write(t.header); err != nil {
			return err
		}
	}
	for i := range rows {
		if err := t.w.Write(t.row(&rows[i])); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes what is buffered to the underlying writer.
func (t *TableWriter[T]) Flush() error {
	if !t.begun {
		if err := t.Write(nil); err != nil {
			return err
		}
	}
	t.w.Flush()
	return t.w.Error()
}

// NewEventsWriter writes the event trace as EventsCSV does, in pieces.
func NewEventsWriter(w io.Writer) *TableWriter[core.Event] {
	return &TableWriter[core.Event]{w: csv.NewWriter(w), row: eventRow,
		header: []string{"seq", "tick", "kind", "from", "to", "peer", "request", "op", "client", "msg", "msg_id",
			"deliver_tick", "key", "version", "values", "ok", "count", "need", "text"}}
}

func eventRow(e *core.Event) []string {
	op, msg := "", ""
	if e.Op != 0 {
		op = e.Op.String()
	}
	if e.Msg != 0 {
		msg = e.Msg.String()
	}
	return []string{strconv.FormatUint(e.Seq, 10), strconv.FormatInt(e.Tick, 10), EventKindName(e.Kind),
		nodeCell(e.From), nodeCell(e.To), nodeCell(e.Peer), numCell(e.Request), op, numCell(e.Client), msg,
		numCell(e.MsgID), numCell(e.DeliverTick), e.Key, e.Version, strings.Join(e.Values, "|"),
		strconv.FormatBool(e.OK), numCell(e.Count), numCell(e.Need), e.String()}
}

// NewHistoryWriter writes the client history as HistoryCSV does, in pieces.
func NewHistoryWriter(w io.Writer) *TableWriter[core.Op] {
	return &TableWriter[core.Op]{w: csv.NewWriter(w), row: opRow,
		header: []string{"request", "client", "kind", "key", "coordinator", "value", "values",
			"invoke_tick", "return_tick", "ok", "err", "stale"}}
}

func opRow(o *core.Op) []string {
	return []string{strconv.FormatUint(uint64(o.Request), 10), strconv.Itoa(o.Client), o.Kind.String(), o.Key,
		nodeCell(o.Coordinator), o.Value, strings.Join(o.Values, "|"), strconv.FormatInt(o.InvokeTick, 10),
		strconv.FormatInt(o.ReturnTick, 10), strconv.FormatBool(o.OK), o.Err, strconv.FormatBool(o.Stale)}
}
