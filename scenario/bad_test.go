package scenario

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
)

// badFiles maps each file of testdata/bad to the one-line error it must give.
var badFiles = map[string]string{
	"bad_duration":                 "16: parties[1].channel.delay: must be a duration such as 90m, 2h or 1d12h",
	"bad_expression":               `27: plan.obligations[0].quantity: bad expression "price * rate" (it must give a number): unknown name rate (column 9)`,
	"both_two_verifiers":           "27: plan.obligations[0].verified_by: both means the receiver and the plan's one verifier, but the plan names 2 verifiers",
	"discount_zero":                "11: parties[0].profile.discount: must be above 0 and at most 1 (1: no time pressure), is 0",
	"duplicate_key":                `11: YAML: mapping key "reservation" already defined at [10:7]`,
	"duplicate_party":              `15: parties[1].name: party "buyer" is already named at parties[0]`,
	"duplicate_value":              `5: domain.issues.colour[2]: value "red" is listed twice`,
	"expression_not_number":        `27: plan.obligations[0].quantity: bad expression "price > 2" (it must give a number): expected float64, but got bool`,
	"extension_unknown_obligation": `28: plan.extension.of: no obligation named "payment"`,
	"integer_bounds":               "4: domain.issues.price.max: must not be below min 20",
	"must_allows_nothing":          `11: parties[0].profile.must.price: allows no value of issue "price"`,
	"negative_weight":              "18: parties[1].profile.weights.price: must be a non-negative number",
	"no_deadline":                  "22: protocol: needs a deadline: rounds or deadline above zero",
	"no_domain":                    "1: no domain: give its issues inline or a genius/geniusweb file",
	"obligation_unknown_party":     `27: plan.obligations[0].to: no party named "broker"`,
	"one_party":                    "6: parties: a negotiation needs at least two parties, has 1",
	"outages_overlap":              "16: parties[1].channel.outages[1]: outages must be in time order without overlapping: this one starts before the previous one ends",
	"plan_variable_issue":          "5: domain.issues.phase: an issue cannot be named phase in a scenario with a plan (phase, phases, extension are plan variables)",
	"point_out_of_range":           `20: parties[1].profile.values.price.points.25: value 25 is outside issue "price"'s range 10..20`,
	"probability_range":            "30: plan.behaviour.seller.late: must be between 0 and 1, is 1.2",
	"real_steps":                   "4: domain.issues.price.steps: must be between 2 and 100000",
	"reservation_range":            "10: parties[0].profile.reservation: must be between 0 and 1, is 1.5",
	"rounds_not_integer":           "22: protocol.rounds: must be a whole number",
	"two_documents":                "24: a scenario file holds one YAML document, this is the second",
	"unknown_alias":                "18: alias *w names no earlier anchor",
	"unknown_confide":              `9: parties[0].confide: unknown confide level "everything" (expected one of full, weights, musthaves, none)`,
	"unknown_issue_in_profile":     `18: parties[1].profile.weights.color: no such issue in domain "base"`,
	"unknown_issue_type":           `4: domain.issues.price.type: unknown issue type "money" (expected one of discrete, integer, real)`,
	"unknown_mediator":             `23: mediator.strategy: unknown mediator strategy "arbitrary" (expected one of confided, objections, votes)`,
	"unknown_must_value":           `11: parties[0].profile.must.colour[1]: issue "colour" has no value "purple"`,
	"unknown_party_key":            "8: parties[0].stratgy: unknown key (expected one of name, profile, strategy, params, confide, channel)",
	"unknown_protocol":             `22: protocol.name: unknown protocol "auction" (expected one of shuttle, single-text, alternating-offers, blind-bidding)`,
	"unknown_strategy":             `8: parties[0].strategy: unknown strategy "stubborn" (expected one of linear, boulware, conceder, hardliner, tit-for-tat, reservation, random)`,
	"unknown_top_key":              "23: mediatr: unknown key (expected one of name, description, sources, domain, parties, mediator, protocol, plan)",
	"unknown_value_in_profile":     `14: parties[0].profile.values.colour.grey: issue "colour" has no value "grey"`,
	"unknown_verifier":             `27: plan.obligations[0].verified_by: "notary" is neither receiver, both, nor a verifier named under plan.verifiers`,
	"weight_not_number":            "11: parties[0].profile.weights.price: must be a non-negative number",
	"weight_without_values":        "18: parties[1].profile.weights.colour: issue has a weight but no ratings under values",
	"weights_not_mapping":          "18: parties[1].profile.weights: must be a mapping (key: value), not a list",
	"when_not_bool":                `27: plan.obligations[0].when: bad expression "price" (it must give true or false): expected bool, but got int`,
	"yaml_syntax":                  "14: YAML: ',' or '}' must be specified",
	"negative_max":                 "28: plan.extension.max: must be a whole number from 0 to 1000000, is -1",
	"verifier_reserved":            `24: plan.verifiers[0].name: "both" has a meaning under verified_by: give the verifier another name`,
	"window_beyond_phase":          "30: plan.rules[0].window.to: must be within the phase (at most 24h0m0s)",
	"zero_ratings":                 "21: parties[1].profile.values.colour: at least one rating must be above zero",
}

func TestBadFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(badFiles) {
		t.Errorf("testdata/bad has %d files, the table %d", len(files), len(badFiles))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			want, ok := badFiles[name]
			if !ok {
				t.Fatalf("%s is not in the table", path)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("loaded without error")
			}
			if got := err.Error(); got != path+":"+want {
				t.Errorf("error\n got %s\nwant %s:%s", got, path, want)
			}
			if code := shuttle.ErrorCode(err); code != shuttle.EInvalid {
				t.Errorf("code %q, want %q", code, shuttle.EInvalid)
			}
		})
	}
}
