//! Reusable pieces of the screens. Each takes its data and callbacks as props,
//! so tests can mount and drive it without a server.

pub mod add_person_dialog;
pub mod auth_card;
pub mod change_roles_dialog;
pub mod clipboard;
pub mod create_key_dialog;
pub mod data_boundary;
pub mod deactivate_dialog;
pub mod delete_role_dialog;
pub mod disable_key_dialog;
pub mod double_check;
pub mod edit_key_dialog;
pub mod error_panel;
pub mod field;
pub mod generated_key_dialog;
pub mod inventory_matrix;
pub mod invitation_link;
pub mod key_details;
pub mod key_filters;
pub mod key_usage_dialog;
pub mod keys_table;
pub mod loading;
pub mod modal;
pub mod new_link_dialog;
pub mod permission_list;
pub mod permission_picker;
pub mod regenerate_dialog;
pub mod remove_key_dialog;
pub mod require_session;
pub mod role_dialog;
pub mod roles_picker;
pub mod shell;
