package genius

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// folder reads a testdata folder and indexes its profiles by name.
func folder(t *testing.T, name string) (*space.Domain, map[string]*utility.Profile) {
	t.Helper()
	d, ps, err := ReadFolder(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*utility.Profile{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	return d, byName
}

func outcome(t *testing.T, d *space.Domain, labels map[string]string) space.Outcome {
	t.Helper()
	o, err := d.Parse(labels)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func hasNote(p *utility.Profile, part string) bool {
	for _, n := range p.Notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// The expected values below are worked out by hand from the files, with
// GENIUS 10.4's rules: evaluation / largest evaluation of the issue, weights
// as written, sum capped at 1.
func TestGeniusSemantics(t *testing.T) {
	laptop, laptops := folder(t, "Laptop")
	qo, qos := folder(t, "QODomain")
	son, sons := folder(t, "SON")
	robot, robots := folder(t, "KillerRobot")
	ampo, ampos := folder(t, "AMPOvsCity")
	simple, simples := folder(t, "nonlinear-simple")
	tests := []struct {
		name string
		p    *utility.Profile
		o    space.Outcome
		want float64
	}{
		{"Laptop: Dell 12/30, 60 Gb 30/30, 19'' 30/30", laptops["laptop_buyer_utility"],
			outcome(t, laptop, map[string]string{"Laptop": "Dell", "Harddisk": "60 Gb", "External Monitor": "19'' LCD"}),
			0.4452125771655631*12.0/30 + 0.37808251708013424 + 0.1767567099260568},
		{"Laptop: best outcome, weights sum 1.0000518, capped", laptops["laptop_buyer_utility"],
			outcome(t, laptop, map[string]string{"Laptop": "HP", "Harddisk": "60 Gb", "External Monitor": "19'' LCD"}), 1},
		{"Laptop seller: Macintosh 30/30, 60 Gb 20/30, 20'' 2/3", laptops["laptop_seller_utility"],
			outcome(t, laptop, map[string]string{"Laptop": "Macintosh", "Harddisk": "60 Gb", "External Monitor": "20'' LCD"}),
			0.37808251708013424*30/30 + 0.1767567099260568*20/30 + 0.4452125771655631*2/3},
		{"QODomain weights 1.9: low outcome uncapped", qos["Side_BLongTerm"],
			outcome(t, qo, map[string]string{"Salary": "7,000 NIS", "Job Description": "QA", "Leased Car": "Without leased car",
				"Pension Fund": "0%", "Promotion Possibilities": "No agreement", "Working Hours": "10 hours"}),
			0.3*2/9 + 0.25*1/12 + 0.5*1/11 + 0.5*1/9 + 0.25*1/6 + 0.1*3/5},
		{"QODomain weights 1.9: sum 1.1499 capped at 1", qos["Side_BLongTerm"],
			outcome(t, qo, map[string]string{"Salary": "12,000 NIS", "Job Description": "Programmer", "Leased Car": "No agreement",
				"Pension Fund": "10%", "Promotion Possibilities": "Slow promotion track", "Working Hours": "9 hours"}), 1},
		{"SON centre: price 1-0.3, quality triangle at 0.25, time 1-0, penalty 1-1", sons["son_center_11"],
			outcome(t, son, map[string]string{"Price": "0.3", "Quality": "0.25", "Time": "0", "Penalty": "1"}),
			0.25 * ((1 - 0.3) + 0.5 + 1 + 0)},
		{"KillerRobot: Guns 4 is 1 - (4-lowerbound 1)*0.0444, the rest at their best", robots["KillerRobot_util1"],
			outcome(t, robot, map[string]string{"Torso": "Block", "Propulsion": "Hover", "Guns": "4", "GunType": "Plasma",
				"Color": "Black", "Height (m)": "1"}),
			0.22035198775630468 + 0.1612674898274903 + 0.06113094952802134*(1-3*0.044444444444444446) +
				0.16216554312686268 + 0.23003625568900224 + 0.1650477740723188},
		{"AMPOvsCity: repeated value 0, the last evaluation 8 of 100 counts", ampos["ampo_vs_city_ampo_space"],
			outcome(t, ampo, map[string]string{"Increase in starting salaries": "0", "Increase in Max. Salary": "0-500",
				"Increase in Vacation Less Than Five Years": "0 days", "Increase in Vacation More Than Five Years": "0 dyas",
				"Reinstatement": "No", "Two-Man Patrols": "Status Quo", "Rank of Corporal": "No", "Increase Number of Sergeants": "0",
				"Commisioner Daniels": "Keep", "Police Civilian Review Board": "Add police, no vote change"}),
			0.457 * 8 / 100},
		{"nonlinear: rectangles 40+30+50 of 140", simples["profile-1"],
			outcome(t, simple, map[string]string{"c1-i1": "4", "c1-i2": "5", "c1-i3": "3"}), 120.0 / 140},
		{"nonlinear: every rectangle, 140 of 140", simples["profile-1"],
			outcome(t, simple, map[string]string{"c1-i1": "4", "c1-i2": "5", "c1-i3": "8"}), 1},
		{"nonlinear: only rectangle 3 (i1 0..3, i3 3..5)", simples["profile-1"],
			outcome(t, simple, map[string]string{"c1-i1": "0", "c1-i2": "0", "c1-i3": "4"}), 35.0 / 140},
	}
	for _, tt := range tests {
		if got := tt.p.Utility(tt.o); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: utility %.15g, want %.15g", tt.name, got, tt.want)
		}
	}
}

func TestNotes(t *testing.T) {
	_, laptops := folder(t, "Laptop")
	_, qos := folder(t, "QODomain")
	_, ampos := folder(t, "AMPOvsCity")
	_, webs := folder(t, "web_service")
	tests := []struct {
		p    *utility.Profile
		note string
	}{
		{laptops["laptop_buyer_utility"], "weights sum to 1.0000518, not 1"},
		{qos["Side_BLongTerm"], "weights sum to 1.9, not 1"},
		{qos["Side_B_utility"], "weights sum to 1.45, not 1"},
		{ampos["ampo_vs_city_ampo_space"], `lists value "0" twice (evaluations 0 and 8): the last is used`},
		{webs["web_service_agent_A"], "no reservation value: 0 assumed"},
		{webs["web_service_agent_A"], "no discount factor: 1"},
	}
	for _, tt := range tests {
		if !hasNote(tt.p, tt.note) {
			t.Errorf("%s: no note %q in %q", tt.p.Name, tt.note, tt.p.Notes)
		}
	}
	if p := laptops["laptop_buyer_utility"]; p.Reservation != 0 || p.Discount != 0.42441038 {
		t.Errorf("laptop buyer: reservation %g, discount %g; want 0 and 0.42441038", p.Reservation, p.Discount)
	}
}

// TestEvaluations pins per-value evaluations of numeric issues.
func TestEvaluations(t *testing.T) {
	car, cars := folder(t, "CarLinear")
	_, webs := folder(t, "web_service")
	son, sons := folder(t, "SON")
	laptop, laptops := folder(t, "Laptop")
	price := car.IssueIndex("Price")
	quality := son.IssueIndex("Quality")
	tests := []struct {
		name  string
		p     *utility.Profile
		issue int
		value int
		want  float64
	}{
		{"CarLinear buyer at 500", cars["carlinear_buyer"], price, 0, 1.0},
		{"CarLinear buyer at 700", cars["carlinear_buyer"], price, 200, 0.2},
		{"CarLinear buyer at 600", cars["carlinear_buyer"], price, 100, 0.6},
		{"CarLinear seller at 500", cars["carlinear_seller"], price, 0, 0.2},
		{"CarLinear seller at 700", cars["carlinear_seller"], price, 200, 1.0},
		{"web_service A at 0 (parameter0 1)", webs["web_service_agent_A"], 0, 0, 1},
		{"web_service A at 1000", webs["web_service_agent_A"], 0, 1000, 0.5},
		{"web_service A at 2000", webs["web_service_agent_A"], 0, 2000, 0},
		{"web_service B at 2000", webs["web_service_agent_B"], 0, 2000, 1},
		{"SON triangle foot", sons["son_center_11"], quality, 0, 0},
		{"SON triangle rising", sons["son_center_11"], quality, 25, 0.5},
		{"SON triangle peak", sons["son_center_11"], quality, 50, 1},
		{"SON triangle falling", sons["son_center_11"], quality, 75, 0.5},
		{"SON triangle other foot", sons["son_center_11"], quality, 100, 0},
		{"Laptop buyer Dell 12/30", laptops["laptop_buyer_utility"], 0, 0, 0.4},
		{"Laptop buyer 120 Gb 9/30", laptops["laptop_buyer_utility"], 1, 2, 0.3},
		{"Laptop buyer 20'' 10/30", laptops["laptop_buyer_utility"], laptop.IssueIndex("External Monitor"), 1, 1.0 / 3},
	}
	for _, tt := range tests {
		if got := tt.p.Additive().Evals[tt.issue][tt.value]; math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: evaluation %.15g, want %.15g", tt.name, got, tt.want)
		}
	}
	if s := sons["son_center_11"].Additive().Shapes[quality]; s == nil || s.Kind != "triangular" {
		t.Errorf("SON Quality shape %+v, want the triangular evaluator kept", s)
	}
}

// writeFile puts an inline document in a temporary folder; t is a
// *testing.T or a *rapid.T.
func writeFile(t interface {
	Helper()
	Fatal(...any)
}, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPointScale(t *testing.T) {
	_, neighbours := folder(t, "neighbours")
	var names []string
	for name := range neighbours {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"neighbours_alex", "neighbours_tutorial", "neighbours_tyler"}; !slices.Equal(names, want) {
		t.Errorf("parties %q, want %q (the *_opp.xml opponent models skipped)", names, want)
	}
	alex := neighbours["neighbours_alex"]
	// alex scores 5 × 0.2 × Σ evaluation points, from 0 to 200+80+200+400+120.
	o := space.Outcome{4, 2, 1, 3, 0} // 150 + 20 + 200 + 200 + 0 points
	if got := alex.Utility(o); math.Abs(got-570.0/1000) > 1e-12 {
		t.Errorf("alex: utility %g, want 0.57", got)
	}
	if alex.Reservation != 0.28 || !hasNote(alex, "mapped affinely from [0, 1000]") {
		t.Errorf("alex: reservation %g, notes %q; want 280 of 1000 points", alex.Reservation, alex.Notes)
	}

	// Negative points: S = 10 × (0.5 eA + 0.5 eB) runs from 5×(-2-3) = -25
	// to 5×(4+6) = 50.
	dir := t.TempDir()
	writeFile(t, dir, "d.xml", `<negotiation_template><utility_space><objective name="d">
<issue index="1" name="A"><item value="a1"/><item value="a2"/></issue>
<issue index="2" name="B"><item value="b1"/><item value="b2"/><item value="b3"/></issue>
</objective></utility_space></negotiation_template>`)
	writeFile(t, dir, "p.xml", `<utility_space><objective name="d">
<issue index="1" name="A"><item value="a1" evaluation="-2"/><item value="a2" evaluation="4"/></issue>
<issue index="2" name="B"><item value="b1" evaluation="0"/><item value="b2" evaluation="6"/><item value="b3" evaluation="-3"/></issue>
<weight index="1" value="0.5"/><weight index="2" value="0.5"/>
</objective>
<reservation value="-10"/><optout value="60"/><timeeffect value="-3"/><weightmultiplyer value="10"/>
</utility_space>`)
	d, ps, err := ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	tests := []struct {
		o    space.Outcome
		want float64
	}{
		{space.Outcome{1, 0}, (20.0 + 25) / 75}, // 5×(4+0)
		{space.Outcome{0, 2}, 0},                // the least
		{space.Outcome{1, 1}, 1},                // the most
		{space.Outcome{0, 1}, (20.0 + 25) / 75}, // 5×(-2+6)
	}
	for _, tt := range tests {
		if got := p.Utility(tt.o); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: utility %g, want %g", d.Format(tt.o), got, tt.want)
		}
	}
	if math.Abs(p.Reservation-15.0/75) > 1e-12 {
		t.Errorf("reservation %g, want (-10+25)/75", p.Reservation)
	}
	for _, part := range []string{"[-25, 50]", "opt-out 60 points would be 1", "time effect -3 points per round not modelled"} {
		if !hasNote(p, part) {
			t.Errorf("no note %q in %q", part, p.Notes)
		}
	}
}

// TestExcludes checks EXCLUDES rectangles against their definition: worth
// their utility wherever an outcome leaves at least one of the bounds.
func TestExcludes(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "p.xml", `<utility_space type="nonlinear"><objective>
<issue index="1" name="x" type="integer" lowerbound="1" upperbound="4"/>
<issue index="2" name="y" type="integer" lowerbound="0" upperbound="3"/>
<issue index="3" name="z" type="integer" lowerbound="0" upperbound="2"/>
<utility maxutility="20"><ufun type="PlainUfun" weight="1" aggregation="sum">
<hyperRectangle utility="7"><EXCLUDES index="1" min="2" max="3"/><EXCLUDES index="3" min="0" max="1"/></hyperRectangle>
<hyperRectangle utility="5"><INCLUDES index="2" min="1" max="2"/></hyperRectangle>
<hyperRectangle utility="4"><EXCLUDES index="2" min="0" max="3"/></hyperRectangle>
<hyperRectangle utility="3" weight="2"></hyperRectangle>
</ufun></utility></objective></utility_space>`)
	p, err := ReadProfile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := p.Domain
	o := d.NewOutcome()
	for {
		x, y, z := o[0]+1, o[1], o[2]
		sum := 6.0 // the rectangle without bounds, 3 × weight 2
		if !(x >= 2 && x <= 3 && z <= 1) {
			sum += 7
		}
		if y >= 1 && y <= 2 {
			sum += 5
		}
		// y always lies within 0..3, so the third rectangle never counts.
		if got, want := p.Utility(o), min(sum/20, 1); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: utility %g, want %g", d.Format(o), got, want)
		}
		if !d.Next(o) {
			break
		}
	}
}
