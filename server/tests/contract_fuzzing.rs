//! Contract fuzzing: schemathesis (installed by `scripts/setup test` into
//! `tools/venv`) reads the server's own OpenAPI document and sends generated
//! requests, valid and not, to every operation of the real binary: as an
//! Admin key, and as a signed-in person (session cookie and CSRF header).
//! It fails on any 5xx and on any answer the document does not describe
//! (schema, status code, content type). A bounded number of examples per
//! operation (`KEYDESK_FUZZ_EXAMPLES`, 25) keeps it to a minute or two.
//! `scripts/check-contract` runs it; it is ignored otherwise (it needs the
//! installed schemathesis).

#[allow(dead_code)]
#[path = "api/harness.rs"]
mod harness;

use keydesk_server::spawned::{Log, SpawnedServer};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs schemathesis from scripts/setup test; scripts/check-contract runs it"]
async fn schemathesis_finds_no_server_error_and_no_answer_off_the_document() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let schemathesis = repo.join("tools/venv/bin/schemathesis");
    assert!(schemathesis.is_file(), "run scripts/setup test first");
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("fuzz.db").display());
    let server = SpawnedServer::start(
        Path::new(env!("CARGO_BIN_EXE_keydesk-server")),
        &[
            "--dist",
            dir.path().to_str().unwrap(),
            "--database-url",
            &database,
        ],
        &[],
        Log::Collect("warn"),
    );
    let base = server.base.clone();

    // An organization, its admin's session (read from Set-Cookie, as a
    // browser would keep it), and an Admin key.
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{base}/api/v1/auth/sign-up"))
        .json(&json!({"organization": "Fuzz Inc", "name": "Ada Admin", "email": "ada@fuzz.example", "password": harness::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-keydesk_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let call = |path: &str, body: Value| {
        http.post(format!("{base}/api/v1{path}"))
            .header("Cookie", &session)
            .header("X-Requested-With", "keydesk")
            .json(&body)
            .send()
    };
    let key: Value = call(
        "/api-keys",
        json!({"name": "Fuzzer", "role_ids": ["admin"]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let generated: Value = call(
        &format!("/api-keys/{}/generate", key["id"].as_str().unwrap()),
        json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let secret = generated["secret"].as_str().unwrap().to_string();

    // The person run must be signed in, or it fuzzes nothing but 401s.
    let me = http
        .get(format!("{base}/api/v1/me"))
        .header("Cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the session works");

    let examples = std::env::var("KEYDESK_FUZZ_EXAMPLES").unwrap_or_else(|_| "25".into());
    let fuzz = |who: &str, extra: &[&str]| {
        println!("As {who}:");
        let status = Command::new(&schemathesis)
            .args(["run", &format!("{base}/api/openapi.json")])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--max-examples",
                &examples,
                "--phases",
                "examples,coverage,fuzzing",
                "--workers",
                "1",
                "--suppress-health-check",
                "all",
                "--warnings",
                "off",
                "--no-color",
            ])
            .args(extra)
            .status()
            .expect("schemathesis runs");
        status.success()
    };
    let bearer = format!("Authorization: Bearer {secret}");
    let as_key = tokio::task::block_in_place(|| fuzz("an Admin key", &["-H", &bearer]));
    let cookie = format!("Cookie: {session}");
    let as_person = tokio::task::block_in_place(|| {
        fuzz(
            "a signed-in person",
            &[
                "-H",
                &cookie,
                "-H",
                "X-Requested-With: keydesk",
                // These would end the session the run depends on.
                "--exclude-operation-id",
                "auth_sign_out",
                "--exclude-operation-id",
                "account_sign_out_everywhere",
                "--exclude-operation-id",
                "account_change_password",
            ],
        )
    });
    let (log, _) = server.stop();
    assert!(
        as_key && as_person,
        "schemathesis found problems; the server's log:\n{log}"
    );
}
