//! Passwords (argon2id, the crate's defaults = OWASP's minimum) and sessions (256-bit random
//! tokens; the database keeps only their SHA-256).

use crate::store::Store;
use app::domain::limits;
use app::error::AppError;
use app::ports::{Accounts, NewSession};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use async_trait::async_trait;
use std::sync::OnceLock;

/// Hashes a password with argon2id (default parameters). Slow on purpose: call off the async
/// threads (`spawn_blocking`).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// True when `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fresh 256-bit random token, hex-encoded.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex::encode(bytes)
}

/// The stored form of a token (the same hash the server functions compute).
pub fn token_hash(token: &str) -> String {
    app::ports::token_hash(token)
}

/// A hash to verify against when the email is unknown, so both cases take the same time
/// (no account enumeration by timing).
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token()).expect("hashing a random password"))
}

/// Sign-in and sign-out over the store.
pub struct AccountService {
    store: Store,
    hashing: Hashing,
    oidc: Option<std::sync::Arc<crate::oidc::Oidc>>,
    methods: app::api::types::SignInMethods,
    clock: std::sync::Arc<dyn app::service::Clock>,
}

impl AccountService {
    /// Wraps the store (and the identity provider, when there is one); sessions and links are
    /// timed by `clock`.
    pub fn new(
        store: Store,
        oidc: Option<std::sync::Arc<crate::oidc::Oidc>>,
        methods: app::api::types::SignInMethods,
        clock: std::sync::Arc<dyn app::service::Clock>,
    ) -> Self {
        AccountService { store, hashing: Hashing::new(ARGON2_AT_ONCE), oidc, methods, clock }
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!("accounts: {e}");
    AppError::Internal
}

/// At most this many sign-in attempts an hour for one account from one source address; past
/// it, that address waits for the next hour. Other addresses are unaffected, so nobody can
/// lock a COR or an admin out from elsewhere.
pub const MAX_FAILURES_PER_HOUR: i64 = 100;
/// At most this many failed sign-ins an hour from one source address, whatever the accounts
/// (spraying one password across many).
pub const MAX_FAILURES_PER_SOURCE_PER_HOUR: i64 = 1000;
/// Argon2 hashes computed at once (19 MiB each): a flood of sign-ins queues instead of
/// exhausting memory.
pub const ARGON2_AT_ONCE: usize = 4;
/// How long a sign-in waits for a turn at hashing before it is told to try again.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The wait before answering an attempt with `failures` earlier ones: none for the first five,
/// then growing to two seconds (slows guessing; the same for unknown emails).
pub fn throttle_delay(failures: i64) -> std::time::Duration {
    let over = (failures - 5).max(0) as u64;
    std::time::Duration::from_millis((over * over * 20).min(2000))
}

/// The delay for an attempt counted as `[account and source, account, source]`: the pair's
/// own delay, or the account's across every address (a tenth as steep), whichever is longer.
pub fn attempt_delay(counts: [i64; 3]) -> std::time::Duration {
    throttle_delay(counts[0] - 1).max(throttle_delay((counts[1] - 1) / 10))
}

/// At most this many API calls without a valid token an hour from one source address; past
/// it, the address is answered 429 until the next hour.
pub const MAX_API_FAILURES_PER_HOUR: i64 = 1000;

/// Whether the `n`th failure of an account from one address this hour gets its own audit row:
/// the first ten, then one row for every hundred (saying how many), so anonymous guessing
/// cannot grow the audit log without bound.
pub fn audited(n: i64) -> bool {
    n <= 10 || n % 100 == 0
}

/// The email as it keys the throttle and appears in the audit log: trimmed, lower case, at
/// most [`limits::EMAIL`] characters (the longest address there is).
fn email_key(email: &str) -> String {
    email.trim().to_lowercase().chars().take(limits::EMAIL).collect()
}

/// The throttle's keys for an attempt: `[account and source, account, source]`.
pub fn throttle_keys(email: &str, source: &str) -> [String; 3] {
    let email = email_key(email);
    [format!("pair:{email} {source}"), format!("account:{email}"), format!("source:{source}")]
}

/// A bounded number of argon2 computations at once, each on a blocking thread.
#[derive(Clone)]
pub struct Hashing(std::sync::Arc<tokio::sync::Semaphore>);

impl Hashing {
    /// At most `at_once` computations at a time.
    pub fn new(at_once: usize) -> Self {
        Hashing(std::sync::Arc::new(tokio::sync::Semaphore::new(at_once)))
    }

    /// Runs `work` when a turn is free; `Throttled` when none came within the wait.
    pub async fn run<T: Send + 'static>(
        &self,
        wait: std::time::Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = tokio::time::timeout(wait, self.0.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Throttled)?
            .map_err(internal)?;
        let out = tokio::task::spawn_blocking(work).await.map_err(internal)?;
        drop(permit);
        Ok(out)
    }
}

/// Why a new password is refused, if it is (ASVS: the limits table's length, no composition
/// rules, not a common or easily guessed password, not the email address).
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    let n = password.chars().count();
    if n < limits::PASSWORD_MIN {
        return Some(format!("Your password must be at least {} characters", limits::PASSWORD_MIN));
    }
    if n > limits::PASSWORD_MAX {
        return Some(format!("Your password must be {} characters or fewer", limits::PASSWORD_MAX));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Some("Your password must not be your email address".into());
    }
    let local = email.split('@').next().unwrap_or_default();
    let estimate = zxcvbn::zxcvbn(password, &[email, local, "offcycle"]);
    if (estimate.score() as u8) < 2 {
        return Some("That password is too common or easy to guess. Try a few unrelated words together".into());
    }
    None
}

#[async_trait]
impl Accounts for AccountService {
    async fn sign_in(&self, email: &str, password: &str, source: &str) -> Result<NewSession, AppError> {
        let now = self.clock.now().timestamp_millis();
        let hour = now / 3_600_000;
        // Keyed by the email as typed, whether or not it exists: no enumeration.
        let email = email_key(email);
        let source: String = source.chars().take(64).collect();
        let keys = throttle_keys(&email, &source);
        let counts = self.store.count_attempt(&keys, hour).await.map_err(internal)?;
        let over = (counts[0] - MAX_FAILURES_PER_HOUR).max(counts[2] - MAX_FAILURES_PER_SOURCE_PER_HOUR);
        if over > 0 {
            if audited(over) {
                let detail = format!("sign-in refused (attempt {} this hour from this address)", counts[0]);
                self.store.record_sign_in_failure(&email, None, &source, now, &detail).await.map_err(internal)?;
            }
            return Err(AppError::Throttled);
        }
        tokio::time::sleep(attempt_delay(counts)).await;
        // No password is this long (see `limits::PASSWORD`): no hashing work for it.
        if password.len() > limits::PASSWORD {
            return Err(AppError::BadCredentials);
        }
        let candidate = self.store.sign_in_candidate(&email).await.map_err(internal)?;
        let hash = candidate.as_ref().and_then(|c| c.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_string());
        let password = password.to_string();
        let matches = self.hashing.run(HASHING_WAIT, move || verify_password(&password, &hash)).await?;
        match candidate {
            Some(c) if matches && c.password_hash.is_some() => {
                self.store.settle_sign_in(&keys, hour).await.map_err(internal)?;
                if self.methods.passwords_for_admins_only && c.user.role != app::domain::roles::Role::Admin {
                    let provider = self.methods.provider.as_deref().unwrap_or("your organisation's account");
                    return Err(AppError::Refused(format!(
                        "Sign in with {provider}: password sign-in is kept for admins when the identity provider is down"
                    )));
                }
                let token = new_token();
                self.store.open_session(&token_hash(&token), c.user.id, &source, now).await.map_err(internal)?;
                Ok(NewSession { token, user: c.user })
            }
            other => {
                metrics::counter!("offcycle_sign_in_failures_total", "method" => "password").increment(1);
                if audited(counts[0]) {
                    let detail = match counts[0] {
                        n if n <= 10 => "failed sign-in".to_string(),
                        n => format!("{n} failed sign-ins this hour from this address"),
                    };
                    self.store
                        .record_sign_in_failure(&email, other.map(|c| c.user.id), &source, now, &detail)
                        .await
                        .map_err(internal)?;
                }
                Err(AppError::BadCredentials)
            }
        }
    }

    async fn sign_out(&self, session_token_hash: &str) -> Result<Option<String>, AppError> {
        let id_token = self.store.session_id_token(session_token_hash).await.map_err(internal)?;
        self.store.end_session(session_token_hash).await.map_err(internal)?;
        Ok(match (&self.oidc, id_token) {
            (Some(oidc), Some(id_token)) => oidc.logout_url(&id_token).await,
            _ => None,
        })
    }

    async fn password_link(&self, token: &str) -> Result<Option<String>, AppError> {
        let link = self.store.password_link(&token_hash(token.trim()), self.clock.now()).await.map_err(internal)?;
        Ok(link.map(|(_, email)| email))
    }

    async fn set_password(&self, token: &str, password: &str, source: &str) -> Result<(), AppError> {
        use app::domain::forms::{FieldError, FormErrors};
        let hash = token_hash(token.trim());
        let now = self.clock.now();
        let (user_id, email) =
            self.store.password_link(&hash, now).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        if let Some(message) = password_problem(password, &email) {
            // The password is never echoed back.
            return Err(AppError::Invalid(FormErrors {
                errors: vec![FieldError { field: "password".into(), message }],
                values: vec![],
            }));
        }
        let password = password.to_string();
        let phc = self.hashing.run(HASHING_WAIT, move || hash_password(&password)).await?.map_err(internal)?;
        match self.store.set_password(&hash, user_id, &phc, source, now).await.map_err(internal)? {
            true => Ok(()),
            false => Err(AppError::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_keys_the_throttle_trimmed_lower_case_and_no_longer_than_any_address() {
        assert_eq!(email_key("  Dev@Example.GOV "), "dev@example.gov");
        let long = format!("{}@example.gov", "é".repeat(limits::EMAIL));
        assert_eq!(email_key(&long).chars().count(), limits::EMAIL, "counted in characters");
    }

    #[test]
    fn the_audit_keeps_the_first_failures_and_then_one_row_a_hundred() {
        let rows: Vec<i64> = (1..=1000).filter(|n| audited(*n)).collect();
        assert_eq!(rows.len(), 10 + 10);
        assert_eq!(&rows[..11], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_hashes_run_at_once_than_the_limit() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        let hashing = Hashing::new(3);
        let (now, most) = (std::sync::Arc::new(AtomicUsize::new(0)), std::sync::Arc::new(AtomicUsize::new(0)));
        let runs = (0..12).map(|_| {
            let (hashing, now, most) = (hashing.clone(), now.clone(), most.clone());
            tokio::spawn(async move {
                hashing
                    .run(std::time::Duration::from_secs(30), move || {
                        most.fetch_max(now.fetch_add(1, SeqCst) + 1, SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        now.fetch_sub(1, SeqCst);
                    })
                    .await
            })
        });
        for run in runs.collect::<Vec<_>>() {
            run.await.unwrap().unwrap();
        }
        assert_eq!(most.load(SeqCst), 3, "three at once, never more");
        // A turn that does not come in time is a "try again", not a pile-up.
        let busy = Hashing::new(1);
        let hold = busy.clone();
        let long = tokio::spawn(async move {
            hold.run(std::time::Duration::from_secs(1), || std::thread::sleep(std::time::Duration::from_millis(400)))
                .await
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(busy.run(std::time::Duration::from_millis(50), || ()).await, Err(AppError::Throttled));
        long.await.unwrap().unwrap();
    }

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "OWASP minimum parameters: {hash}");
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapler", &hash));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn common_short_and_self_named_passwords_are_refused_and_no_composition_is_required() {
        for weak in ["short", "password", "password1", "Passw0rd!", "qwertyuiop", "dana@example.gov"] {
            assert!(password_problem(weak, "dana@example.gov").is_some(), "{weak} should be refused");
        }
        for fine in ["correct horse battery staple", "glacier umbrella violin", "q8#vTz!mWp2k"] {
            assert_eq!(password_problem(fine, "dana@example.gov"), None, "{fine} should be accepted");
        }
        assert!(password_problem(&"x".repeat(129), "a@b.gov").is_some());
        assert!(
            password_problem(
                "seven zebras quietly sing opera near the old harbour lighthouse while the tide turns grey",
                "a@b.gov"
            )
            .is_none(),
            "long is fine"
        );
    }

    #[test]
    fn the_wait_grows_after_five_failures_and_is_capped() {
        assert_eq!(throttle_delay(0).as_millis(), 0);
        assert_eq!(throttle_delay(5).as_millis(), 0);
        assert_eq!(throttle_delay(6).as_millis(), 20);
        assert_eq!(throttle_delay(10).as_millis(), 500);
        assert_eq!(throttle_delay(99).as_millis(), 2000);
        assert_eq!(attempt_delay([1, 1, 1]).as_millis(), 0, "a first attempt waits for nothing");
        assert_eq!(attempt_delay([1, 991, 1]).as_millis(), 2000, "an account guessed at from everywhere slows down");
        assert_eq!(attempt_delay([10, 10, 10]).as_millis(), 320);
    }

    #[test]
    fn tokens_are_256_bit_and_stored_only_as_their_hash() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
