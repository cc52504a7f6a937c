//! TLS settings ([`TlsOptions`]) and, with the `tls` feature, the rustls client configuration
//! built from them once and shared by every connection of both clients.
//!
//! The settings are plain data, so a `rediss://` URL parses in any build; connecting over TLS
//! needs the `tls` cargo feature (on by default), else it fails with
//! [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).

use std::path::{Path, PathBuf};
#[cfg(feature = "tls")]
use std::sync::{Arc, OnceLock};

/// The oldest TLS version a connection accepts ([`TlsOptions::min_version`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2 or 1.3 (the default). rustls has no older versions, so redis-py's
    /// `ssl_min_version=TLSv1` and `TLSv1_1` also mean this.
    #[default]
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

/// Where a certificate or key comes from.
#[derive(Clone, PartialEq, Eq)]
enum Source {
    File(PathBuf),
    Pem(Vec<u8>),
}

#[cfg(feature = "tls")]
impl Source {
    /// The PEM text, read from the file if need be.
    fn read(&self, what: &str) -> crate::Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Source::Pem(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            Source::File(path) => std::fs::read(path).map(Into::into).map_err(|e| {
                crate::Error::with_source(
                    crate::ErrorKind::InvalidConfig,
                    format!("TLS: cannot read the {what} file {}", path.display()),
                    e,
                )
            }),
        }
    }

    /// For error messages: the path, or "the PEM bytes given".
    fn describe(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Pem(_) => "the PEM bytes given".into(),
        }
    }
}

/// TLS settings for `rediss://` connections: which certificate authorities to trust, the
/// client certificate for mutual TLS, the name to verify, the oldest version, and the two
/// explicitly dangerous switches that turn verification off.
///
/// Set them with the `tls_*` methods of [`ClientBuilder`](crate::ClientBuilder), with
/// redis-py's `ssl_*` URL options (see [`ConnectionConfig::from_url`](crate::ConnectionConfig::from_url)),
/// or here, and put them in [`ConnectionConfig::tls`](crate::ConnectionConfig::tls).
///
/// **Trust.** The server's certificate must chain to a trusted CA and name the host connected
/// to (or [`server_name`](Self::server_name)). The trusted CAs are those of
/// [`ca_file`](Self::ca_file), [`ca_dir`](Self::ca_dir) and [`ca_pem`](Self::ca_pem); when none
/// is given, the platform's trust store (read with `rustls-native-certs`) instead.
/// [`platform_roots`](Self::platform_roots) adds or removes the platform's store explicitly.
///
/// The files are read, and the rustls configuration built, once, at the first connection; every
/// later connection of every clone of the config shares it. Changing an option gives a fresh
/// one.
///
/// `Debug` shows every setting but never the bytes of a private key.
///
/// # Examples
/// ```
/// use oxredis::tls::{TlsOptions, TlsVersion};
/// let tls = TlsOptions::new()
///     .ca_file("/etc/redis/ca.crt")
///     .client_cert_files("/etc/redis/client.crt", "/etc/redis/client.key")
///     .min_version(TlsVersion::Tls13);
/// assert!(tls.verifies_certs() && tls.verifies_hostname());
/// let shown = format!("{:?}", TlsOptions::new().client_cert_pem(b"CERT".to_vec(), b"KEY".to_vec()));
/// assert!(!shown.contains("KEY") && shown.contains(r#"client_key: Some("***")"#), "{shown}");
/// ```
#[derive(Clone, Default)]
pub struct TlsOptions {
    ca_file: Option<PathBuf>,
    ca_dir: Option<PathBuf>,
    ca_pem: Option<Vec<u8>>,
    platform_roots: Option<bool>,
    client_cert: Option<Source>,
    client_key: Option<Source>,
    server_name: Option<String>,
    min_version: TlsVersion,
    accept_invalid_certs: bool,
    accept_invalid_hostnames: bool,
    /// The rustls configuration, built at the first connection and shared by clones.
    #[cfg(feature = "tls")]
    built: Arc<OnceLock<Arc<rustls::ClientConfig>>>,
}

impl PartialEq for TlsOptions {
    /// The settings; the built configuration is not compared.
    fn eq(&self, other: &Self) -> bool {
        self.ca_file == other.ca_file
            && self.ca_dir == other.ca_dir
            && self.ca_pem == other.ca_pem
            && self.platform_roots == other.platform_roots
            && self.client_cert == other.client_cert
            && self.client_key == other.client_key
            && self.server_name == other.server_name
            && self.min_version == other.min_version
            && self.accept_invalid_certs == other.accept_invalid_certs
            && self.accept_invalid_hostnames == other.accept_invalid_hostnames
    }
}

impl std::fmt::Debug for TlsOptions {
    /// Every setting; a client key given as PEM bytes shows as `"***"`, CA bytes by length.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cert = |s: &Option<Source>, secret: bool| match s {
            None => None,
            Some(Source::File(p)) => Some(p.display().to_string()),
            Some(Source::Pem(_)) if secret => Some("***".to_owned()),
            Some(Source::Pem(b)) => Some(format!("<{} PEM bytes>", b.len())),
        };
        f.debug_struct("TlsOptions")
            .field("ca_file", &self.ca_file)
            .field("ca_dir", &self.ca_dir)
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .field("platform_roots", &self.platform_roots)
            .field("client_cert", &cert(&self.client_cert, false))
            .field("client_key", &cert(&self.client_key, true))
            .field("server_name", &self.server_name)
            .field("min_version", &self.min_version)
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field("accept_invalid_hostnames", &self.accept_invalid_hostnames)
            .finish()
    }
}

impl TlsOptions {
    /// The defaults: verify the certificate and host name against the platform's trust store,
    /// TLS 1.2 or later, no client certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the built configuration: a setting changed.
    #[cfg_attr(not(feature = "tls"), allow(unused_mut))]
    fn changed(mut self) -> Self {
        #[cfg(feature = "tls")]
        {
            self.built = Arc::default();
        }
        self
    }

    /// Trust the CA certificates of this PEM file (redis-py's `ssl_ca_certs`).
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self.changed()
    }

    /// Trust the CA certificates of every PEM file in this directory (redis-py's
    /// `ssl_ca_path`); files that hold no certificate are skipped.
    pub fn ca_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_dir = Some(path.into());
        self.changed()
    }

    /// Trust the CA certificates in these PEM bytes (redis-py's `ssl_ca_data`).
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self.changed()
    }

    /// Also trust (`true`) or do not trust (`false`) the platform's store of CA certificates.
    /// Default: trusted only when no CA is given.
    pub fn platform_roots(mut self, on: bool) -> Self {
        self.platform_roots = Some(on);
        self.changed()
    }

    /// Present this client certificate (mutual TLS; redis-py's `ssl_certfile` and
    /// `ssl_keyfile`): a PEM file with the certificate chain and one with its private key
    /// (PKCS#8, PKCS#1 or SEC1). Encrypted keys are not supported.
    pub fn client_cert_files(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.client_cert = Some(Source::File(cert.into()));
        self.client_key = Some(Source::File(key.into()));
        self.changed()
    }

    /// Present the client certificate chain and private key found together in one PEM file
    /// (redis-py's `ssl_certfile` without `ssl_keyfile`).
    pub fn client_cert_and_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.client_cert = Some(Source::File(path.into()));
        self.client_key = None;
        self.changed()
    }

    /// Present this client certificate chain and key, given as PEM bytes (mutual TLS).
    pub fn client_cert_pem(mut self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.client_cert = Some(Source::Pem(cert.into()));
        self.client_key = Some(Source::Pem(key.into()));
        self.changed()
    }

    /// The client certificate file alone (the URL's `ssl_certfile`).
    pub(crate) fn set_client_cert_file(&mut self, path: PathBuf) {
        self.client_cert = Some(Source::File(path));
        *self = std::mem::take(self).changed();
    }

    /// The client key file alone (the URL's `ssl_keyfile`).
    pub(crate) fn set_client_key_file(&mut self, path: PathBuf) {
        self.client_key = Some(Source::File(path));
        *self = std::mem::take(self).changed();
    }

    /// The name sent as SNI and verified against the certificate, instead of the host connected
    /// to (e.g. connecting to an IP address whose certificate names a DNS name).
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self.changed()
    }

    /// The oldest TLS version accepted (redis-py's `ssl_min_version`); default
    /// [`TlsVersion::Tls12`].
    pub fn min_version(mut self, version: TlsVersion) -> Self {
        self.min_version = version;
        self.changed()
    }

    /// **Dangerous.** `true` accepts ANY server certificate, unverified: anyone on the path can
    /// impersonate the server and read everything, passwords included. For tests and
    /// throw-away setups only (redis-py's `ssl_cert_reqs=none`).
    pub fn danger_accept_invalid_certs(mut self, on: bool) -> Self {
        self.accept_invalid_certs = on;
        self.changed()
    }

    /// **Dangerous.** `true` accepts a certificate from a trusted CA even if it was issued for
    /// another host name, so any holder of a certificate from that CA can impersonate the
    /// server (redis-py's `ssl_check_hostname=false`).
    pub fn danger_accept_invalid_hostnames(mut self, on: bool) -> Self {
        self.accept_invalid_hostnames = on;
        self.changed()
    }

    /// Whether the server's certificate chain is verified (not
    /// [`danger_accept_invalid_certs`](Self::danger_accept_invalid_certs)).
    pub fn verifies_certs(&self) -> bool {
        !self.accept_invalid_certs
    }

    /// Whether the certificate must name the host (neither dangerous switch is on).
    pub fn verifies_hostname(&self) -> bool {
        !self.accept_invalid_certs && !self.accept_invalid_hostnames
    }

    /// The oldest TLS version accepted.
    pub fn tls_min_version(&self) -> TlsVersion {
        self.min_version
    }

    /// The CA file, if set.
    pub fn ca_file_path(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The CA directory, if set.
    pub fn ca_dir_path(&self) -> Option<&Path> {
        self.ca_dir.as_deref()
    }

    /// The client certificate file, if one is set as a file.
    pub fn client_cert_path(&self) -> Option<&Path> {
        match &self.client_cert {
            Some(Source::File(p)) => Some(p),
            _ => None,
        }
    }

    /// The client key file, if one is set as a file.
    pub fn client_key_path(&self) -> Option<&Path> {
        match &self.client_key {
            Some(Source::File(p)) => Some(p),
            _ => None,
        }
    }

    /// The SNI / verification name override, if set.
    pub fn server_name_override(&self) -> Option<&str> {
        self.server_name.as_deref()
    }
}

#[cfg(feature = "tls")]
fn invalid(msg: impl Into<String>) -> crate::Error {
    crate::Error::new(crate::ErrorKind::InvalidConfig, msg)
}

/// What kind of TLS failure an error is ([`Error::tls_failure`](crate::Error::tls_failure)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server's certificate does not chain to a trusted CA.
    UnknownCa,
    /// The certificate is valid but names another host.
    HostnameMismatch,
    /// The certificate has expired or is not valid yet.
    Expired,
    /// The certificate was rejected for another reason.
    BadCertificate,
    /// The server refused the handshake (a TLS alert), e.g. because it requires a client
    /// certificate that was not given or that it does not trust.
    RejectedByServer,
    /// Any other TLS error.
    Other,
}

#[cfg(feature = "tls")]
pub(crate) use imp::*;

#[cfg(feature = "tls")]
mod imp {
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::client::WebPkiServerVerifier;
    use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
    use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

    use super::{invalid, TlsFailure, TlsOptions, TlsVersion};
    use crate::{Error, ErrorKind, Result};

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// Every certificate in `pem`; an error if there is none.
    fn certs(pem: &[u8], what: &str, from: &str) -> Result<Vec<CertificateDer<'static>>> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("TLS: bad PEM in the {what} {from}: {e}")))?;
        if certs.is_empty() {
            return Err(invalid(format!("TLS: no certificate in the {what} {from}")));
        }
        Ok(certs)
    }

    fn add_certs(roots: &mut RootCertStore, pem: &[u8], from: &str) -> Result<()> {
        for cert in certs(pem, "CA", from)? {
            roots
                .add(cert)
                .map_err(|e| invalid(format!("TLS: unusable CA certificate in {from}: {e}")))?;
        }
        Ok(())
    }

    fn read_file(path: &std::path::Path, what: &str) -> Result<Vec<u8>> {
        std::fs::read(path).map_err(|e| {
            Error::with_source(
                ErrorKind::InvalidConfig,
                format!("TLS: cannot read the {what} {}", path.display()),
                e,
            )
        })
    }

    fn roots(o: &TlsOptions) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        if let Some(path) = &o.ca_file {
            add_certs(
                &mut roots,
                &read_file(path, "CA file")?,
                &path.display().to_string(),
            )?;
        }
        if let Some(dir) = &o.ca_dir {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                Error::with_source(
                    ErrorKind::InvalidConfig,
                    format!("TLS: cannot read the CA directory {}", dir.display()),
                    e,
                )
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                if !path.is_file() {
                    continue;
                }
                // Like OpenSSL's CApath: files that hold no certificate are skipped.
                if let Ok(pem) = std::fs::read(&path) {
                    if let Ok(found) = certs(&pem, "CA", "") {
                        for cert in found {
                            let _ = roots.add(cert);
                        }
                    }
                }
            }
        }
        if let Some(pem) = &o.ca_pem {
            add_certs(&mut roots, pem, "PEM bytes given")?;
        }
        let given = o.ca_file.is_some() || o.ca_dir.is_some() || o.ca_pem.is_some();
        if o.platform_roots.unwrap_or(!given) {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = roots.add(cert);
            }
        }
        if roots.is_empty() {
            return Err(invalid(if given {
                "TLS: no usable CA certificate in the CA file, directory or PEM given"
            } else {
                "TLS: the platform's trust store has no CA certificate; give a CA file"
            }));
        }
        Ok(roots)
    }

    fn client_identity(
        o: &TlsOptions,
    ) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>> {
        let Some(cert_src) = &o.client_cert else {
            if o.client_key.is_some() {
                return Err(invalid(
                    "TLS: a client key was given without a client certificate",
                ));
            }
            return Ok(None);
        };
        let cert_pem = cert_src.read("client certificate")?;
        let chain = certs(&cert_pem, "client certificate", &cert_src.describe())?;
        let key_src = o.client_key.as_ref().unwrap_or(cert_src);
        let key_pem = key_src.read("client key")?;
        // Never quote the key's bytes or the PEM parser's view of them.
        let text = String::from_utf8_lossy(&key_pem);
        if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "TLS: the client key in {} is encrypted; oxredis cannot decrypt keys \
                     (redis-py's ssl_password is not supported): decrypt it first, e.g. \
                     `openssl pkey -in KEY -out KEY.plain`",
                    key_src.describe()
                ),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
            invalid(format!(
                "TLS: no usable private key (PKCS#8, PKCS#1 or SEC1 PEM) in {}",
                key_src.describe()
            ))
        })?;
        Ok(Some((chain, key)))
    }

    /// Accepts any certificate chain, still checking the handshake signatures
    /// ([`TlsOptions::danger_accept_invalid_certs`]).
    #[derive(Debug)]
    struct AcceptAnyCert(Arc<CryptoProvider>);

    impl ServerCertVerifier for AcceptAnyCert {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> std::result::Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// The web PKI verifier, except that a certificate for another name is accepted
    /// ([`TlsOptions::danger_accept_invalid_hostnames`]). webpki checks the chain before the
    /// name, so a name error means the chain was good.
    #[derive(Debug)]
    struct AnyHostname(Arc<WebPkiServerVerifier>);

    impl ServerCertVerifier for AnyHostname {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp_response: &[u8],
            now: UnixTime,
        ) -> std::result::Result<ServerCertVerified, rustls::Error> {
            match self.0.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                )) => Ok(ServerCertVerified::assertion()),
                other => other,
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_verify_schemes()
        }
    }

    fn build(o: &TlsOptions) -> Result<rustls::ClientConfig> {
        let provider = provider();
        let versions: &[&rustls::SupportedProtocolVersion] = match o.min_version {
            TlsVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
            TlsVersion::Tls13 => &[&rustls::version::TLS13],
        };
        let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(versions)
            .map_err(|e| invalid(format!("TLS: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = if o.accept_invalid_certs {
            Arc::new(AcceptAnyCert(Arc::clone(&provider)))
        } else {
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots(o)?), provider)
                .build()
                .map_err(|e| invalid(format!("TLS: {e}")))?;
            if o.accept_invalid_hostnames {
                Arc::new(AnyHostname(webpki))
            } else {
                webpki
            }
        };
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        match client_identity(o)? {
            Some((chain, key)) => builder.with_client_auth_cert(chain, key).map_err(|e| {
                invalid(format!(
                    "TLS: the client certificate and key do not fit together or are unusable: {e}"
                ))
            }),
            None => Ok(builder.with_no_client_auth()),
        }
    }

    /// The rustls configuration for `o`: built at the first call, then shared.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] for a file that cannot be read or holds no usable
    /// certificate or key; [`ErrorKind::Unsupported`] for an encrypted key.
    pub(crate) fn client_config(o: &TlsOptions) -> Result<Arc<rustls::ClientConfig>> {
        if let Some(built) = o.built.get() {
            return Ok(Arc::clone(built));
        }
        let built = Arc::new(build(o)?);
        // Two first connections racing both build; the first stored wins, both work.
        Ok(Arc::clone(o.built.get_or_init(|| built)))
    }

    /// The name to send as SNI and verify: the override, else the host.
    pub(crate) fn server_name(o: &TlsOptions, host: &str) -> Result<ServerName<'static>> {
        let name = o.server_name.as_deref().unwrap_or(host);
        ServerName::try_from(name.to_owned())
            .map_err(|_| invalid(format!("TLS: {name:?} is not a valid server name")))
    }

    /// Which kind of TLS failure `e` is.
    pub(crate) fn classify(e: &rustls::Error) -> TlsFailure {
        use rustls::Error as R;
        match e {
            R::InvalidCertificate(c) => match c {
                CertificateError::UnknownIssuer => TlsFailure::UnknownCa,
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => TlsFailure::HostnameMismatch,
                CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. } => TlsFailure::Expired,
                _ => TlsFailure::BadCertificate,
            },
            R::AlertReceived(_) => TlsFailure::RejectedByServer,
            _ => TlsFailure::Other,
        }
    }

    /// The rustls error inside an I/O error from a TLS stream, if that is what it is.
    pub(crate) fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
        e.get_ref()?.downcast_ref::<rustls::Error>()
    }

    /// The error for a TLS failure talking to `name` (the verified name): a connection error
    /// whose message says what failed, with the rustls error as its source.
    pub(crate) fn tls_error(name: Option<&str>, e: &rustls::Error) -> Error {
        use rustls::Error as R;
        let host = name.map(|n| format!(" {n}")).unwrap_or_default();
        let message = match classify(e) {
            TlsFailure::UnknownCa => {
                "TLS: the server's certificate is not trusted (unknown CA)".to_owned()
            }
            TlsFailure::HostnameMismatch => {
                format!("TLS: the server's certificate is not valid for host{host}")
            }
            TlsFailure::Expired => {
                "TLS: the server's certificate has expired or is not valid yet".to_owned()
            }
            TlsFailure::BadCertificate => {
                format!("TLS: the server's certificate was rejected: {e}")
            }
            TlsFailure::RejectedByServer => {
                use rustls::AlertDescription as A;
                let why = match e {
                    R::AlertReceived(A::CertificateRequired) => "it requires a client certificate",
                    R::AlertReceived(
                        A::BadCertificate
                        | A::UnknownCA
                        | A::CertificateUnknown
                        | A::UnsupportedCertificate
                        | A::CertificateExpired
                        | A::AccessDenied,
                    ) => "it does not accept the client certificate",
                    R::AlertReceived(A::ProtocolVersion) => {
                        "no TLS version in common (check the minimum version)"
                    }
                    _ => "it may require a client certificate, or not accept the one given",
                };
                format!("TLS: the server refused the connection ({e}): {why}")
            }
            TlsFailure::Other => format!("TLS error: {e}"),
        };
        Error::with_source(ErrorKind::Connection, message, e.clone())
    }

    /// A connect-time I/O error from the TLS handshake: a TLS failure with its message, any
    /// other error as usual.
    pub(crate) fn handshake_error(name: &str, e: std::io::Error) -> Error {
        if let Some(tls) = rustls_error(&e) {
            return tls_error(Some(name), tls);
        }
        match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Error::with_source(
                ErrorKind::Timeout,
                format!("timed out in the TLS handshake with {name}"),
                e,
            ),
            _ => e.into(),
        }
    }
}

#[cfg(all(test, feature = "tls"))]
mod tests {
    use super::*;

    #[allow(clippy::unwrap_used, reason = "test helper")]
    fn ca_pem() -> String {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn the_rustls_config_is_built_once_and_shared_by_clones() {
        let o = TlsOptions::new().ca_pem(ca_pem());
        let first = client_config(&o).unwrap();
        let clone = o.clone();
        assert!(Arc::ptr_eq(&first, &client_config(&o).unwrap()));
        assert!(Arc::ptr_eq(&first, &client_config(&clone).unwrap()));
        // A changed option gets its own.
        let changed = clone.min_version(TlsVersion::Tls13);
        assert!(!Arc::ptr_eq(&first, &client_config(&changed).unwrap()));
        assert_eq!(changed.tls_min_version(), TlsVersion::Tls13);
    }

    #[test]
    fn unusable_material_is_a_config_error_without_key_bytes() {
        let e =
            client_config(&TlsOptions::new().ca_pem(b"not a certificate".to_vec())).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidConfig, "{e}");
        let key =
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n";
        let o = TlsOptions::new()
            .ca_pem(ca_pem())
            .client_cert_pem(ca_pem(), key);
        let e = client_config(&o).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidConfig, "{e}");
        for shown in [e.to_string(), format!("{e:?}"), format!("{o:?}")] {
            assert!(!shown.contains("c2VjcmV0"), "{shown}");
        }
        let e = client_config(&TlsOptions::new().server_name("x").ca_pem(ca_pem()))
            .and_then(|_| server_name(&TlsOptions::new().server_name("bad name!"), "h"))
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidConfig, "{e}");
    }
}
