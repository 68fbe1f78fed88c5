package tournament

import (
	"math"
	"os"
	"testing"

	"pgregory.net/rapid"
)

// Quantiles t(0.975, df) of Student's distribution, worked out to 30
// digits (mpmath: the root of 1 − I(df/(df+t²); df/2, 1/2)/2 = 0.975).
var tTable = map[int]float64{
	1:    12.7062047361746933,
	2:    4.30265272974946179,
	3:    3.18244630528370844,
	10:   2.22813885198627422,
	30:   2.04227245630123789,
	1000: 1.96233908082640810,
}

func TestTQuantile(t *testing.T) {
	for df, want := range tTable {
		if got := tQuantile(df); math.Abs(got-want) > 1e-9 {
			t.Errorf("t(0.975, %d) = %.15g, want %.15g", df, got, want)
		}
	}
}

// TestSummaryByHand checks the summary of testdata/summary.csv against
// statistics worked out by hand from its four rows.
func TestSummaryByHand(t *testing.T) {
	f, err := os.Open("testdata/summary.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := NewReader(f, "testdata/summary.csv", CSV)
	if err != nil {
		t.Fatal(err)
	}
	sum := NewSummary()
	for {
		r, err := rd.Read()
		if err != nil {
			break
		}
		sum.Add(r)
	}
	nan := math.NaN()
	// interval is mean ± t·s/√n with s² = Σ(x−mean)²/(n−1).
	interval := func(mean, squares float64, n int, tq float64) (float64, float64) {
		half := tq * math.Sqrt(squares/float64(n-1)/float64(n))
		return mean - half, mean + half
	}
	sq := func(x float64) float64 { return x * x }

	// Strategy x holds seat 1 in rows 0 and 2 and seat 2 in rows 1 and 3:
	// utilities 0.8, 0.9, 0.2, 0.4; agreements 1, 1, 0, 1.
	xMean := (0.8 + 0.9 + 0.2 + 0.4) / 4 // 0.575
	xLow, xHigh := interval(xMean, sq(0.8-xMean)+sq(0.9-xMean)+sq(0.2-xMean)+sq(0.4-xMean), 4, tTable[3])
	// Agreement 0.75 with s = 0.5: 0.75 ± 3.1824·0.25, clipped to [0, 1].
	// Strategy y: utilities 0.6, 0.5, 0.3, 0.7.
	yMean := (0.6 + 0.5 + 0.3 + 0.7) / 4 // 0.525
	yLow, yHigh := interval(yMean, sq(0.6-yMean)+sq(0.5-yMean)+sq(0.3-yMean)+sq(0.7-yMean), 4, tTable[3])
	wantStrategies := []StrategyStats{
		{"x", Estimate{4, xMean, xLow, xHigh}, Estimate{4, 0.75, 0, 1}},
		{"y", Estimate{4, yMean, yLow, yHigh}, Estimate{4, 0.75, 0, 1}},
	}
	// Shuttle: Nash distances 0.1 and 0.2 (mean 0.15, s² = 0.005),
	// frontier 0 and 0.05, welfare 1.4 twice, rounds 10 and 20.
	nashLow, nashHigh := interval(0.15, sq(0.05)+sq(0.05), 2, tTable[1])
	frontLow, frontHigh := interval(0.025, sq(0.025)+sq(0.025), 2, tTable[1])
	roundsLow, roundsHigh := interval(15, 25+25, 2, tTable[1])
	// Alternating offers: one agreement in two (clipped to [0, 1]), one
	// Nash distance (the other is undefined), frontier 0.9 and 0.3, welfare
	// 0.5 and 1.1, rounds 100 and 30.
	afLow, afHigh := interval(0.6, sq(0.3)+sq(0.3), 2, tTable[1])
	awLow, awHigh := interval(0.8, sq(0.3)+sq(0.3), 2, tTable[1])
	arLow, arHigh := interval(65, sq(35)+sq(35), 2, tTable[1])
	wantProtocols := []ProtocolStats{
		{
			Protocol: "shuttle", Mediator: "confided",
			Agreement:        Estimate{2, 1, 1, 1},
			NashDistance:     Estimate{2, 0.15, nashLow, nashHigh},
			FrontierDistance: Estimate{2, 0.025, frontLow, frontHigh},
			Welfare:          Estimate{2, 1.4, 1.4, 1.4},
			Rounds:           Estimate{2, 15, roundsLow, roundsHigh},
		},
		{
			Protocol: "alternating-offers", Mediator: "none",
			Agreement:        Estimate{2, 0.5, 0, 1},
			NashDistance:     Estimate{1, 0.4, nan, nan},
			FrontierDistance: Estimate{2, 0.6, afLow, afHigh},
			Welfare:          Estimate{2, 0.8, awLow, awHigh},
			Rounds:           Estimate{2, 65, arLow, arHigh},
		},
	}
	if sum.Negotiations() != 4 {
		t.Errorf("%d negotiations, want 4", sum.Negotiations())
	}
	gotS, gotP := sum.Strategies(), sum.Protocols()
	if len(gotS) != len(wantStrategies) || len(gotP) != len(wantProtocols) {
		t.Fatalf("%d strategies and %d protocols, want %d and %d", len(gotS), len(gotP), len(wantStrategies), len(wantProtocols))
	}
	for i, w := range wantStrategies {
		g := gotS[i]
		if g.Strategy != w.Strategy || !closeTo(g.Score, w.Score) || !closeTo(g.Agreement, w.Agreement) {
			t.Errorf("strategy %d: got %+v, want %+v", i, g, w)
		}
	}
	for i, w := range wantProtocols {
		g := gotP[i]
		if g.Protocol != w.Protocol || g.Mediator != w.Mediator || !closeTo(g.Agreement, w.Agreement) || !closeTo(g.NashDistance, w.NashDistance) ||
			!closeTo(g.FrontierDistance, w.FrontierDistance) || !closeTo(g.Welfare, w.Welfare) || !closeTo(g.Rounds, w.Rounds) {
			t.Errorf("protocol %d: got %+v, want %+v", i, g, w)
		}
	}
}

// closeTo compares estimates to rounding.
func closeTo(a, b Estimate) bool {
	near := func(x, y float64) bool { return sameFloat(x, y) || math.Abs(x-y) <= 1e-12*max(1, math.Abs(y)) }
	return a.N == b.N && near(a.Mean, b.Mean) && near(a.Low, b.Low) && near(a.High, b.High)
}

// TestMomentsProperty checks the one-pass mean and variance against the
// two-pass formulas on random samples.
func TestMomentsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		xs := rapid.SliceOfN(rapid.Float64Range(-1e3, 1e3), 0, 200).Draw(t, "xs")
		var m moments
		for _, x := range xs {
			m.add(x)
		}
		m.add(math.NaN()) // not counted
		e := m.estimate(false)
		if e.N != len(xs) {
			t.Fatalf("n = %d, want %d", e.N, len(xs))
		}
		if len(xs) == 0 {
			if !math.IsNaN(e.Mean) {
				t.Fatalf("mean of nothing = %g", e.Mean)
			}
			return
		}
		var total float64
		for _, x := range xs {
			total += x
		}
		mean := total / float64(len(xs))
		if math.Abs(e.Mean-mean) > 1e-9*max(1, math.Abs(mean)) {
			t.Fatalf("mean %g, two-pass %g", e.Mean, mean)
		}
		if len(xs) < 2 {
			if !math.IsNaN(e.Low) || !math.IsNaN(e.High) {
				t.Fatalf("interval of one value: [%g, %g]", e.Low, e.High)
			}
			return
		}
		var squares float64
		for _, x := range xs {
			squares += (x - mean) * (x - mean)
		}
		half := tQuantile(len(xs)-1) * math.Sqrt(squares/float64(len(xs)-1)/float64(len(xs)))
		if math.Abs(e.High-e.Low-2*half) > 1e-6*max(1, half) {
			t.Fatalf("interval width %g, two-pass %g", e.High-e.Low, 2*half)
		}
	})
}
