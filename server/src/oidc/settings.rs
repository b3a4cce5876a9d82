//! The `OFFCYCLE_OIDC_*` settings, read and checked at start.

use super::KEY_REFRESH;
use crate::config::{parsed, text, var, ConfigError};
use app::domain::identity::{Provisioning, RoleMapping};
use openidconnect::core::CoreJwsSigningAlgorithm;
use openidconnect::IssuerUrl;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// How Offcycle proves who it is at the provider's token endpoint.
#[derive(Clone)]
pub enum ClientAuth {
    /// `client_secret_basic`.
    Secret(String),
    /// `private_key_jwt` (Login.gov): a signed assertion per request.
    PrivateKey {
        /// The RSA key (PEM), loaded at start.
        key: Arc<jsonwebtoken::EncodingKey>,
        /// The `kid` header, if the provider needs it.
        key_id: Option<String>,
    },
}

impl ClientAuth {
    /// `private_key_jwt` with the RSA key in this PEM file.
    pub fn private_key_file(file: &std::path::Path, key_id: Option<String>) -> Result<ClientAuth, ConfigError> {
        let name = "OFFCYCLE_OIDC_PRIVATE_KEY_FILE";
        let pem = std::fs::read(file).map_err(|e| bad(name, format!("{}: {e}", file.display())))?;
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem)
            .map_err(|e| bad(name, format!("{}: not an RSA private key in PEM ({e})", file.display())))?;
        Ok(ClientAuth::PrivateKey { key: Arc::new(key), key_id })
    }
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClientAuth::Secret(_) => "client_secret_basic",
            ClientAuth::PrivateKey { .. } => "private_key_jwt",
        })
    }
}

/// The `OFFCYCLE_OIDC_*` settings (see the README's configuration table).
#[derive(Clone, Debug)]
pub struct OidcSettings {
    /// `OFFCYCLE_OIDC_ISSUER`: the provider's issuer URL (discovery is under it).
    pub issuer: String,
    /// `OFFCYCLE_OIDC_CLIENT_ID`.
    pub client_id: String,
    /// `OFFCYCLE_OIDC_CLIENT_SECRET` or `OFFCYCLE_OIDC_PRIVATE_KEY_FILE` (+ `OFFCYCLE_OIDC_KEY_ID`).
    pub auth: ClientAuth,
    /// `OFFCYCLE_OIDC_SCOPES` (default `openid email profile`).
    pub scopes: Vec<String>,
    /// `OFFCYCLE_OIDC_ACR_VALUES`: asked of the provider (space-separated), if set.
    pub acr_values: Vec<String>,
    /// `OFFCYCLE_OIDC_GROUPS_CLAIM` (default `groups`; Entra ID: `roles`).
    pub groups_claim: String,
    /// `OFFCYCLE_OIDC_ROLE_MAP`.
    pub mapping: RoleMapping,
    /// `OFFCYCLE_OIDC_PROVISIONING`: `invite` (default) or `jit`.
    pub provisioning: Provisioning,
    /// `OFFCYCLE_OIDC_ALGORITHMS`: ID token signatures accepted (default `RS256`).
    pub algorithms: Vec<CoreJwsSigningAlgorithm>,
    /// `OFFCYCLE_OIDC_LABEL`: the sign-in button says "Sign in with {label}".
    pub label: String,
    /// The provider's keys are fetched again at most this often (a minute; tests shorten it).
    pub key_refresh: Duration,
}

pub(super) fn bad(name: &'static str, problem: impl std::fmt::Display) -> ConfigError {
    ConfigError::new(name, problem.to_string())
}

impl OidcSettings {
    /// Reads the settings; `None` when `OFFCYCLE_OIDC_ISSUER` is unset (OIDC off).
    pub fn from_env() -> Result<Option<OidcSettings>, ConfigError> {
        let Some(issuer) = var("OFFCYCLE_OIDC_ISSUER") else { return Ok(None) };
        IssuerUrl::new(issuer.clone()).map_err(|e| bad("OFFCYCLE_OIDC_ISSUER", e))?;
        let client_id = var("OFFCYCLE_OIDC_CLIENT_ID")
            .ok_or_else(|| bad("OFFCYCLE_OIDC_CLIENT_ID", "is required with OFFCYCLE_OIDC_ISSUER"))?;
        let auth = match (var("OFFCYCLE_OIDC_CLIENT_SECRET"), var("OFFCYCLE_OIDC_PRIVATE_KEY_FILE")) {
            (Some(secret), None) => ClientAuth::Secret(secret),
            (None, Some(file)) => {
                ClientAuth::private_key_file(std::path::Path::new(&file), var("OFFCYCLE_OIDC_KEY_ID"))?
            }
            (Some(_), Some(_)) => {
                return Err(bad("OFFCYCLE_OIDC_CLIENT_SECRET", "set it or OFFCYCLE_OIDC_PRIVATE_KEY_FILE, not both"))
            }
            (None, None) => {
                return Err(bad(
                    "OFFCYCLE_OIDC_CLIENT_SECRET",
                    "or OFFCYCLE_OIDC_PRIVATE_KEY_FILE is required with OFFCYCLE_OIDC_ISSUER",
                ))
            }
        };
        let words = |name: &'static str| -> Vec<String> {
            text(name).unwrap_or_default().split_whitespace().map(str::to_string).collect()
        };
        let algorithms = words("OFFCYCLE_OIDC_ALGORITHMS")
            .iter()
            .map(|a| {
                serde_json::from_value::<CoreJwsSigningAlgorithm>(serde_json::Value::String(a.replace(',', "")))
                    .ok()
                    .filter(|alg| !matches!(alg, CoreJwsSigningAlgorithm::None))
                    .ok_or_else(|| bad("OFFCYCLE_OIDC_ALGORITHMS", format!("{a:?} is not a JWS signing algorithm")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mapping = RoleMapping::from_str(&var("OFFCYCLE_OIDC_ROLE_MAP").unwrap_or_default())
            .map_err(|e| bad("OFFCYCLE_OIDC_ROLE_MAP", e))?;
        let provisioning: Provisioning = parsed("OFFCYCLE_OIDC_PROVISIONING")?.unwrap_or_default();
        Ok(Some(OidcSettings {
            issuer,
            client_id,
            auth,
            scopes: words("OFFCYCLE_OIDC_SCOPES"),
            acr_values: words("OFFCYCLE_OIDC_ACR_VALUES"),
            groups_claim: text("OFFCYCLE_OIDC_GROUPS_CLAIM").unwrap_or_default(),
            mapping,
            provisioning,
            algorithms,
            label: text("OFFCYCLE_OIDC_LABEL").unwrap_or_default(),
            key_refresh: KEY_REFRESH,
        }))
    }
}
