//! Issue 18: reuse decides under the trust it commits with. Six reuses of one signed
//! result race a trust change that makes it not PASSED: a CRL revoking its signer before
//! it signed (nine rounds in ten), or the removal of the only anchor (one in ten). In no
//! round may a reuse event of that result follow the trust change's event.

mod common;

use std::sync::Barrier;

use common::signing::TestSigner;
use common::*;
use results_vault::{
    DigestAlgorithm, EventKind, LocalSigner, Requester, ReuseQuery, SubjectId, SubjectKind, TrustItemKind,
};
use time::macros::datetime;

const ROUNDS: u64 = 100;
const REUSERS: usize = 6;

fn citizen(round: u64) -> String {
    format!("0012030{round:05}")
}

#[test]
fn no_reuse_follows_a_committed_trust_change_that_fails_the_result() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let anchor = v
        .trust_items()
        .unwrap()
        .into_iter()
        .find(|i| i.kind == TrustItemKind::Anchor)
        .unwrap();
    let mut handed_out_before = 0;
    for round in 0..ROUNDS {
        let removes_anchor = round % 10 == 9;
        // A result of its own citizen, signed by an officer of its own.
        let name = format!("officer{round}");
        s.pki.issue(&name, "rsa:2048");
        let cert = s.pki.der("x509", &format!("{name}.pem"));
        let officer = LocalSigner::from_pkcs8(&s.pki.pkcs8(&format!("{name}.key")), vec![cert]).unwrap();
        let mut new = birth_extract(&format!("R-{round}"));
        new.subject.id = SubjectId::new(citizen(round));
        let id = v.ingest(new, &noise(round, 700)).unwrap().record.result_id;
        v.sign_with(&id, &officer, DigestAlgorithm::Sha256).unwrap();
        let crl = (!removes_anchor).then(|| {
            s.pki
                .revoke_dated(&format!("{name}.pem"), "261031220000Z,keyCompromise");
            s.pki
                .crl_dated(&format!("r{round}"), "20261101000000Z", "20261201000000Z")
        });

        let start = Barrier::new(REUSERS + 1);
        std::thread::scope(|scope| {
            for n in 0..REUSERS {
                let start = &start;
                let round_citizen = citizen(round);
                scope.spawn(move || {
                    start.wait();
                    let query = ReuseQuery {
                        subject_kind: SubjectKind::Citizen,
                        subject_id: SubjectId::new(round_citizen),
                        document_type: "birth-extract".into(),
                        at: datetime!(2026-11-06 08:00 UTC),
                    };
                    let requester = Requester {
                        agency_code: "G22.46.02".into(),
                        procedure_code: "1.001193".into(),
                        dossier_code: format!("D-{round}-{n}"),
                        purpose: "Đăng ký nhập học".into(),
                    };
                    // A refusal ("the trust store changed … ask again") is an answer too.
                    let _ = v.find_reusable(query, requester);
                });
            }
            start.wait();
            match &crl {
                Some(crl) => {
                    v.add_crl(crl).unwrap();
                }
                None => {
                    assert!(v.remove_trust_item(&anchor.sha256).unwrap());
                }
            }
        });

        // The trust change's event, and the result's reuse events.
        let db = raw_sqlite(&t.path());
        let change: i64 = db
            .query_row(
                "SELECT max(seq) FROM events WHERE kind IN ('trust_add', 'trust_remove')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let reuses: Vec<u64> = v
            .history(&id)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == EventKind::Reuse)
            .map(|e| e.seq)
            .collect();
        let late: Vec<&u64> = reuses.iter().filter(|&&seq| seq > change as u64).collect();
        assert!(
            late.is_empty(),
            "round {round}: reuse events {late:?} follow the trust change (event {change})"
        );
        handed_out_before += reuses.len();
        assert!(
            !v.verify_record(&id, datetime!(2026-11-06 08:00 UTC)).unwrap().reusable,
            "round {round}: the trust change fails the result"
        );
        if removes_anchor {
            v.add_trust_anchor(&s.pki.root).unwrap();
        }
    }
    // The race was a race: some reuses won it (they came before the change).
    println!("{handed_out_before} reuses came before the trust change in {ROUNDS} rounds");
}
