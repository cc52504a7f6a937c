//! Credentials fetched per connection (redis-py's `CredentialProvider`), for passwords that
//! rotate: tokens of a cloud identity service, secrets read from a vault or a file.

use std::fmt;
use std::sync::Arc;

use crate::Result;

/// A user name and password for one connection's `AUTH` (or `HELLO 3 AUTH`).
///
/// Its `Debug` output never shows the password.
///
/// ```
/// let c = oxredis::Credentials::new(Some("app"), "s3cret");
/// assert!(!format!("{c:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// ACL user name; `None` for the `default` user.
    pub username: Option<String>,
    /// The password or token.
    pub password: String,
}

impl Credentials {
    /// Credentials for `username` (`None`: the default user) with `password`.
    pub fn new(username: Option<&str>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.map(str::to_owned),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

/// Supplies the credentials of every new connection (redis-py's `CredentialProvider`): the pool,
/// the async client's shared connection, pub/sub and dedicated connections all ask it when they
/// connect or reconnect, so a rotated password is picked up by the next connection while the
/// connections already authenticated keep working (Redis checks a password only at `AUTH`).
///
/// It is called from the connecting thread or task and should answer quickly (cache a token and
/// refresh it ahead of expiry rather than fetch it on every call). An error fails that connection
/// attempt with the error given.
///
/// # Examples
/// ```no_run
/// use std::sync::Arc;
/// use oxredis::{CredentialProvider, Credentials, Redis};
///
/// struct FromEnv;
/// impl CredentialProvider for FromEnv {
///     fn credentials(&self) -> oxredis::Result<Credentials> {
///         let password = std::env::var("REDIS_PASSWORD").unwrap_or_default();
///         Ok(Credentials::new(Some("app"), password))
///     }
/// }
///
/// let r = Redis::builder().credential_provider(Arc::new(FromEnv)).build();
/// ```
pub trait CredentialProvider: Send + Sync + 'static {
    /// The credentials for a connection being set up now.
    ///
    /// # Errors
    /// Any error: the connection attempt fails with it.
    fn credentials(&self) -> Result<Credentials>;
}

/// A shared [`CredentialProvider`] inside a [`ConnectionConfig`](crate::ConnectionConfig):
/// equal when it is the same provider, shown in `Debug` without its credentials.
#[derive(Clone)]
pub struct SharedCredentialProvider(pub Arc<dyn CredentialProvider>);

impl SharedCredentialProvider {
    /// Asks the provider for credentials.
    pub(crate) fn credentials(&self) -> Result<Credentials> {
        self.0.credentials()
    }
}

impl PartialEq for SharedCredentialProvider {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for SharedCredentialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialProvider")
    }
}
