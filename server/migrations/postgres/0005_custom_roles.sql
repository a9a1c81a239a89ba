-- Custom roles: an organization's own named sets of permissions. Built-in
-- roles are data in the contract crate, the same everywhere, and never here;
-- api_key_roles and user_roles name either kind by id.
CREATE TABLE roles (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    name             TEXT NOT NULL,
    -- lower-cased, NFC name: role names are unique per organization regardless of case
    name_key         TEXT NOT NULL,
    description      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    -- bumped by every change, so an edit decided on an older read is refused
    version          BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT roles_name_unique UNIQUE (organization_id, name_key)
);

CREATE TABLE role_permissions (
    role_id     TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission  TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
);

-- "Who holds this role?" is asked before every role removal and edit.
CREATE INDEX api_key_roles_by_role ON api_key_roles (role_id);
CREATE INDEX user_roles_by_role ON user_roles (role_id);

-- A custom role given to a key or person must exist in the same organization
-- when the assignment is written. The check runs inside the assigning
-- transaction, so a role removed between a request's validation and its write
-- fails the write (rule "role_exists") instead of leaving a dangling role id.
-- Built-in role ids never start with "role_". (The SQLite schema has the same
-- triggers in its own dialect.)
CREATE FUNCTION api_key_roles_role_exists() RETURNS trigger AS $$
BEGIN
    IF NEW.role_id LIKE 'role\_%' ESCAPE '\' AND NOT EXISTS (
        SELECT 1 FROM roles r JOIN api_keys k ON k.organization_id = r.organization_id
        WHERE r.id = NEW.role_id AND k.id = NEW.api_key_id) THEN
        RAISE EXCEPTION 'role_exists';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER api_key_roles_role_exists BEFORE INSERT ON api_key_roles
FOR EACH ROW EXECUTE FUNCTION api_key_roles_role_exists();

CREATE FUNCTION user_roles_role_exists() RETURNS trigger AS $$
BEGIN
    IF NEW.role_id LIKE 'role\_%' ESCAPE '\' AND NOT EXISTS (
        SELECT 1 FROM roles r JOIN users u ON u.organization_id = r.organization_id
        WHERE r.id = NEW.role_id AND u.id = NEW.user_id) THEN
        RAISE EXCEPTION 'role_exists';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER user_roles_role_exists BEFORE INSERT ON user_roles
FOR EACH ROW EXECUTE FUNCTION user_roles_role_exists();
