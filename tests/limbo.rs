//! x509-limbo, document-signing subset (`../shared/testdata/x509-limbo/`): every case is
//! run through the path validator and compared with limbo's expected result. Prints
//! `limbo: N passed, M failed, K skipped, F false accepts`; fails on any false accept
//! (SUCCESS where limbo expects FAILURE) and below 95% agreement. The suite is found
//! through `RV_TESTDATA` (tests/common/testdata.rs).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use results_vault::verify::path::{validate, PathOptions};

#[path = "common/testdata.rs"]
mod testdata;

/// Features whose cases are skipped, and why (none so far).
const SKIPPED_FEATURES: &[&str] = &[];

fn pems(text: &str) -> Vec<Vec<u8>> {
    x509_parser::pem::Pem::iter_from_buffer(text.as_bytes())
        .filter_map(|p| p.ok())
        .map(|p| p.contents)
        .collect()
}

fn eku_oid(name: &str) -> String {
    match name {
        "serverAuth" => "1.3.6.1.5.5.7.3.1",
        "clientAuth" => "1.3.6.1.5.5.7.3.2",
        "codeSigning" => "1.3.6.1.5.5.7.3.3",
        "emailProtection" => "1.3.6.1.5.5.7.3.4",
        "timeStamping" => "1.3.6.1.5.5.7.3.8",
        "OCSPSigning" => "1.3.6.1.5.5.7.3.9",
        "anyExtendedKeyUsage" => "2.5.29.37.0",
        other => other,
    }
    .to_string()
}

#[test]
fn limbo_document_signing_subset() {
    let Some(dir) = testdata::suite("x509-limbo") else {
        return;
    };
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|e| {
            panic!(
                "{}/{name} is missing ({e}): the limbo suite is incomplete",
                dir.display()
            )
        })
    };
    let subset: Vec<serde_json::Value> = serde_json::from_slice(&read("docsign-subset.json")).unwrap();
    let limbo: serde_json::Value = serde_json::from_slice(&read("limbo.json")).unwrap();
    let cases: HashMap<&str, &serde_json::Value> = limbo["testcases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t))
        .collect();

    let (mut passed, mut failed, mut skipped, mut false_accepts) = (0, 0, 0, 0);
    let mut slowest = (Duration::ZERO, String::new());
    for entry in &subset {
        let id = entry["id"].as_str().unwrap();
        let case = cases.get(id).unwrap_or_else(|| panic!("{id} not in limbo.json"));
        let features: Vec<&str> = case["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f.as_str())
            .collect();
        if features.iter().any(|f| SKIPPED_FEATURES.contains(f)) {
            skipped += 1;
            continue;
        }
        let text = |key: &str| {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect::<String>()
        };
        let anchors = pems(&text("trusted_certs"));
        let intermediates = pems(&text("untrusted_intermediates"));
        let crls = pems(&text("crls"));
        let leaf = pems(case["peer_certificate"].as_str().unwrap()).remove(0);
        let at = match case["validation_time"].as_str() {
            Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap(),
            None => time::OffsetDateTime::now_utc(),
        };
        let options = PathOptions {
            max_intermediates: case["max_chain_depth"].as_u64().map(|d| d as usize),
            required_eku: case["extended_key_usage"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| eku_oid(e.as_str().unwrap()))
                .collect(),
            ..PathOptions::default()
        };
        let started = Instant::now();
        let result = validate(&leaf, &intermediates, &anchors, &crls, at, &options);
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, id.to_owned());
        }
        let expected_success = case["expected_result"] == "SUCCESS";
        match (&result, expected_success) {
            (Ok(_), true) | (Err(_), false) => passed += 1,
            (Ok(_), false) => {
                false_accepts += 1;
                failed += 1;
                eprintln!("FALSE ACCEPT {id}");
            }
            (Err(e), true) => {
                failed += 1;
                eprintln!("false reject {id}: {e}");
            }
        }
    }
    println!("limbo: {passed} passed, {failed} failed, {skipped} skipped, {false_accepts} false accepts");
    println!("limbo: slowest case {} took {:?}", slowest.1, slowest.0);
    assert_eq!(false_accepts, 0, "the validator accepted chains limbo rejects");
    assert!(
        slowest.0 < Duration::from_secs(2),
        "a case took {:?}: bound the path search",
        slowest.0
    );
    let agreement = passed as f64 / (passed + failed) as f64;
    assert!(agreement >= 0.95, "agreement {:.1}% is below 95%", agreement * 100.0);
}
