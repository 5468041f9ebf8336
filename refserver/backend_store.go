package refserver

// AddApp registers an application with its AccessKey and SecretKey in the organizations
// orgIDs. Its calls that name another organization (orgId) are refused by the gateway with
// HTTP 403 {"message":"You cannot consume this service"}. With no orgIDs, the app is
// registered in every organization, as before apps were bound to organizations. Adding an
// application with the same AccessKey again replaces its secret and registers it in orgIDs
// too (in every organization, with none).
func (b *Backend) AddApp(accessKey, secretKey string, orgIDs ...string) {
	st := b.lock()
	defer st.mu.Unlock()
	st.addApp(accessKey, secretKey, orgIDs, len(orgIDs) == 0)
}

// addApp registers an application in orgIDs, or in every organization when anyOrg is set.
func (st *state) addApp(accessKey, secretKey string, orgIDs []string, anyOrg bool) {
	a := st.apps[accessKey]
	if a == nil {
		a = &app{accessKey: accessKey, orgs: make(map[string]bool)}
		st.apps[accessKey] = a
	}
	a.secret = secretKey
	a.anyOrg = a.anyOrg || anyOrg
	for _, org := range orgIDs {
		a.orgs[org] = true
	}
}

// AddUser registers the user userID as a member of the organization orgID. A user may be added
// to several organizations.
func (b *Backend) AddUser(orgID, userID string) {
	st := b.lock()
	defer st.mu.Unlock()
	st.userRecord(userID).orgs[orgID] = true
}

// AddFlow stores a copy of f with its defaults filled (see Flow), replacing the flow with the
// same ID. The instances of a replaced flow stay, and keep running the flow as it was when
// they were triggered.
func (b *Backend) AddFlow(f Flow) {
	st := b.lock()
	defer st.mu.Unlock()
	c := cloneFlow(&f)
	st.normalizeFlow(c, st.now())
	st.storeFlow(c)
}

// Flow returns a copy of the flow id as the server stores it, and whether it exists.
func (b *Backend) Flow(id int64) (Flow, bool) {
	st := b.lock()
	defer st.mu.Unlock()
	f := st.flows[id]
	if f == nil {
		return Flow{}, false
	}
	return *cloneFlow(f), true
}

// RootDirectory returns the id (32 hex characters) of the root workflow directory of the
// organization orgID, the parent of the directories Create Directory makes first. It is the
// same for the same orgID on every server.
func (b *Backend) RootDirectory(orgID string) string {
	st := b.lock()
	defer st.mu.Unlock()
	return st.rootDirectory(orgID)
}

// LockUser locks the user userID: owner-only operations answer 62105 "Your account has been
// locked" for it. Locking a user not yet added is remembered for when it is.
func (b *Backend) LockUser(userID string) {
	st := b.lock()
	defer st.mu.Unlock()
	st.userRecord(userID).locked = true
}

// FlowInstances returns copies of the instances of the flow flowID, sorted by trigger time then
// id, with statuses, times and task instances brought up to the server clock; nil if it has
// none.
func (b *Backend) FlowInstances(flowID int64) []FlowInstance {
	st := b.lock()
	defer st.mu.Unlock()
	st.settle(st.now())
	return st.instancesOf(flowID)
}

// FlowInstance returns a copy of the flow instance id brought up to the server clock (status,
// start and end times, task instances), and whether it exists.
func (b *Backend) FlowInstance(id string) (FlowInstance, bool) {
	st := b.lock()
	defer st.mu.Unlock()
	st.settle(st.now())
	in := st.instances[id]
	if in == nil {
		return FlowInstance{}, false
	}
	return in.public(), true
}

// FinishFlowInstance ends the instance id at once with a terminal status (StatusSuccess,
// StatusFail, StatusCancel, StatusTimeout, StatusSkip or StatusInternalError), then starts the
// next waiting instance of its flow whose trigger time has come. Its tasks that have started
// and not ended (suspended, ready, running or waiting for a retry) end with the same status;
// tasks not started stay as they are. It is a test hook to force an end before the
// instance's tasks bring it. It fails for another status, an unknown id or an instance
// already ended (one that shows StatusFail while its other tasks still run has not).
func (b *Backend) FinishFlowInstance(id string, status int) error {
	st := b.lock()
	defer st.mu.Unlock()
	return st.finish(id, status, st.now())
}

// lock locks the store and returns it.
func (b *Backend) lock() *state {
	b.state.mu.Lock()
	return b.state
}

// userRecord returns the user userID, creating it with no organization.
func (st *state) userRecord(userID string) *user {
	u := st.users[userID]
	if u == nil {
		u = &user{orgs: make(map[string]bool)}
		st.users[userID] = u
	}
	return u
}
