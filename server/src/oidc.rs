//! Sign-in through the organisation's identity provider: OpenID Connect's authorization code
//! flow with PKCE (S256), `state` and `nonce` kept server-side in a one-time row bound to the
//! browser by a pre-login cookie, and RP-initiated logout.
//!
//! The provider is discovered on first use (a start does not depend on it being up); its
//! signing keys are fetched again when a token names a key we do not know, at most once a
//! minute. The HTTP client never follows redirects (SSRF).

use crate::auth::{new_token, token_hash};
use crate::config::ConfigError;
use crate::store::{PendingLogin, ProviderIdentity, Store, LOGIN_TTL_MS};
use crate::AppState;
use app::domain::identity::{Provisioning, Refusal, RoleMapping};
use app::ports::ClientAddress;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError,
    ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenFields, IssuerUrl, JsonWebKeySet, LoginHint, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, SubjectIdentifier, TokenResponse,
    UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
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

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn bad(name: &'static str, problem: impl std::fmt::Display) -> ConfigError {
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
        let words = |name: &str, default: &str| -> Vec<String> {
            var(name).unwrap_or_else(|| default.to_string()).split_whitespace().map(str::to_string).collect()
        };
        let algorithms = words("OFFCYCLE_OIDC_ALGORITHMS", "RS256")
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
        let provisioning = match var("OFFCYCLE_OIDC_PROVISIONING") {
            None => Provisioning::default(),
            Some(v) => v.parse().map_err(|e| bad("OFFCYCLE_OIDC_PROVISIONING", e))?,
        };
        Ok(Some(OidcSettings {
            issuer,
            client_id,
            auth,
            scopes: words("OFFCYCLE_OIDC_SCOPES", "openid email profile"),
            acr_values: words("OFFCYCLE_OIDC_ACR_VALUES", ""),
            groups_claim: var("OFFCYCLE_OIDC_GROUPS_CLAIM").unwrap_or_else(|| "groups".into()),
            mapping,
            provisioning,
            algorithms,
            label: var("OFFCYCLE_OIDC_LABEL").unwrap_or_else(|| "your organisation's account".into()),
            key_refresh: KEY_REFRESH,
        }))
    }
}

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
    pub fn new(settings: OidcSettings, public_url: &str) -> Result<Oidc, ConfigError> {
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
        })
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
        let now = chrono::Utc::now().timestamp();
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
            created_at: chrono::Utc::now().timestamp_millis(),
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
            let verifier = client.id_token_verifier().set_allowed_algs(self.settings.algorithms.clone());
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
        let mut name = claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string());
        let mut groups = groups_of(&claims.additional_claims().claims, &self.settings.groups_claim);
        if groups.is_none() || email.is_none() {
            // Many providers keep these claims for the userinfo endpoint.
            if let Some(info) = self.user_info(&client_for_userinfo(self).await?, &tokens, subject.clone()).await? {
                if email.is_none() {
                    email = info.email().map(|e| e.as_str().to_lowercase());
                    email_verified = info.email_verified().unwrap_or(false);
                }
                name = name.or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()));
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

async fn client_for_userinfo(oidc: &Oidc) -> Result<OidcClient, ProviderError> {
    oidc.client(oidc.metadata().await?)
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

fn refused(refusal: Refusal) -> Response {
    Redirect::to(&format!("/sign-in?oidc={}", refusal.key())).into_response()
}

fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `GET /auth/oidc/start?next=…&login_hint=…`: off to the provider.
pub async fn start(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(oidc) = state.oidc.clone() else { return Redirect::to("/sign-in").into_response() };
    let next = app::api::auth::safe_next(q.get("next").map(String::as_str));
    let hint = q.get("login_hint").map(|h| h.trim()).filter(|h| !h.is_empty() && h.len() <= 254);
    match oidc.start(&state.store, &next, hint).await {
        Ok((url, cookie)) => with_cookies(Redirect::to(&url).into_response(), &[cookie]),
        Err(e) => {
            tracing::error!("identity provider sign-in could not start: {e}");
            refused(Refusal::Failed)
        }
    }
}

/// `GET /auth/oidc/callback?code=…&state=…`: the provider's answer.
pub async fn callback(
    State(state): State<AppState>,
    Extension(ClientAddress(source)): Extension<ClientAddress>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else { return Redirect::to("/sign-in").into_response() };
    let clear = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        oidc.login_cookie(),
        if oidc.secure { "; Secure" } else { "" }
    );
    let answer = async {
        // Whatever the answer, the state is used once.
        let Some(st) = q.get("state") else { return Err(Refusal::Expired) };
        let login = match state.store.take_oidc_login(&token_hash(st)).await {
            Ok(Some(login)) => login,
            Ok(None) => {
                tracing::warn!("identity provider answer with an unknown or spent state");
                return Err(Refusal::Expired);
            }
            Err(e) => {
                tracing::error!("reading a sign-in under way: {e}");
                return Err(Refusal::Failed);
            }
        };
        if chrono::Utc::now().timestamp_millis() - login.created_at > LOGIN_TTL_MS {
            return Err(Refusal::Expired);
        }
        // RFC 9207: an answer that names another issuer is a mix-up, not ours.
        if q.get("iss").is_some_and(|iss| iss.trim_end_matches('/') != oidc.settings.issuer.trim_end_matches('/')) {
            tracing::warn!("identity provider answer names another issuer");
            return Err(Refusal::Failed);
        }
        if cookie(&headers, oidc.login_cookie()).map(token_hash).as_deref() != Some(login.browser_hash.as_str()) {
            tracing::warn!("identity provider answer reached another browser than the one that started it");
            return Err(Refusal::Expired);
        }
        if let Some(error) = q.get("error") {
            tracing::info!("the identity provider answered {error}");
            return Err(if error == "access_denied" { Refusal::Cancelled } else { Refusal::Failed });
        }
        let Some(code) = q.get("code") else { return Err(Refusal::Failed) };
        let (identity, id_token) = oidc.finish(code, &login).await.map_err(|e| {
            tracing::warn!("identity provider sign-in failed: {e}");
            Refusal::Failed
        })?;
        let token = new_token();
        let now = chrono::Utc::now().timestamp_millis();
        let opened = state
            .store
            .oidc_sign_in(&identity, oidc.settings.provisioning, &token_hash(&token), &id_token, &source, now)
            .await
            .map_err(|e| {
                tracing::error!("identity provider sign-in: {e}");
                Refusal::Failed
            })??;
        tracing::info!(user = opened.id, "signed in through the identity provider");
        Ok((token, login.next))
    }
    .await;
    match answer {
        Ok((token, next)) => {
            let secure = state.services.secure_cookies;
            let session = format!(
                "{}={token}; Path=/; HttpOnly; SameSite=Lax{}",
                app::ports::session_cookie(secure),
                if secure { "; Secure" } else { "" }
            );
            with_cookies(Redirect::to(&next).into_response(), &[session, clear])
        }
        Err(refusal) => {
            metrics::counter!("offcycle_sign_in_failures_total", "method" => "identity_provider", "reason" => refusal.key())
                .increment(1);
            with_cookies(refused(refusal), &[clear])
        }
    }
}
