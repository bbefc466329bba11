package ui

import (
	"fmt"
	"math"
	"strings"

	"github.com/ctxresearch/ctxsweep/report"
)

// figure is the paper's plot (solve rate against mean cost per trial, 95 %
// CI error bars both ways), one panel per model, drawn as SVG by the
// template from these coordinates.
type figure struct {
	W, H   int
	Panels []panel
}

type panel struct {
	Title          string
	X, Y, PW, PH   float64 // plot area in the SVG
	TY, XTY, XLY   float64 // title, x tick labels and x label baselines
	XLX            float64
	XTicks, YTicks []tick
	Points         []point
}

type tick struct {
	Pos   float64
	Label string
}

type point struct {
	Label              string
	Strategy           string
	Color              string
	Shape              string // circle, triangle, square, diamond, cross
	CX, CY             float64
	X1, X2, Y1, Y2     float64 // error bar ends
	SolveRate, MeanUSD string  // for the tooltip
	Path               string  // triangle/diamond/cross outline
	LX, LY             float64 // legend entry
}

var strategyStyle = map[string][2]string{
	report.Raw:                {"#000000", "circle"},
	report.ObservationMasking: {"#6b57ff", "triangle"},
	report.LLMSummary:         {"#ff318c", "square"},
	report.Hybrid:             {"#1a7f37", "diamond"},
}

const (
	panelW, panelH = 420.0, 320.0
	padL, padR     = 56.0, 16.0
	padT, padB     = 28.0, 44.0
)

// newFigure lays out the report's plottable rows (those with a solve rate
// and a mean cost), in the report's order.
func newFigure(r *report.Report) *figure {
	var groups []string
	by := map[string][]report.Row{}
	for _, row := range r.Rows {
		if row.SolveRate == nil || row.MeanCost == nil || math.IsNaN(row.MeanCost.Point) {
			continue
		}
		if _, ok := by[row.Group]; !ok {
			groups = append(groups, row.Group)
		}
		by[row.Group] = append(by[row.Group], row)
	}
	if len(groups) == 0 {
		return nil
	}
	f := &figure{W: int(panelW) * min(len(groups), 2), H: int(panelH) * ((len(groups) + 1) / 2)}
	for i, g := range groups {
		ox, oy := float64(i%2)*panelW, float64(i/2)*panelH
		p := panel{Title: g, X: ox + padL, Y: oy + padT, PW: panelW - padL - padR, PH: panelH - padT - padB}
		p.TY, p.XTY, p.XLY, p.XLX = p.Y-10, p.Y+p.PH+16, p.Y+p.PH+36, p.X+p.PW
		rows := by[g]
		xmax, ymax := 0.0, 0.0
		for _, row := range rows {
			xmax = math.Max(xmax, math.Max(row.MeanCost.Hi, row.MeanCost.Point))
			ymax = math.Max(ymax, math.Max(row.SolveRate.Hi, row.SolveRate.Point))
		}
		xmax = niceCeil(xmax * 1.1)
		ymax = math.Min(1, niceCeil(ymax*1.1))
		if ymax <= 0 {
			ymax = 1
		}
		sx := func(v float64) float64 { return p.X + v/xmax*p.PW }
		sy := func(v float64) float64 { return p.Y + p.PH - v/ymax*p.PH }
		for k := 0; k <= 4; k++ {
			xv, yv := xmax*float64(k)/4, ymax*float64(k)/4
			p.XTicks = append(p.XTicks, tick{sx(xv), fmt.Sprintf("$%.3g", xv)})
			p.YTicks = append(p.YTicks, tick{sy(yv), fmt.Sprintf("%.0f%%", yv*100)})
		}
		for _, row := range rows {
			st, ok := strategyStyle[row.Strategy]
			if !ok {
				st = [2]string{"#808080", "cross"}
			}
			pt := point{Label: row.Experiment, Strategy: row.Strategy, Color: st[0], Shape: st[1],
				CX: sx(row.MeanCost.Point), CY: sy(row.SolveRate.Point),
				X1: sx(row.MeanCost.Lo), X2: sx(row.MeanCost.Hi), Y1: sy(row.SolveRate.Lo), Y2: sy(row.SolveRate.Hi),
				SolveRate: fmt.Sprintf("%.1f%% [%.1f, %.1f]", 100*row.SolveRate.Point, 100*row.SolveRate.Lo, 100*row.SolveRate.Hi),
				MeanUSD:   fmt.Sprintf("$%.4f [%.4f, %.4f]", row.MeanCost.Point, row.MeanCost.Lo, row.MeanCost.Hi)}
			switch pt.Shape {
			case "triangle":
				pt.Path = fmt.Sprintf("M%.1f %.1fL%.1f %.1fL%.1f %.1fZ", pt.CX, pt.CY-6, pt.CX+6, pt.CY+5, pt.CX-6, pt.CY+5)
			case "diamond":
				pt.Path = fmt.Sprintf("M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ", pt.CX, pt.CY-7, pt.CX+7, pt.CY, pt.CX, pt.CY+7, pt.CX-7, pt.CY)
			case "cross":
				pt.Path = fmt.Sprintf("M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f", pt.CX-5, pt.CY-5, pt.CX+5, pt.CY+5, pt.CX-5, pt.CY+5, pt.CX+5, pt.CY-5)
			}
			p.Points = append(p.Points, pt)
		}
		for i := range p.Points {
			pt := &p.Points[i]
			pt.LX, pt.LY = p.X+p.PW-8, p.Y+p.PH-10-14*float64(len(p.Points)-1-i)
		}
		f.Panels = append(f.Panels, p)
	}
	return f
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*e >= v {
			return m * e
		}
	}
	return 10 * e
}

// turnChart is the instance page's tokens-and-cost-per-step chart.
type turnChart struct {
	W, H    float64
	Bars    []bar
	Cost    string // polyline points
	MaxTok  int
	MaxCost string
	Steps   int
}

type bar struct {
	X, Y, W, H float64
	CachedY    float64
	CachedH    float64
	Title      string
}

// newTurnChart draws input tokens per step (cached part darker) and the
// step cost as a line; nil when the steps carry no statistics.
func newTurnChart(steps []step) *turnChart {
	const w, h = 900.0, 160.0
	maxTok, maxCost, any := 1, 0.0, false
	for _, s := range steps {
		if s.Stats == nil {
			continue
		}
		any = true
		maxTok = max(maxTok, s.Stats.Tokens.RawInput+s.Stats.Tokens.CachedInput+s.Stats.Tokens.Output)
		maxCost = math.Max(maxCost, s.Stats.Cost)
	}
	if !any {
		return nil
	}
	c := &turnChart{W: w, H: h, MaxTok: maxTok, MaxCost: fmt.Sprintf("$%.4g", maxCost), Steps: len(steps)}
	bw := w / float64(len(steps))
	var pts []string
	for i, s := range steps {
		if s.Stats == nil {
			continue
		}
		t := s.Stats.Tokens
		tot := t.RawInput + t.CachedInput + t.Output
		bh := float64(tot) / float64(maxTok) * (h - 10)
		b := bar{X: float64(i) * bw, W: math.Max(bw-1, 0.5), H: bh, Y: h - bh,
			CachedH: float64(t.CachedInput) / float64(maxTok) * (h - 10),
			Title:   fmt.Sprintf("step %d: %d input (%d cached), %d output tokens, $%.5f", i+1, t.RawInput+t.CachedInput, t.CachedInput, t.Output, s.Stats.Cost)}
		b.CachedY = h - b.CachedH
		c.Bars = append(c.Bars, b)
		if maxCost > 0 {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", b.X+bw/2, h-s.Stats.Cost/maxCost*(h-10)))
		}
	}
	c.Cost = strings.Join(pts, " ")
	return c
}
