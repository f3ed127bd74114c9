//! TLS to PostgreSQL: rustls on the aws-lc-rs provider (the one crypto stack of the workspace), handed to
//! the driver through `tokio-postgres-rustls`. What the URL's `sslmode` asks for, as libpq does it:
//!
//! | `sslmode` | TLS | certificate checked |
//! | --- | --- | --- |
//! | absent, `disable`, `allow` | no | — |
//! | `prefer` | when the server offers it | no (encryption against passive listeners only) |
//! | `require` | yes | no, unless `sslrootcert` is given: then as `verify-ca` |
//! | `verify-ca` | yes | chain up to the roots; any host name |
//! | `verify-full` | yes | chain up to the roots and the host name |
//!
//! The roots are the PEM file `sslrootcert` names, or the Mozilla roots of `webpki-roots` when it is
//! absent or `system`. Without `sslmode`, no TLS is tried (libpq would try `prefer`): state
//! `sslmode=verify-full` for a server reached over a network you do not control.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{VerifierBuilderError, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result};
use crate::registry::server::tls::ca_certificates;

/// What the server's certificate must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verification {
    /// Encrypt only (`prefer`, `require` without `sslrootcert`).
    None,
    /// The chain up to the roots, any host name (`verify-ca`, `require` with `sslrootcert`).
    Chain,
    /// The chain and the host name (`verify-full`).
    Full,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The roots: the certificates of the PEM file `sslrootcert`, or the Mozilla roots.
fn roots(sslrootcert: Option<&str>) -> Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    match sslrootcert.filter(|path| *path != "system") {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            for certificate in ca_certificates(path, "sslrootcert", "PostgreSQL")? {
                roots.add(certificate).map_err(|error| {
                    Error::config(format!(
                        "the CA certificate of sslrootcert={path} is not usable: {error}"
                    ))
                })?;
            }
        }
    }
    Ok(roots)
}

/// The connector for `verification`, with the roots of `sslrootcert`.
///
/// # Errors
/// [`Error::Config`] when `sslrootcert` cannot be read or holds no usable certificate.
pub(crate) fn connector(
    verification: Verification,
    sslrootcert: Option<&str>,
) -> Result<MakeRustlsConnect> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| Error::config(format!("the TLS provider is unusable: {error}")))?;
    let built = |error: VerifierBuilderError| {
        Error::config(format!(
            "the CA certificates of sslrootcert cannot verify anything: {error}"
        ))
    };
    let config = match verification {
        Verification::Full => {
            let verifier = WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(sslrootcert)?),
                provider,
            )
            .build()
            .map_err(built)?;
            builder.with_webpki_verifier(verifier).with_no_client_auth()
        }
        Verification::Chain => {
            let inner = WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(sslrootcert)?),
                provider,
            )
            .build()
            .map_err(built)?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly { inner }))
                .with_no_client_auth()
        }
        Verification::None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly { provider }))
            .with_no_client_auth(),
    };
    Ok(MakeRustlsConnect::new(config))
}

/// `verify-ca`: the chain must lead to the roots; the name in the certificate is not compared with the
/// host (libpq's `verify-ca`).
#[derive(Debug)]
struct ChainOnly {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        // rustls checks the chain first and the name last: a name error means the chain is sound.
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
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
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// `require` without roots, `prefer`: any certificate (libpq's behaviour), the handshake's signatures
/// still checked, so the session is encrypted with the holder of the presented key.
#[derive(Debug)]
struct EncryptOnly {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for EncryptOnly {
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
            &self.provider.signature_verification_algorithms,
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
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
