//! Where a certificate says its revocation data is: the URIs of its CRL distribution
//! points (RFC 5280 §4.2.1.13) and of its OCSP responders (authorityInfoAccess
//! id-ad-ocsp, RFC 5280 §4.2.2.1). What the vault's refresh fetches.

use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

/// id-ad-ocsp.
const OID_AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
/// Most URIs read from one certificate (a certificate names one or two; a crafted one
/// must not make the refresh fetch thousands).
const MAX_URIS: usize = 8;

/// The URIs of the full names of `cert`'s CRL distribution points, in order, once each.
pub fn crl_uris(cert: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = X509Certificate::from_der(cert) else {
        return Vec::new();
    };
    let mut uris = Vec::new();
    for ext in cert.extensions() {
        let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() else {
            continue;
        };
        for point in points.iter() {
            if let Some(DistributionPointName::FullName(names)) = &point.distribution_point {
                push_uris(&mut uris, names);
            }
        }
    }
    uris
}

/// The URIs of `cert`'s OCSP responders (authorityInfoAccess, id-ad-ocsp), in order.
pub fn ocsp_uris(cert: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = X509Certificate::from_der(cert) else {
        return Vec::new();
    };
    let mut uris = Vec::new();
    for ext in cert.extensions() {
        let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() else {
            continue;
        };
        let names: Vec<GeneralName<'_>> = aia
            .accessdescs
            .iter()
            .filter(|d| d.access_method.to_id_string() == OID_AD_OCSP)
            .map(|d| d.access_location.clone())
            .collect();
        push_uris(&mut uris, &names);
    }
    uris
}

fn push_uris(uris: &mut Vec<String>, names: &[GeneralName<'_>]) {
    for name in names {
        if let GeneralName::URI(uri) = name {
            if uris.len() < MAX_URIS && !uris.iter().any(|u| u == uri) {
                uris.push((*uri).to_owned());
            }
        }
    }
}
