//! C ABI parity: every public method of `Vault` has a C function (`rv_vault_*` in
//! `src/ffi/`), or an exemption below says why not. The test reads the source text: the
//! `pub fn NAME(` lines inside `impl Vault { … }` blocks of `src/` (rustfmt's layout: the
//! block opens and closes at column 0) and the `extern "C" fn rv_…(` lines of `src/ffi/`.
//!
//! It fails when a method has neither a C function nor an exemption, when the table names
//! a method or a C function that does not exist (a rename), and when an `rv_vault_*`
//! function is neither in the table nor in [`C_ONLY`]. Adding a `Vault` method means adding
//! its C function (and the PHP and Java methods over it) and a line to [`MAPPING`], or a
//! line to [`EXEMPT`] with the reason C cannot have it.
//!
//! `cargo test --features capi --test capi_parity -- --nocapture` prints the table.
#![cfg(feature = "capi")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each `Vault` method and the C functions that give it to C callers.
const MAPPING: &[(&str, &[&str])] = &[
    // Opening: the options JSON's "mode" picks which.
    ("create", &["rv_vault_open"]),
    ("open", &["rv_vault_open"]),
    ("open_or_create", &["rv_vault_open"]),
    ("path", &["rv_vault_path"]),
    // Records (src/vault/mod.rs).
    ("ingest", &["rv_vault_ingest"]),
    ("ingest_batch", &["rv_vault_ingest_batch"]),
    ("get", &["rv_vault_get"]),
    ("read_content", &["rv_vault_read_content"]),
    ("find_by_hash", &["rv_vault_find_by_hash"]),
    ("envelope", &["rv_vault_envelope"]),
    ("history", &["rv_vault_history"]),
    ("revoke", &["rv_vault_revoke"]),
    ("supersede", &["rv_vault_supersede"]),
    ("find_reusable", &["rv_vault_find_reusable"]),
    ("stats", &["rv_vault_stats"]),
    ("verify_log", &["rv_vault_verify_log"]),
    // rv_vault_verify_log with head_json.
    ("verify_log_against", &["rv_vault_verify_log"]),
    ("verify_log_with", &["rv_vault_verify_log_with"]),
    ("log_head", &["rv_vault_log_head"]),
    ("check_storage", &["rv_vault_check_storage"]),
    ("verify_contents", &["rv_vault_verify_contents"]),
    ("storage_summary", &["rv_vault_storage_summary"]),
    // PDFs (src/vault/pdf.rs).
    ("pdf_check", &["rv_vault_pdf_check"]),
    // Remote providers (src/vault/remote.rs).
    ("sign_remote", &["rv_vault_sign_remote"]),
    ("resume_remote", &["rv_vault_resume_remote"]),
    ("remote_request", &["rv_vault_remote_request"]),
    ("unfinished_remote_requests", &["rv_vault_unfinished_remote_requests"]),
    // Two-phase signing (src/vault/signing.rs).
    ("begin_signing", &["rv_vault_begin_signing"]),
    ("signing_session", &["rv_vault_signing_session"]),
    ("cancel_signing", &["rv_vault_cancel_signing"]),
    // A SignatureReply is a raw signature or a whole CMS: one C function each.
    (
        "complete_signing",
        &["rv_vault_complete_signing_raw", "rv_vault_complete_signing_cms"],
    ),
    ("attach_signature", &["rv_vault_attach_signature"]),
    ("signatures", &["rv_vault_signatures"]),
    ("signature_checks", &["rv_vault_signature_checks"]),
    // The trust store (src/vault/trust.rs).
    ("add_trust_anchor", &["rv_vault_add_trust_anchor"]),
    ("add_intermediate", &["rv_vault_add_intermediate"]),
    ("add_crl", &["rv_vault_add_crl"]),
    ("add_ocsp_response", &["rv_vault_add_ocsp_response"]),
    // The network's revocation data (src/vault/refresh.rs), over the library's own HTTP
    // client; a Rust caller may pass another `RevocationSource`.
    ("refresh_revocation", &["rv_vault_refresh_revocation"]),
    ("remove_trust_item", &["rv_vault_remove_trust_item"]),
    ("add_signer_rule", &["rv_vault_add_signer_rule"]),
    ("remove_signer_rule", &["rv_vault_remove_signer_rule"]),
    ("signer_rules", &["rv_vault_signer_rules"]),
    ("trust_items", &["rv_vault_trust_items"]),
    ("trust_material", &["rv_vault_trust_material"]),
    // Verification (src/vault/verification.rs).
    ("verify_record", &["rv_vault_verify_record"]),
    ("kept_crl", &["rv_vault_kept_crl"]),
];

/// `Vault` methods C does not get, each with the reason.
const EXEMPT: &[(&str, &str)] = &[
    (
        "ingest_reader",
        "takes a Rust `impl Read` stream; C gives the bytes to rv_vault_ingest",
    ),
    (
        "sign_with",
        "takes a Rust `&dyn Signer` (a key in this process); C signs in two phases (rv_vault_begin_signing + rv_vault_complete_signing_raw/_cms)",
    ),

];

/// `rv_vault_*` functions that are no `Vault` method, each with the reason.
const C_ONLY: &[(&str, &str)] = &[
    ("rv_vault_close", "the handle's life: Rust drops the Vault"),
    ("rv_vault_free", "the handle's life: Rust drops the Vault"),
    (
        "rv_vault_verify_pdf",
        "pdf::verify_pdf_with over vault.trust_material(): a free function in Rust",
    ),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The name after `fn ` in a line that declares a public function (`pub fn`, `pub const
/// fn`, `pub async fn`, `pub unsafe fn`; not `pub(crate)`).
fn pub_fn_name(line: &str) -> Option<String> {
    let mut rest = line.trim_start().strip_prefix("pub ")?;
    for qualifier in ["const ", "async ", "unsafe "] {
        rest = rest.strip_prefix(qualifier).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The public methods declared in the `impl Vault { … }` blocks of one file's text.
fn vault_methods_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !inside {
            // `impl Vault {` (or `impl<'a> Vault {`), not `impl Trait for Vault {`.
            inside = line.starts_with("impl") && !line.contains(" for ") && line.trim_end().ends_with(" Vault {");
        } else if line == "}" {
            inside = false;
        } else if let Some(name) = pub_fn_name(line) {
            out.push(name);
        }
    }
    out
}

/// Every public `Vault` method of the crate, with the file that declares it.
fn vault_methods() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for path in rust_files(&root().join("src")) {
        let relative = path.strip_prefix(root()).unwrap().to_string_lossy().into_owned();
        if relative.starts_with("src/bin/") || relative.starts_with("src/ffi/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for name in vault_methods_in(&text) {
            if let Some(other) = out.insert(name.clone(), relative.clone()) {
                panic!("Vault::{name} is declared in {other} and {relative}");
            }
        }
    }
    out
}

/// The C functions exported in one file's text (`extern "C" fn rv_…(`).
fn c_functions_in(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.split_once("extern \"C\" fn ").map(|(_, rest)| rest))
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| name.starts_with("rv_"))
        .collect()
}

/// Every C function of `src/ffi/`.
fn c_functions() -> BTreeSet<String> {
    rust_files(&root().join("src/ffi"))
        .iter()
        .flat_map(|path| c_functions_in(&std::fs::read_to_string(path).unwrap()))
        .collect()
}

/// What is wrong with the table, given the methods and the C functions found.
fn problems(
    methods: &BTreeMap<String, String>,
    c_fns: &BTreeSet<String>,
    mapping: &[(&str, &[&str])],
    exempt: &[(&str, &str)],
    c_only: &[(&str, &str)],
) -> Vec<String> {
    let mut out = Vec::new();
    let mapped: BTreeMap<&str, &[&str]> = mapping.iter().copied().collect();
    let exempted: BTreeMap<&str, &str> = exempt.iter().copied().collect();
    for (method, file) in methods {
        match (mapped.get(method.as_str()), exempted.get(method.as_str())) {
            (None, None) => out.push(format!(
                "Vault::{method} ({file}) has no C function: add rv_vault_{method} to src/ffi/ and a line to MAPPING \
                 in tests/capi_parity.rs, or a line to EXEMPT with the reason C cannot have it"
            )),
            (Some(_), Some(_)) => out.push(format!("Vault::{method} is both mapped and exempted")),
            _ => {}
        }
    }
    for (method, targets) in mapping {
        if !methods.contains_key(*method) {
            out.push(format!("MAPPING names Vault::{method}, which no impl Vault declares"));
        }
        if targets.is_empty() {
            out.push(format!("MAPPING gives Vault::{method} no C function"));
        }
        for target in *targets {
            if !c_fns.contains(*target) {
                out.push(format!(
                    "MAPPING maps Vault::{method} to {target}, which src/ffi/ does not export"
                ));
            }
        }
    }
    for (method, reason) in exempt {
        if !methods.contains_key(*method) {
            out.push(format!("EXEMPT names Vault::{method}, which no impl Vault declares"));
        }
        if reason.trim().is_empty() {
            out.push(format!("EXEMPT gives no reason for Vault::{method}"));
        }
    }
    let targets: BTreeSet<&str> = mapping.iter().flat_map(|(_, t)| t.iter().copied()).collect();
    let only: BTreeSet<&str> = c_only.iter().map(|(name, _)| *name).collect();
    for name in c_fns.iter().filter(|n| n.starts_with("rv_vault_")) {
        if !targets.contains(name.as_str()) && !only.contains(name.as_str()) {
            out.push(format!(
                "{name} is neither a Vault method's C function (MAPPING) nor listed in C_ONLY"
            ));
        }
    }
    for name in only {
        if !c_fns.contains(name) {
            out.push(format!("C_ONLY names {name}, which src/ffi/ does not export"));
        }
    }
    out
}

#[test]
fn every_public_vault_method_has_a_c_function_or_a_documented_exemption() {
    let methods = vault_methods();
    let c_fns = c_functions();
    // The parsers found what they should: a broken one must not pass as "nothing missing".
    assert!(
        methods.len() >= 40,
        "only {} Vault methods found: {methods:?}",
        methods.len()
    );
    assert!(c_fns.len() >= 40, "only {} C functions found", c_fns.len());
    for known in ["ingest", "verify_record", "begin_signing", "add_crl", "pdf_check"] {
        assert!(methods.contains_key(known), "Vault::{known} not found");
    }

    let mapped: BTreeMap<&str, &[&str]> = MAPPING.iter().copied().collect();
    let exempted: BTreeMap<&str, &str> = EXEMPT.iter().copied().collect();
    println!(
        "Vault method -> C ABI ({} methods, {} C functions)",
        methods.len(),
        c_fns.len()
    );
    for (method, file) in &methods {
        let to = match (mapped.get(method.as_str()), exempted.get(method.as_str())) {
            (Some(targets), _) => targets.join(", "),
            (None, Some(reason)) => format!("(exempt: {reason})"),
            (None, None) => "MISSING".to_owned(),
        };
        println!("  {file:<28} {method:<28} -> {to}");
    }
    for (name, reason) in C_ONLY {
        println!("  {:<28} {:<28} <- {name} ({reason})", "(C only)", "");
    }

    let found = problems(&methods, &c_fns, MAPPING, EXEMPT, C_ONLY);
    assert!(found.is_empty(), "C ABI parity:\n  {}", found.join("\n  "));
}

#[test]
fn a_method_without_a_c_function_or_an_exemption_fails() {
    let methods = vault_methods();
    let c_fns = c_functions();
    // The table without pdf_check's line: the check must name it.
    let without: Vec<(&str, &[&str])> = MAPPING.iter().copied().filter(|(m, _)| *m != "pdf_check").collect();
    let found = problems(&methods, &c_fns, &without, EXEMPT, C_ONLY);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("Vault::pdf_check ") && p.contains("has no C function")),
        "{found:?}"
    );
    // A mapping to a C function that is not there (a rename) fails too.
    let renamed: Vec<(&str, &[&str])> = MAPPING
        .iter()
        .map(|&(m, t)| {
            if m == "get" {
                (m, &["rv_vault_get_record"][..])
            } else {
                (m, t)
            }
        })
        .collect();
    let found = problems(&methods, &c_fns, &renamed, EXEMPT, C_ONLY);
    assert!(found.iter().any(|p| p.contains("rv_vault_get_record")), "{found:?}");
    assert!(
        found.iter().any(|p| p.starts_with("rv_vault_get is neither")),
        "{found:?}"
    );
}

#[test]
fn the_parser_reads_only_public_methods_of_impl_vault_blocks() {
    let text = r#"
impl Vault {
    /// Doc.
    pub fn one(&self) -> u8 {
        fn helper() {}
        1
    }

    pub(crate) fn internal(&self) {}
    fn private(&self) {}
    pub const fn two<T>(&self) {}
}

impl Default for Vault {
    fn default() -> Self { todo!() }
}

impl std::fmt::Debug for Vault {
    pub fn not_a_method() {}
}

impl VaultOptions {
    pub fn check(&self) {}
}

impl<'a> Vault {
    pub unsafe fn three(&self) {}
}
"#;
    assert_eq!(vault_methods_in(text), ["one", "two", "three"]);
    assert_eq!(
        c_functions_in(
            "pub unsafe extern \"C\" fn rv_vault_get(\npub extern \"C\" fn rv_version() -> u8\nextern \"C\" fn other()"
        ),
        ["rv_vault_get", "rv_version"]
    );
}
