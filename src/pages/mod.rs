//! One routed screen per file.
pub mod accept_invitation;
pub mod api_keys;
pub mod audit;
pub mod enrol_second_factor;
pub mod inventory;
pub mod my_account;
pub mod not_found;
pub mod people;
pub mod roles;
pub mod set_own_password;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
