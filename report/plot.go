package report

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Figure geometry: one panel per model, at most panelCols panels a row.
const (
	PanelWidth  = 500 // pixels
	PanelHeight = 400
	panelCols   = 3
	plotDPI     = 100
)

// marker is the paper's encoding of a strategy (seed §11.3): raw ● black,
// masking ▲ #6b57ff, LLM-Summary ■ #ff318c, hybrid ◆ #1a7f37.
type marker struct {
	shape draw.GlyphDrawer
	color color.RGBA
}

var markers = map[string]marker{
	Raw:                {draw.CircleGlyph{}, color.RGBA{0, 0, 0, 255}},
	ObservationMasking: {draw.PyramidGlyph{}, color.RGBA{0x6b, 0x57, 0xff, 255}},
	LLMSummary:         {draw.BoxGlyph{}, color.RGBA{0xff, 0x31, 0x8c, 255}},
	Hybrid:             {diamondGlyph{}, color.RGBA{0x1a, 0x7f, 0x37, 255}},
}

var otherMarker = marker{draw.CrossGlyph{}, color.RGBA{0x80, 0x80, 0x80, 255}}

// diamondGlyph is a filled diamond; gonum/plot has none.
type diamondGlyph struct{}

func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.35
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y})
	p.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X - r, Y: pt.Y})
	p.Close()
	c.Fill(p)
}

// plottable rows have both a solve rate and a mean cost.
func plottable(rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		if finite(r.SolveRate) && finite(r.MeanCost) {
			out = append(out, r)
		}
	}
	return out
}

// panelGroups are the groups with something to draw, in order.
func panelGroups(r *Report) ([]string, map[string][]Row) {
	groups, by := groupRows(r.Rows)
	var out []string
	for _, g := range groups {
		if by[g] = plottable(by[g]); len(by[g]) > 0 {
			out = append(out, g)
		}
	}
	return out, by
}

// PlotSize is the pixel size of the figure WritePNG draws for r.
func PlotSize(r *Report) (w, h int) {
	groups, _ := panelGroups(r)
	n := len(groups)
	cols := min(n, panelCols)
	rows := (n + panelCols - 1) / panelCols
	return cols * PanelWidth, rows * PanelHeight
}

// errPoints carries points with their CI half-widths below and above.
type errPoints struct {
	plotter.XYs
	plotter.XErrors
	plotter.YErrors
}

// panel draws one model: cost per instance (x, USD) against solve rate
// (y, %), one marker per experiment, error bars from the 95% CIs.
func panel(group string, rows []Row) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = group
	p.X.Label.Text = "cost per instance (USD)"
	p.Y.Label.Text = "solve rate (%)"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	seen := map[string]bool{}
	for _, r := range rows {
		m, ok := markers[r.Strategy]
		if !ok {
			m = otherMarker
		}
		pts := errPoints{
			XYs:     plotter.XYs{{X: r.MeanCost.Point, Y: 100 * r.SolveRate.Point}},
			XErrors: plotter.XErrors{{Low: r.MeanCost.Point - r.MeanCost.Lo, High: r.MeanCost.Hi - r.MeanCost.Point}},
			YErrors: plotter.YErrors{{Low: 100 * (r.SolveRate.Point - r.SolveRate.Lo), High: 100 * (r.SolveRate.Hi - r.SolveRate.Point)}},
		}
		xe, err := plotter.NewXErrorBars(pts)
		if err != nil {
			return nil, err
		}
		ye, err := plotter.NewYErrorBars(pts)
		if err != nil {
			return nil, err
		}
		sc, err := plotter.NewScatter(pts.XYs)
		if err != nil {
			return nil, err
		}
		line := draw.LineStyle{Color: m.color, Width: vg.Points(1)}
		xe.LineStyle, ye.LineStyle = line, line
		xe.CapWidth, ye.CapWidth = vg.Points(4), vg.Points(4)
		sc.GlyphStyle = draw.GlyphStyle{Color: m.color, Radius: vg.Points(4), Shape: m.shape}
		p.Add(xe, ye, sc)
		if label := StrategyLabel(r.Strategy); !seen[label] {
			seen[label] = true
			p.Legend.Add(label, sc)
		}
	}
	pad := func(a *plot.Axis, frac float64) {
		d := (a.Max - a.Min) * frac
		if d == 0 {
			d = max(0.01, 0.1*a.Max)
		}
		a.Min, a.Max = a.Min-d, a.Max+d
	}
	pad(&p.X, 0.1)
	pad(&p.Y, 0.1)
	p.X.Min, p.Y.Min = max(p.X.Min, 0), max(p.Y.Min, 0) // costs and rates are not negative
	p.Y.Max += (p.Y.Max - p.Y.Min) * 0.25               // room for the legend
	p.Y.Max = min(p.Y.Max, 100)                         // a solve rate is at most 100 %
	return p, nil
}

// WritePNG draws the figure (see PlotSize) as a PNG.
func WritePNG(w io.Writer, r *Report) error {
	groups, by := panelGroups(r)
	if len(groups) == 0 {
		return errors.New("plot: no experiment has both a solve rate and a mean cost")
	}
	width, height := PlotSize(r)
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	c := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(plotDPI))
	dc := draw.New(c)
	cols := min(len(groups), panelCols)
	tiles := draw.Tiles{Cols: cols, Rows: (len(groups) + panelCols - 1) / panelCols,
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8),
		PadX: vg.Points(12), PadY: vg.Points(12)}
	for i, g := range groups {
		p, err := panel(g, by[g])
		if err != nil {
			return fmt.Errorf("plot %s: %w", g, err)
		}
		p.Draw(tiles.At(dc, i%panelCols, i/panelCols))
	}
	return png.Encode(w, c.Image())
}
