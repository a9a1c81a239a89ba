//! The accessibility audit: axe-core (installed from npm by scripts/setup)
//! injected into the current screen; serious or critical violations fail.

use std::sync::OnceLock;

use crate::{repo_root, Page};

static AXE: OnceLock<String> = OnceLock::new();

fn axe_source() -> &'static str {
    AXE.get_or_init(|| {
        let path = repo_root().join("tools/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup)", path.display()))
    })
}

/// Audits what the page shows now; `screen` names it in the failure.
pub async fn audit(page: &Page, screen: &str) {
    let browser = page.browser();
    browser
        .execute(axe_source(), vec![])
        .await
        .expect("axe-core loads");
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] })
          .then(r => done(r.violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }))))
          .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));
    "#;
    let found = browser
        .execute_async(script, vec![])
        .await
        .expect("axe-core runs");
    let violations = found.as_array().cloned().unwrap_or_default();
    assert!(
        violations.is_empty(),
        "accessibility violations on {screen}:\n{}",
        serde_json::to_string_pretty(&violations).unwrap()
    );
}
