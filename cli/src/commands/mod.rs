//! One module per subcommand.

pub mod demo;
pub mod keygen;
pub mod sign;
pub mod verify;
pub mod verify_notification;
pub mod verify_response;
