package refserver

import (
	"encoding/json"
	"time"
)

// This file holds the handlers of the /flows resource (spec section 3.4). Each runs with the
// store locked and settled, and returns the envelope's data or a failure.

// triggerFlow is Trigger Flow: POST /flows?action=trigger (spec section 3.4 #1).
//
// Checks, in order: the user exists in the org (62101) and is not locked (62105); the body
// holds a flowId > 0 and a triggerTime (62102); the flow exists in the org (62102); the user
// owns it (62103); it is not locked (62105) and has a task (62104); no instance of it exists
// for the same trigger minute (62102). Then the instance is created, running or waiting.
func (st *state) triggerFlow(c *call) (any, *failure) {
	orgID, userID := c.query.Get("orgId"), c.query.Get("userId")
	u := st.member(orgID, userID)
	if u == nil {
		return nil, errUserNotInOrg
	}
	if u.locked {
		return nil, errLocked
	}

	var req triggerFlowRequest
	if err := json.Unmarshal(c.body, &req); err != nil || !req.FlowID.set || req.FlowID.value <= 0 || !req.TriggerTime.set {
		return nil, errInvalidBody
	}
	f := st.flows[req.FlowID.value]
	if f == nil || f.OrgID != orgID {
		return nil, errCannotTrigger
	}
	if !isOwner(f, userID) {
		return nil, errNoPrivilege
	}
	if f.Locked {
		return nil, errLocked
	}
	if len(f.Tasks) == 0 {
		return nil, errFlowNoTask
	}

	trigger := time.UnixMilli(req.TriggerTime.value)
	if st.instances[instanceID(f.ID, trigger, st.loc)] != nil {
		return nil, errCannotTrigger
	}
	in := st.createInstance(f.ID, trigger, c.now)
	return flowInstanceIDData{FlowInstanceID: in.ID}, nil
}
