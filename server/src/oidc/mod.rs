//! Sign-in through the organisation's identity provider: OpenID Connect's authorization code
//! flow with PKCE (S256), `state` and `nonce` kept server-side in a one-time row bound to the
//! browser by a pre-login cookie, and RP-initiated logout.
//!
//! The provider is discovered on first use (a start does not depend on it being up); its
//! signing keys are fetched again when a token names a key we do not know, at most once a
//! minute. The HTTP client never follows redirects (SSRF).
mod routes;
mod settings;

pub use routes::{callback, start};
use settings::bad;
pub use settings::{ClientAuth, OidcSettings};

use crate::auth::{new_token, token_hash};
use crate::config::ConfigError;
use crate::store::{PendingLogin, ProviderIdentity, Store, LOGIN_TTL_MS};
use app::domain::roles::NewPerson;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError,
    ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndUserName, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IdTokenFields, IssuerUrl, JsonWebKeySet, LoginHint, LogoutRequest, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, SubjectIdentifier, TokenResponse,
    UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Claims beyond the standard ones (the groups claim is read from here by name).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Extra {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for Extra {}

type Fields = IdTokenFields<
    Extra,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type IdToken =
    openidconnect::IdToken<Extra, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type OidcClient = openidconnect::Client<
    Extra,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider as last discovered, with when its keys were fetched.
struct Discovered {
    metadata: ProviderMetadataWithLogout,
    keys_fetched: Instant,
}

/// Keys are fetched again at most this often.
const KEY_REFRESH: Duration = Duration::from_secs(60);

/// The relying party: settings, an HTTP client that follows no redirects, the discovered provider.
pub struct Oidc {
    settings: OidcSettings,
    public_url: String,
    secure: bool,
    http: openidconnect::reqwest::Client,
    discovered: tokio::sync::RwLock<Option<Discovered>>,
    clock: std::sync::Arc<dyn app::service::Clock>,
}

/// A failure talking to the provider or checking its answer (logged; the person is told
/// [`Refusal::Failed`]).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProviderError(String);

fn failed(what: &str, e: impl std::fmt::Display) -> ProviderError {
    ProviderError(format!("{what}: {e}"))
}

impl Oidc {
    /// The relying party for these settings.
    pub fn new(
        settings: OidcSettings,
        public_url: &str,
        clock: std::sync::Arc<dyn app::service::Clock>,
    ) -> Result<Oidc, ConfigError> {
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| bad("OFFCYCLE_OIDC_ISSUER", e))?;
        Ok(Oidc {
            settings,
            public_url: public_url.to_string(),
            secure: public_url.starts_with("https://"),
            http,
            discovered: tokio::sync::RwLock::new(None),
            clock,
        })
    }

    /// Now, by the server's clock (a sign-in's age, an assertion's and an ID token's times).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The settings.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    fn redirect_url(&self) -> String {
        format!("{}/auth/oidc/callback", self.public_url)
    }

    async fn metadata(&self) -> Result<ProviderMetadataWithLogout, ProviderError> {
        if let Some(d) = self.discovered.read().await.as_ref() {
            return Ok(d.metadata.clone());
        }
        let mut slot = self.discovered.write().await;
        if let Some(d) = slot.as_ref() {
            return Ok(d.metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| failed("issuer", e))?;
        let metadata =
            ProviderMetadataWithLogout::discover_async(issuer, &self.http).await.map_err(|e| failed("discovery", e))?;
        *slot = Some(Discovered { metadata: metadata.clone(), keys_fetched: Instant::now() });
        Ok(metadata)
    }

    /// Fetches the provider's keys again unless that happened within the last minute; true
    /// when it did.
    async fn refresh_keys(&self) -> Result<bool, ProviderError> {
        let mut slot = self.discovered.write().await;
        let Some(d) = slot.as_mut() else { return Ok(false) };
        if d.keys_fetched.elapsed() < self.settings.key_refresh {
            return Ok(false);
        }
        let keys =
            JsonWebKeySet::fetch_async(d.metadata.jwks_uri(), &self.http).await.map_err(|e| failed("keys", e))?;
        d.metadata = d.metadata.clone().set_jwks(keys);
        d.keys_fetched = Instant::now();
        tracing::info!("fetched the identity provider's signing keys again (a token named an unknown key)");
        Ok(true)
    }

    fn client(&self, metadata: ProviderMetadataWithLogout) -> Result<OidcClient, ProviderError> {
        let secret = match &self.settings.auth {
            ClientAuth::Secret(s) => Some(ClientSecret::new(s.clone())),
            ClientAuth::PrivateKey { .. } => None,
        };
        let redirect = RedirectUrl::new(self.redirect_url()).map_err(|e| failed("redirect URL", e))?;
        Ok(OidcClient::from_provider_metadata(metadata, ClientId::new(self.settings.client_id.clone()), secret)
            .set_redirect_uri(redirect))
    }

    /// `private_key_jwt`'s assertion for the token endpoint (RFC 7523): RS256, `iss` = `sub` =
    /// client id, `aud` = the token endpoint, a fresh `jti`, five minutes to live.
    fn client_assertion(&self, token_url: &str) -> Result<Option<String>, ProviderError> {
        let ClientAuth::PrivateKey { key, key_id } = &self.settings.auth else { return Ok(None) };
        #[derive(Serialize)]
        struct Assertion<'a> {
            iss: &'a str,
            sub: &'a str,
            aud: &'a str,
            jti: String,
            iat: i64,
            exp: i64,
        }
        let now = self.now().timestamp();
        let claims = Assertion {
            iss: &self.settings.client_id,
            sub: &self.settings.client_id,
            aud: token_url,
            jti: new_token(),
            iat: now,
            exp: now + 300,
        };
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = key_id.clone();
        jsonwebtoken::encode(&header, &claims, key).map(Some).map_err(|e| failed("client assertion", e))
    }

    /// Where to send someone who signs out of a session the provider opened (its
    /// `end_session_endpoint`, when it has one), or `None`.
    pub async fn logout_url(&self, id_token: &str) -> Option<String> {
        let metadata = self.metadata().await.map_err(|e| tracing::warn!("sign-out: {e}")).ok()?;
        let endpoint = metadata.additional_metadata().end_session_endpoint.clone()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(
                PostLogoutRedirectUrl::new(format!("{}/sign-in?signed_out=1", self.public_url)).ok()?,
            );
        if let Ok(token) = IdToken::from_str(id_token) {
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url().to_string())
    }

    /// The pre-login cookie's name (`__Host-` over https).
    fn login_cookie(&self) -> &'static str {
        if self.secure {
            "__Host-offcycle_login"
        } else {
            "offcycle_login"
        }
    }

    /// Starts a sign-in: the provider's authorization URL, and the pre-login cookie to set.
    async fn start(
        &self,
        store: &Store,
        next: &str,
        login_hint: Option<&str>,
    ) -> Result<(String, String), ProviderError> {
        let client = self.client(self.metadata().await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in self.settings.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        for acr in &self.settings.acr_values {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        if let Some(hint) = login_hint {
            request = request.set_login_hint(LoginHint::new(hint.to_string()));
        }
        let (url, state, nonce) = request.url();
        let browser = new_token();
        let login = PendingLogin {
            browser_hash: token_hash(&browser),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next: next.to_string(),
            created_at: self.now().timestamp_millis(),
        };
        store
            .begin_oidc_login(&token_hash(state.secret()), &login)
            .await
            .map_err(|e| failed("storing the sign-in", e))?;
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={browser}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            self.login_cookie(),
            LOGIN_TTL_MS / 1000
        );
        Ok((url.to_string(), cookie))
    }

    /// The provider's answer: the code exchanged (with the PKCE verifier), the ID token checked
    /// (signature by an allowed algorithm, issuer, audience, expiry, nonce, access-token hash),
    /// and who it names, with the groups claim from the token or else the userinfo endpoint.
    async fn finish(&self, code: &str, login: &PendingLogin) -> Result<(ProviderIdentity, String), ProviderError> {
        let metadata = self.metadata().await?;
        let client = self.client(metadata)?;
        let mut exchange = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| failed("token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()));
        if let Some(assertion) = self.client_assertion(client.token_uri().map(|u| u.as_str()).unwrap_or_default())? {
            exchange = exchange
                .add_extra_param("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                .add_extra_param("client_assertion", assertion);
        }
        let tokens = exchange.request_async(&self.http).await.map_err(|e| failed("code exchange", describe(&e)))?;
        let id_token = tokens.id_token().ok_or_else(|| ProviderError("the provider sent no ID token".into()))?;
        let nonce = Nonce::new(login.nonce.clone());
        let verify = |client: &OidcClient| {
            let verifier = client
                .id_token_verifier()
                .set_allowed_algs(self.settings.algorithms.clone())
                .set_time_fn(|| self.now());
            let claims = id_token.claims(&verifier, &nonce).cloned();
            claims.and_then(|claims| {
                if let Some(expected) = claims.access_token_hash() {
                    let alg = id_token.signing_alg().map_err(ClaimsVerificationError::SignatureVerification)?;
                    let key =
                        id_token.signing_key(&verifier).map_err(ClaimsVerificationError::SignatureVerification)?;
                    let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
                        .map_err(|e| ClaimsVerificationError::Unsupported(format!("access token hash: {e}")))?;
                    if actual != *expected {
                        return Err(ClaimsVerificationError::Unsupported(
                            "the access token hash does not match".into(),
                        ));
                    }
                }
                Ok(claims)
            })
        };
        let claims = match verify(&client) {
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey))
                if self.refresh_keys().await? =>
            {
                verify(&self.client(self.metadata().await?)?)
            }
            other => other,
        }
        .map_err(|e| failed("ID token", e))?;
        let subject = claims.subject().clone();
        let mut email = claims.email().map(|e| e.as_str().to_lowercase());
        let mut email_verified = claims.email_verified().unwrap_or(false);
        // The provider's word for a name: never refused, only made one line and a name's length.
        let shown = |n: Option<&EndUserName>| n.and_then(|n| NewPerson::provided_name(n));
        let mut name = shown(claims.name().and_then(|n| n.get(None)));
        let mut groups = groups_of(&claims.additional_claims().claims, &self.settings.groups_claim);
        if groups.is_none() || email.is_none() {
            // Many providers keep these claims for the userinfo endpoint.
            if let Some(info) = self.user_info(&client, &tokens, subject.clone()).await? {
                if email.is_none() {
                    email = info.email().map(|e| e.as_str().to_lowercase());
                    email_verified = info.email_verified().unwrap_or(false);
                }
                name = name.or_else(|| shown(info.name().and_then(|n| n.get(None))));
                groups = groups.or_else(|| groups_of(&info.additional_claims().claims, &self.settings.groups_claim));
            }
        }
        let groups = groups.unwrap_or_default();
        let identity = ProviderIdentity {
            issuer: claims.issuer().as_str().to_string(),
            subject: subject.as_str().to_string(),
            email,
            email_verified,
            name,
            mapped: self.settings.mapping.map(&groups),
        };
        Ok((identity, id_token.to_string()))
    }

    async fn user_info(
        &self,
        client: &OidcClient,
        tokens: &Tokens,
        subject: SubjectIdentifier,
    ) -> Result<Option<UserInfoClaims<Extra, CoreGenderClaim>>, ProviderError> {
        let Ok(request) = client.user_info(tokens.access_token().clone(), Some(subject)) else { return Ok(None) };
        request.request_async(&self.http).await.map(Some).map_err(|e| failed("userinfo", describe(&e)))
    }
}

/// An error with its causes, for the log.
fn describe(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The groups claim as a list: an array of strings, or one string.
fn groups_of(claims: &serde_json::Map<String, serde_json::Value>, name: &str) -> Option<Vec<String>> {
    match claims.get(name)? {
        serde_json::Value::Array(items) => Some(items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()),
        serde_json::Value::String(one) => Some(vec![one.clone()]),
        _ => None,
    }
}
