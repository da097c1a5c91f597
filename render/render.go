// Package render is the Ebitengine front end: it feeds input to the lab
// model (package lab), lets it advance the simulation and build the frame,
// and paints that frame: geometry in one DrawTriangles call per batch from
// a white sub-image, text through text/v2 with cached Go Regular faces.
// Nothing here decides what is shown.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"sync"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"

	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/runfmt"
)

// Options start the lab.
type Options struct {
	Chapter string  // chapter ID or 1-based number; "" for the first
	Seed    uint64  // the run's seed
	Speed   float64 // ticks per second; 0 for the default
	Paused  bool
	// Width and Height are the window size in logical pixels (desktop).
	Width, Height int
	// Scale overrides the device scale factor (device pixels per logical
	// pixel); 0 uses the monitor's.
	Scale float64
	// Screenshot, if set, makes the lab run Frames frames, write the last
	// one to this PNG file and exit.
	Screenshot string
	Frames     int
	// Notices are shown on screen at start (ignored URL values...).
	Notices []string
	// Commands are JSON commands (as the page sends them) applied one per
	// frame from the first, in order, e.g. to set up a screenshot: each
	// sees what the ones before it changed. A screenshot waits for all.
	Commands []string
	// Link is a run to open (from lab.OptionsFromFragment).
	Link *runfmt.Link
	// Replay is a replay file's content to open after start; an unusable
	// one is refused with an error (desktop -replay).
	Replay []byte
	// ReducedMotion draws message flights as jump cuts.
	ReducedMotion bool
	// Embed selects the compact layout of a small frame.
	Embed bool
	// View is the view to start in: "scene" (or ""), "diagram", "history".
	View string
	// ExportDir is where the desktop's Save menu writes files ("" for the
	// current directory).
	ExportDir string
	// Downloads is false where the page may not download files (a sandboxed
	// frame): the Save menu then says so and offers the link instead.
	Downloads bool
	// WindowBytes is the budget of the run's retained window (0: the
	// default, tracestore.DefaultBudgetBytes).
	WindowBytes int64
	// MemoryEvery, when positive, prints the heap and the retained window
	// (lab.Memory) to standard output every that many frames (desktop
	// -memory).
	MemoryEvery int
	// BackgroundSearch runs the schedule searches ("Can this go wrong?")
	// on a goroutine of their own, not in the frames (the desktop).
	BackgroundSearch bool
}

// Chapters is the lab's chapter list, in order.
func Chapters() []lab.Chapter {
	return chapters.All()
}

// updateBudget is how long one Update may spend advancing the simulation
// before the rest of that frame's ticks are skipped. The rest of the frame's
// work grows with the ticks run (their events to collect, keep and draw,
// and the garbage they leave): natively about as much again, more in a
// browser, so the simulation takes well under half of a 16.7 ms frame.
const updateBudget = 6 * time.Millisecond

// Game implements ebiten.Game around a lab.
type Game struct {
	lab     *lab.Lab
	opts    Options
	painter painter
	input   inputReader
	size    lab.Size

	frames    int
	drawn     int
	shotErr   error
	shotDone  bool
	captures  []func([]byte, error)
	firstDraw func() // called once after the first frame is painted
	// focused reports whether the lab has the keyboard: the window's focus
	// on the desktop, the canvas's in the page (set by installBridge).
	focused func() bool
	// news, when set, hears the lab's page news after each Update (the
	// browser passes it to the page's ringlabOnChange and ringlabOnLog).
	news  func(change string, lines []string)
	start time.Time

	jobsMu sync.Mutex
	jobs   []func()
}

// NewGame builds the lab for opts.
func NewGame(opts Options) (*Game, error) {
	scene.SetReducedMotion(opts.ReducedMotion)
	if opts.BackgroundSearch {
		chapters.SearchInBackground()
	}
	l, err := lab.New(Chapters(), &frame.GoRegular{}, lab.Options{
		Chapter: opts.Chapter, Seed: opts.Seed, Speed: opts.Speed, Paused: opts.Paused, Notices: opts.Notices,
		Link: opts.Link, ReducedMotion: opts.ReducedMotion, Embed: opts.Embed, View: opts.View, WindowBytes: opts.WindowBytes,
	})
	if err != nil {
		return nil, err
	}
	g := &Game{lab: l, opts: opts}
	if opts.Replay != nil {
		if msg := l.LoadReplay(opts.Replay); msg != "" {
			return nil, errors.New(msg)
		}
	}
	if opts.Screenshot == "" {
		l.Overrun = func() bool { return time.Since(g.start) > updateBudget }
	}
	// A screenshot run advances by frames alone (the speed's ticks per
	// frame at 60 frames per second), never by the clock: the same flags
	// give the same picture, however slow the machine.
	g.focused = ebiten.IsFocused
	return g, nil
}

// Lab is the model the game shows.
func (g *Game) Lab() *lab.Lab { return g.lab }

// State returns the lab's state as JSON; safe from any goroutine.
func (g *Game) State() string { return g.lab.State() }

// Command queues a JSON command for the next Update; it returns "" or a
// one-line error. Safe from any goroutine; never blocks on the frame loop.
func (g *Game) Command(json string) string { return g.lab.Command(json) }

// CapturePNG asks for the next painted frame as PNG bytes; done is called
// from the frame loop once it is encoded.
func (g *Game) CapturePNG(done func([]byte, error)) { g.captures = append(g.captures, done) }

// Update implements ebiten.Game.
func (g *Game) Update() error {
	if g.shotDone {
		if g.shotErr != nil {
			return g.shotErr
		}
		return ebiten.Termination
	}
	g.start = time.Now()
	if g.size.W == 0 {
		return nil // Layout has not run yet
	}
	if g.opts.Screenshot != "" && g.frames >= max(g.opts.Frames, 1) {
		// The screenshot shows exactly Frames updates: Ebitengine may call
		// Update again before the Draw that takes it (catching up on a
		// slow machine), and those must not advance the run.
		return nil
	}
	g.lab.SetRates(ebiten.ActualFPS(), ebiten.ActualTPS())
	if g.focused != nil {
		g.lab.SetKeyboardFocus(g.focused())
	}
	in := g.input.read()
	g.lab.Update(in, g.size)
	g.frames++
	if g.opts.MemoryEvery > 0 && g.frames%g.opts.MemoryEvery == 0 {
		fmt.Printf("tick %d: %s\n", g.lab.Timeline().Now(), g.lab.MemoryNow())
	}
	g.runJobs()
	if g.news != nil {
		if change, lines := g.lab.TakePageNews(); change != "" || lines != nil {
			g.news(change, lines)
		}
	}
	return nil
}

// Draw implements ebiten.Game: it paints the frame the last Update built.
func (g *Game) Draw(screen *ebiten.Image) {
	if g.frames == 0 {
		return
	}
	g.painter.paint(screen, g.lab.Frame())
	g.drawn++
	if g.drawn == 1 && g.firstDraw != nil {
		g.firstDraw()
	}
	if len(g.captures) > 0 {
		b, err := encodePNG(screen)
		for _, done := range g.captures {
			done(b, err)
		}
		g.captures = g.captures[:0]
	}
	if g.opts.Screenshot != "" && !g.shotDone && g.frames >= max(g.opts.Frames, 1) {
		b, err := encodePNG(screen)
		if err == nil {
			err = os.WriteFile(g.opts.Screenshot, b, 0o644)
		}
		g.shotErr, g.shotDone = err, true
	}
}

// Layout implements ebiten.Game: the screen is in device pixels, so text
// and lines stay crisp at any device pixel ratio.
func (g *Game) Layout(outsideW, outsideH int) (int, int) {
	scale := g.opts.Scale
	if scale <= 0 {
		scale = ebiten.Monitor().DeviceScaleFactor()
	}
	if scale <= 0 {
		scale = 1
	}
	w, h := max(int(float64(outsideW)*scale), 1), max(int(float64(outsideH)*scale), 1)
	g.size = lab.Size{W: float64(w), H: float64(h), Scale: scale}
	return w, h
}

// encodePNG reads the screen's pixels and encodes them.
func encodePNG(screen *ebiten.Image) ([]byte, error) {
	b := screen.Bounds()
	img := image.NewRGBA(b)
	screen.ReadPixels(img.Pix)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// Run opens the window (or the canvas) and runs the lab until it is closed,
// or until the screenshot is written.
func Run(opts Options) error {
	if opts.Width <= 0 {
		opts.Width = 1280
	}
	if opts.Height <= 0 {
		opts.Height = 800
	}
	if opts.Screenshot != "" && opts.Frames <= 0 {
		opts.Frames = 60
	}
	if opts.Screenshot != "" {
		opts.Frames = max(opts.Frames, len(opts.Commands))
	}
	g, err := NewGame(opts)
	if err != nil {
		return err
	}
	if err := g.lab.CommandSequence(opts.Commands); err != nil {
		return err
	}
	ebiten.SetWindowSize(opts.Width, opts.Height)
	ebiten.SetWindowTitle("Ringlab: consistent hashing and Dynamo-style stores")
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	installBridge(g)
	err = ebiten.RunGameWithOptions(g, &ebiten.RunGameOptions{})
	if errors.Is(err, ebiten.Termination) {
		return nil
	}
	return err
}

// painter turns a frame into draw calls, reusing its vertex buffer.
type painter struct {
	white *ebiten.Image // a 1x1 white sub-image: the source of all geometry
	verts []ebiten.Vertex
	faces map[float32]*text.GoXFace
	font  *sfnt.Font
}

func (p *painter) init() {
	if p.white != nil {
		return
	}
	// A sub-image in the middle of a 3x3 white image, so sampling never
	// bleeds in a transparent edge.
	base := ebiten.NewImage(3, 3)
	base.Fill(image.White.C)
	p.white = base.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image)
	// Glyphs are laid out one after another with the font's kerning, as
	// frame.GoRegular measures them: no text shaping, which the lab's Latin
	// labels do not need and which would cost the first frame a good part
	// of its time (and the wasm some 3.7 MB).
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		panic("render: the embedded Go Regular font does not parse: " + err.Error())
	}
	p.font = f
	p.faces = map[float32]*text.GoXFace{}
}

func (p *painter) face(size float32) *text.GoXFace {
	f, ok := p.faces[size]
	if !ok {
		// At 72 DPI a size in points is a size in pixels.
		xf, err := opentype.NewFace(p.font, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			panic(fmt.Sprintf("render: no Go Regular face of size %v: %v", size, err))
		}
		f = text.NewGoXFace(xf)
		p.faces[size] = f
	}
	return f
}

func (p *painter) paint(screen *ebiten.Image, f *frame.Frame) {
	p.init()
	bg := f.Background
	screen.Fill(colorOf(bg))
	var tri ebiten.DrawTrianglesOptions
	for li := range f.Layers {
		layer := &f.Layers[li]
		for _, b := range layer.Batches() {
			p.verts = p.verts[:0]
			for _, v := range b.Verts {
				p.verts = append(p.verts, ebiten.Vertex{
					DstX: v.X, DstY: v.Y, SrcX: 1.5, SrcY: 1.5,
					ColorR: v.C.R, ColorG: v.C.G, ColorB: v.C.B, ColorA: v.C.A,
				})
			}
			screen.DrawTriangles(p.verts, b.Idx, p.white, &tri)
		}
		for _, t := range layer.Texts {
			var op text.DrawOptions
			op.GeoM.Translate(float64(t.X), float64(t.Y))
			op.ColorScale.Scale(t.C.R*t.C.A, t.C.G*t.C.A, t.C.B*t.C.A, t.C.A)
			switch t.Align {
			case frame.AlignCenter:
				op.PrimaryAlign = text.AlignCenter
			case frame.AlignEnd:
				op.PrimaryAlign = text.AlignEnd
			}
			text.Draw(screen, t.S, p.face(t.Size), &op)
		}
	}
}

// addJob queues work for the frame loop (from a JS callback); it runs after
// the next Update.
func (g *Game) addJob(f func()) {
	g.jobsMu.Lock()
	g.jobs = append(g.jobs, f)
	g.jobsMu.Unlock()
}

func (g *Game) runJobs() {
	g.jobsMu.Lock()
	jobs := g.jobs
	g.jobs = nil
	g.jobsMu.Unlock()
	for _, f := range jobs {
		f()
	}
}

// exportTo makes an exported file on the frame loop and passes it to done:
// at once for the CSV and JSON kinds, after the next painted frame for PNG.
func (g *Game) exportTo(kind string, done func(lab.File, error)) {
	f, err := g.lab.Export(kind)
	if !errors.Is(err, lab.ErrPNGFromHost) {
		done(f, err)
		return
	}
	g.CapturePNG(func(b []byte, err error) {
		f.Data = b
		done(f, err)
	})
}
