package deal

// Event is one step of an implementation. Its JSON form is stable: the case
// log records it.
type Event struct {
	At Duration `json:"at"` // virtual time since the agreement
	// Phase is the phase the event concerns: the one of the obligation or
	// list, else the latest phase started (0 before the first).
	Phase int    `json:"phase"`
	Kind  string `json:"kind"`
	// From names who acted; empty when time passing caused the event.
	From string `json:"from,omitempty"`
	// To names whom the event is addressed to; empty means everyone.
	To []string `json:"to,omitempty"`
	// Body is one of the body types listed with the kinds, a JSON object.
	Body any `json:"body"`
	// Exposure lists the exposures that are positive after the event.
	Exposure []Exposure `json:"exposure,omitempty"`
}

// Event kinds, each with the type of its body.
const (
	KindScheduled     = "deal.scheduled"          // *Schedule, at the agreement
	KindPhaseStarted  = "deal.phase_started"      // PhaseBody
	KindPhaseEnded    = "deal.phase_ended"        // PhaseBody
	KindListSubmitted = "deal.list_submitted"     // ListBody
	KindListOverdue   = "deal.list_overdue"       // ListBody
	KindDelivered     = "deal.delivered"          // DeliveryBody
	KindConfirmed     = "deal.confirmed"          // CheckBody
	KindDisputed      = "deal.disputed"           // CheckBody
	KindVerified      = "deal.verified"           // VerifiedBody
	KindOverdue       = "deal.overdue"            // OverdueBody
	KindReported      = "deal.breach_reported"    // ReportBody
	KindRuled         = "deal.ruled"              // RulingBody
	KindCured         = "deal.cured"              // CureBody
	KindCureMissed    = "deal.cure_missed"        // CureBody
	KindOffered       = "deal.extension_offered"  // ExtensionBody
	KindAccepted      = "deal.extension_accepted" // ExtensionBody
	KindDeclined      = "deal.extension_declined" // ExtensionBody
	KindLapsed        = "deal.extension_lapsed"   // ExtensionBody
	KindExtended      = "deal.extended"           // ExtensionBody with the added phases
	KindClosed        = "deal.closed"             // ClosedBody
)

// PhaseBody is the body of phase events.
type PhaseBody struct {
	Start     Duration `json:"start"`
	End       Duration `json:"end"`
	Extension int      `json:"extension"`
}

// ListBody is the body of list events; Items is empty when a list is
// overdue.
type ListBody struct {
	List       int      `json:"list"`       // template index
	Obligation int      `json:"obligation"` // template index
	Items      []string `json:"items,omitempty"`
	Late       bool     `json:"late,omitempty"`
}

// DeliveryBody is the body of a delivery.
type DeliveryBody struct {
	Delivery   int    `json:"delivery"` // from 1
	Obligation int    `json:"obligation"`
	Kind       string `json:"kind"`
	Quantity   int    `json:"quantity"`
	Late       bool   `json:"late,omitempty"`
}

// CheckBody is the body of a confirmation or dispute of a delivery.
type CheckBody struct {
	Delivery int    `json:"delivery"`
	Counted  int    `json:"counted"`
	Reason   string `json:"reason,omitempty"`
}

// VerifiedBody says how much of a delivery now counts: when its last
// verifier answered, or when a ruling upheld it (Quantity is then what it
// adds).
type VerifiedBody struct {
	Delivery   int  `json:"delivery"`
	Obligation int  `json:"obligation"`
	Quantity   int  `json:"quantity"`
	Claimed    int  `json:"claimed"`
	Upheld     bool `json:"upheld,omitempty"`
}

// OverdueBody says that an obligation's due time passed with Missing items
// not delivered.
type OverdueBody struct {
	Obligation int    `json:"obligation"`
	Kind       string `json:"kind"`
	Missing    int    `json:"missing"`
}

// ReportBody is the body of a breach report.
type ReportBody struct {
	Breach   int      `json:"breach"` // from 1
	Accused  int      `json:"accused"`
	Subject  Subject  `json:"subject"`
	Evidence Evidence `json:"evidence"`
}

// RulingBody is the body of a ruling.
type RulingBody struct {
	Breach  int       `json:"breach"`
	Verdict Verdict   `json:"verdict"`
	CureBy  *Duration `json:"cure_by,omitempty"`
	Reason  string    `json:"reason,omitempty"`
}

// CureBody is the body of a cure or of a missed cure.
type CureBody struct {
	Breach int    `json:"breach"`
	Note   string `json:"note,omitempty"`
}

// ExtensionBody is the body of extension events.
type ExtensionBody struct {
	Extension int     `json:"extension"` // from 1
	Phases    []Phase `json:"phases,omitempty"`
}

// ClosedBody is the body of the last event.
type ClosedBody struct {
	State State `json:"state"`
}

// Exposure is how far Party has delivered ahead of Counterparty (see the
// package documentation).
type Exposure struct {
	Party        string  `json:"party"`
	Counterparty string  `json:"counterparty"`
	Value        float64 `json:"value"`
}
