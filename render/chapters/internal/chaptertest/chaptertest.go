// Package chaptertest holds what the chapter packages' tests share: the
// font measurer, the usual window, an idle input, and opening a paused lab
// on a chapter as a person would see it after one frame.
package chaptertest

import (
	"testing"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// Measure measures text in Go Regular, the lab's font. It is not safe for
// concurrent use; the chapter tests do not run in parallel.
var Measure = &frame.GoRegular{}

// Desktop is the usual desktop window, at 1x.
var Desktop = lab.Size{W: 1280, H: 800, Scale: 1}

// Idle is a frame's input with no key, button or pointer on the lab.
func Idle() *ui.Input { return &ui.Input{MouseX: -1, MouseY: -1} }

// Open starts a paused lab on chapters at chapter id ("" for the first)
// with seed, runs one frame at Desktop, and fails the test if the lab
// could not start or opened another chapter.
func Open(t testing.TB, chapters []lab.Chapter, id string, seed uint64) *lab.Lab {
	t.Helper()
	l, err := lab.New(chapters, Measure, lab.Options{Chapter: id, Seed: seed, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(Idle(), Desktop)
	if got := l.Chapter().Info().ID; id != "" && got != id {
		t.Fatalf("the lab opened chapter %q, want %q", got, id)
	}
	return l
}
