//! The PAdES fixtures (tests/pades/, tests/common/pades.rs) are what their manifest says:
//! pyHanko, validating them in-process, reaches the manifest's verdict on every signature
//! (or the departure the manifest records for pyHanko). This is checked before the Rust
//! verifier is tested on them.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::pades::{FixtureEntry, PadesFixtures};
use serde_json::Value;

fn by_file(lines: Vec<Value>) -> BTreeMap<String, Vec<Value>> {
    let mut map: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in lines {
        map.entry(line["file"].as_str().unwrap().to_owned())
            .or_default()
            .push(line);
    }
    map
}

/// pyHanko's mechanism and digest names for a manifest key type.
fn mechanism(key_type: &str) -> (&'static str, &'static str) {
    match key_type {
        "rsa-pkcs1v15-sha256" => ("sha256_rsa", "sha256"),
        "rsa-pss-sha256" => ("rsassa_pss", "sha256"),
        "ecdsa-p256-sha256" => ("sha256_ecdsa", "sha256"),
        "ecdsa-p384-sha384" => ("sha384_ecdsa", "sha384"),
        "ed25519-sha512" => ("ed25519", "sha512"),
        other => panic!("unknown key type {other}"),
    }
}

fn check_entry(entry: &FixtureEntry, lines: &[Value]) -> Vec<String> {
    let mut errors = Vec::new();
    let file = &entry.file;
    if entry.signatures.is_empty() {
        if lines.len() != 1 || lines[0]["signatures"] != 0 {
            errors.push(format!("{file}: expected no signatures, pyHanko says {lines:?}"));
        }
        return errors;
    }
    if lines.len() != entry.signatures.len() {
        errors.push(format!(
            "{file}: {} signatures in the manifest, pyHanko found {}: {lines:?}",
            entry.signatures.len(),
            lines.len()
        ));
        return errors;
    }
    for (sig, got) in entry.signatures.iter().zip(lines) {
        let mut mismatch = |what: &str, want: Value, have: &Value| {
            if &want != have {
                errors.push(format!("{file} {}: {what}: manifest {want}, pyHanko {have}", sig.field));
            }
        };
        if let Some(e) = got.get("error") {
            mismatch("error", Value::Null, e);
            continue;
        }
        let want = sig.pyhanko_expect();
        mismatch("field", sig.field.clone().into(), &got["field"]);
        let kind = if sig.kind == "timestamp" {
            "timestamp"
        } else {
            "signature"
        };
        mismatch("kind", kind.into(), &got["kind"]);
        mismatch("subfilter", sig.subfilter.clone().into(), &got["subfilter"]);
        mismatch("intact", want.intact.into(), &got["intact"]);
        mismatch("valid", want.valid.into(), &got["valid"]);
        mismatch("trusted", want.trusted.into(), &got["trusted"]);
        mismatch("revoked", want.revoked.into(), &got["revoked"]);
        mismatch("coverage", want.coverage.clone().into(), &got["coverage"]);
        mismatch(
            "modification_level",
            want.modification_level.clone().into(),
            &got["modification_level"],
        );
        mismatch("bottom_line", want.bottom_line.into(), &got["bottom_line"]);
        let trust_problem = if want.revoked {
            "REVOKED_NO_POE".into()
        } else if want.expired {
            "OUT_OF_BOUNDS_NO_POE".into()
        } else {
            Value::Null
        };
        mismatch("trust_problem", trust_problem, &got["trust_problem"]);
        let (mech, md) = mechanism(&sig.key_type);
        if sig.kind == "timestamp" {
            // DummyTimeStamper signs with PKCS#1 v1.5 and names it so
            mismatch("mechanism", "rsassa_pkcs1v15".into(), &got["mechanism"]);
        } else {
            mismatch("mechanism", mech.into(), &got["mechanism"]);
            mismatch("docmdp_ok", want.modification_permitted.into(), &got["docmdp_ok"]);
            // pyHanko reports a PDF 2.0 lock's /P as the signature's DocMDP level.
            mismatch("docmdp", sig.docmdp.or(sig.lock_p).into(), &got["docmdp"]);
        }
        mismatch("md_algorithm", md.into(), &got["md_algorithm"]);
        mismatch("signer", sig.signer_subject.clone().into(), &got["signer"]);
        // the manifest's own consistency
        if want.covers_whole_file != (want.coverage == "ENTIRE_FILE")
            || (want.modification_level == "NONE") != want.covers_whole_file
        {
            errors.push(format!("{file} {}: inconsistent expectation {want:?}", sig.field));
        }
    }
    errors
}

fn get<'a>(results: &'a BTreeMap<String, Vec<Value>>, file: &str, index: usize) -> &'a Value {
    &results.get(file).unwrap_or_else(|| panic!("no verdict for {file}"))[index]
}

#[test]
fn pyhanko_agrees_with_the_manifest() {
    let started = std::time::Instant::now();
    let fx = PadesFixtures::make();
    let made = started.elapsed();

    // every PDF is in the manifest, once, with its size
    let mut on_disk: Vec<String> = std::fs::read_dir(fx.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = fx.manifest.iter().map(|e| e.file.clone()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "manifest.json and the PDFs differ");
    for entry in &fx.manifest {
        let bytes = fx.read(&entry.file);
        assert_eq!(bytes.len() as u64, entry.size, "{}", entry.file);
        assert!(bytes.starts_with(b"%PDF-1.7\n"), "{}", entry.file);
    }
    assert!(fx.manifest.len() >= 30, "only {} fixtures", fx.manifest.len());

    // the base: about 200 KB, 4 pages, an AcroForm text field, standard fonts
    let base = fx.read("base.pdf");
    assert!(
        (180_000..260_000).contains(&base.len()),
        "base.pdf is {} bytes",
        base.len()
    );
    let text = String::from_utf8_lossy(&base);
    for needle in [
        "/AcroForm",
        "/FT /Tx",
        "/T (applicant_name)",
        "/BaseFont /Helvetica",
        "/Count 4",
        "\nxref\n",
    ] {
        assert!(text.contains(needle), "base.pdf lacks {needle}");
    }
    let xs = String::from_utf8_lossy(&fx.read("base-xrefstream.pdf")).into_owned();
    assert!(xs.contains("/Type /XRef") && xs.contains("/Type /ObjStm") && !xs.contains("\nxref\n"));

    let paths: Vec<_> = fx.manifest.iter().map(|e| fx.path(&e.file)).collect();
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let started_validation = std::time::Instant::now();
    let results = by_file(fx.pyhanko_validate(&refs));
    let validated = started_validation.elapsed();

    let mut errors = Vec::new();
    for entry in &fx.manifest {
        let lines = results.get(&entry.file).map(Vec::as_slice).unwrap_or(&[]);
        errors.extend(check_entry(entry, lines));
    }
    for (file, lines) in &results {
        for line in lines {
            eprintln!(
                "{file:36} {:14} intact={} trusted={} revoked={} coverage={} level={} docmdp_ok={} bottom_line={}",
                line["field"].as_str().unwrap_or("-"),
                line["intact"],
                line["trusted"],
                line["revoked"],
                line["coverage"],
                line["modification_level"],
                line["docmdp_ok"],
                line["bottom_line"]
            );
        }
    }
    assert!(errors.is_empty(), "pyHanko disagrees:\n{}", errors.join("\n"));

    // The cases the Rust verifier leans on, spelt out.
    for entry in fx
        .manifest
        .iter()
        .filter(|e| e.file.starts_with("pades-") || e.file.starts_with("pkcs7-"))
    {
        let v = get(&results, &entry.file, 0);
        if entry.file.contains("revoked") || entry.file.contains("expired") {
            assert_eq!(
                (v["intact"].as_bool(), v["trusted"].as_bool()),
                (Some(true), Some(false))
            );
        } else {
            assert_eq!(v["intact"], true, "{}", entry.file);
            assert_eq!(v["trusted"], true, "{}", entry.file);
            assert_eq!(v["coverage"], "ENTIRE_FILE", "{}", entry.file);
            assert_eq!(v["bottom_line"], true, "{}", entry.file);
        }
    }
    for file in ["signed-then-content-changed.pdf", "signed-then-page-added.pdf"] {
        let v = get(&results, file, 0);
        assert_eq!(v["intact"], true, "{file}: the signed revision itself is intact");
        assert_eq!(v["coverage"], "ENTIRE_REVISION", "{file}");
        assert_eq!(v["modification_level"], "OTHER", "{file}");
        assert_eq!(v["docmdp_ok"], false, "{file}");
        assert_eq!(v["bottom_line"], false, "{file}");
    }
    for (file, level) in [
        ("signed-then-dss.pdf", "LTA_UPDATES"),
        ("signed-then-doctimestamp.pdf", "LTA_UPDATES"),
    ] {
        let v = get(&results, file, 0);
        assert_eq!(
            (&v["modification_level"], &v["bottom_line"]),
            (&level.into(), &true.into()),
            "{file}"
        );
    }
    assert_eq!(get(&results, "signed-then-doctimestamp.pdf", 1)["kind"], "timestamp");
    assert_eq!(get(&results, "signed-then-doctimestamp.pdf", 1)["trusted"], true);
    // P=1 allows only LTA updates; P=2 adds form filling and signing; P=3 annotations
    for (file, ok) in [
        ("certified-p1-formfill.pdf", false),
        ("certified-p1-approval.pdf", false),
        ("certified-p1-dss.pdf", true),
        ("certified-p2-formfill.pdf", true),
        ("certified-p2-approval.pdf", true),
        ("certified-p3-formfill.pdf", true),
        ("certified-p3-approval.pdf", true),
    ] {
        let v = get(&results, file, 0);
        assert_eq!(v["docmdp_ok"], ok, "{file}: {v}");
        assert_eq!(v["bottom_line"], ok, "{file}: {v}");
    }
    for p in 1..=3 {
        let file = format!("certified-p{p}-annotation.pdf");
        let sig = &fx.entry(&file).signatures[0];
        assert_eq!(sig.expect.modification_level, "ANNOTATIONS");
        assert_eq!(sig.expect.docmdp_violation, p < 3, "{file}");
        // pyHanko 0.38.0 has no ANNOTATIONS level: it calls a new comment OTHER
        assert_eq!(get(&results, &file, 0)["modification_level"], "OTHER", "{file}");
    }

    // A flipped byte inside the signed range (in the image stream) breaks the digest.
    let mut tampered = fx.read("pades-rsa-pkcs1v15-sha256.pdf");
    tampered[100_000] ^= 0x01;
    std::fs::write(fx.path("tampered.pdf"), &tampered).unwrap();
    // and a file that is no PDF at all is reported without stopping the run
    std::fs::write(fx.path("not-a.pdf"), b"hello").unwrap();
    let v = fx.pyhanko_validate(&[
        &fx.path("not-a.pdf"),
        &fx.path("tampered.pdf"),
        &fx.path("pades-ed25519-sha512.pdf"),
    ]);
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(v[0]["error"].is_string(), "{}", v[0]);
    assert_eq!(
        (&v[1]["intact"], &v[1]["bottom_line"]),
        (&false.into(), &false.into()),
        "{}",
        v[1]
    );
    assert_eq!(v[2]["bottom_line"], true, "{}", v[2]);

    eprintln!(
        "{} fixtures made in {made:.1?}, validated by pyHanko in {validated:.1?}",
        fx.manifest.len()
    );
}
