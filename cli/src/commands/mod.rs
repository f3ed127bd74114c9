//! One module per subcommand.

pub mod auth_url;
pub mod cert_sn;
pub mod demo;
pub mod emulator;
pub mod keygen;
pub mod orders;
pub mod registry;
pub mod sign;
pub mod v3;
pub mod verify;
pub mod verify_notification;
pub mod verify_response;
