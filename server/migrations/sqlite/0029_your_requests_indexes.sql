-- "Your requests" for hosting, CORs and the ISSO: each list walks an index of its own, newest
-- first, so a person with few or none of them does not scan every request.
CREATE INDEX change_requests_assigned ON change_requests(assigned_engineer, id DESC);
CREATE INDEX change_requests_security_related ON change_requests(id DESC) WHERE security_related = TRUE;
CREATE INDEX decisions_decided_by ON decisions(decided_by, request_id DESC);
