package core

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The Merkle accessors show two replicas' trees of a range that differ
// after a write one of them missed, down to the leaf holding the key; an
// explicit anti-entropy exchange of n1 with n0 (PeerSet) then compares
// exactly that range and makes the trees equal.
func TestMerkleAccessorsAndExplicitPeerN0(t *testing.T) {
	cfg := quietConfig()
	cfg.Mode = Strict
	cfg.W = 1
	cfg.MerkleDepth = 3
	c := mustNew(t, cfg)
	for i := 0; i < 40; i++ {
		waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: NodeID(i % 5), Key: "k" + itoa(i), Value: "a"}), 100)
	}
	missed := keyOwnedBy(t, c, "m", 1, 0, 2)
	mustApply(t, c, Command{Kind: CmdPartition, Groups: [][]NodeID{{0}}})
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 1, Key: missed, Value: "b"}), 100)
	mustApply(t, c, Command{Kind: CmdHeal})
	c.RunUntil(c.Now() + 20)

	var rng RangeView
	for _, r := range c.MerkleRanges(1) {
		if len(r.Replicas) != 3 || !slices.Contains(r.Replicas, 1) {
			t.Fatalf("range %x of n1 lists replicas %v", r.End, r.Replicas)
		}
		if (arc{r.Start, r.End}).contains(c.nodes[1].store[missed].hash) {
			rng = r
		}
	}
	if rng.End == 0 || !slices.Contains(rng.Replicas, 0) {
		t.Fatalf("no range of n1 holds %s with n0 as a replica: %+v", missed, rng)
	}
	mine, ok1 := c.MerkleTree(1, rng.End)
	theirs, ok0 := c.MerkleTree(0, rng.End)
	if !ok1 || !ok0 || len(mine) != cfg.MerkleDepth+1 || len(mine[cfg.MerkleDepth]) != 1<<cfg.MerkleDepth {
		t.Fatalf("MerkleTree: ok %v %v, %d levels", ok1, ok0, len(mine))
	}
	if mine[0][0] != rng.Root || mine[0][0] == theirs[0][0] {
		t.Fatalf("roots: n1 %x (range view %x), n0 %x; want n1's to match its view and differ from n0's", mine[0][0], rng.Root, theirs[0][0])
	}
	leaves, differ := 0, -1
	for leaf := range mine[cfg.MerkleDepth] {
		keys := c.MerkleLeafKeys(1, rng.End, leaf)
		leaves += len(keys)
		if mine[cfg.MerkleDepth][leaf] != theirs[cfg.MerkleDepth][leaf] {
			if differ >= 0 {
				t.Errorf("leaves %d and %d both differ; only one write was missed", differ, leaf)
			}
			differ = leaf
			if !slices.Contains(keys, missed) || slices.Contains(c.MerkleLeafKeys(0, rng.End, leaf), missed) {
				t.Errorf("differing leaf %d: n1 holds %v, n0 holds %v; want %s only on n1", leaf, keys, c.MerkleLeafKeys(0, rng.End, leaf), missed)
			}
		}
	}
	if leaves != rng.Keys {
		t.Errorf("the leaves of n1's range hold %d keys, the range view says %d", leaves, rng.Keys)
	}

	c.Events()
	mustApply(t, c, Command{Kind: CmdAntiEntropy, Node: 1, Peer: 0, PeerSet: true})
	c.RunUntil(c.Now() + 60)
	sawLeaf := false
	for _, e := range c.Events() {
		if e.Kind == EvMerkleCompare {
			if (e.From != 0 || e.To != 1) && (e.From != 1 || e.To != 0) {
				t.Fatalf("compare between %v and %v, want n1 and n0: %s", e.From, e.To, e.String())
			}
			if e.Range == rng.End && e.Level == cfg.MerkleDepth && e.Index == differ && !e.Equal {
				sawLeaf = true
			}
			// Each comparison carries the two hashes it compared: the
			// trees as they were before the exchange repaired anything.
			if e.Equal != (e.Hash == e.PeerHash) {
				t.Errorf("%s: hashes %x and %x, equal %v", e.String(), e.Hash, e.PeerHash, e.Equal)
			}
			if e.Range == rng.End {
				own, peer := mine, theirs
				if e.From == 0 {
					own, peer = theirs, mine
				}
				if e.Hash != own[e.Level][e.Index] || e.PeerHash != peer[e.Level][e.Index] {
					t.Errorf("%s: hashes %x (%v's) and %x, want the trees' before the exchange, %x and %x",
						e.String(), e.Hash, e.From, e.PeerHash, own[e.Level][e.Index], peer[e.Level][e.Index])
				}
			}
		}
	}
	if !sawLeaf {
		t.Errorf("no EvMerkleCompare reported leaf %d of range %x as different", differ, rng.End)
	}
	after, _ := c.MerkleTree(0, rng.End)
	if mine, _ = c.MerkleTree(1, rng.End); !slices.Equal(after[0], mine[0]) {
		t.Errorf("after the exchange the roots still differ: n0 %x, n1 %x", after[0][0], mine[0][0])
	}
}

func TestAntiEntropyPeerField(t *testing.T) {
	c := mustNew(t, quietConfig())
	for _, tc := range []struct {
		name    string
		cmd     Command
		peer    NodeID
		wantErr string
	}{
		{"peer 0 unset means random", Command{Kind: CmdAntiEntropy, Node: 1}, NoNode, ""},
		{"peer 0 set means n0", Command{Kind: CmdAntiEntropy, Node: 1, PeerSet: true}, 0, ""},
		{"peer n3", Command{Kind: CmdAntiEntropy, Node: 1, Peer: 3}, 3, ""},
		{"itself, set", Command{Kind: CmdAntiEntropy, Node: 2, Peer: 2, PeerSet: true}, 2, "cannot compare with itself"},
		{"no such peer", Command{Kind: CmdAntiEntropy, Node: 1, Peer: 9, PeerSet: true}, 9, "does not exist"},
	} {
		if got := antiEntropyPeer(tc.cmd); got != tc.peer {
			t.Errorf("%s: peer %v, want %v", tc.name, got, tc.peer)
		}
		_, err := c.Apply(tc.cmd)
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	// Existing commands keep their JSON: PeerSet appears only when set.
	b, _ := json.Marshal(Command{Kind: CmdAntiEntropy, Node: 3})
	if string(b) != `{"kind":"antientropy","node":3}` {
		t.Errorf("JSON of an anti-entropy command without a peer: %s", b)
	}
}
