-- Sign-in attempts counted per hour under three keys: the account and source address together
-- (the only key that refuses, so nobody can lock a person out from elsewhere), the account
-- alone and the source alone (growing delays; the source also caps spraying). One upsert per
-- key counts atomically, so parallel attempts cannot slip past a limit.
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_throttle (
    key TEXT NOT NULL,
    hour BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (key, hour)
);
CREATE INDEX sign_in_throttle_hour ON sign_in_throttle(hour);
