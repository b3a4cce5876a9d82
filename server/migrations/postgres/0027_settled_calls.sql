-- A call the dev team asked hosting for is owed only while a call may be asked (before hosting
-- review). From now on, leaving those states or recording the call as held clears the clock;
-- this clears the clocks that requests already past them still carry.
UPDATE change_requests
   SET assistance_requested_at = NULL
 WHERE assistance_requested_at IS NOT NULL
   AND state NOT IN ('planning', 'staging_validation', 'cr_form', 'returned_to_dev');
