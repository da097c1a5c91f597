package lab

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// File is an exported file: its suggested name, MIME type and bytes.
type File struct {
	Name string
	MIME string
	Data []byte
}

// Export kinds, as the page's exportFile and the shell's Save menu name them.
const (
	ExportPNG     = "png"
	ExportEvents  = "events.csv"
	ExportHistory = "history.csv"
	ExportReplay  = "replay.json"
	// ExportTableCSV and ExportTableJSON are the current page's table (see
	// Exporter): on the experiments page, the table of the shown result.
	// They exist only while the page offers them.
	ExportTableCSV  = "table.csv"
	ExportTableJSON = "table.json"
)

// ExportKinds lists the kinds every chapter offers, in the order the Save
// menu shows them.
var ExportKinds = []string{ExportPNG, ExportEvents, ExportHistory, ExportReplay}

// PageExportKinds lists the kinds a page may offer besides (Exporter), in
// the order the Save menu shows them after ExportKinds.
var PageExportKinds = []string{ExportTableCSV, ExportTableJSON}

// exportLabels are the Save menu's rows for each kind.
var exportLabels = map[string]string{
	ExportPNG:       "Picture (PNG)",
	ExportEvents:    "Event log (CSV)",
	ExportHistory:   "Client history (CSV)",
	ExportReplay:    "Replay file (JSON)",
	ExportTableCSV:  "Table (CSV)",
	ExportTableJSON: "Table (JSON)",
}

// knownExport reports whether kind is one of ExportKinds or PageExportKinds.
func knownExport(kind string) bool {
	return slices.Contains(ExportKinds, kind) || slices.Contains(PageExportKinds, kind)
}

// ErrPNGFromHost is returned by Export for ExportPNG: the picture is read
// from the painted screen, which only the host (package render) has.
var ErrPNGFromHost = errors.New("the picture is captured by the window, not the lab model")

// exportBase is the file name stem: "ringlab-<chapter>-seed<seed>-t<tick>".
func (l *Lab) exportBase() string {
	return fmt.Sprintf("ringlab-%s-seed%d-t%d", l.Chapter().Info().ID, l.seed, l.tl.Now())
}

// Export builds an exported file of the current run, or for
// ExportTableCSV and ExportTableJSON the current page's table (an error
// when the page offers none now). It must run on the frame loop. For
// ExportPNG it returns ErrPNGFromHost with the file's name and type filled
// in: the picture is the view as painted, which on the experiments page is
// the plot with its title, axes and legend.
func (l *Lab) Export(kind string) (File, error) {
	base := l.exportBase()
	switch kind {
	case ExportPNG:
		return File{Name: base + ".png", MIME: "image/png"}, ErrPNGFromHost
	case ExportEvents:
		evs, err := l.context().RunTrace()
		if err != nil {
			return File{}, err
		}
		// A long run's file holds its retained window, and says so.
		return File{Name: base + "-events" + fromTick(l.tl.Start()) + ".csv", MIME: "text/csv", Data: EventsCSV(evs)}, nil
	case ExportHistory:
		return File{Name: base + "-history" + fromTick(l.tl.Start()) + ".csv", MIME: "text/csv", Data: HistoryCSV(l.tl.windowHistory())}, nil
	case ExportReplay:
		b, err := EncodeReplay(l.replayOf())
		if err != nil {
			return File{}, err
		}
		return File{Name: base + "-replay.json", MIME: "application/json", Data: b}, nil
	case ExportTableCSV, ExportTableJSON:
		for _, f := range l.Exports() {
			if pageExportKind(f) == kind {
				return f, nil
			}
		}
		return File{}, fmt.Errorf("%q offers no %s now (on the experiments page, run a sweep first)", l.Chapter().Info().ID, kind)
	}
	return File{}, fmt.Errorf("unknown export %q; one of %s", kind, strings.Join(append(slices.Clone(ExportKinds), PageExportKinds...), ", "))
}

// pageExportKind is the kind a page's file is offered as: its table as
// CSV or JSON, told by the file name's extension; "" for any other file.
func pageExportKind(f File) string {
	switch path.Ext(f.Name) {
	case ".csv":
		return ExportTableCSV
	case ".json":
		return ExportTableJSON
	}
	return ""
}

// exportKindsNow are the kinds the Save menu offers on the current page:
// ExportKinds, then those of PageExportKinds the page offers now.
func (l *Lab) exportKindsNow() []string {
	kinds := append(l.saveKinds[:0], ExportKinds...)
	files := l.Exports()
	for _, k := range PageExportKinds {
		if slices.ContainsFunc(files, func(f File) bool { return pageExportKind(f) == k }) {
			kinds = append(kinds, k)
		}
	}
	l.saveKinds = kinds
	return kinds
}

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
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"seq", "tick", "kind", "from", "to", "peer", "request", "op", "client", "msg", "msg_id",
		"deliver_tick", "key", "version", "values", "ok", "count", "need", "text"})
	for _, e := range evs {
		op, msg := "", ""
		if e.Op != 0 {
			op = e.Op.String()
		}
		if e.Msg != 0 {
			msg = e.Msg.String()
		}
		_ = w.Write([]string{strconv.FormatUint(e.Seq, 10), strconv.FormatInt(e.Tick, 10), EventKindName(e.Kind),
			nodeCell(e.From), nodeCell(e.To), nodeCell(e.Peer), numCell(e.Request), op, numCell(e.Client), msg,
			numCell(e.MsgID), numCell(e.DeliverTick), e.Key, e.Version, strings.Join(e.Values, "|"),
			strconv.FormatBool(e.OK), numCell(e.Count), numCell(e.Need), e.String()})
	}
	w.Flush()
	return buf.Bytes()
}

// HistoryCSV is the client history (core.Op) as CSV, one operation a row
// in invocation order; return_tick is -1 while an operation is pending and
// values of a get are joined by "|".
func HistoryCSV(ops []core.Op) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"request", "client", "kind", "key", "coordinator", "value", "values",
		"invoke_tick", "return_tick", "ok", "err", "stale"})
	for _, o := range ops {
		_ = w.Write([]string{strconv.FormatUint(uint64(o.Request), 10), strconv.Itoa(o.Client), o.Kind.String(), o.Key,
			nodeCell(o.Coordinator), o.Value, strings.Join(o.Values, "|"), strconv.FormatInt(o.InvokeTick, 10),
			strconv.FormatInt(o.ReturnTick, 10), strconv.FormatBool(o.OK), o.Err, strconv.FormatBool(o.Stale)})
	}
	w.Flush()
	return buf.Bytes()
}
