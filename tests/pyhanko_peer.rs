//! Detached CMS made by pyHanko (a real CAdES/PAdES signer, in a virtualenv this test
//! makes): Ed25519 with SHA-512 (RFC 8419) and RSA-PSS with pyHanko's maximum salt must
//! verify as PASSED; tampered data must not.

mod common;

use std::process::Command;

use common::pades::pyhanko_python;
use common::pki::Pki;
use results_vault::verify::signature::{verify_detached, Policy, ValidationContext};
use results_vault::verify::verdict::{Indication, SubIndication};

const SIGN: &str = r#"
import asyncio, sys
from pyhanko.sign import signers
key, cert, data, out, digest, pss = sys.argv[1:7]
signer = signers.SimpleSigner.load(key, cert, prefer_pss=(pss == "1"))
cms = asyncio.run(signer.async_sign_general_data(open(data, "rb").read(), digest, detached=True, use_cades=True))
open(out, "wb").write(cms.dump())
"#;

#[test]
fn pyhanko_signatures_pass_and_tampering_fails() {
    let python = pyhanko_python();
    let p = Pki::new();
    p.issue("edsigner", "ed25519");
    p.issue("rsasigner", "rsa:2048");
    let crl = vec![p.crl("current")];
    let content = "Kết quả giải quyết thủ tục hành chính".repeat(1000).into_bytes();
    std::fs::write(p.path("data.bin"), &content).unwrap();
    let policy = Policy::cades_baseline();
    let anchors = vec![p.root.clone()];

    for (name, digest, pss) in [
        ("edsigner", "sha512", "0"),
        ("rsasigner", "sha256", "1"),
        ("rsasigner", "sha512", "1"),
    ] {
        let out = p.path(&format!("{name}-{digest}.p7s"));
        let status = Command::new(&python)
            .arg("-c")
            .arg(SIGN)
            .arg(p.path(&format!("{name}.key")))
            .arg(p.path(&format!("{name}.pem")))
            .arg(p.path("data.bin"))
            .arg(&out)
            .args([digest, pss])
            .status()
            .unwrap();
        assert!(status.success(), "pyHanko could not sign with {name}");
        let cms = std::fs::read(&out).unwrap();
        let ctx = ValidationContext {
            anchors: &anchors,
            intermediates: &[],
            crls: &crl,
            validation_time: time::OffsetDateTime::now_utc() + time::Duration::minutes(1),
            proof_of_existence: None,
            policy: &policy,
            all_signers: false,
            chain_cache: None,
        };
        let v = &verify_detached(&cms, &content, &ctx)[0];
        assert_eq!(
            (v.indication, v.sub_indication),
            (Indication::Passed, None),
            "{name} {digest}: {}",
            v.detail
        );

        let mut tampered = content.clone();
        tampered[0] ^= 1;
        let v = &verify_detached(&cms, &tampered, &ctx)[0];
        assert_eq!(
            (v.indication, v.sub_indication),
            (Indication::Failed, Some(SubIndication::HashFailure)),
            "{name}"
        );
    }
}
