//! Single sign-on with OpenID Connect, through the `openidconnect` crate:
//! the authorization code flow with PKCE (S256), `state` and `nonce`. The ID
//! token's signature (against the provider's published keys), issuer,
//! audience, expiry and nonce are checked by the crate; its claims are kept
//! whole, so rules can map any claim (`groups`) to roles.
//!
//! The HTTP client that fetches discovery, the keys and tokens follows no
//! redirects and gives up quickly: a provider is a party keydesk calls, not
//! one that may steer it elsewhere or hold it up.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IdToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// How long a call to the provider may take, all told.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a sign-in sent to the provider may take to come back.
pub const SIGN_IN_LIFETIME: time::Duration = time::Duration::minutes(10);

/// Every claim of an ID token beyond the standard ones, as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub rest: HashMap<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

type FullIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// The client keydesk calls providers with: no redirects, short timeouts.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(CALL_TIMEOUT)
        .connect_timeout(Duration::from_secs(3))
        .build()
        .expect("a TLS backend is available")
}

/// What went wrong with a provider, for the person (`field` of a 422) or
/// the security log; never holds a secret or a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError(pub String);

/// The provider's discovery document, fetched and checked (its `issuer`
/// must be exactly the one asked for; the crate checks that).
pub async fn discover(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<CoreProviderMetadata, ProviderError> {
    let url = IssuerUrl::new(issuer.trim().to_string())
        .map_err(|e| ProviderError(format!("not a URL: {e}")))?;
    CoreProviderMetadata::discover_async(url, http)
        .await
        .map_err(|e| ProviderError(format!("no OpenID provider answers at this issuer: {e}")))
}

/// A sign-in sent to the provider: where to send the browser, and what to
/// keep until it comes back.
pub struct Begun {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The person the provider vouched for.
#[derive(Debug, Clone)]
pub struct Vouched {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    /// Every claim, standard or not, for the role rules.
    pub claims: Value,
}

/// Begins a sign-in at the provider described by `metadata`.
pub fn begin(
    metadata: CoreProviderMetadata,
    client_id: &str,
    redirect_uri: &str,
    login_hint: &str,
) -> Result<Begun, ProviderError> {
    let redirect = RedirectUrl::new(redirect_uri.to_string())
        .map_err(|e| ProviderError(format!("redirect URI: {e}")))?;
    let client =
        CoreClient::from_provider_metadata(metadata, ClientId::new(client_id.into()), None)
            .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .add_extra_param("login_hint", login_hint.to_string())
        .set_pkce_challenge(challenge)
        .url();
    Ok(Begun {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    })
}

/// Exchanges the callback's code (with the PKCE verifier) and checks the ID
/// token: signature by a key the provider publishes, issuer, audience (this
/// client), expiry and the nonce this sign-in sent.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    http: &reqwest::Client,
    metadata: CoreProviderMetadata,
    client_id: &str,
    client_secret: &str,
    redirect_uri: &str,
    code: &str,
    pkce_verifier: &str,
    nonce: &str,
) -> Result<Vouched, ProviderError> {
    let redirect = RedirectUrl::new(redirect_uri.to_string())
        .map_err(|e| ProviderError(format!("redirect URI: {e}")))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.into()),
        Some(ClientSecret::new(client_secret.into())),
    )
    .set_redirect_uri(redirect);
    let token = client
        .exchange_code(AuthorizationCode::new(code.into()))
        .map_err(|e| ProviderError(format!("token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.into()))
        .request_async(http)
        .await
        .map_err(|e| ProviderError(format!("the provider refused the code: {e}")))?;
    let _ = token.access_token();
    let raw = token
        .id_token()
        .ok_or_else(|| ProviderError("the provider sent no ID token".into()))?
        .to_string();
    let id_token: FullIdToken = raw
        .parse()
        .map_err(|e| ProviderError(format!("unreadable ID token: {e}")))?;
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(nonce.into()))
        .map_err(|e| ProviderError(format!("ID token refused: {e}")))?;
    let mut all =
        serde_json::to_value(claims).map_err(|e| ProviderError(format!("claims: {e}")))?;
    if let Some(map) = all.as_object_mut() {
        for (k, v) in &claims.additional_claims().rest {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Ok(Vouched {
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified(),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        claims: all,
    })
}
