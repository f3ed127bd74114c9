//! One module per subcommand.

pub mod demo;
pub mod keygen;
pub mod sign;
pub mod verify;
