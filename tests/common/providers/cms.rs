//! A detached CMS SignedData built by hand, as VNPT SmartCA and Viettel MySign return one:
//! a small DER writer, signed attributes (contentType, messageDigest = the hash the
//! provider was sent, signingTime, ESS signingCertificateV2 as CAdES B-B asks), their
//! SHA-256 signed by a callback (the openssl CLI in the mocks), and the certificate.
//! Independent of the library's own CMS code on purpose: the test checks the vault
//! against a second implementation (and `openssl cms -verify` checks this one).

use sha2::{Digest, Sha256};

/// One DER TLV (tag < 31, any length).
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

pub fn set(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

/// An OBJECT IDENTIFIER from its dotted form.
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            groups.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        body.extend(groups.iter().rev());
    }
    tlv(0x06, &body)
}

/// Reads one TLV at the start of `der`: (tag, content, the whole TLV, what follows).
pub fn read(der: &[u8]) -> (u8, &[u8], &[u8], &[u8]) {
    let tag = der[0];
    let (len, head) = match der[1] {
        n if n < 0x80 => (n as usize, 2),
        n => {
            let k = (n & 0x7f) as usize;
            let len = der[2..2 + k].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
            (len, 2 + k)
        }
    };
    (tag, &der[head..head + len], &der[..head + len], &der[head + len..])
}

/// The issuer Name and serialNumber INTEGER of a certificate, as DER TLVs.
pub fn issuer_and_serial(cert: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (_, certificate, _, _) = read(cert);
    let (_, tbs, _, _) = read(certificate);
    let mut rest = tbs;
    if rest[0] == 0xa0 {
        rest = read(rest).3; // [0] version
    }
    let (_, _, serial, rest) = read(rest);
    let (_, _, _, rest) = read(rest); // signature algorithm
    let (_, _, issuer, _) = read(rest);
    (issuer.to_vec(), serial.to_vec())
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

const ID_DATA: &str = "1.2.840.113549.1.7.1";
const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

fn attribute(typ: &str, value: &[u8]) -> Vec<u8> {
    seq(&[&oid(typ), &set(&[value])])
}

/// The DER `SET OF Attribute` (sorted, as DER wants) that is signed.
pub fn signed_attributes(message_digest: &[u8], cert: &[u8]) -> Vec<u8> {
    let now = time::OffsetDateTime::now_utc();
    let utc = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        now.year() % 100,
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let (issuer, serial) = issuer_and_serial(cert);
    // ESSCertIDv2 { certHash, issuerSerial { GeneralNames { [4] directoryName }, serial } }
    let issuer_serial = seq(&[&seq(&[&tlv(0xa4, &issuer)]), &serial]);
    let ess = seq(&[&seq(&[&seq(&[&tlv(0x04, &sha256(cert)), &issuer_serial])])]);
    let mut attributes = [
        attribute("1.2.840.113549.1.9.3", &oid(ID_DATA)),
        attribute("1.2.840.113549.1.9.4", &tlv(0x04, message_digest)),
        attribute("1.2.840.113549.1.9.5", &tlv(0x17, utc.as_bytes())),
        attribute("1.2.840.113549.1.9.16.2.47", &ess),
    ];
    attributes.sort();
    set(&attributes.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

/// A detached CMS (DER ContentInfo) whose messageDigest is `message_digest`, signed by
/// `cert`'s key through `sign` (given the SHA-256 of the signed attributes, it returns an
/// RSA PKCS#1 v1.5 signature), carrying `cert`.
pub fn detached(message_digest: &[u8], cert: &[u8], sign: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let attributes = signed_attributes(message_digest, cert);
    let signature = sign(&sha256(&attributes));
    let (issuer, serial) = issuer_and_serial(cert);
    let sha256_id = seq(&[&oid(SHA256)]);
    let rsa_id = seq(&[&oid(RSA_ENCRYPTION), &[0x05, 0x00]]);
    let signer_info = seq(&[
        &[0x02, 0x01, 0x01],
        &seq(&[&issuer, &serial]),
        &sha256_id,
        // [0] IMPLICIT: the same content as the SET that was signed.
        &tlv(0xa0, read(&attributes).1),
        &rsa_id,
        &tlv(0x04, &signature),
    ]);
    let signed_data = seq(&[
        &[0x02, 0x01, 0x01],
        &set(&[&sha256_id]),
        &seq(&[&oid(ID_DATA)]),
        &tlv(0xa0, cert),
        &set(&[&signer_info]),
    ]);
    seq(&[&oid(ID_SIGNED_DATA), &tlv(0xa0, &signed_data)])
}
