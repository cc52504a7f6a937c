//! Certificates made at test time (with `rcgen`) for TLS servers and clients.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

/// A test PKI written as PEM files into a directory: a CA, a server certificate it signed for
/// `localhost` and `127.0.0.1` (X.509 v3, subjectAltName `DNS:localhost, IP:127.0.0.1`), a client
/// certificate it signed (for mutual TLS), and a second, unrelated CA with its own server
/// certificate (for "unknown CA" cases).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The CA certificate that signed the server and client certificates.
    pub ca_cert: PathBuf,
    /// The server certificate (signed by [`ca_cert`](Self::ca_cert)).
    pub server_cert: PathBuf,
    /// The server certificate's private key (PKCS#8 PEM).
    pub server_key: PathBuf,
    /// A client certificate (signed by [`ca_cert`](Self::ca_cert)).
    pub client_cert: PathBuf,
    /// The client certificate's private key (PKCS#8 PEM).
    pub client_key: PathBuf,
    /// Another CA, which signed nothing the server uses: trusting only it fails.
    pub other_ca_cert: PathBuf,
    /// A client certificate signed by the other CA (the server does not trust it).
    pub other_client_cert: PathBuf,
    /// Its private key.
    pub other_client_key: PathBuf,
}

fn ca(name: &str) -> (rcgen::Certificate, KeyPair) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().expect("CA key");
    let cert = params.self_signed(&key).expect("self-signed CA");
    (cert, key)
}

fn leaf(
    name: &str,
    sans: &[&str],
    issuer: &rcgen::Certificate,
    issuer_key: &KeyPair,
) -> (rcgen::Certificate, KeyPair) {
    let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(sans).expect("leaf params");
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    params.distinguished_name = dn;
    let key = KeyPair::generate().expect("leaf key");
    let cert = params
        .signed_by(&key, issuer, issuer_key)
        .expect("signed leaf");
    (cert, key)
}

fn write(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, pem).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

impl TlsFiles {
    /// Makes a fresh PKI (see the type docs) and writes it into `dir`.
    ///
    /// # Panics
    /// If a certificate cannot be made or written.
    pub fn generate(dir: &Path) -> TlsFiles {
        let (ca_cert, ca_key) = ca("oxredis test CA");
        let (server, server_key) =
            leaf("localhost", &["localhost", "127.0.0.1"], &ca_cert, &ca_key);
        let (client, client_key) = leaf("oxredis test client", &["client"], &ca_cert, &ca_key);
        let (other_ca, other_ca_key) = ca("unrelated CA");
        let (other_client, other_client_key) =
            leaf("unrelated client", &["client"], &other_ca, &other_ca_key);
        TlsFiles {
            ca_cert: write(dir, "ca.crt", &ca_cert.pem()),
            server_cert: write(dir, "server.crt", &server.pem()),
            server_key: write(dir, "server.key", &server_key.serialize_pem()),
            client_cert: write(dir, "client.crt", &client.pem()),
            client_key: write(dir, "client.key", &client_key.serialize_pem()),
            other_ca_cert: write(dir, "other-ca.crt", &other_ca.pem()),
            other_client_cert: write(dir, "other-client.crt", &other_client.pem()),
            other_client_key: write(dir, "other-client.key", &other_client_key.serialize_pem()),
        }
    }
}

/// Whether the server checks client certificates (`--tls-auth-clients`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsAuthClients {
    /// `no`: no client certificate asked for.
    #[default]
    No,
    /// `optional`: checked if given.
    Optional,
    /// `yes`: required (mutual TLS).
    Yes,
}

impl TlsAuthClients {
    pub(crate) fn arg(self) -> &'static str {
        match self {
            TlsAuthClients::No => "no",
            TlsAuthClients::Optional => "optional",
            TlsAuthClients::Yes => "yes",
        }
    }
}
