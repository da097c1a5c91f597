// Package repair holds the chapters on keeping replicas honest: versioning
// (vector clocks and last-write-wins), Merkle anti-entropy with read repair,
// and failure handling (gossip, failure detection, hinted handoff). Every
// picture is drawn from the simulated cluster's view and its event trace.
package repair

import "github.com/ringlab/ringlab/render/lab"

// Chapters returns this part's chapters, in order.
func Chapters() []lab.Chapter {
	return []lab.Chapter{NewVersioning(), NewMerkle(), NewFailures()}
}
