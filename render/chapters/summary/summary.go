// Package summary is the last chapter: the whole store at once.
package summary

import "github.com/ringlab/ringlab/render/lab"

// Chapters returns the summary chapter.
func Chapters() []lab.Chapter {
	return []lab.Chapter{lab.NewSandbox()}
}
