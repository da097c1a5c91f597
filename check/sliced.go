package check

import (
	"runtime"
	"slices"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/ringlab/ringlab/core"
)

// Sliced is a linearizability check done a little at a time, so that a
// program drawing frames (the lab) never waits long for it: each Step works
// for at most the time it is given. Porcupine cannot be paused, so the
// work is cut into small calls: one key (register) at a time, each with a
// time cap, and a violation is narrowed down one porcupine call at a time.
//
// It checks a window of a run: the operations that returned at or after
// tick From, or are still pending (a run's retained window: older ones are
// no longer kept). From 0 it is the whole history and the verdict is
// Linearizable's. From a later tick the registers' values at From are not
// known, so each key starts in an unknown state that its first read may
// find holding any value; what happened before From is not checked.
type Sliced struct {
	// From and To are the ticks of the window checked.
	From, To int64
	// Cap is the longest a single porcupine call may take: SliceCap
	// unless set otherwise before the first Step.
	Cap time.Duration

	keys  []string
	parts [][]porcupine.Operation
	model porcupine.Model
	clock *deadline
	next  int // the key to check next

	// shrinking is the violation being narrowed down, if any.
	shrinking *shrinkJob
	prefix    []core.Op // the key being narrowed: its longest linearizable prefix
	res       Result
	done      bool
	// tooLong lists the keys whose check did not finish within Cap;
	// tries counts the whole-Cap attempts at the current key.
	tooLong []string
	tries   int
}

// keyTries is how many times a key's check may run out of a whole Cap
// before it is given up as too long (a busy machine can stall one try).
const keyTries = 3

// SliceCap is the longest a single porcupine call of a Sliced check may
// take: a frame's budget, less what the frame needs for itself.
const SliceCap = 6 * time.Millisecond

// unknown is the state of a register whose value at the window's start is
// not known.
const unknown = "\x00unknown"

// deadline stops a porcupine call from inside its model: past at, every
// step fails, so the search unwinds at once, and expired says the verdict
// is void. Porcupine's own time cap is a timer on another goroutine, which
// fires late on a busy machine and, in a browser (one thread), only when
// the checker yields; this one does not wait for the scheduler.
type deadline struct {
	at      time.Time
	expired bool
}

// call runs one porcupine call on ops with a time cap; ok is false when
// the cap cut it short.
func (d *deadline) call(model porcupine.Model, ops []porcupine.Operation, limit time.Duration) (porcupine.CheckResult, bool) {
	d.at, d.expired = time.Now().Add(limit), false
	r := porcupine.CheckOperationsTimeout(model, ops, 2*limit)
	if d.expired || r == porcupine.Unknown {
		return porcupine.Unknown, false
	}
	return r, true
}

// windowModel is registerModel starting from an unknown value (when from >
// 0), one key at a time, stopped by d, and yielding the processor every so
// often (in a browser, so that timers and the page can run).
func windowModel(from int64, d *deadline) porcupine.Model {
	m := registerModel
	m.Partition = nil
	if from > 0 {
		m.Init = func() interface{} { return unknown }
	}
	steps := 0
	step := m.Step
	m.StepContext = nil
	m.Step = func(state, input, output interface{}) (bool, interface{}) {
		steps++
		if steps%64 == 0 {
			if !d.expired && time.Now().After(d.at) {
				d.expired = true
			}
			runtime.Gosched()
		}
		if d.expired {
			return false, state
		}
		if state.(string) == unknown {
			in := input.(regInput)
			if in.put {
				return true, in.value
			}
			switch values := output.(regOutput).values; len(values) {
			case 0:
				return true, ""
			case 1:
				return true, values[0]
			default:
				return false, state
			}
		}
		return step(state, input, output)
	}
	return m
}

// NewSliced prepares the check of the operations of history that returned
// at or after tick from or are still pending, up to tick to (for the
// report: the history is the run's up to then). Nothing is checked yet.
func NewSliced(history []core.Op, from, to int64) *Sliced {
	if from > 0 {
		kept := make([]core.Op, 0, len(history))
		for _, op := range history {
			if op.ReturnTick < 0 || op.ReturnTick >= from {
				kept = append(kept, op)
			}
		}
		history = kept
	}
	p := prepare(history)
	s := &Sliced{From: from, To: to, Cap: SliceCap, clock: new(deadline)}
	s.model = windowModel(from, s.clock)
	s.parts = partitionByKey(p.ops)
	for _, part := range s.parts {
		s.keys = append(s.keys, part[0].Input.(regInput).key)
	}
	s.res = Result{Ops: len(p.ops), Keys: len(s.parts)}
	return s
}

// Done reports whether the verdict is ready.
func (s *Sliced) Done() bool { return s.done }

// Progress is how many keys have been checked, of how many.
func (s *Sliced) Progress() (checked, keys int) { return s.next, len(s.parts) }

// Result is the verdict, once Done. Unknown means some key's check did not
// finish within Cap (TooLong names them).
func (s *Sliced) Result() Result { return s.res }

// TooLong lists the keys whose check needed more than Cap.
func (s *Sliced) TooLong() []string { return s.tooLong }

// Step works on the check for about budget and reports whether it is
// done. Its first porcupine call may take up to Cap whatever the budget
// (so that every key gets a whole slice), later ones only what is left of
// the budget.
func (s *Sliced) Step(budget time.Duration) bool {
	start := time.Now()
	for first := true; !s.done; first = false {
		limit := s.Cap
		if !first {
			limit = min(budget-time.Since(start), s.Cap)
			if limit < time.Millisecond {
				break
			}
		}
		switch {
		case s.shrinking != nil:
			if s.shrinking.step(s.model, s.clock, limit) {
				s.finishViolation()
			}
		case s.next < len(s.parts):
			s.checkKey(limit)
		default:
			s.finish()
		}
	}
	return s.done
}

// checkKey runs porcupine on the next key with a cap; a call cut short by
// the frame's budget (not by SliceCap) is tried again next Step.
func (s *Sliced) checkKey(limit time.Duration) {
	part := s.parts[s.next]
	verdict, _ := s.clock.call(s.model, part, limit)
	switch verdict {
	case porcupine.Ok:
		s.next, s.tries = s.next+1, 0
	case porcupine.Illegal:
		s.shrinking, s.tries = newShrinkJob(part), 0
		// Once more, keeping what the search found: the longest order
		// that explains a prefix of the key's history.
		s.clock.at, s.clock.expired = time.Now().Add(limit), false
		_, info := porcupine.CheckOperationsVerbose(s.model, part, limit)
		if p := info.PartialLinearizations(); len(p) > 0 {
			s.prefix = longestPrefix(p[0], part)
		}
	default:
		if limit < s.Cap {
			return // cut short by this Step's budget: again next time
		}
		if s.tries++; s.tries < keyTries {
			return
		}
		s.tooLong = append(s.tooLong, s.keys[s.next])
		s.next, s.tries = s.next+1, 0
	}
}

func (s *Sliced) finishViolation() {
	v := Violation{Key: s.keys[s.next], KeyOps: len(s.parts[s.next]), Linearized: s.prefix}
	s.prefix = nil
	for _, op := range s.shrinking.current {
		v.Ops = append(v.Ops, op.Metadata.(core.Op))
	}
	v.Reason, v.Explanation = explain(v.Ops)
	s.res.Violations = append(s.res.Violations, v)
	s.shrinking = nil
	s.next++
}

func (s *Sliced) finish() {
	s.done = true
	switch {
	case len(s.res.Violations) > 0:
	case len(s.tooLong) > 0:
		s.res.Unknown = true
	default:
		s.res.OK = true
	}
}

// shrinkJob narrows a non-linearizable register history down as shrink
// does (removing chunks of halving size while the rest stays illegal), one
// porcupine call per step, so that it can be spread over frames. Every
// state it holds is a genuine violation. It gives up narrowing (keeping
// what it has) after shrinkCallsMax calls.
type shrinkJob struct {
	current []porcupine.Operation
	chunk   int
	at      int
	removed bool
	calls   int
}

const shrinkCallsMax = 400

func newShrinkJob(ops []porcupine.Operation) *shrinkJob {
	return &shrinkJob{current: slices.Clone(ops), chunk: max(len(ops)/2, 1)}
}

// step makes one porcupine call and reports whether the job is done.
func (j *shrinkJob) step(model porcupine.Model, d *deadline, limit time.Duration) bool {
	if j.calls >= shrinkCallsMax {
		return true
	}
	if j.at >= len(j.current) {
		switch {
		case j.chunk > 1:
			j.chunk /= 2
		case !j.removed:
			return true
		}
		j.at, j.removed = 0, false
	}
	end := min(j.at+j.chunk, len(j.current))
	candidate := withoutRemovable(j.current, j.at, end)
	j.calls++
	if len(candidate) >= len(j.current) || len(candidate) == 0 {
		j.at = end
		return false
	}
	if r, _ := d.call(model, candidate, limit); r == porcupine.Illegal {
		j.current = candidate
		j.removed = true
		return false // the ops now at [at, ...) are new; try them too
	}
	j.at = end
	return false
}
