//! The other ways in: the C ABI's open option, the CLI's --tsa-config and RVAULT_TSA_*,
//! and remote signing (a TSA failure keeps the provider's answer for a resume).

use std::sync::Arc;

use crate::common::pki::openssl;
use crate::common::tsa::LoopbackPeers;
use crate::lab::*;
use results_vault::{Error, SigningError, Vault, VaultOptions};
use time::OffsetDateTime;

/// The C ABI: `rv_vault_open`'s `"timestamp_authority"` option timestamps what
/// `rv_vault_complete_signing_raw` keeps; a bad one is refused at the open.
#[cfg(feature = "capi")]
#[test]
fn the_c_abi_takes_the_tsa_as_an_open_option() {
    use std::ffi::{CStr, CString};
    use std::ptr;

    use results_vault::ffi::{handle, rv_last_error_message, rv_result, rv_string_free, signing};
    use results_vault::{SignatureReply, Signer, SigningSession};

    let lab = Lab::new();
    let peers = LoopbackPeers::start(lab.dir());
    let (t, id) = lab.vault(None);
    let open = |options: &str| {
        let path = CString::new(t.path().to_str().unwrap()).unwrap();
        let options = CString::new(options).unwrap();
        let mut v = ptr::null_mut();
        // SAFETY: NUL-terminated strings, a writable out-param.
        let rc = unsafe { handle::rv_vault_open(path.as_ptr(), options.as_ptr(), &mut v) };
        (rc, v)
    };
    let take = |rc: rv_result, out: *mut std::ffi::c_char| {
        if rc != rv_result::RV_OK {
            // SAFETY: the library's thread-local message.
            panic!(
                "{rc:?}: {}",
                unsafe { CStr::from_ptr(rv_last_error_message()) }.to_string_lossy()
            );
        }
        // SAFETY: a string the library returned on RV_OK, freed once.
        let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
        unsafe { rv_string_free(out) };
        text
    };

    let (rc, _) = open(r#"{"timestamp_authority": {"url": "ftp://tsa.example/"}}"#);
    assert_eq!(rc, rv_result::RV_INVALID_ARGUMENT);
    let (rc, _) = open(r#"{"timestamp_authority": {"policy_oid": "1.2.3"}}"#);
    assert_eq!(rc, rv_result::RV_INVALID_ARGUMENT, "no url");

    let (rc, v) = open(&format!(
        r#"{{"timestamp_authority": {{"url": "{}"}}}}"#,
        peers.url("/tsa/tsa")
    ));
    assert_eq!(rc, rv_result::RV_OK);
    let id_c = CString::new(id.as_str()).unwrap();
    let mut out = ptr::null_mut();
    let signer = &lab.s.pki.signer;
    // SAFETY: a live handle, a string, a live buffer, NULL digest, a writable out-param.
    let rc = unsafe {
        signing::rv_vault_begin_signing(v, id_c.as_ptr(), signer.as_ptr(), signer.len(), ptr::null(), &mut out)
    };
    let session: SigningSession = serde_json::from_str(&take(rc, out)).unwrap();
    let SignatureReply::Raw { value, .. } = lab.s.signer.sign(&session).unwrap() else {
        panic!("a raw reply")
    };
    let session_id = CString::new(session.session_id.clone()).unwrap();
    let mut out = ptr::null_mut();
    // SAFETY: as above.
    let rc = unsafe {
        signing::rv_vault_complete_signing_raw(
            v,
            session_id.as_ptr(),
            c"RSA_PKCS1".as_ptr(),
            value.as_ptr(),
            value.len(),
            &mut out,
        )
    };
    let stored: results_vault::StoredSignature = serde_json::from_str(&take(rc, out)).unwrap();
    assert!(!token_of(&stored.cms).is_empty(), "timestamped through the C ABI");
    // SAFETY: the handle of this test, freed once.
    unsafe { handle::rv_vault_free(v) };
}

/// `rvault sign local --tsa-config FILE` timestamps; `RVAULT_TSA_URL` alone names a TSA,
/// and one that is down fails the command with nothing kept.
#[cfg(feature = "cli")]
#[test]
fn the_cli_takes_the_tsa_from_a_config_file_or_the_environment() {
    let lab = Lab::new();
    let (t, id) = lab.vault(None);
    let rvault = |args: &[&str], env: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rvault"))
            .arg("--vault")
            .arg(t.path())
            .args(args)
            .envs(env.iter().copied())
            .current_dir(lab.dir())
            .output()
            .unwrap()
    };
    let sign = [
        "sign",
        "local",
        id.as_str(),
        "--key",
        "signer.key",
        "--cert",
        "signer.pem",
    ];

    // A TSA that is down: a clear error, nothing kept.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/tsr", listener.local_addr().unwrap());
    drop(listener);
    let out = rvault(&sign, &[("RVAULT_TSA_URL", dead.as_str())]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("timestamp authority"), "{said}");
    nothing_kept(&t.vault, &id);

    let peers = LoopbackPeers::start(lab.dir());
    let config = serde_json::json!({"url": peers.url("/tsa/tsa"), "policy_oid": "1.2.3.4.1", "timeout_seconds": 5});
    write(&lab, "tsa.json", config.to_string().as_bytes());
    let mut args = sign.to_vec();
    args.extend(["--tsa-config", "tsa.json"]);
    let out = rvault(&args, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kept = t.vault.signatures(&id).unwrap();
    assert_eq!(kept.len(), 1);
    assert!(!token_of(&kept[0].cms).is_empty());
}

/// A provider answering a raw RSA signature at once, made by `openssl pkeyutl` over the
/// hash it is sent.
struct PkeyutlProvider<'a>(&'a Lab);

impl results_vault::remote::Provider for PkeyutlProvider<'_> {
    fn name(&self) -> &str {
        "csc"
    }
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, results_vault::RemoteError> {
        Ok(vec![self.0.s.pki.signer.clone()])
    }
    fn answer_format(&self) -> results_vault::remote::AnswerFormat {
        results_vault::remote::AnswerFormat::Raw
    }
    fn submit(
        &self,
        request: &results_vault::remote::ProviderRequest<'_>,
    ) -> Result<results_vault::remote::Submitted, results_vault::RemoteError> {
        write(self.0, "dtbs.digest", request.hash);
        assert!(openssl(
            self.0.dir(),
            &[
                "pkeyutl",
                "-sign",
                "-inkey",
                "signer.key",
                "-in",
                "dtbs.digest",
                "-out",
                "dtbs.sig",
                "-pkeyopt",
                "digest:sha256",
            ]
        ));
        let value = std::fs::read(self.0.dir().join("dtbs.sig")).unwrap();
        Ok(results_vault::remote::Submitted::Signed(value))
    }
    fn poll(
        &self,
        _: results_vault::remote::TransactionRef<'_>,
    ) -> Result<results_vault::remote::PollAnswer, results_vault::RemoteError> {
        panic!("answered at once: never polled")
    }
}

/// Remote signing: a TSA failure keeps the provider's answer (the officer approved once);
/// the request stays `approved` and a resume completes it when the TSA is back.
#[test]
fn a_remote_signature_waits_for_the_tsa_without_asking_the_officer_again() {
    let lab = Lab::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/tsr", listener.local_addr().unwrap());
    drop(listener);
    let (t, id) = lab.vault(Some(client(dead)));
    let provider = PkeyutlProvider(&lab);
    let options = results_vault::RemoteSigningOptions::default();
    let err = t.vault.sign_remote(&id, &provider, &options).unwrap_err();
    assert!(matches!(err, Error::Signing(SigningError::Timestamp(_))), "{err}");
    nothing_kept(&t.vault, &id);
    let pending = t.vault.unfinished_remote_requests().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].state, results_vault::RemoteState::Approved);

    let peers = LoopbackPeers::start(lab.dir());
    let again = Vault::open(
        t.path(),
        VaultOptions {
            clock: Arc::new(OffsetDateTime::now_utc),
            timestamper: Some(client(peers.url("/tsa/tsa"))),
            ..VaultOptions::default()
        },
    )
    .unwrap();
    let stored = again
        .resume_remote(&pending[0].session_id, &provider, &options)
        .unwrap();
    assert!(!token_of(&stored.cms).is_empty());
    let envelope = again.envelope(&id).unwrap();
    assert!(lab.s.pki.openssl_verifies(&stored.cms, envelope.as_bytes(), None));
}
