//! Passkeys through the browser's own WebAuthn: the server's JSON options
//! become `navigator.credentials.create` / `.get` arguments with
//! `PublicKeyCredential.parseCreationOptionsFromJSON` /
//! `parseRequestOptionsFromJSON`, and the credential goes back as its
//! `toJSON()`. Called through `Reflect`, so no WebAuthn bindings are needed
//! in the wasm; a browser without these methods is told so plainly.

use js_sys::{Function, Object, Promise, Reflect, JSON};
use leptos::wasm_bindgen::{JsCast, JsValue};
use serde_json::Value;

/// Why the browser did not make or use a passkey, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether this browser can use passkeys here: it has WebAuthn's JSON
/// methods, and the page is on a host name (browsers refuse WebAuthn on an
/// IP address such as `http://127.0.0.1:8080`).
pub fn supported() -> bool {
    let host = leptos::prelude::window()
        .location()
        .hostname()
        .unwrap_or_default();
    let on_ip_address = host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok();
    !on_ip_address
        && constructor()
            .and_then(|pkc| Reflect::get(&pkc, &"parseRequestOptionsFromJSON".into()).ok())
            .is_some_and(|f| f.is_function())
}

/// Makes a passkey from creation options (`{publicKey}`'s inner object).
pub async fn create(public_key: &Value) -> Result<Value, Refused> {
    ceremony("parseCreationOptionsFromJSON", "create", public_key).await
}

/// Uses a passkey for request options (`{publicKey}`'s inner object).
pub async fn get(public_key: &Value) -> Result<Value, Refused> {
    ceremony("parseRequestOptionsFromJSON", "get", public_key).await
}

fn constructor() -> Option<JsValue> {
    Reflect::get(&leptos::prelude::window(), &"PublicKeyCredential".into())
        .ok()
        .filter(|v| !v.is_undefined())
}

async fn ceremony(parse: &str, call: &str, public_key: &Value) -> Result<Value, Refused> {
    let unsupported = || {
        Refused("This browser cannot use passkeys here. Use an authenticator app, or a current Chrome, Edge, Firefox or Safari.".into())
    };
    let pkc = constructor().ok_or_else(unsupported)?;
    let parse: Function = Reflect::get(&pkc, &parse.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let options = JSON::parse(&public_key.to_string()).map_err(|_| unsupported())?;
    let options = parse.call1(&pkc, &options).map_err(explain)?;
    let argument = Object::new();
    Reflect::set(&argument, &"publicKey".into(), &options).map_err(explain)?;
    let credentials = Reflect::get(
        &leptos::prelude::window().navigator(),
        &"credentials".into(),
    )
    .map_err(explain)?;
    let method: Function = Reflect::get(&credentials, &call.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let promise: Promise = method
        .call1(&credentials, &argument)
        .map_err(explain)?
        .dyn_into()
        .map_err(explain)?;
    let credential = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(explain)?;
    let to_json: Function = Reflect::get(&credential, &"toJSON".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let json = to_json.call0(&credential).map_err(explain)?;
    let text: String = JSON::stringify(&json)
        .map_err(explain)?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text)
        .map_err(|e| Refused(format!("The passkey's answer could not be read: {e}")))
}

/// A DOMException in words a person can act on.
fn explain(error: JsValue) -> Refused {
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    Refused(
        match name.as_str() {
            "NotAllowedError" => "The passkey prompt was closed or timed out. Try again when ready.",
            "InvalidStateError" => "This device already holds a passkey for your account.",
            "SecurityError" => "Passkeys need keydesk's own address (https, or localhost): this page's address does not qualify.",
            "NotSupportedError" => "This device has no passkey that keydesk accepts.",
            _ => "The browser could not complete the passkey step. Try again.",
        }
        .into(),
    )
}
