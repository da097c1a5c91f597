package experiments

import (
	"math"
	"math/rand/v2"

	"github.com/cespare/xxhash/v2"
	"github.com/ringlab/ringlab/core/merkle"
	"github.com/ringlab/ringlab/core/ring"
)

// Bytes assumed on the wire by the Merkle experiment: a hash is 8 bytes; a
// key offered for comparison is its 8-byte hash and an 8-byte digest of its
// versions.
const (
	hashBytes     = 8
	keyEntryBytes = 16
)

func init() {
	register(Experiment{
		Name:    "merkle",
		Title:   "Merkle anti-entropy: cost against divergence",
		Summary: "Comparing Merkle trees exchanges hashes only along divergent paths and the keys of differing leaves: a few hundred bytes for one divergent key among 10,000, not the whole range.",
		Params: append(commonKnobs(5),
			Knob{Name: "keys", Help: "keys in the range, on both replicas", Default: 10_000, Min: 10, Max: 1_000_000},
			Knob{Name: "depth", Help: "tree depth: 2^depth leaves", Default: 10, Min: 0, Max: 16},
		),
		build: buildMerkle,
	})
}

func buildMerkle(v Values) (*sweep, error) {
	s := &sweep{}
	keys, depth := v.Int("keys"), v.Int("depth")
	leaves := 1 << depth
	counts := s.newTable(Table{
		Name:  "merkle",
		Title: "Hashes and keys exchanged by one Merkle comparison",
		Claim: "Hashes compared stay below 1 + 2·d·depth for d divergent keys (expected 1 + Σ 2^(l+1)·(1 − (1 − 2^−l)^d) over levels l < depth); " +
			"only the keys of differing leaves are exchanged, against every key in a full exchange.",
		Source: "design guide, section 8; core/merkle Diff",
		X:      "divergent",
		LogX:   true,
		LogY:   true,
		Columns: []Column{
			{Name: "divergent", Label: "divergent keys (d)", Unit: "keys", Role: Param},
			{Name: "hashes", Label: "hashes compared", Unit: "items", Role: Measured},
			{Name: "hashes_theory", Label: "expected hashes", Unit: "items", Role: Predicted, Predicts: "hashes"},
			{Name: "keys", Label: "keys exchanged (both sides)", Unit: "items", Role: Measured},
			{Name: "keys_theory", Label: "expected keys", Unit: "items", Role: Predicted, Predicts: "keys"},
			{Name: "full_keys", Label: "full exchange (every key)", Unit: "items", Role: Reference, Predicts: "keys"},
		},
	})
	bytes := s.newTable(Table{
		Name:   "merkle_bytes",
		Title:  "Bytes exchanged: Merkle comparison against a full exchange",
		Claim:  "For one divergent key among 10,000 the comparison costs a few hundred bytes; a full exchange ships every key.",
		Source: "design guide, section 8 (8 bytes per hash; 16 per key: its hash and a digest of its versions)",
		X:      "divergent",
		LogX:   true,
		LogY:   true,
		Columns: []Column{
			{Name: "divergent", Label: "divergent keys (d)", Unit: "keys", Role: Param},
			{Name: "bytes", Label: "Merkle comparison", Unit: "bytes", Role: Measured},
			{Name: "bytes_theory", Label: "expected", Unit: "bytes", Role: Predicted, Predicts: "bytes"},
			{Name: "full_bytes", Label: "full exchange", Unit: "bytes", Role: Reference, Predicts: "bytes"},
		},
	})
	lambda := float64(keys) / float64(leaves)
	var sample []uint64 // the key hashes, computed by the first cell
	for point, d := range oneTwoFive(keys) {
		df := float64(d)
		// A node of level l differs when one of the d keys falls under
		// it (probability 1-(1-2^-l)^d, the keys' leaves being uniform);
		// each differing inner node costs the comparison of its 2 children.
		hashes := 1.0
		for l := 0; l < depth; l++ {
			width := math.Ldexp(1, l)
			hashes += 2 * width * (1 - math.Pow(1-1/width, df))
		}
		// A leaf of n keys (n ~ Poisson(lambda)) differs with probability
		// 1-(1-p)^n, p = d/keys; both replicas send its keys.
		p := df / float64(keys)
		keysExchanged := 2 * float64(keys) * (1 - (1-p)*math.Exp(-lambda*p))
		if d == keys {
			keysExchanged = 2 * float64(keys)
		}
		full := float64(keys)
		row := counts.addRow("", map[string]float64{"divergent": df, "hashes_theory": hashes, "keys_theory": keysExchanged, "full_keys": full})
		brow := bytes.addRow("", map[string]float64{"divergent": df,
			"bytes_theory": hashBytes*hashes + keyEntryBytes*keysExchanged, "full_bytes": keyEntryBytes * full})
		for rep := 0; rep < v.Int("seeds"); rep++ {
			seed := cellSeed(v.Seed(), point, rep)
			s.add(point, rep, cell{cost: merkleCost(keys, depth, d), start: func(m *meter) stepFn {
				if sample == nil {
					// Every cell salts the same key sample: hash it once.
					sample = ring.KeyHashes(keys)
					m.items(keys)
				}
				run := newMerkleRun(sample, depth, d, seed, m)
				return func(m *meter) bool {
					if !run.step(m) {
						return false
					}
					counts.record(row, "hashes", float64(run.hashes))
					counts.record(row, "keys", float64(run.keysSent))
					bytes.record(brow, "bytes", float64(hashBytes*run.hashes+keyEntryBytes*run.keysSent))
					return true
				}
			}})
		}
	}
	return s, nil
}

// merkleCost estimates a Merkle cell's work in units, for Progress.
func merkleCost(keys, depth, divergent int) float64 {
	w := Work{Hashes: keys*(depth+2) + divergent*(depth+4), Items: 2<<depth + keys}
	return w.Units()
}

// merkleRun measures one Merkle comparison in pieces: it builds one
// replica's tree over the salted key sample, copies it, changes the
// versions of divergent keys drawn at random on the copy, and compares the
// two with merkle.Diff. The result is the hashes compared and the keys both
// sides send for the differing leaves.
type merkleRun struct {
	sample    []uint64 // the unsalted key hashes, shared between cells
	depth     int
	divergent int
	rng       *rand.Rand
	salt      uint64
	hs        []uint64 // the salted key hashes
	perLeaf   []int    // keys per leaf
	a, b      *merkle.Tree
	perm      []int // the keys in random order; the first divergent change
	phase     merklePhase
	next      int // the next key of the phase

	hashes, keysSent int // the result, once step reports true
}

type merklePhase int

const (
	merkleAdding    merklePhase = iota // adding keys to the first tree
	merkleCopying                      // cloning it and drawing the divergent keys
	merkleChanging                     // updating the divergent keys in the copy
	merkleComparing                    // comparing the trees
)

// Keys added or changed per check of the meter: small enough not to
// overshoot a step by much, large enough that checking costs nothing.
const merkleChunkKeys = 64

func newMerkleRun(sample []uint64, depth, divergent int, seed uint64, m *meter) *merkleRun {
	rng := rand.New(rand.NewPCG(seed, 0x6d65726b6c65)) // "merkle"
	r := &merkleRun{sample: sample, depth: depth, divergent: divergent, rng: rng,
		// The sample's names are fixed, so each seed salts the key hashes
		// to place the keys in other leaves.
		salt:    rng.Uint64(),
		hs:      make([]uint64, len(sample)),
		perLeaf: make([]int, 1<<depth),
		a:       merkle.New(depth),
	}
	m.items(2 << depth) // the tree's nodes, allocated and cleared
	return r
}

// step advances the measurement until m is full; it reports whether the
// result is ready.
func (r *merkleRun) step(m *meter) bool {
	for !m.full() {
		switch r.phase {
		case merkleAdding:
			end := min(r.next+merkleChunkKeys, len(r.hs))
			for i := r.next; i < end; i++ {
				r.hs[i] = mixKey(r.sample[i], r.salt)
				r.a.Add(r.hs[i], digest(r.hs[i], 1))
				r.perLeaf[merkle.LeafIndex(r.hs[i], r.depth)]++
			}
			// One hash to salt, one for the digest, one per level and
			// the item's own.
			m.hashes((end - r.next) * (r.depth + 3))
			r.next = end
			if r.next == len(r.hs) {
				r.phase, r.next = merkleCopying, 0
			}
		case merkleCopying:
			r.b = r.a.Clone()
			r.perm = r.rng.Perm(len(r.hs))[:r.divergent]
			m.items(2<<r.depth + len(r.hs))
			r.phase = merkleChanging
		case merkleChanging:
			end := min(r.next+merkleChunkKeys, len(r.perm))
			for _, i := range r.perm[r.next:end] {
				r.b.Update(r.hs[i], digest(r.hs[i], 1), digest(r.hs[i], 2))
			}
			// Two digests, the old and new item hashes, one per level.
			m.hashes((end - r.next) * (r.depth + 4))
			r.next = end
			if r.next == len(r.perm) {
				r.phase = merkleComparing
			}
		case merkleComparing:
			res, err := merkle.Diff(r.a, r.b)
			if err != nil {
				panic("experiments: merkle: " + err.Error()) // same depth
			}
			for _, leaf := range res.Leaves {
				r.keysSent += 2 * r.perLeaf[leaf]
			}
			r.hashes = res.HashesCompared
			m.items(res.HashesCompared + len(res.Leaves))
			return true
		}
	}
	return false
}

// mixKey moves a key hash to a pseudo-random position that depends on salt.
func mixKey(h, salt uint64) uint64 {
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(h >> (8 * i))
		b[8+i] = byte(salt >> (8 * i))
	}
	return xxhash.Sum64(b[:])
}

// digest stands for the versions a replica stores under a key: version
// number version of the key with hash h.
func digest(h uint64, version uint64) uint64 {
	return mixKey(h, version*0x9E3779B97F4A7C15+1)
}
