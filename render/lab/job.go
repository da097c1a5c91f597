package lab

import (
	"fmt"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
	"github.com/ringlab/ringlab/runfmt"
)

// A job is work too long for one frame: rebuilding a run from a link or a
// replay file, or a "run" command of many ticks. It goes on a share each
// Update, for as long as the frame's time allows (Overrun), while the lab
// keeps drawing: a bar over the picture shows its progress with a Cancel
// button. The run on screen stays as it was until a rebuild is done (and
// stays for good if it is cancelled or fails); commands that arrive
// meanwhile wait, in order, for the job to end.
type job struct {
	title string // "Opening the link", "Running 50,000 ticks"
	// A rebuild: the builder, then what to do with the finished run, or
	// with the error that stopped it.
	build *builder
	done  func(builtRun)
	fail  func(error)
	// A run command: the tick to reach, from tick from.
	from, to int64
	// An export (exportjob.go): the file being written and where to.
	export *exporter
	sink   FileSink
}

// progress is how far the job has come, as done of total.
func (j *job) progress(l *Lab) (done, total int64) {
	if j.export != nil {
		return j.export.done, j.export.total
	}
	if j.build != nil {
		return j.build.progress()
	}
	return l.tl.Now() - j.from, j.to - j.from
}

// unit is what the job's progress counts.
func (j *job) unit() string {
	if j.export != nil {
		return j.export.unit
	}
	return "ticks"
}

// startJob begins j; Update gives it the frame's time from this frame on.
func (l *Lab) startJob(j *job) {
	l.job = j
	l.jobFrames = 0
}

// advanceJob gives the job its share of this frame, and ends it when it is
// done or has failed.
func (l *Lab) advanceJob() {
	j := l.job
	if j == nil {
		return
	}
	l.jobFrames++
	if j.export != nil {
		l.advanceExport(j)
		return
	}
	if j.build != nil {
		done, err := j.build.advance(l.Overrun)
		if err != nil {
			l.job = nil
			j.fail(err)
			return
		}
		if done {
			l.job = nil
			j.done(j.build.b)
		}
		return
	}
	l.step(int(min(j.to-l.tl.Now(), runTicksMax)))
	// What the commands after it see (a selection, a press) is the run at
	// the tick reached.
	l.collectEvents()
	l.refresh()
	if l.tl.Now() >= j.to {
		l.job = nil
	}
}

// cancelJob stops the job: a rebuild is dropped (the run on screen stays),
// a run command stops where it got to.
func (l *Lab) cancelJob() {
	j := l.job
	if j == nil {
		return
	}
	l.job = nil
	done, total := j.progress(l)
	if j.export != nil {
		msg := j.sink.Close(j.export.file, ErrCancelled)
		if msg == "" {
			msg = "Saving " + j.export.file.Name + ": cancelled; nothing was saved."
		}
		l.notify(msg)
		return
	}
	if j.build != nil {
		l.notify(fmt.Sprintf("%s: cancelled at tick %s of %s; the run on screen is unchanged.", j.title,
			runfmt.Thousands(done), runfmt.Thousands(total)))
		return
	}
	l.notify(fmt.Sprintf("%s: stopped at tick %s.", j.title, runfmt.Thousands(l.tl.Now())))
}

// JobState is the work the lab is doing across frames, in State.
type JobState struct {
	Title string `json:"title"`
	Done  int64  `json:"done"`  // ticks (or operations) done
	Total int64  `json:"total"` // in all
	Unit  string `json:"unit"`  // "ticks" or "operations"
}

// jobState is the job for State, or nil.
func (l *Lab) jobState() *JobState {
	if l.job == nil {
		return nil
	}
	done, total := l.job.progress(l)
	return &JobState{Title: l.job.title, Done: done, Total: total, Unit: l.job.unit()}
}

// jobBarRect is where the job's bar goes: across the bottom of the picture.
func (l *Lab) jobBarRect() frame.Rect {
	th := &l.theme
	s := l.layout.scene
	h := th.U(48)
	if s.H < h || s.W < th.U(200) {
		return frame.Rect{}
	}
	return frame.Rect{X: s.X, Y: s.Bottom() - h, W: s.W, H: h}
}

// addJobWidgets registers the job's Cancel button: while a job runs it is
// the lab's only control (the run on screen is not the one being built).
func (l *Lab) addJobWidgets() {
	r := l.jobBarRect()
	th := &l.theme
	w := th.U(96)
	if r.W == 0 {
		// A frame too small for the bar: the button alone, at the top.
		r = l.layout.top
	}
	l.w.jobCancel.SetBounds(frame.Rect{X: r.Right() - w - th.U(8), Y: r.Y + (r.H-th.U(32))/2, W: w, H: th.U(32)})
	l.mgr.Add(l.w.jobCancel)
}

// drawJob paints the job's bar: what it is doing, how far, and a filled
// bar of its progress.
func (l *Lab) drawJob(layer *frame.Layer) {
	j := l.job
	r := l.jobBarRect()
	if j == nil || r.H == 0 {
		return
	}
	th := &l.theme
	u := th.U
	layer.Rect(r, th.Panel)
	layer.Rect(frame.Rect{X: r.X, Y: r.Y, W: r.W, H: u(2)}, th.ControlOn)
	done, total := j.progress(l)
	right := l.w.jobCancel.Bounds().X - u(12)
	x := r.X + u(12)
	barW := min(u(200), (right-x)*0.35)
	if barW >= u(60) {
		bx, by := right-barW, r.Y+r.H/2-u(4)
		layer.Rect(frame.Rect{X: bx, Y: by, W: barW, H: u(8)}, th.Control)
		layer.Rect(frame.Rect{X: bx, Y: by, W: barW * float64(done) / float64(max(total, 1)), H: u(8)}, th.ControlOn)
		right = bx - u(12)
	}
	pct := 100 * done / max(total, 1)
	text := fmt.Sprintf("%s: tick %s of %s (%d%%). The run on screen stays until it is done.", j.title,
		runfmt.Thousands(done), runfmt.Thousands(total), pct)
	switch {
	case j.export != nil:
		text = fmt.Sprintf("%s: %s of %s %s (%d%%).", j.title, runfmt.Thousands(done), runfmt.Thousands(total), j.export.unit, pct)
	case j.build == nil:
		text = fmt.Sprintf("%s: %s of %s ticks (%d%%).", j.title, runfmt.Thousands(done), runfmt.Thousands(total), pct)
	}
	size := th.Font()
	layer.Label(x, r.Y+(r.H-frame.LineHeight(size))/2, size, th.Text, frame.AlignStart, frame.Fit(l.measure, text, size, right-x))
}

// newJobCancel is the job bar's button.
func (l *Lab) newJobCancel() *ui.Button {
	return ui.NewButton("job-cancel", "Cancel", "Stop this work; the run on screen stays as it is (Esc)", l.cancelJob)
}
