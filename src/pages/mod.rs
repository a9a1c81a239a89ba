//! One routed screen per file.
pub mod home;
pub mod not_found;
