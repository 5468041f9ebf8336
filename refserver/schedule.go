package refserver

import "time"

// This file is the scheduler of periodic flows. A flow of type FlowTypePeriodic that is
// active (Enable Flow) and has tasks gets an instance at each fire time of its cron
// expression (freq) on the server clock, from when it was stored or enabled (never before its
// startDate), until it is disabled, changed to another type or deleted. Like everything else,
// the instances are made when the store settles, each at its own fire time, so moving a
// ManualClock by an hour makes exactly the hour's instances.
//
// A periodic instance's id is "<flowId>-<fire time>" with the fire time written to the
// cycle's granularity, as the documentation's samples of periodic instances show: a minute
// cycle "2438-201908081020" (yyyyMMddHHmm, the sample of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/cancel_flow_instance.html),
// an hour cycle "8435-2021020211" (yyyyMMddHH, the sample of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_task_instance.html).
// The documentation shows no day, week or month sample; the server writes yyyyMMdd for a day
// or a week and yyyyMM for a month. Manual instances keep their 14 digits, so a trigger and
// a fire in the same minute do not collide; a fire of an id the flow has fired before (a
// cron that fires more often than its cycle, the hour repeated when daylight saving time
// ends) makes no second instance, even when the history bound has forgotten the first
// (fired.go).

// idForm is how the ids of a cycle's periodic instances are written: the layout of their
// suffix, and period, the longest time one id can come again while the clock moves forward,
// a fall-back aside (fired.go): the time the id names, with an hour to spare for the days
// and months that hold more than one change of offset.
type idForm struct {
	layout string
	period time.Duration
}

// idForms are the id forms of periodic instances by cycle. A week cycle's ids name a day,
// as a day cycle's do.
var idForms = map[string]idForm{
	"mi": {"200601021504", time.Minute},
	"H":  {"2006010215", time.Hour},
	"D":  {"20060102", 25 * time.Hour},
	"W":  {"20060102", 25 * time.Hour},
	"M":  {"200601", 31*24*time.Hour + time.Hour},
}

// idFormOf returns the id form of cycle; a cycle the server does not know is written as the
// default one.
func idFormOf(cycle string) idForm {
	if f, ok := idForms[cycle]; ok {
		return f
	}
	return idForms[defaultCycle]
}

// periodicInstanceID returns the id of the periodic instance of flowID fired at at.
func periodicInstanceID(flowID int64, at time.Time, cycle string, loc *time.Location) string {
	return formatFlowID(flowID) + "-" + at.In(loc).Format(idFormOf(cycle).layout)
}

// cronEntry is a scheduled flow: its parsed freq and its next fire time.
type cronEntry struct {
	flowID int64
	spec   *cronSpec
	next   time.Time
	slot   int
}

// schedulePeriodic puts the flow f in the scheduler, or takes it out, after it was stored at
// now: in when it is periodic, active, has tasks and a freq the server reads.
func (st *state) schedulePeriodic(f *Flow, now time.Time) {
	st.unschedulePeriodic(f.ID)
	if f.Type != FlowTypePeriodic || !f.Active || len(f.Tasks) == 0 {
		return
	}
	spec, err := parseCron(f.Freq)
	if err != nil {
		return
	}
	from := now
	if start, err := time.ParseInLocation(dateLayout, f.StartDate, st.loc); err == nil && start.After(from) {
		from = start.Add(-time.Second) // a fire at the start date's midnight counts
	}
	next, err := spec.next(from, st.loc)
	if err != nil {
		return
	}
	e := &cronEntry{flowID: f.ID, spec: spec, next: next}
	st.cronOf[f.ID] = e
	st.cron.push(e)
}

// unschedulePeriodic takes the flow flowID out of the scheduler.
func (st *state) unschedulePeriodic(flowID int64) {
	if e := st.cronOf[flowID]; e != nil {
		st.cron.remove(e.slot)
		delete(st.cronOf, flowID)
	}
}

// fireNext makes the periodic instance of the schedule's earliest fire, created at its fire
// time (none when its id is taken), and moves the schedule to the fire after it. Its flow
// is then due at once: settle starts the instance, or queues it, before anything later.
func (st *state) fireNext() {
	e := st.cron.top()
	at := e.next
	if f := st.flows[e.flowID]; f != nil {
		if id := periodicInstanceID(f.ID, at, f.Cycle, st.loc); st.newFire(f.ID, id, f.Cycle, at) {
			_, fr := st.addRun(f.ID, id, at, at, 0, nil)
			st.reschedule(fr)
		}
	}
	next, err := e.spec.next(at, st.loc)
	if err != nil {
		st.unschedulePeriodic(e.flowID)
		return
	}
	e.next = next
	st.cron.fix(e.slot)
}
