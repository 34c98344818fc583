#!/usr/bin/env bash
# Makes a throwaway test PKI with the real `openssl` CLI, for the C, PHP and Java binding
# tests (never a long-lived key in the repository):
#   root.pem      the trust anchor (ECDSA P-256, CA:TRUE, keyCertSign + cRLSign)
#   officer.pem   the officer's certificate (RSA-2048, digitalSignature + nonRepudiation)
#   officer.key   the officer's private key (unencrypted PKCS#8 PEM): the "remote" signer
#   crl.pem       the root's current CRL (empty; valid 30 days)
#   root.der, officer.der, crl.der: the same in DER
# Usage: make-test-pki.sh <empty-or-new-directory>
set -euo pipefail
dir="${1:?usage: make-test-pki.sh <directory>}"
mkdir -p "$dir"
cd "$dir"
mkdir -p newcerts
: > index.txt
echo 1000 > serial
echo 01 > crlnumber
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
unique_subject = no
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = dn
[ dn ]
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_officer ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ crl_ext ]
authorityKeyIdentifier = keyid
CNF
q() { openssl "$@" 2>/dev/null || { openssl "$@"; exit 1; }; }
q req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -out root.pem \
    -subj "/CN=Test National Root CA" -days 3650 -config ca.cnf -extensions v3_ca
q genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out officer.key
q req -new -key officer.key -out officer.csr -subj "/CN=Test Officer" -config ca.cnf
q ca -batch -config ca.cnf -cert root.pem -keyfile root.key -in officer.csr -out officer.pem \
    -extensions v3_officer -notext
q ca -batch -config ca.cnf -cert root.pem -keyfile root.key -gencrl -crlexts crl_ext -out crl.pem
q x509 -in root.pem -outform DER -out root.der
q x509 -in officer.pem -outform DER -out officer.der
q crl -in crl.pem -outform DER -out crl.der
