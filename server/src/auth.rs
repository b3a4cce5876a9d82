//! Passwords (argon2id, the crate's defaults = OWASP's minimum) and sessions (256-bit random
//! tokens; the database keeps only their SHA-256).

use crate::store::Store;
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
}

impl AccountService {
    /// Wraps the store.
    pub fn new(store: Store) -> Self {
        AccountService { store }
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!("accounts: {e}");
    AppError::Internal
}

#[async_trait]
impl Accounts for AccountService {
    async fn sign_in(&self, email: &str, password: &str, source: &str) -> Result<NewSession, AppError> {
        let now = chrono::Utc::now().timestamp_millis();
        let candidate = self.store.sign_in_candidate(email).await.map_err(internal)?;
        let hash = candidate.as_ref().and_then(|c| c.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_string());
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.map_err(internal)?;
        match candidate {
            Some(c) if matches && c.password_hash.is_some() => {
                let token = new_token();
                self.store.open_session(&token_hash(&token), c.user.id, source, now).await.map_err(internal)?;
                Ok(NewSession { token, user: c.user })
            }
            other => {
                self.store
                    .record_sign_in_failure(email, other.map(|c| c.user.id), source, now)
                    .await
                    .map_err(internal)?;
                Err(AppError::BadCredentials)
            }
        }
    }

    async fn sign_out(&self, session_token_hash: &str) -> Result<(), AppError> {
        self.store.end_session(session_token_hash).await.map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "OWASP minimum parameters: {hash}");
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapler", &hash));
        assert!(!verify_password("anything", "not a phc string"));
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
