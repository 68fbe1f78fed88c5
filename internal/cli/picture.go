package cli

import (
	"io"
	"math/rand/v2"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/plot"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// cloudSize bounds the outcomes drawn behind the frontier: every outcome of
// a smaller space, a uniform sample of a larger one.
const cloudSize = 20000

// picture is what a utility-space drawing shows besides the analysis.
type picture struct {
	title     string
	paths     []plot.VectorPath
	agreement []float64
}

// writePicture draws the utility space of the profiles: one plane for two
// parties, a grid of planes for more.
func writePicture(w io.Writer, profiles []*utility.Profile, res *analysis.Result, pic picture) error {
	g := plot.Grid{
		Title:       pic.title,
		Subtitle:    res.Domain.Name,
		Parties:     res.Parties,
		Reservation: res.Reservation,
		Outcomes:    cloud(res.Domain, profiles),
		Nash:        utilitiesOf(res.Nash),
		Kalai:       utilitiesOf(res.Kalai),
		Egalitarian: utilitiesOf(res.Egalitarian),
		MaxWelfare:  utilitiesOf(res.MaxWelfare),
		Paths:       pic.paths,
		Agreement:   pic.agreement,
	}
	for i := range res.Frontier {
		g.Frontier = append(g.Frontier, res.Frontier[i].Utilities)
	}
	if len(res.Parties) != 2 {
		return g.WriteSVG(w)
	}
	p := plot.Plane{
		Title:       g.Title,
		Subtitle:    g.Subtitle,
		Parties:     [2]string{g.Parties[0], g.Parties[1]},
		Reservation: [2]float64{g.Reservation[0], g.Reservation[1]},
		Outcomes:    points(g.Outcomes),
		Frontier:    points(g.Frontier),
		Nash:        point(g.Nash),
		Kalai:       point(g.Kalai),
		Egalitarian: point(g.Egalitarian),
		MaxWelfare:  point(g.MaxWelfare),
		Agreement:   point(g.Agreement),
	}
	for _, vp := range g.Paths {
		p.Paths = append(p.Paths, plot.Path{Label: vp.Label, Points: points(vp.Points)})
	}
	return p.WriteSVG(w)
}

// cloud evaluates every outcome of a small space, or a fixed-seed sample of
// a large one, so that the same input draws the same picture.
func cloud(d *space.Domain, profiles []*utility.Profile) [][]float64 {
	eval := func(o space.Outcome) []float64 {
		u := make([]float64, len(profiles))
		for i, p := range profiles {
			u[i] = p.Utility(o)
		}
		return u
	}
	o := d.NewOutcome()
	var out [][]float64
	if n, ok := d.Count64(); ok && n <= cloudSize {
		for {
			out = append(out, eval(o))
			if !d.Next(o) {
				return out
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range cloudSize {
		d.Random(r, o)
		out = append(out, eval(o))
	}
	return out
}

func utilitiesOf(p *analysis.Point) []float64 {
	if p == nil {
		return nil
	}
	return p.Utilities
}

func point(u []float64) *plot.Point {
	if u == nil {
		return nil
	}
	return &plot.Point{X: u[0], Y: u[1]}
}

func points(us [][]float64) []plot.Point {
	ps := make([]plot.Point, len(us))
	for i, u := range us {
		ps[i] = plot.Point{X: u[0], Y: u[1]}
	}
	return ps
}
