// Package chapters lists the lab's chapters in the order of the design
// guide: placement (naive hashing, the ring, virtual nodes), replication
// and quorums (replication, CAP, N/W/R), keeping replicas honest
// (versioning, Merkle anti-entropy, failure handling), and the summary.
package chapters

import (
	"github.com/ringlab/ringlab/render/chapters/experiments"
	"github.com/ringlab/ringlab/render/chapters/hashing"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/chapters/quorum"
	"github.com/ringlab/ringlab/render/chapters/repair"
	"github.com/ringlab/ringlab/render/chapters/summary"
	"github.com/ringlab/ringlab/render/lab"
)

// All is every chapter, in teaching order. Each call returns fresh
// chapters, so two labs never share chapter state.
func All() []lab.Chapter {
	var all []lab.Chapter
	all = append(all, hashing.Chapters()...)
	all = append(all, quorum.Chapters()...)
	all = append(all, repair.Chapters()...)
	all = append(all, summary.Chapters()...)
	all = append(all, experiments.Chapters()...)
	return all
}

// SearchInBackground has "Can this go wrong?" run its searches on a
// goroutine of their own (gowrong.Background) rather than in the frames'
// slices: the desktop's choice. The browser runs them in a Web Worker
// where the page offers one, whatever this says.
func SearchInBackground() {
	if gowrong.StartRemote == nil {
		gowrong.StartRemote = gowrong.Background
	}
}
