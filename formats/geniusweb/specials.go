package geniusweb

import (
	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
)

// Specials are the reference results that the organisers of ANL 2023 and
// of the CSE3210 course shipped with each bilateral domain, in
// specials.json: the Pareto front and the bargaining solutions they
// computed, against which shuttle's own analysis can be checked.
type Specials struct {
	// ParetoFront is in the order of the file.
	ParetoFront []Special
	Nash, Kalai *Special
	// SocialWelfare is the point of largest utility sum; nil when the file
	// has none (CSE3210).
	SocialWelfare *Special
	// Size (the number of outcomes), Opposition and Distribution are the
	// organisers' statistics of the domain (ANL 2023 only); HasStats says
	// whether the file gave them.
	Size                     int64
	Opposition, Distribution float64
	HasStats                 bool
}

// Special is one point of a specials file: an outcome of the domain and
// its utility for each profile, in the order of the profile files
// (profileA, profileB).
type Special struct {
	Outcome   space.Outcome
	Utilities []float64
}

// ReadSpecials reads a specials.json file whose bids are outcomes of d
// (typically the domain ReadFolder returns for the same folder).
func ReadSpecials(path string, d *space.Domain) (*Specials, error) {
	if d == nil {
		return nil, shuttle.Errorf(shuttle.EInvalid, "read specials %s: no domain to read its bids against", path)
	}
	doc, err := readDoc(path)
	if err != nil {
		return nil, err
	}
	n := doc.root
	if err := doc.object(n, []string{"pareto_front", "nash", "kalai"}, "social_welfare", "size", "opposition", "distribution"); err != nil {
		return nil, err
	}
	s := &Specials{}
	grids := gridsOf(d)
	parties := 0 // utilities per point, fixed by the first point read
	point := func(n *node) (*Special, error) {
		if err := doc.object(n, []string{"bid", "utility"}); err != nil {
			return nil, err
		}
		b, err := doc.bid(n.get("bid"), d, grids, true)
		if err != nil {
			return nil, err
		}
		u := n.get("utility")
		if u.kind != kArray || len(u.elems) == 0 || parties > 0 && len(u.elems) != parties {
			return nil, doc.errAt(u, "want an array of one utility per profile")
		}
		parties = len(u.elems)
		sp := &Special{Outcome: space.Outcome(b), Utilities: make([]float64, len(u.elems))}
		for k, e := range u.elems {
			if sp.Utilities[k], err = doc.num(e); err != nil {
				return nil, err
			}
		}
		return sp, nil
	}
	front := n.get("pareto_front")
	if front.kind != kArray {
		return nil, doc.errAt(front, "is %s, want an array", kindNames[front.kind])
	}
	for _, e := range front.elems {
		sp, err := point(e)
		if err != nil {
			return nil, err
		}
		s.ParetoFront = append(s.ParetoFront, *sp)
	}
	for _, f := range []struct {
		key string
		dst **Special
	}{{"nash", &s.Nash}, {"kalai", &s.Kalai}, {"social_welfare", &s.SocialWelfare}} {
		if e := n.get(f.key); e != nil {
			if *f.dst, err = point(e); err != nil {
				return nil, err
			}
		}
	}
	stats := []string{"size", "opposition", "distribution"}
	for _, key := range stats {
		if (n.get(key) != nil) != (n.get(stats[0]) != nil) {
			return nil, doc.errAt(n, "gives some of size, opposition and distribution but not all")
		}
	}
	if e := n.get("size"); e != nil {
		s.HasStats = true
		size, err := doc.num(e)
		if err != nil {
			return nil, err
		}
		if size < 0 || size != float64(int64(size)) {
			return nil, doc.errAt(e, "size %s is not a count", e.text)
		}
		s.Size = int64(size)
		if s.Opposition, err = doc.num(n.get("opposition")); err != nil {
			return nil, err
		}
		if s.Distribution, err = doc.num(n.get("distribution")); err != nil {
			return nil, err
		}
	}
	return s, nil
}
