package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/runfmt"
)

// replayFileMax bounds the file -file reads (the format's own bound).
const replayFileMax = runfmt.ReplayBytesMax

// replayReport is the JSON of `sim replay`: the lab's state summary
// (ringlab.state(): chapter, seed, tick, config, nodes, counters, digest)
// for the run the link or file describes.
type replayReport struct {
	Command  string               `json:"command"`
	Chapter  string               `json:"chapter"`
	Item     string               `json:"item,omitempty"`
	View     string               `json:"view,omitempty"`
	Seed     uint64               `json:"seed"`
	Tick     int64                `json:"tick"`
	Config   core.Config          `json:"config"`
	Nodes    []runfmt.NodeSummary `json:"nodes"`
	Counters core.Counters        `json:"counters"`
	// Digest is the hex sha256 of the event trace from tick 0 to Tick: the
	// lab's state().digest for the same run.
	Digest string `json:"digest"`
	// Notices say what the link held that could not be used, as the lab
	// shows them.
	Notices []string `json:"notices,omitempty"`
}

func runReplay(args []string, stdout io.Writer) error {
	fs := newFlagSet("replay", "Opens a run the lab shared, a link fragment or a replay file, runs it to its tick\n"+
		"(or -until) and prints what the lab shows for it: the state of every node, the\n"+
		"counters and the trace digest (the same digest as the lab's for the same run).")
	link := fs.String("link", "", "a link's fragment, '#v=1&chapter=...' (the part of the lab's URL after #)")
	file := fs.String("file", "", "a replay file saved by the lab (Save, Replay file)")
	until := fs.Int64("until", -1, fmt.Sprintf("run to this tick instead of the run's own (0..%d)", runfmt.Shared.Tick))
	jsonOut := fs.Bool("json", false, "print one JSON object instead of text")
	events := fs.String("events", "", "write the event trace to this CSV file (the lab's events.csv)")
	history := fs.String("history", "", "write the client history to this CSV file (the lab's history.csv)")
	shiviz := fs.String("shiviz", "", "write the event trace to this file as a ShiViz log (the lab's shiviz.log)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case (*link == "") == (*file == ""):
		return usagef("give exactly one of -link FRAGMENT or -file PATH")
	case *until < -1 || *until > runfmt.Shared.Tick:
		return usagef("-until=%d must be between 0 and %d", *until, runfmt.Shared.Tick)
	}
	b := runfmt.Rebuild{Until: *until, Events: *events != "" || *shiviz != ""}
	var (
		rep replayReport
		c   *core.Cluster
		err error
	)
	if *link != "" {
		rep, c, err = replayLink(*link, b)
	} else {
		rep, c, err = replayFile(*file, b)
	}
	if err != nil {
		return err
	}
	v := c.View()
	rep.Command, rep.Tick, rep.Config = "replay", c.Now(), c.Config()
	rep.Nodes, rep.Counters, rep.Digest = runfmt.Nodes(&v), c.Counters(), c.Digest()
	var evs []core.Event
	if b.Events {
		evs = c.Events()
	}
	if *events != "" {
		if err := os.WriteFile(*events, runfmt.EventsCSV(evs), 0o644); err != nil {
			return fmt.Errorf("-events: %v", err)
		}
	}
	if *shiviz != "" {
		if err := writeShiViz(*shiviz, evs); err != nil {
			return err
		}
	}
	if *history != "" {
		if err := os.WriteFile(*history, runfmt.HistoryCSV(c.History()), 0o644); err != nil {
			return fmt.Errorf("-history: %v", err)
		}
	}
	if *jsonOut {
		return writeJSON(stdout, rep)
	}
	return writeReplayText(stdout, rep)
}

// replayLink opens a link as the lab does: its chapter's preset for its
// seed, its configuration keys resolved against the preset (those that
// cannot be used are named in the notices), refused actions skipped.
func replayLink(fragment string, b runfmt.Rebuild) (replayReport, *core.Cluster, error) {
	k := runfmt.ParseLink(fragment)
	if !k.Usable() {
		msg := "the link holds nothing a lab can use"
		if len(k.Notices) > 0 {
			msg = strings.Join(k.Notices, " ")
		}
		return replayReport{}, nil, usagef("-link: %s", msg)
	}
	ch, err := findChapter(k.Chapter)
	if err != nil {
		return replayReport{}, nil, usagef("-link: %v", err)
	}
	seed := uint64(1) // the page's seed when the link names none
	if k.SeedSet {
		seed = k.Seed
	}
	id := ch.Info().ID
	p := ch.Preset(seed)
	r, notices := k.Run(id, seed, p)
	b.Lenient = true
	c, skipped, err := b.Run(r, p)
	if err != nil {
		return replayReport{}, nil, fmt.Errorf("chapter %q: %v", id, err)
	}
	notices = append(append(k.Notices, notices...), skipped...)
	return replayReport{Chapter: id, Item: k.Item, View: k.View, Seed: seed, Notices: notices}, c, nil
}

// replayFile opens a replay file strictly, as the lab does.
func replayFile(path string, b runfmt.Rebuild) (replayReport, *core.Cluster, error) {
	data, err := readFileMax(path, replayFileMax)
	if err != nil {
		return replayReport{}, nil, usagef("-file: %v", err)
	}
	r, err := runfmt.ParseReplay(data)
	if err != nil {
		return replayReport{}, nil, usagef("-file %s: %v", path, err)
	}
	var notices []string
	if _, err := findChapter(r.Chapter); err != nil {
		// The file holds the whole run: it replays without the chapter
		// (the lab refuses to show it).
		notices = append(notices, fmt.Sprintf("this lab cannot show the file's run (%v); replayed all the same", err))
	}
	c, _, err := b.Replay(r)
	if err != nil {
		return replayReport{}, nil, fmt.Errorf("-file %s: %v", path, err)
	}
	if r.Digest != "" && b.Until < 0 && r.Digest != c.Digest() {
		notices = append(notices, "the digest differs from the one saved in the file: this build's simulation differs from the one that saved it")
	}
	return replayReport{Chapter: r.Chapter, Item: r.Item, View: r.View, Seed: r.Seed, Notices: notices}, c, nil
}

// findChapter finds a chapter of the lab by its ID or 1-based number; ""
// is the first, as in the lab.
func findChapter(s string) (lab.Chapter, error) {
	all := chapters.All()
	if s == "" {
		return all[0], nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > len(all) {
			return nil, fmt.Errorf("chapter number %d must be 1..%d", n, len(all))
		}
		return all[n-1], nil
	}
	var ids []string
	for _, c := range all {
		if c.Info().ID == s {
			return c, nil
		}
		ids = append(ids, c.Info().ID)
	}
	return nil, fmt.Errorf("no chapter %q; the chapters are %s", s, strings.Join(ids, ", "))
}

// readFileMax reads a file of at most limit bytes.
func readFileMax(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB; a replay is much smaller", path, limit>>20)
	}
	return data, nil
}

func writeReplayText(w io.Writer, r replayReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "replay %s, seed %d, at tick %d", r.Chapter, r.Seed, r.Tick)
	if r.Item != "" {
		fmt.Fprintf(&b, ", item %s", r.Item)
	}
	if r.View != "" {
		fmt.Fprintf(&b, ", view %s", r.View)
	}
	b.WriteString("\n")
	for _, n := range r.Notices {
		fmt.Fprintf(&b, "  note:           %s\n", n)
	}
	c := r.Config
	fmt.Fprintf(&b, "  cluster:        %d nodes x %d vnodes; N=%d W=%d R=%d, %s, %s\n", c.Nodes, c.VNodes, c.N, c.W, c.R,
		map[core.Mode]string{core.Strict: "strict quorums (CP)", core.Sloppy: "sloppy quorums (AP)"}[c.Mode],
		map[core.Versioning]string{core.VectorClocks: "vector clocks", core.LWW: "last write wins"}[c.Versioning])
	var nodes []string
	for _, n := range r.Nodes {
		nodes = append(nodes, fmt.Sprintf("%s %s (%d keys, %d hints)", n.Name, n.Status, n.Keys, n.Hints))
	}
	fmt.Fprintf(&b, "  nodes:          %s\n", strings.Join(nodes, "; "))
	k := r.Counters
	fmt.Fprintf(&b, "  operations:     %d attempted, %d succeeded, %d failed (puts %d ok, %d failed; gets %d ok, %d failed)\n",
		k.OpsAttempted, k.OpsSucceeded, k.OpsFailed, k.PutsOK, k.PutsFailed, k.GetsOK, k.GetsFailed)
	fmt.Fprintf(&b, "  stale reads:    %d\n", k.StaleReads)
	fmt.Fprintf(&b, "  siblings:       at most %d per read; reads by versions returned: %s\n", k.SiblingsMax, histogram(k.SiblingReads))
	fmt.Fprintf(&b, "  hints:          %d stored, %d handed off; %d read repairs; %d lww discards\n", k.HintsStored, k.HintsHandedOff, k.ReadRepairs, k.LWWDiscards)
	fmt.Fprintf(&b, "  anti-entropy:   %d Merkle hashes and %d keys exchanged\n", k.MerkleHashes, k.MerkleKeys)
	fmt.Fprintf(&b, "  messages:       %d sent, %d dropped; %d gossip exchanges\n", k.MessagesSent, k.MessagesDropped, k.GossipExchanges)
	fmt.Fprintf(&b, "  trace digest:   sha256 %s (%d events)\n", r.Digest, k.Events)
	_, err := io.WriteString(w, b.String())
	return err
}
