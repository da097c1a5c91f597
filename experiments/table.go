package experiments

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Role says what a column holds.
type Role string

const (
	// Param is a swept parameter; the table's X column is one.
	Param Role = "param"
	// Measured is a measurement: one sample per seed, the value is their mean.
	Measured Role = "measured"
	// Predicted is what the guide, the literature or a model predicts for
	// the measured column named by Column.Predicts.
	Predicted Role = "predicted"
	// Reference is a baseline drawn beside the measurements, such as the
	// cost of the naive alternative (a full exchange of every key).
	Reference Role = "reference"
)

// Column describes one column of a Table.
type Column struct {
	Name  string `json:"name"`  // machine name, e.g. "ring_moved"
	Label string `json:"label"` // what a legend or axis says, e.g. "ring (100 vnodes)"
	Unit  string `json:"unit"`  // e.g. "fraction of keys", "ticks"; "" when unitless
	Role  Role   `json:"role"`
	// Predicts names the Measured column this prediction is for (Predicted
	// columns only); a plot draws the two in the same colour. A Reference
	// column may name one too, to share its unit and axis.
	Predicts string `json:"predicts,omitempty"`
	// OrMore, when positive, makes the value OrMore of this (Param) column
	// stand for "OrMore or more", as the last bar of a histogram does;
	// ShowValue writes it "5+".
	OrMore float64 `json:"or_more,omitempty"`
}

// ShowValue writes a value of the column for reading, the number by format
// and "+" after the open last bucket (see OrMore).
func (c Column) ShowValue(v float64, format func(float64) string) string {
	s := format(v)
	if c.OrMore > 0 && v >= c.OrMore {
		s += "+"
	}
	return s
}

// Row is one point of the sweep: a parameter value, within a group.
//
// Values[i] belongs to Columns[i]. For a Measured column it is the mean of
// Samples[i] (one sample per seed, in seed order) and NaN while no sample
// has been taken; for Param and Predicted columns Samples[i] is nil.
type Row struct {
	Group   string      `json:"group,omitempty"`
	Values  []float64   `json:"values"`
	Samples [][]float64 `json:"samples"`
}

// Table is the result of one figure of an experiment: a long-format table
// whose rows are (group, x) points, with the measurements and, beside
// them, their predictions.
type Table struct {
	Name   string `json:"name"`   // e.g. "movement"; unique within an experiment
	Title  string `json:"title"`  // the figure's title
	Claim  string `json:"claim"`  // the prediction, in words
	Source string `json:"source"` // where the prediction comes from
	// Group names what the rows' Group field means ("scheme", "quorum");
	// empty when the table has no groups.
	Group   string   `json:"group,omitempty"`
	X       string   `json:"x"` // the name of the Param column plotted across
	Columns []Column `json:"columns"`
	Rows    []Row    `json:"rows"`
	// Hints for drawing: logarithmic axes.
	LogX bool `json:"log_x,omitempty"`
	LogY bool `json:"log_y,omitempty"`
}

// Col is the index of the column called name, or -1.
func (t *Table) Col(name string) int {
	return slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == name })
}

// Groups lists the distinct row groups in order of first appearance.
func (t *Table) Groups() []string {
	var gs []string
	for _, r := range t.Rows {
		if !slices.Contains(gs, r.Group) {
			gs = append(gs, r.Group)
		}
	}
	return gs
}

// Summary describes the per-seed samples of one measured cell.
type Summary struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"sd"` // sample standard deviation (n-1); 0 for one sample
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Summarize computes a Summary; every field is NaN for no samples (N = 0).
func Summarize(samples []float64) Summary {
	if len(samples) == 0 {
		nan := math.NaN()
		return Summary{Mean: nan, StdDev: nan, Min: nan, Max: nan}
	}
	s := Summary{N: len(samples), Min: samples[0], Max: samples[0]}
	var sum float64
	for _, x := range samples {
		sum += x
		s.Min = min(s.Min, x)
		s.Max = max(s.Max, x)
	}
	s.Mean = sum / float64(len(samples))
	if len(samples) > 1 && s.Min != s.Max {
		var sq float64
		for _, x := range samples {
			sq += (x - s.Mean) * (x - s.Mean)
		}
		s.StdDev = math.Sqrt(sq / float64(len(samples)-1))
	}
	return s
}

// Rounded writes the mean and the standard deviation as measurements are
// reported: the deviation to two significant digits and the mean to the
// same decimal place, but to no more than four significant digits of its
// own (0.4993 and 0.0041, 0.511 and 0.020, 3204 and 15). Where the samples
// do not spread, the mean has its four digits, trailing zeros dropped,
// and the deviation is "0"; a deviation too small to show at the mean's
// precision keeps one significant digit. The text output of sim sweep
// and the lab's table view both write "mean ± sd" with it.
func (s Summary) Rounded() (mean, sd string) {
	if math.IsNaN(s.Mean) || math.IsInf(s.Mean, 0) {
		return strconv.FormatFloat(s.Mean, 'g', 4, 64), strconv.FormatFloat(s.StdDev, 'g', 2, 64)
	}
	digits := func(x float64, sig int) int { // decimals for sig significant digits of x
		return sig - 1 - int(math.Floor(math.Log10(math.Abs(x))))
	}
	d := 0
	if s.Mean != 0 {
		d = digits(s.Mean, 4)
	}
	spread := s.StdDev > 0 && !math.IsNaN(s.StdDev) && !math.IsInf(s.StdDev, 0)
	if spread && (s.Mean == 0 || digits(s.StdDev, 2) < d) {
		d = digits(s.StdDev, 2)
	}
	d = min(max(d, 0), 12)
	mean = strconv.FormatFloat(s.Mean, 'f', d, 64)
	if !spread {
		if strings.Contains(mean, ".") {
			mean = strings.TrimRight(strings.TrimRight(mean, "0"), ".")
		}
		if s.StdDev == 0 {
			return mean, "0"
		}
		return mean, strconv.FormatFloat(s.StdDev, 'g', 2, 64)
	}
	sd = strconv.FormatFloat(s.StdDev, 'f', d, 64)
	if strings.Trim(sd, "0.") == "" {
		sd = strconv.FormatFloat(s.StdDev, 'g', 1, 64)
	}
	return mean, sd
}

// Summary summarizes column col of row r.
func (r Row) Summary(col int) Summary { return Summarize(r.Samples[col]) }

// addSample records one seed's measurement and updates the mean.
func (r *Row) addSample(col int, v float64) {
	r.Samples[col] = append(r.Samples[col], v)
	r.Values[col] = Summarize(r.Samples[col]).Mean
}

// clone is a deep copy, so that a caller may keep a table while the run
// that produced it goes on.
func (t *Table) clone() Table {
	c := *t
	c.Columns = slices.Clone(t.Columns)
	c.Rows = make([]Row, len(t.Rows))
	for i, r := range t.Rows {
		c.Rows[i] = Row{Group: r.Group, Values: slices.Clone(r.Values), Samples: make([][]float64, len(r.Samples))}
		for j, s := range r.Samples {
			c.Rows[i].Samples[j] = slices.Clone(s)
		}
	}
	return c
}

// formatNumber writes v in the shortest form that reads back exactly; NaN
// (no measurement) is written as the empty string.
func formatNumber(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// header is a CSV column title: the name, and the unit in parentheses.
func header(name, unit string) string {
	if unit == "" {
		return name
	}
	return name + " (" + unit + ")"
}

// CSV renders the table with one line per row: the group (when the table
// has groups), then every column in order; a Measured column is followed by
// its standard deviation, minimum, maximum and number of seeds
// ("name_sd", "name_min", "name_max", "name_n"). Numbers are written in the
// shortest form that reads back exactly, so equal tables give equal bytes.
func (t *Table) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	var head []string
	if t.Group != "" {
		head = append(head, t.Group)
	}
	for _, c := range t.Columns {
		head = append(head, header(c.Name, c.Unit))
		if c.Role == Measured {
			head = append(head, header(c.Name+"_sd", c.Unit), header(c.Name+"_min", c.Unit), header(c.Name+"_max", c.Unit), c.Name+"_n")
		}
	}
	_ = w.Write(head) // a bytes.Buffer does not fail
	for _, r := range t.Rows {
		var line []string
		if t.Group != "" {
			line = append(line, r.Group)
		}
		for i, c := range t.Columns {
			if c.Role != Measured {
				line = append(line, formatNumber(r.Values[i]))
				continue
			}
			s := r.Summary(i)
			line = append(line, formatNumber(s.Mean), formatNumber(s.StdDev), formatNumber(s.Min), formatNumber(s.Max), strconv.Itoa(s.N))
		}
		_ = w.Write(line)
	}
	w.Flush()
	return buf.Bytes()
}

// jsonRow is a Row as JSON writes it: NaN (no measurement yet) is null.
type jsonRow struct {
	Group   string      `json:"group,omitempty"`
	Values  []*float64  `json:"values"`
	Samples [][]float64 `json:"samples"`
}

// MarshalJSON writes NaN values as null, which JSON allows and NaN it does not.
func (r Row) MarshalJSON() ([]byte, error) {
	j := jsonRow{Group: r.Group, Values: make([]*float64, len(r.Values)), Samples: r.Samples}
	for i := range r.Values {
		if !math.IsNaN(r.Values[i]) {
			j.Values[i] = &r.Values[i]
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads null values back as NaN.
func (r *Row) UnmarshalJSON(b []byte) error {
	var j jsonRow
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Row{Group: j.Group, Values: make([]float64, len(j.Values)), Samples: j.Samples}
	for i, v := range j.Values {
		r.Values[i] = math.NaN()
		if v != nil {
			r.Values[i] = *v
		}
	}
	if r.Samples == nil {
		r.Samples = make([][]float64, len(r.Values))
	}
	return nil
}

// JSON renders the table as indented JSON; equal tables give equal bytes.
func (t *Table) JSON() []byte {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		// Only NaN or infinite floats can fail, and rows encode NaN as null
		// and the measurements never produce infinities.
		panic("experiments: encoding a table: " + err.Error())
	}
	return append(b, '\n')
}
