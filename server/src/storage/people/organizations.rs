//! Organizations: creating one with its first person, who holds Admin.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::roles::ADMIN_ROLE_ID;
use keydesk_contract::types::{Actor, ActorKind, AuditTarget, UserStatus};
use keydesk_contract::validation::ValidSignUp;

use super::{insert_user, NewUser};
use crate::storage::audit::AuditEntry;
use crate::storage::{new_id, Storage};

impl Storage {
    /// Creates an organization and its first user, who holds Admin. Returns the user id.
    pub async fn create_organization(
        &self,
        v: &ValidSignUp,
        password_hash: &str,
    ) -> Result<String, sqlx::Error> {
        let now = self.now();
        let organization_id = new_id("org");
        let user_id = new_id("usr");
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&organization_id)
            .bind(&v.organization)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        let new = NewUser {
            organization_id: &organization_id,
            id: &user_id,
            name: &v.name,
            email: &v.email,
            password_hash,
            status: UserStatus::Active,
            role_ids: &[ADMIN_ROLE_ID.into()],
            created_at: &now,
        };
        insert_user(&mut tx, new).await?;
        let actor = Actor {
            kind: ActorKind::User,
            id: user_id.clone(),
            name: v.name.clone(),
        };
        self.record(
            &mut tx,
            AuditEntry {
                organization_id: &organization_id,
                actor: &actor,
                action: AuditAction::OrganizationCreated {},
                target: AuditTarget::organization(organization_id.clone(), v.organization.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user_id)
    }
}
