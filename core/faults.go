package core

import (
	"math"
	"slices"
)

// Faults as a concept: the kinds the injector strikes, each declared once
// with what it does; the injector itself (every Faults.EveryTicks it
// strikes one kind drawn from Faults.Kinds); and the record of how each
// fault is undone Faults.DurationTicks later. A new kind is one constant,
// one row of faultKinds and its strike function.

// FaultKind is one kind of fault. Its text is part of the configuration's
// JSON, of links and of flags.
type FaultKind string

const (
	FaultCrash     FaultKind = "crash"     // an up node crashes; it restarts when the fault ends
	FaultPartition FaultKind = "partition" // the ring's nodes split in two; healed when the fault ends
	FaultLoss      FaultKind = "loss"      // messages are lost with a probability of 0.1 to 0.4; the loss before comes back
	FaultSkew      FaultKind = "skew"      // an up node's clock jumps by up to the request timeout; its skew before comes back
)

// faultKind declares a kind: strike applies it to the cluster now and
// returns how to undo it, or false when it does not apply now (crashing
// the last node up, partitioning a network already cut). up are the
// nodes on the ring that are up and not leaving.
type faultKind struct {
	kind   FaultKind
	strike func(c *Cluster, up []NodeID) (faultUndo, bool)
}

// faultKinds are the kinds, in the order the injector documents them. (It
// is filled by init: the strike functions reach Config.Validate, which
// reads FaultKinds.)
var faultKinds []faultKind

// FaultKinds are the kinds the injector knows, in the order it documents
// them.
var FaultKinds []FaultKind

func init() {
	faultKinds = []faultKind{
		{FaultCrash, strikeCrash},
		{FaultPartition, strikePartition},
		{FaultLoss, strikeLoss},
		{FaultSkew, strikeSkew},
	}
	for _, k := range faultKinds {
		FaultKinds = append(FaultKinds, k.kind)
	}
}

// FaultKindNames are FaultKinds as text.
func FaultKindNames() []string {
	out := make([]string, len(FaultKinds))
	for i, k := range FaultKinds {
		out[i] = string(k)
	}
	return out
}

// faultUndo is how one fault is undone: the kind, and what it changed.
type faultUndo struct {
	kind FaultKind
	node NodeID  // crash and skew: the node
	loss float64 // loss: the probability before
	skew int64   // skew: the node's skew before
}

// faultState is the fault injector's progress.
type faultState struct {
	stopped bool
}

func (c *Cluster) startFaults() {
	if len(c.cfg.Faults.Kinds) > 0 {
		c.schedule(item{tick: c.now + c.cfg.Faults.EveryTicks, kind: itemFault})
	}
}

// tickFaults strikes one fault drawn from the fault stream and schedules
// its undoing. Faults that do not apply right now are skipped.
func (c *Cluster) tickFaults() {
	if c.faults.stopped {
		return
	}
	f := c.cfg.Faults
	c.schedule(item{tick: c.now + f.EveryTicks, kind: itemFault})
	undoAt := c.now + f.DurationTicks
	var up []NodeID
	for _, id := range c.ring.Nodes() {
		if n := c.nodes[id]; n.up && !n.leaving {
			up = append(up, id)
		}
	}
	kind := f.Kinds[c.rng().fault.intn(len(f.Kinds))]
	i := slices.IndexFunc(faultKinds, func(k faultKind) bool { return k.kind == kind })
	if i < 0 {
		return // Validate refuses unknown kinds
	}
	if u, ok := faultKinds[i].strike(c, up); ok {
		c.schedule(item{tick: undoAt, kind: itemFaultUndo, undo: &u})
	}
}

func strikeCrash(c *Cluster, up []NodeID) (faultUndo, bool) {
	if len(up) < 2 {
		return faultUndo{}, false
	}
	victim := up[c.rng().fault.intn(len(up))]
	c.crashNode(c.w(victim))
	return faultUndo{kind: FaultCrash, node: victim}, true
}

func strikePartition(c *Cluster, up []NodeID) (faultUndo, bool) {
	members := c.ring.Nodes()
	if c.groupOf != nil || len(members) < 2 {
		return faultUndo{}, false
	}
	perm := c.rng().fault.rnd().Perm(len(members))
	cut := 1 + c.rng().fault.intn(len(members)-1)
	group := make([]NodeID, 0, cut)
	for _, p := range perm[:cut] {
		group = append(group, members[p])
	}
	c.setPartition([][]NodeID{group})
	return faultUndo{kind: FaultPartition}, true
}

func strikeLoss(c *Cluster, up []NodeID) (faultUndo, bool) {
	old := c.cfg.Loss
	c.setParam("loss", math.Round((0.1+0.3*c.rng().fault.float())*100)/100)
	return faultUndo{kind: FaultLoss, loss: old}, true
}

func strikeSkew(c *Cluster, up []NodeID) (faultUndo, bool) {
	if len(up) == 0 {
		return faultUndo{}, false
	}
	victim := up[c.rng().fault.intn(len(up))]
	old := c.nodes[victim].skew
	bound := c.cfg.RequestTimeoutTicks
	c.setParam("skew:"+victim.String(), float64(c.rng().fault.between(-bound, bound)))
	return faultUndo{kind: FaultSkew, node: victim, skew: old}, true
}

// undoFault ends a fault, unless the cluster has been told to settle (which
// undoes every fault itself).
func (c *Cluster) undoFault(u *faultUndo) {
	if c.faults.stopped {
		return
	}
	switch u.kind {
	case FaultCrash:
		if n := c.nodes[u.node]; !n.up && n.restartable() {
			c.restartNode(c.w(u.node))
		}
	case FaultPartition:
		if c.groupOf != nil {
			c.setPartition(nil)
		}
	case FaultLoss:
		c.setParam("loss", u.loss)
	case FaultSkew:
		c.setParam("skew:"+u.node.String(), float64(u.skew))
	}
}

// The fault injector's timing when faults are chosen without one (the
// lab's knobs and its summary chapter): a fault every FaultEveryDefault
// ticks, undone FaultForDefault ticks later.
const (
	FaultEveryDefault = 150
	FaultForDefault   = 60
)

// WithDefaultTiming is f with the default timing in place of a missing one
// (zero), when it injects any fault.
func (f Faults) WithDefaultTiming() Faults {
	if len(f.Kinds) > 0 {
		if f.EveryTicks == 0 {
			f.EveryTicks = FaultEveryDefault
		}
		if f.DurationTicks == 0 {
			f.DurationTicks = FaultForDefault
		}
	}
	return f
}
