//! The CA certificates a URL names (`sslrootcert` for PostgreSQL, `ssl-ca` for MySQL): the PEM file of
//! the certificate authority that signed the server's certificate, read once when the URL is parsed so
//! a path that cannot be read is a configuration error before any connection.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, Result};

/// The certificates of the PEM file at `path`, named by the URL's `parameter`, for a server of
/// `product`.
///
/// # Errors
/// [`Error::Config`] when the file cannot be read or holds no certificate.
pub(crate) fn ca_certificates(
    path: &str,
    parameter: &str,
    product: &str,
) -> Result<Vec<CertificateDer<'static>>> {
    let unreadable = |error: &dyn std::fmt::Display| {
        Error::config(format!(
            "cannot read the CA certificates of {parameter}={path}: {error} (a PEM file of the \
             certificate authority that signed the {product} server's certificate)"
        ))
    };
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|error| unreadable(&error))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|error| unreadable(&error))?;
    if certificates.is_empty() {
        return Err(unreadable(&"it holds no certificate"));
    }
    Ok(certificates)
}
