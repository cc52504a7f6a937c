//! oxredis: a complete, fast Redis client modelled on redis-py.

pub mod error;
pub mod resp;
mod value;

pub use error::{Error, ErrorKind, Result, ServerError};
pub use value::Value;
