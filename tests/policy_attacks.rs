//! Generator for issue 17, class 2: certificate policies (RFC 5280 §6.1.2–§6.1.5).
//!
//! `openssl` makes chains root → intermediate(s) → signer whose certificatePolicies,
//! policyMappings, policyConstraints and inhibitAnyPolicy vary: an intermediate requiring
//! an explicit policy over a signer with none, with a disjoint one, with only anyPolicy
//! under inhibitAnyPolicy; mappings inhibited; the caller asking for policies; and the
//! controls made correctly. Each chain is validated by the engine and by
//! `openssl verify -policy_check` (with `-explicit_policy`, `-policy`, `-inhibit_map`
//! matching our options); every variant must FAIL, every control PASS.

#[path = "common/chain.rs"]
mod chain;

use chain::{judge, Lab, Row};
use results_vault::verify::path::{validate, PathError, PathOptions};
use time::{Duration, OffsetDateTime};

const P1: &str = "1.3.6.1.4.1.55555.1.1";
const P2: &str = "1.3.6.1.4.1.55555.1.2";
const P3: &str = "1.3.6.1.4.1.55555.1.3";
const Q1: &str = "1.3.6.1.4.1.55555.2.1";
const ANY: &str = "2.5.29.32.0";

fn extensions() -> String {
    let ca = "basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";
    let leaf = "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";
    let any = "2.5.29.32.0";
    let mut text = format!("[ca]\n{ca}\n");
    let cas: &[(&str, String)] = &[
        ("ica_plain", String::new()),
        ("ica_p1", format!("certificatePolicies = {P1}")),
        ("ica_any", format!("certificatePolicies = {any}")),
        (
            "ica_explicit",
            format!("certificatePolicies = {P1}, {P2}\npolicyConstraints = critical, requireExplicitPolicy:0"),
        ),
        (
            "ica_explicit_any_inhibited",
            format!(
                "certificatePolicies = {any}\npolicyConstraints = critical, requireExplicitPolicy:0\n\
                 inhibitAnyPolicy = critical, 0"
            ),
        ),
        (
            "ica_explicit_any",
            format!("certificatePolicies = {any}\npolicyConstraints = critical, requireExplicitPolicy:0"),
        ),
        (
            "ica_explicit_inhibit_map",
            format!(
                "certificatePolicies = {P1}\n\
                 policyConstraints = critical, requireExplicitPolicy:0, inhibitPolicyMapping:0"
            ),
        ),
        (
            "ica_explicit_one_skip",
            format!("certificatePolicies = {P1}\npolicyConstraints = critical, requireExplicitPolicy:1"),
        ),
        (
            "ica_explicit_p1_plain",
            format!("certificatePolicies = {P1}\npolicyConstraints = critical, requireExplicitPolicy:0"),
        ),
        (
            "ica_map_p1_q1",
            format!("certificatePolicies = {P1}\npolicyMappings = {P1}:{Q1}"),
        ),
        (
            "ica_map_any",
            format!("certificatePolicies = {P1}\npolicyMappings = {any}:{Q1}"),
        ),
    ];
    for (name, extra) in cas {
        text.push_str(&format!("[{name}]\n{ca}\n{extra}\n"));
    }
    let leaves: &[(&str, String)] = &[
        ("leaf_none", String::new()),
        ("leaf_p1", format!("certificatePolicies = {P1}")),
        ("leaf_p2", format!("certificatePolicies = {P2}")),
        ("leaf_p3", format!("certificatePolicies = {P3}")),
        ("leaf_p1_p3", format!("certificatePolicies = {P1}, {P3}")),
        ("leaf_q1", format!("certificatePolicies = {Q1}")),
        ("leaf_any", format!("certificatePolicies = {any}")),
    ];
    for (name, extra) in leaves {
        text.push_str(&format!("[{name}]\n{leaf}\n{extra}\n"));
    }
    text
}

struct Case {
    name: &'static str,
    /// Extension sections of the intermediates, from the root down.
    icas: &'static [&'static str],
    leaf: &'static str,
    /// The caller's required policies (user-initial-policy-set, explicit).
    required: &'static [&'static str],
    inhibit_mapping: bool,
    expected_pass: bool,
}

const fn case(name: &'static str, icas: &'static [&'static str], leaf: &'static str, expected_pass: bool) -> Case {
    Case {
        name,
        icas,
        leaf,
        required: &[],
        inhibit_mapping: false,
        expected_pass,
    }
}

const CASES: &[Case] = &[
    // An intermediate requiring an explicit policy (requireExplicitPolicy 0).
    case(
        "explicit required, signer without policies",
        &["ica_explicit"],
        "leaf_none",
        false,
    ),
    case(
        "explicit required, signer with a disjoint policy",
        &["ica_explicit"],
        "leaf_p3",
        false,
    ),
    case(
        "control: explicit required, signer with P1",
        &["ica_explicit"],
        "leaf_p1",
        true,
    ),
    case(
        "control: explicit required, signer with P1 and P3",
        &["ica_explicit"],
        "leaf_p1_p3",
        true,
    ),
    case(
        "control: explicit required, signer with anyPolicy",
        &["ica_explicit"],
        "leaf_any",
        true,
    ),
    // anyPolicy under inhibitAnyPolicy 0.
    case(
        "explicit required, signer with only anyPolicy under inhibitAnyPolicy",
        &["ica_explicit_any_inhibited"],
        "leaf_any",
        false,
    ),
    case(
        "control: explicit required, inhibitAnyPolicy, signer with P1",
        &["ica_explicit_any_inhibited"],
        "leaf_p1",
        true,
    ),
    case(
        "control: explicit required, anyPolicy not inhibited, signer with anyPolicy",
        &["ica_explicit_any"],
        "leaf_any",
        true,
    ),
    // requireExplicitPolicy 1: the certificate after the next needs a policy.
    case(
        "requireExplicitPolicy 1 over an intermediate without policies",
        &["ica_explicit_one_skip", "ica_plain"],
        "leaf_p1",
        false,
    ),
    case(
        "control: requireExplicitPolicy 1, every certificate with P1",
        &["ica_explicit_one_skip", "ica_p1"],
        "leaf_p1",
        true,
    ),
    // Mappings.
    case(
        "mapping P1 to Q1 under inhibitPolicyMapping 0",
        &["ica_explicit_inhibit_map", "ica_map_p1_q1"],
        "leaf_q1",
        false,
    ),
    case(
        "control: mapping P1 to Q1 allowed",
        &["ica_explicit_p1_plain", "ica_map_p1_q1"],
        "leaf_q1",
        true,
    ),
    case(
        "control: inhibitPolicyMapping 0, no mapping, P1 throughout",
        &["ica_explicit_inhibit_map", "ica_p1"],
        "leaf_p1",
        true,
    ),
    case(
        "after mapping P1 to Q1, P1 is no longer expected",
        &["ica_explicit_p1_plain", "ica_map_p1_q1"],
        "leaf_p1",
        false,
    ),
    case("a mapping of anyPolicy", &["ica_map_any"], "leaf_q1", false),
    Case {
        inhibit_mapping: true,
        required: &[P1],
        ..case(
            "initial-policy-mapping-inhibit, mapped signer",
            &["ica_map_p1_q1"],
            "leaf_q1",
            false,
        )
    },
    // The caller asks for policies.
    Case {
        required: &[P1],
        ..case("control: P1 asked, P1 throughout", &["ica_p1"], "leaf_p1", true)
    },
    Case {
        required: &[P2],
        ..case("P2 asked, P1 throughout", &["ica_p1"], "leaf_p1", false)
    },
    Case {
        required: &[P1],
        ..case("P1 asked, no policies", &["ica_plain"], "leaf_none", false)
    },
    Case {
        required: &[P2],
        ..case(
            "control: P2 asked, anyPolicy intermediate, P2 signer",
            &["ica_any"],
            "leaf_p2",
            true,
        )
    },
    Case {
        required: &[P1],
        ..case(
            "P1 asked, anyPolicy intermediate, P2 signer",
            &["ica_any"],
            "leaf_p2",
            false,
        )
    },
    Case {
        required: &[P1],
        ..case(
            "control: P1 asked, P1 mapped to Q1, Q1 signer",
            &["ica_map_p1_q1"],
            "leaf_q1",
            true,
        )
    },
    Case {
        required: &[P2, P1],
        ..case("control: P2 or P1 asked, P1 throughout", &["ica_p1"], "leaf_p1", true)
    },
    // No policy anywhere, nothing asked: the everyday chain.
    case(
        "control: no policies, nothing required",
        &["ica_plain"],
        "leaf_none",
        true,
    ),
    case(
        "control: disjoint policies, nothing required",
        &["ica_p1"],
        "leaf_p3",
        true,
    ),
];

#[test]
fn certificate_policies_follow_rfc_5280_section_6_1() {
    let lab = Lab::new(&extensions());
    let root = lab.root("root", "/CN=Policy Root", "ca");
    let at = OffsetDateTime::now_utc() + Duration::minutes(1);
    let mut rows = Vec::new();
    for (k, c) in CASES.iter().enumerate() {
        let mut issuer = "root".to_string();
        let mut intermediates = Vec::new();
        let mut untrusted = Vec::new();
        for (j, section) in c.icas.iter().enumerate() {
            let name = format!("c{k}-ica{j}");
            lab.request(&name, &format!("/CN=Case {k} CA {j}"), "utf8only");
            intermediates.push(lab.sign(&name, &issuer, section));
            untrusted.push(name.clone());
            issuer = name;
        }
        let leaf_name = format!("c{k}-leaf");
        lab.request(&leaf_name, &format!("/CN=Case {k} signer"), "utf8only");
        let leaf = lab.sign(&leaf_name, &issuer, c.leaf);
        let options = PathOptions {
            required_policies: c.required.iter().map(|p| p.to_string()).collect(),
            inhibit_policy_mapping: c.inhibit_mapping,
            ..PathOptions::default()
        };
        let ours = validate(&leaf, &intermediates, std::slice::from_ref(&root), &[], at, &options);
        if let Err(e) = &ours {
            assert!(
                matches!(e, PathError::Profile(why) if why.contains("certificate policies")),
                "{}: not a policy failure: {e}",
                c.name
            );
        }
        // OpenSSL reads "no -policy" as an empty user-initial-policy-set, so that any
        // explicit requirement fails: initial-policy-set = any is `-policy anyPolicy`.
        let mut flags = vec!["-policy_check"];
        if c.required.is_empty() {
            flags.extend(["-policy", ANY]);
        } else {
            flags.push("-explicit_policy");
            for p in c.required {
                flags.extend(["-policy", p]);
            }
        }
        if c.inhibit_mapping {
            flags.push("-inhibit_map");
        }
        let untrusted: Vec<&str> = untrusted.iter().map(String::as_str).collect();
        rows.push(Row {
            case: c.name.to_string(),
            ours: ours.map(|_| ()).map_err(|e| e.to_string()),
            openssl: lab.openssl_verify("root", &untrusted, &leaf_name, &flags),
            expected_pass: c.expected_pass,
        });
    }
    judge("certificate policies", &rows);
}

/// The same chains under `-explicit_policy` (initial-explicit-policy): a chain whose
/// certificates assert no policy fails, one with a common policy passes.
#[test]
fn initial_explicit_policy_is_honoured() {
    let lab = Lab::new(&extensions());
    let root = lab.root("root", "/CN=Policy Root", "ca");
    let at = OffsetDateTime::now_utc() + Duration::minutes(1);
    let options = PathOptions {
        require_explicit_policy: true,
        ..PathOptions::default()
    };
    let mut rows = Vec::new();
    for (k, (ica, leaf_section, expected_pass)) in [
        ("ica_plain", "leaf_none", false),
        ("ica_p1", "leaf_p3", false),
        ("ica_p1", "leaf_p1", true),
        ("ica_any", "leaf_p2", true),
    ]
    .into_iter()
    .enumerate()
    {
        let (ica_name, leaf_name) = (format!("e{k}-ica"), format!("e{k}-leaf"));
        lab.request(&ica_name, &format!("/CN=Explicit {k} CA"), "utf8only");
        let ica_der = lab.sign(&ica_name, "root", ica);
        lab.request(&leaf_name, &format!("/CN=Explicit {k} signer"), "utf8only");
        let leaf = lab.sign(&leaf_name, &ica_name, leaf_section);
        let ours = validate(&leaf, &[ica_der], std::slice::from_ref(&root), &[], at, &options);
        rows.push(Row {
            case: format!("{ica} over {leaf_section}"),
            ours: ours.map(|_| ()).map_err(|e| e.to_string()),
            openssl: lab.openssl_verify(
                "root",
                &[&ica_name],
                &leaf_name,
                &["-policy_check", "-explicit_policy", "-policy", ANY],
            ),
            expected_pass,
        });
    }
    judge("initial-explicit-policy", &rows);
}

/// A policy graph past its bound is refused, quickly: 64 policies each mapped to the
/// same 64 others give 64 × 64 links at the next level.
#[test]
fn a_policy_graph_past_its_bound_is_refused() {
    let n = 64;
    let p = |i: usize| format!("1.3.6.1.4.1.55555.3.{i}");
    let q = |i: usize| format!("1.3.6.1.4.1.55555.4.{i}");
    let ps: Vec<String> = (0..n).map(p).collect();
    let qs: Vec<String> = (0..n).map(q).collect();
    let maps: Vec<String> = (0..n)
        .flat_map(|i| (0..n).map(move |j| format!("{}:{}", p(i), q(j))))
        .collect();
    let mut text = extensions();
    text.push_str(&format!(
        "[ica_wide]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\ncertificatePolicies = {}\n\
         policyMappings = {}\n[ica_q]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\ncertificatePolicies = {}\n\
         [leaf_q]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\ncertificatePolicies = {}\n",
        ps.join(", "),
        maps.join(", "),
        qs.join(", "),
        qs.join(", ")
    ));
    let lab = Lab::new(&text);
    let root = lab.root("root", "/CN=Policy Root", "ca");
    lab.request("wide", "/CN=Wide", "utf8only");
    let wide = lab.sign("wide", "root", "ica_wide");
    lab.request("q", "/CN=Q", "utf8only");
    let qca = lab.sign("q", "wide", "ica_q");
    lab.request("leaf", "/CN=Leaf", "utf8only");
    let leaf = lab.sign("leaf", "q", "leaf_q");
    let at = OffsetDateTime::now_utc() + Duration::minutes(1);
    let started = std::time::Instant::now();
    let err = validate(&leaf, &[wide, qca], &[root], &[], at, &PathOptions::default()).unwrap_err();
    let took = started.elapsed();
    let openssl = lab.openssl_verify("root", &["wide", "q"], "leaf", &["-policy_check", "-policy", ANY]);
    println!("policy graph bound: ours {err} in {took:?}; openssl -policy_check passes: {openssl}");
    assert!(err.to_string().contains("policy tree exceeds"), "{err}");
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
}
