//! Single sign-on's storage: each organization's provider configuration
//! (the client secret sealed by the caller), the email domains it answers
//! for (one organization per domain: the primary key), and sign-ins sent
//! to the provider, waiting for its callback (taken once).

use keydesk_contract::audit::AuditAction;
use keydesk_contract::sso::RoleRule;

use super::{Author, Storage};

/// An organization's configuration as stored.
#[derive(Debug, Clone)]
pub struct SsoConfig {
    pub organization_id: String,
    pub issuer: String,
    pub client_id: String,
    pub sealed_client_secret: String,
    pub client_secret_last4: String,
    pub email_domains: Vec<String>,
    pub role_rules: Vec<RoleRule>,
    pub default_role_ids: Vec<String>,
    pub require_sso: bool,
    pub break_glass_user_ids: Vec<String>,
}

impl SsoConfig {
    /// As an administrator reads it back: never the secret.
    pub fn view(&self, redirect_uri: String) -> keydesk_contract::sso::Sso {
        keydesk_contract::sso::Sso {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret_last4: self.client_secret_last4.clone(),
            email_domains: self.email_domains.clone(),
            role_rules: self.role_rules.clone(),
            default_role_ids: self.default_role_ids.clone(),
            require_sso: self.require_sso,
            break_glass_user_ids: self.break_glass_user_ids.clone(),
            redirect_uri,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ConfigRow {
    organization_id: String,
    issuer: String,
    client_id: String,
    sealed_client_secret: String,
    client_secret_last4: String,
    role_rules: String,
    default_role_ids: String,
    sso_required_since: Option<String>,
    break_glass_user_ids: String,
}

/// A sign-in sent to the provider, as kept until its callback.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingSso {
    pub organization_id: String,
    pub nonce: String,
    pub sealed_pkce_verifier: String,
    pub expires_at: String,
}

impl Storage {
    /// The organization's single sign-on, if configured.
    pub async fn sso_config(
        &self,
        organization_id: &str,
    ) -> Result<Option<SsoConfig>, sqlx::Error> {
        let row: Option<ConfigRow> = sqlx::query_as(
            "SELECT organization_id, issuer, client_id, sealed_client_secret, client_secret_last4, \
             role_rules, default_role_ids, sso_required_since, break_glass_user_ids \
             FROM sso_configs WHERE organization_id = $1",
        )
        .bind(organization_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let domains: Vec<(String,)> = sqlx::query_as(
            "SELECT domain FROM sso_domains WHERE organization_id = $1 ORDER BY domain",
        )
        .bind(organization_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(SsoConfig {
            organization_id: row.organization_id,
            issuer: row.issuer,
            client_id: row.client_id,
            sealed_client_secret: row.sealed_client_secret,
            client_secret_last4: row.client_secret_last4,
            email_domains: domains.into_iter().map(|(d,)| d).collect(),
            role_rules: serde_json::from_str(&row.role_rules).unwrap_or_default(),
            default_role_ids: serde_json::from_str(&row.default_role_ids).unwrap_or_default(),
            require_sso: row.sso_required_since.is_some(),
            break_glass_user_ids: serde_json::from_str(&row.break_glass_user_ids)
                .unwrap_or_default(),
        }))
    }

    /// The organization an email domain belongs to, if any.
    pub async fn sso_organization_for(&self, domain: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT organization_id FROM sso_domains WHERE domain = $1")
                .bind(domain)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(o,)| o))
    }

    /// Writes the author's organization's configuration (replacing any),
    /// with its audit record. A domain another organization holds breaks
    /// [`super::Rule::SsoDomain`].
    pub async fn save_sso(&self, author: Author<'_>, c: &SsoConfig) -> Result<(), sqlx::Error> {
        let now = self.now();
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sso_domains WHERE organization_id = $1")
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sso_configs WHERE organization_id = $1")
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sso_configs (organization_id, issuer, client_id, sealed_client_secret, \
             client_secret_last4, role_rules, default_role_ids, sso_required_since, \
             break_glass_user_ids, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(author.organization_id)
        .bind(&c.issuer)
        .bind(&c.client_id)
        .bind(&c.sealed_client_secret)
        .bind(&c.client_secret_last4)
        .bind(serde_json::to_string(&c.role_rules).expect("rules serialize"))
        .bind(serde_json::to_string(&c.default_role_ids).expect("ids serialize"))
        .bind(c.require_sso.then_some(now.as_str()))
        .bind(serde_json::to_string(&c.break_glass_user_ids).expect("ids serialize"))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        for domain in &c.email_domains {
            sqlx::query("INSERT INTO sso_domains (domain, organization_id) VALUES ($1, $2)")
                .bind(domain)
                .bind(author.organization_id)
                .execute(&mut *tx)
                .await?;
        }
        let action = AuditAction::OrganizationSsoUpdated {
            issuer: c.issuer.clone(),
            client_id: c.client_id.clone(),
            email_domains: c.email_domains.clone(),
            require_sso: c.require_sso,
        };
        let target = super::audit::organization_target(&mut tx, author.organization_id).await?;
        self.record_change(&mut tx, author, action, target).await?;
        tx.commit().await
    }

    /// Removes the author's organization's single sign-on; `false` when there was none.
    pub async fn delete_sso(&self, author: Author<'_>) -> Result<bool, sqlx::Error> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sso_domains WHERE organization_id = $1")
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?;
        let removed = sqlx::query("DELETE FROM sso_configs WHERE organization_id = $1")
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            return Ok(false);
        }
        let target = super::audit::organization_target(&mut tx, author.organization_id).await?;
        self.record_change(
            &mut tx,
            author,
            AuditAction::OrganizationSsoRemoved {},
            target,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Keeps a sign-in sent to the provider until its callback.
    pub async fn save_sso_sign_in(
        &self,
        state_digest: &str,
        organization_id: &str,
        nonce: &str,
        sealed_pkce_verifier: &str,
        expires_at: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sso_sign_ins WHERE expires_at <= $1")
            .bind(self.now())
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sso_sign_ins (state_digest, organization_id, nonce, sealed_pkce_verifier, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(state_digest)
        .bind(organization_id)
        .bind(nonce)
        .bind(sealed_pkce_verifier)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Takes the sign-in a callback's state belongs to (once; expired ones are not returned).
    pub async fn take_sso_sign_in(
        &self,
        state_digest: &str,
    ) -> Result<Option<PendingSso>, sqlx::Error> {
        let now = self.now();
        let taken: Option<PendingSso> = sqlx::query_as(
            "DELETE FROM sso_sign_ins WHERE state_digest = $1 \
             RETURNING organization_id, nonce, sealed_pkce_verifier, expires_at",
        )
        .bind(state_digest)
        .fetch_optional(&self.pool)
        .await?;
        Ok(taken.filter(|p| p.expires_at > now))
    }

    /// Whether password sign-in is closed to this person: their
    /// organization requires single sign-on and they are not break-glass.
    pub async fn password_closed_by_sso(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<bool, sqlx::Error> {
        Ok(match self.sso_config(organization_id).await? {
            Some(c) => c.require_sso && !c.break_glass_user_ids.iter().any(|id| id == user_id),
            None => false,
        })
    }
}
