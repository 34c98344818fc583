//! Generator for issue 17, class 3: directory names compared after RFC 4518 string
//! preparation (RFC 5280 §7.1) in name constraints and in issuer/subject chaining.
//!
//! `openssl` makes a root, intermediates with excluded and permitted directoryName
//! subtrees, and leaves whose subjects vary by case, spaces, Unicode compatibility forms,
//! string type (UTF8String, PrintableString, BMPString, TeletexString) and the order of a
//! multi-valued RDN. Each leaf is validated by the engine and by `openssl verify`; the
//! table is printed, and every variant must FAIL and every control PASS.

#[path = "common/chain.rs"]
mod chain;

use chain::{judge, Lab, Row};
use results_vault::verify::path::{validate, PathError, PathOptions};
use time::{Duration, OffsetDateTime};

const EXTENSIONS: &str = "
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ica_excluded]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical, excluded;dirName:excluded_dn
[excluded_dn]
O = Evil Corp
[ica_permitted]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical, permitted;dirName:permitted_dn
[permitted_dn]
O = Good Corp
[ica_multi]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical, excluded;dirName:multi_dn
[multi_dn]
OU = Sales
+O = Evil Corp
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

fn at() -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::minutes(1)
}

/// Issues one leaf per (subject, string mask) under `ica`, and judges each.
fn leaves(lab: &Lab, root: &[u8], ica: &str, cases: &[(&str, &str, &str, bool)]) -> Vec<Row> {
    let ica_der = lab.der(ica);
    let mut subjects = std::collections::HashSet::new();
    cases
        .iter()
        .enumerate()
        .map(|(i, &(case, subject, mask, expected_pass))| {
            let name = format!("{ica}-leaf{i}");
            lab.request(&name, subject, mask);
            let leaf = lab.sign(&name, ica, "leaf");
            // Every case is a different encoding (openssl kept the spaces, the types).
            let (_, parsed) = x509_parser::parse_x509_certificate(&leaf).unwrap();
            assert!(
                subjects.insert(parsed.subject().as_raw().to_vec()),
                "{case}: same bytes as another case"
            );
            let ours = validate(
                &leaf,
                std::slice::from_ref(&ica_der),
                &[root.to_vec()],
                &[],
                at(),
                &PathOptions::default(),
            )
            .map(|_| ())
            .map_err(|e| e.to_string());
            Row {
                case: format!("{ica}: {case}"),
                ours,
                openssl: lab.openssl_verify("root", &[ica], &name, &[]),
                expected_pass,
            }
        })
        .collect()
}

#[test]
fn excluded_and_permitted_directory_names_match_after_string_preparation() {
    let lab = Lab::new(EXTENSIONS);
    let root = lab.root("root", "/CN=Root CA", "ca");
    for ica in ["ica_excluded", "ica_permitted", "ica_multi"] {
        lab.request(ica, &format!("/CN={ica}"), "utf8only");
        lab.sign(ica, "root", ica);
    }
    let utf8 = "utf8only";
    let mut rows = leaves(
        &lab,
        &root,
        "ica_excluded",
        &[
            ("exact O=Evil Corp", "/O=Evil Corp/CN=Alice", utf8, false),
            ("upper case O=EVIL CORP", "/O=EVIL CORP/CN=Alice", utf8, false),
            ("lower case O=evil corp", "/O=evil corp/CN=Alice", utf8, false),
            ("two spaces O=Evil  Corp", "/O=Evil  Corp/CN=Alice", utf8, false),
            ("trailing spaces O=Evil Corp__", "/O=Evil Corp  /CN=Alice", utf8, false),
            ("PrintableString", "/O=Evil Corp/CN=Alice", "MASK:0x2", false),
            ("BMPString", "/O=Evil Corp/CN=Alice", "MASK:0x800", false),
            ("TeletexString, upper case", "/O=EVIL CORP/CN=Alice", "MASK:0x4", false),
            (
                "BMPString, mixed case and spaces",
                "/O=eViL   cOrP/CN=Alice",
                "MASK:0x800",
                false,
            ),
            (
                "no-break space O=Evil\\u00a0Corp",
                "/O=Evil\u{a0}Corp/CN=Alice",
                utf8,
                false,
            ),
            (
                "fullwidth and ideographic space (NFKC)",
                "/O=\u{ff25}\u{ff56}\u{ff49}\u{ff4c}\u{3000}\u{ff23}\u{ff4f}\u{ff52}\u{ff50}/CN=Alice",
                utf8,
                false,
            ),
            (
                "zero-width space mapped to nothing",
                "/O=Evil Corp\u{200b}/CN=Alice",
                utf8,
                false,
            ),
            (
                "below the excluded subtree",
                "/O=Evil Corp/OU=Sales/CN=Alice",
                utf8,
                false,
            ),
            (
                "control: another organisation",
                "/O=Evil Corporation/CN=Alice",
                utf8,
                true,
            ),
            ("control: O=Good Corp", "/O=Good Corp/CN=Alice", utf8, true),
            ("control: the same text as CN, not O", "/CN=Evil Corp", utf8, true),
        ],
    );
    rows.extend(leaves(
        &lab,
        &root,
        "ica_permitted",
        &[
            ("control: exact O=Good Corp", "/O=Good Corp/CN=Bob", utf8, true),
            ("control: upper case", "/O=GOOD CORP/CN=Bob", utf8, true),
            ("control: three spaces", "/O=Good   Corp/CN=Bob", utf8, true),
            ("control: BMPString", "/O=Good Corp/CN=Bob", "MASK:0x800", true),
            ("control: PrintableString", "/O=Good Corp/CN=Bob", "MASK:0x2", true),
            ("another organisation", "/O=Good Corps/CN=Bob", utf8, false),
            ("spaces removed", "/O=GoodCorp/CN=Bob", utf8, false),
            ("the permitted text as CN", "/CN=Good Corp", utf8, false),
            ("the permitted text as OU", "/OU=Good Corp/CN=Bob", utf8, false),
        ],
    ));
    rows.extend(leaves(
        &lab,
        &root,
        "ica_multi",
        &[
            (
                "exact {OU=Sales + O=Evil Corp}",
                "/OU=Sales+O=Evil Corp/CN=Carol",
                utf8,
                false,
            ),
            (
                "set in another DER order, case and spaces",
                "/OU=   Sales   +O=EVIL CORP/CN=Carol",
                utf8,
                false,
            ),
            (
                "control: {OU=Sales + O=Good Corp}",
                "/OU=Sales+O=Good Corp/CN=Carol",
                utf8,
                true,
            ),
            ("control: O=Evil Corp alone", "/O=Evil Corp/CN=Carol", utf8, true),
        ],
    ));
    // The reordered set really is encoded in another order than the constraint's.
    let constraint = lab.der("ica_multi");
    let reordered = lab.der("ica_multi-leaf1");
    let order = |der: &[u8]| {
        let ou = der.windows(3).position(|w| w == [0x55, 0x04, 0x0b]).unwrap();
        let o = der.windows(3).position(|w| w == [0x55, 0x04, 0x0a]).unwrap();
        ou < o
    };
    assert_ne!(order(&constraint), order(&reordered), "the RDN set was not reordered");
    judge("name constraints", &rows);
}

#[test]
fn issuer_and_subject_chain_after_string_preparation() {
    let lab = Lab::new(EXTENSIONS);
    let root = lab.root("root", "/CN=Root CA", "ca");
    lab.request("ica", "/O=Bo Y Te/CN=Intermediate CA", "utf8only");
    let ica = lab.sign("ica", "root", "ca");
    // Aliases of the intermediate: the same key under names that differ in case, spaces
    // or string type (or really differ), used only to write the leaves' issuer field.
    let cases: &[(&str, &str, &str, bool)] = &[
        (
            "control: the same name",
            "/O=Bo Y Te/CN=Intermediate CA",
            "utf8only",
            true,
        ),
        (
            "control: upper case and spaces",
            "/O=BO  Y TE/CN= INTERMEDIATE   CA",
            "utf8only",
            true,
        ),
        (
            "control: BMPString",
            "/O=Bo Y Te/CN=Intermediate CA",
            "MASK:0x800",
            true,
        ),
        (
            "control: PrintableString, lower case",
            "/O=bo y te/CN=intermediate ca",
            "MASK:0x2",
            true,
        ),
        ("another name", "/O=Bo Y Te/CN=Intermediate CB", "utf8only", false),
        (
            "RDNs in another order",
            "/CN=Intermediate CA/O=Bo Y Te",
            "utf8only",
            false,
        ),
    ];
    let mut rows = Vec::new();
    for (i, &(case, subject, mask, expected_pass)) in cases.iter().enumerate() {
        let alias = format!("alias{i}");
        std::fs::copy(
            lab.dir.path().join("ica.key"),
            lab.dir.path().join(format!("{alias}.key")),
        )
        .unwrap();
        lab.request(&alias, subject, mask);
        lab.sign(&alias, &alias, "ca");
        let leaf_name = format!("leaf{i}");
        lab.request(&leaf_name, "/CN=Signer", "utf8only");
        let leaf = lab.sign(&leaf_name, &alias, "leaf");
        let found = validate(
            &leaf,
            std::slice::from_ref(&ica),
            std::slice::from_ref(&root),
            &[],
            at(),
            &PathOptions::default(),
        );
        if expected_pass {
            let path = found.as_ref().expect("the control chains");
            assert_eq!(path.chain, vec![leaf.clone(), ica.clone(), root.clone()]);
        } else {
            assert_eq!(found.as_ref().err(), Some(&PathError::NoChain), "{case}");
        }
        rows.push(Row {
            case: format!("issuer {case}"),
            ours: found.map(|_| ()).map_err(|e| e.to_string()),
            openssl: lab.openssl_verify("root", &["ica"], &leaf_name, &[]),
            expected_pass,
        });
    }
    judge("chaining", &rows);
}
