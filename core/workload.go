package core

import (
	"slices"
	"strconv"
)

// workloadState is the simulated clients' progress.
type workloadState struct {
	issued int
	seq    []int // per client: values written so far
}

// startWorkload sets every client thinking before its first operation.
func (c *Cluster) startWorkload() {
	w := c.cfg.Workload
	if w.Clients == 0 {
		return
	}
	c.work.seq = make([]int, w.Clients+1)
	for client := 1; client <= w.Clients; client++ {
		c.schedule(item{tick: c.now + c.rng().work.between(1, max(1, w.ThinkTicksMax)), kind: itemClient, arg: int64(client)})
	}
}

// tickClient issues one client's next operation: a key drawn uniformly, a
// put with probability PutFraction (with SingleWriter, only of a key the
// client owns), at a coordinator drawn among the nodes on the ring (a client
// does not know which are down).
func (c *Cluster) tickClient(client int) {
	w := c.cfg.Workload
	if c.workStopped || (w.Ops > 0 && c.work.issued >= w.Ops) {
		return
	}
	c.work.issued++
	keyIndex := c.rng().work.intn(w.Keys)
	isPut := c.rng().work.float() < w.PutFraction
	if isPut && w.SingleWriter && keyIndex%w.Clients != client-1 {
		owned := (w.Keys - (client - 1) + w.Clients - 1) / w.Clients
		if owned <= 0 {
			isPut = false
		} else {
			keyIndex = client - 1 + w.Clients*c.rng().work.intn(owned)
		}
	}
	op := clientOp{kind: OpGet, client: client, key: w.KeyPrefix + strconv.Itoa(keyIndex),
		coordinator: c.ring.NodeAt(c.rng().work.intn(c.ring.NodeCount())), workload: true}
	if isPut {
		c.work.seq[client]++
		op.kind = OpPut
		op.value = "v" + strconv.Itoa(client) + "." + strconv.Itoa(c.work.seq[client])
	}
	c.startRequest(op)
}

// clientDone lets a workload client think before its next operation.
func (c *Cluster) clientDone(client int) {
	if c.workStopped {
		return
	}
	c.schedule(item{tick: c.now + c.rng().work.between(1, max(1, c.cfg.Workload.ThinkTicksMax)), kind: itemClient, arg: int64(client)})
}

// beginSettle stops the workload and the fault injector and undoes every
// fault: heal, restart every node still on the ring, no loss.
func (c *Cluster) beginSettle() {
	c.workStopped = true
	c.faults.stopped = true
	if c.groupOf != nil {
		c.setPartition(nil)
	}
	for i, n := range c.nodes {
		if !n.up && n.restartable() {
			c.restartNode(c.w(NodeID(i)))
		}
	}
	if c.cfg.Loss != 0 {
		c.setParam("loss", 0)
	}
}

// Settle heals the cluster (CmdSettle) and runs until it is quiescent: no
// request pending, no hint left, and every replica of every key (on the
// agreed ring) holding the same versions, compared directly. It gives up
// after maxTicks. Lost writes are counted either way.
func (c *Cluster) Settle(maxTicks int64) SettleReport {
	start := c.now
	if _, err := c.Apply(Command{Kind: CmdSettle}); err != nil {
		panic("core: settle: " + err.Error()) // CmdSettle always validates
	}
	converged := c.quiescent()
	for !converged && c.now-start < maxTicks {
		c.Tick()
		if (c.now-start)%5 == 0 || c.now-start == maxTicks {
			converged = c.quiescent()
		}
	}
	lost := c.lostWrites()
	return SettleReport{Ticks: c.now - start, Converged: converged, LostWrites: len(lost), Lost: lost}
}

// quiescent is the direct check behind Settle: besides the above, no
// leaving node is still handing keys over and no node stores a key it does
// not replicate on the agreed ring.
func (c *Cluster) quiescent() bool {
	for _, n := range c.nodes {
		if len(n.requests) > 0 || len(n.hints) > 0 || (n.leaving && !n.gone) {
			return false
		}
		if n.inRing && c.holdsMisplaced(n) {
			return false
		}
	}
	return len(c.divergentKeys(1)) == 0
}

// holdsMisplaced reports whether n stores a key that the agreed ring does not
// place on it.
func (c *Cluster) holdsMisplaced(n *node) bool {
	for _, ks := range n.store {
		if len(ks.versions) > 0 && !slices.Contains(c.ring.PreferenceList(ks.hash, c.cfg.N), n.id) {
			return true
		}
	}
	return false
}

// divergentKeys lists up to limit keys (sorted) whose replicas on the agreed
// ring do not all hold the same versions.
func (c *Cluster) divergentKeys(limit int) []string {
	keys := map[string]uint64{}
	for _, n := range c.nodes {
		if !n.inRing {
			continue
		}
		for k, ks := range n.store {
			keys[k] = ks.hash
		}
	}
	var out []string
	for _, k := range sortedKeysOf(keys) {
		pref := c.ring.PreferenceList(keys[k], c.cfg.N)
		var first []*version
		for i, p := range pref {
			var vs []*version
			if ks := c.nodes[p].store[k]; ks != nil {
				vs = ks.versions
			}
			if i == 0 {
				first = vs
			} else if !sameDots(first, vs) {
				out = append(out, k)
				break
			}
		}
		if len(out) >= limit {
			break
		}
	}
	return out
}
