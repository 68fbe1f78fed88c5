package deal

import (
	"slices"
	"time"
)

// The accessors below read where an implementation stands, as a
// participant needs to know it to act: what is owed, delivered and
// verified, which lists and answers are awaited, what is on offer. They
// change nothing; slices in what they return must not be modified.

// Started is how many phases have started.
func (m *Implementation) Started() int { return m.started }

// ListStatus is where an identification list of a phase stands.
type ListStatus struct {
	List
	Phase     int  // from 1
	Submitted bool // submitted, on time or late
	Overdue   bool // its due time passed before it was submitted
}

// List is the k-th list of phase n (as in Schedule().Phases, n from 1)
// and where it stands; false when there is no such list.
func (m *Implementation) List(n, k int) (ListStatus, bool) {
	if n < 1 || n > len(m.lists) || k < 0 || k >= len(m.lists[n-1]) {
		return ListStatus{}, false
	}
	st := m.lists[n-1][k]
	return ListStatus{List: m.s.Phases[n-1].Lists[k], Phase: n, Submitted: st.submitted, Overdue: st.flagged}, true
}

// ObligationStatus is where an obligation of a phase stands.
type ObligationStatus struct {
	Obligation
	Phase     int // from 1
	Delivered int // claimed by its deliveries
	Pending   int // claimed by deliveries awaiting verification
	Verified  int
	// Overdue is set when its due time passed with items neither
	// verified nor awaiting verification.
	Overdue bool
	// Deliveries are the ids of its deliveries, in the order made.
	Deliveries []int
}

// Owed is what is left to deliver: neither verified nor awaiting
// verification.
func (o *ObligationStatus) Owed() int { return o.Quantity - o.Verified - o.Pending }

// Obligation is the k-th obligation of phase n (as in Schedule().Phases, n
// from 1) and where it stands; false when there is no such obligation.
func (m *Implementation) Obligation(n, k int) (ObligationStatus, bool) {
	if n < 1 || n > len(m.slots) || k < 0 || k >= len(m.slots[n-1]) {
		return ObligationStatus{}, false
	}
	sl := &m.slots[n-1][k]
	return ObligationStatus{Obligation: m.s.Phases[n-1].Obligations[k], Phase: n, Delivered: sl.claimed,
		Pending: sl.pending, Verified: sl.verified, Overdue: sl.overdue, Deliveries: slices.Clip(sl.ids)}, true
}

// DeliveryStatus is a delivery and its verification.
type DeliveryStatus struct {
	ID         int // from 1
	Phase      int
	Obligation int // template index
	Party      int // who delivered
	Quantity   int // claimed
	At         time.Duration
	// Counts has what each verifier of the obligation found, in the order
	// of its Verifiers; -1 while one has not answered.
	Counts []int
	// Done is set once every verifier has answered; Verified is then what
	// counts of it, from DoneAt, and more if a ruling upheld it.
	Done     bool
	Verified int
	DoneAt   time.Duration
}

// Delivery is delivery id (from 1), and false when there is none.
func (m *Implementation) Delivery(id int) (DeliveryStatus, bool) {
	if id < 1 || id > len(m.deliveries) {
		return DeliveryStatus{}, false
	}
	d := &m.deliveries[id-1]
	o := &m.s.Phases[d.phase].Obligations[d.slot]
	return DeliveryStatus{ID: id, Phase: d.phase + 1, Obligation: o.Index, Party: o.Party, Quantity: d.quantity,
		At: d.at, Counts: slices.Clip(d.counts), Done: d.done, Verified: d.verified, DoneAt: d.doneAt}, true
}

// Awaiting lists the deliveries that a has still to confirm or dispute, in
// the order made.
func (m *Implementation) Awaiting(a Actor) []DeliveryStatus {
	var out []DeliveryStatus
	for i := range m.deliveries {
		d := &m.deliveries[i]
		if d.done {
			continue
		}
		if v := slices.Index(m.s.Phases[d.phase].Obligations[d.slot].Verifiers, a); v >= 0 && d.counts[v] < 0 {
			st, _ := m.Delivery(i + 1)
			out = append(out, st)
		}
	}
	return out
}

// ExtensionOffer is the extension the mediator has on offer.
type ExtensionOffer struct {
	Extension int    // the extension it would make, from 1
	Offer     int    // how many offers have been made, this one included
	Accepted  []bool // per party, who has accepted it so far
}

// Offer is the extension on offer, and false when none is.
func (m *Implementation) Offer() (ExtensionOffer, bool) {
	if m.offer == nil {
		return ExtensionOffer{}, false
	}
	return ExtensionOffer{Extension: m.extensions + 1, Offer: m.offered, Accepted: slices.Clip(m.offer.accepted)}, true
}

// Extensions counts the extensions offered and accepted so far.
func (m *Implementation) Extensions() ExtensionCount {
	return ExtensionCount{Offered: m.offered, Accepted: m.extensions}
}
