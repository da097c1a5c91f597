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
		cost := max(1, keys/5000)
		for rep := 0; rep < v.Int("seeds"); rep++ {
			seed := cellSeed(v.Seed(), point, rep)
			s.cells = append(s.cells, cell{cost: cost, start: func() stepFn {
				return func(int) (int, bool) {
					h, k := measureMerkle(keys, depth, d, seed)
					counts.record(row, "hashes", float64(h))
					counts.record(row, "keys", float64(k))
					bytes.record(brow, "bytes", float64(hashBytes*h+keyEntryBytes*k))
					return cost, true
				}
			}})
		}
	}
	return s, nil
}

// measureMerkle builds two replicas' trees over the same keys, changes the
// versions of d keys drawn at random on the second, and compares them with
// merkle.Diff. It returns the hashes compared and the keys both sides send
// for the differing leaves.
func measureMerkle(keys, depth, divergent int, seed uint64) (hashes, keysSent int) {
	rng := rand.New(rand.NewPCG(seed, 0x6d65726b6c65)) // "merkle"
	hs := ring.KeyHashes(keys)
	// The sample's names are fixed, so each seed salts the key hashes to
	// place the keys in other leaves.
	salt := rng.Uint64()
	perLeaf := make([]int, 1<<depth)
	a := merkle.New(depth)
	for i := range hs {
		hs[i] = mixKey(hs[i], salt)
		a.Add(hs[i], digest(hs[i], 1))
		perLeaf[merkle.LeafIndex(hs[i], depth)]++
	}
	b := a.Clone()
	for _, i := range rng.Perm(keys)[:divergent] {
		b.Update(hs[i], digest(hs[i], 1), digest(hs[i], 2))
	}
	res, err := merkle.Diff(a, b)
	if err != nil {
		panic("experiments: merkle: " + err.Error()) // same depth
	}
	for _, leaf := range res.Leaves {
		keysSent += 2 * perLeaf[leaf]
	}
	return res.HashesCompared, keysSent
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
