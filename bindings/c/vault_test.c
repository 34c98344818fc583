/*
 * The C ABI's test program: the full flow a portal runs (open, trust, ingest, two-phase
 * signing with a test key, verify, reuse, revoke, log check) and the misuse cases
 * (NULL, bad UTF-8, bad JSON, use after close), and the remote-signing calls' failures
 * that need no provider. Every string and buffer the library hands out is freed, so
 * that valgrind / ASan report zero leaks.
 *
 * Usage: vault_test <pki-dir> <work-dir>
 *   <pki-dir>  made by bindings/testdata/make-test-pki.sh (root, officer, key, CRL)
 *   <work-dir> an empty directory for the vault file and the signer's scratch files
 * The "remote signer" is the real `openssl dgst -sign` over the session's signed
 * attributes, as a provider's HSM would sign them.
 *
 * Run by tests/c_program.rs (cargo test --features capi).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_vault.h"

static int failures = 0;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__,        \
                    __LINE__, #cond, rv_last_error_message());                             \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

/* Stops the run: later steps depend on this one. `cond` is evaluated once. */
#define REQUIRE(cond)                                                                      \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s (last error: %s)\n", __FILE__,      \
                    __LINE__, #cond, rv_last_error_message());                             \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(1); }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_file(const char *path, const unsigned char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) { perror(path); exit(1); }
    fclose(f);
}

/* The string value of "key" in a JSON text (first occurrence; the answers here are
 * the library's own compact JSON, whose ids and hex have no escapes). Caller frees. */
static char *json_string(const char *json, const char *key) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(json, pattern);
    if (!start) return NULL;
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    if (!end) return NULL;
    char *out = malloc((size_t)(end - start) + 1);
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return out;
}

static unsigned char *from_hex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) { free(out); return NULL; }
        out[i] = (unsigned char)byte;
    }
    *len = n;
    return out;
}

/* Asks the "remote signer" (openssl, with the officer's key) for an RSA PKCS#1 v1.5
 * SHA-256 signature of `data`. */
static unsigned char *remote_sign(const char *pki, const char *work, const unsigned char *data,
                                  size_t len, size_t *sig_len) {
    char attrs[4096], sig[4096], cmd[16384];
    snprintf(attrs, sizeof attrs, "%s/attrs.der", work);
    snprintf(sig, sizeof sig, "%s/attrs.sig", work);
    write_file(attrs, data, len);
    snprintf(cmd, sizeof cmd, "openssl dgst -sha256 -sign '%s/officer.key' -out '%s' '%s'", pki, sig,
             attrs);
    REQUIRE(system(cmd) == 0);
    return read_file(sig, sig_len);
}

static const char *META =
    "{\"dossier_code\":\"H01.01-261101-0001\",\"procedure_code\":\"1.000466\","
    "\"document_type\":\"birth-extract\",\"document_number\":\"12/TLKS\","
    "\"issuer\":{\"agency_code\":\"G06.01\",\"agency_name\":\"UBND ph\xc6\xb0\xe1\xbb\x9dng B\xe1\xba\xbfn Ngh\xc3\xa9\"},"
    "\"subject\":{\"kind\":\"citizen\",\"id\":\"001203004567\",\"name\":\"Nguy\xe1\xbb\x85n V\xc4\x83n An\"},"
    "\"issued_at\":\"2026-11-01\",\"valid_from\":\"2026-11-01\",\"media_type\":\"application/pdf\","
    "\"provenance\":{\"origin\":\"born_digital\"}}";

static const char *QUERY =
    "{\"subject_kind\":\"citizen\",\"subject_id\":\"001203004567\",\"document_type\":\"birth-extract\","
    "\"at\":\"%s\"}";

static const char *REQUESTER =
    "{\"agency_code\":\"G01.02\",\"procedure_code\":\"2.000123\",\"dossier_code\":\"H02-0001\","
    "\"purpose\":\"x\xc3\xa1\x63 minh khai sinh\"}";

static void misuse_without_a_vault(const char *vault_path) {
    rv_vault *v = NULL;
    char *out = NULL;
    CHECK(rv_abi_version() == RV_ABI_VERSION);
    CHECK(strcmp(rv_result_name(RV_NOT_FOUND), "RV_NOT_FOUND") == 0);
    CHECK(strcmp(rv_result_name(12345), "RV_UNKNOWN") == 0);

    CHECK(rv_vault_open(NULL, NULL, &v) == RV_NULL_PARAMETER && v == NULL);
    CHECK(strstr(rv_last_error_message(), "path") != NULL);
    CHECK(rv_vault_open(vault_path, NULL, NULL) == RV_NULL_PARAMETER);
    CHECK(rv_vault_open("\xff\xfe/vault", NULL, &v) == RV_INVALID_UTF8 && v == NULL);
    CHECK(rv_vault_open(vault_path, "{not json", &v) == RV_INVALID_JSON && v == NULL);
    CHECK(rv_vault_open(vault_path, "{\"mode\":\"open\"}", &v) == RV_FILE && v == NULL);
    CHECK(rv_vault_open(vault_path, "{\"unknown_option\":1}", &v) == RV_INVALID_JSON);
    CHECK(rv_vault_get(NULL, "01M8442DNE2PJSSAEKS0MKZ3CK", &out) == RV_NULL_PARAMETER && out == NULL);
    CHECK(rv_verify_detached(NULL, 5, (const uint8_t *)"x", 1, "{\"anchors\":[]}", &out) ==
          RV_NULL_PARAMETER);

    /* Freeing NULL is a no-op, as free(NULL) is. */
    rv_string_free(NULL);
    rv_bytes_free(NULL, 0);
    rv_vault_free(NULL);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <pki-dir> <work-dir>\n", argv[0]);
        return 2;
    }
    const char *pki = argv[1], *work = argv[2];
    char path[4096], vault_path[4096];
    snprintf(vault_path, sizeof vault_path, "%s/portal.vault", work);

    misuse_without_a_vault(vault_path);

    rv_vault *v = NULL;
    REQUIRE(rv_vault_open(vault_path, "{\"mode\":\"create\",\"actor\":\"portal-c-test\"}", &v) == RV_OK);
    REQUIRE(v != NULL);

    /* Trust: the root (DER) and its CRL (PEM). */
    size_t root_len, crl_len, chain_len;
    snprintf(path, sizeof path, "%s/root.der", pki);
    unsigned char *root = read_file(path, &root_len);
    snprintf(path, sizeof path, "%s/crl.pem", pki);
    unsigned char *crl = read_file(path, &crl_len);
    snprintf(path, sizeof path, "%s/officer.pem", pki);
    unsigned char *chain = read_file(path, &chain_len);
    char *out = NULL;
    CHECK(rv_vault_add_trust_anchor(v, root, root_len, &out) == RV_OK);
    CHECK(out && strstr(out, "\"kind\":\"anchor\""));
    rv_string_free(out);
    out = NULL;
    CHECK(rv_vault_add_crl(v, crl, crl_len, &out) == RV_OK);
    rv_string_free(out);
    out = NULL;
    CHECK(rv_vault_add_trust_anchor(v, (const uint8_t *)"\x30\x82\x01", 3, &out) == RV_INVALID_ARGUMENT);
    CHECK(out == NULL);

    /* Ingest: content with NUL bytes, Vietnamese metadata. */
    const unsigned char content[] = "%PDF-1.7\n\0\x01\x02 trich luc khai sinh\n%%EOF";
    size_t content_len = sizeof content - 1;
    CHECK(rv_vault_ingest(v, "{\"dossier_code\":", content, content_len, &out) == RV_INVALID_JSON);
    CHECK(out == NULL);
    CHECK(rv_vault_ingest(v, META, NULL, 10, &out) == RV_NULL_PARAMETER);
    CHECK(rv_vault_ingest(v, META, NULL, 0, &out) == RV_CONTENT_REFUSED);
    char bad_utf8[] = "{\"dossier_code\":\"\xc3\x28\"}";
    CHECK(rv_vault_ingest(v, bad_utf8, content, content_len, &out) == RV_INVALID_UTF8);
    /* Nothing was stored by the refused calls. */
    CHECK(rv_vault_find_by_hash(v, "00", &out) == RV_INVALID_ARGUMENT);
    REQUIRE(rv_vault_ingest(v, META, content, content_len, &out) == RV_OK);
    CHECK(strstr(out, "\"created\":true") != NULL);
    char *id = json_string(out, "result_id");
    char *sha = json_string(out, "sha256");
    rv_string_free(out);
    REQUIRE(id != NULL && strlen(id) == 26 && sha != NULL);
    CHECK(rv_vault_find_by_hash(v, sha, &out) == RV_OK && strstr(out, id) != NULL);
    rv_string_free(out);

    uint8_t *bytes = NULL;
    size_t bytes_len = 0;
    CHECK(rv_vault_read_content(v, id, &bytes, &bytes_len) == RV_OK);
    CHECK(bytes_len == content_len && memcmp(bytes, content, content_len) == 0);
    rv_bytes_free(bytes, bytes_len);
    CHECK(rv_vault_get(v, "not-a-ulid", &out) == RV_INVALID_ARGUMENT);
    CHECK(rv_vault_get(v, "01M8442DNE2PJSSAEKS0MKZ3CK", &out) == RV_NOT_FOUND);
    CHECK(strstr(rv_last_error_message(), "01M8442DNE2PJSSAEKS0MKZ3CK") != NULL);

    /* Two-phase signing: the vault prepares, the "provider" signs, the vault verifies. */
    CHECK(rv_vault_begin_signing(v, id, chain, chain_len, "MD5", &out) == RV_INVALID_ARGUMENT);
    REQUIRE(rv_vault_begin_signing(v, id, chain, chain_len, NULL, &out) == RV_OK);
    char *session_id = json_string(out, "session_id");
    char *attrs_hex = json_string(out, "signed_attributes");
    rv_string_free(out);
    REQUIRE(session_id && attrs_hex);
    size_t attrs_len, sig_len;
    unsigned char *attrs = from_hex(attrs_hex, &attrs_len);
    REQUIRE(attrs != NULL);
    unsigned char *sig = remote_sign(pki, work, attrs, attrs_len, &sig_len);

    sig[sig_len / 2] ^= 0x01; /* a corrupted reply is refused, and the session stays open */
    out = NULL;
    CHECK(rv_vault_complete_signing_raw(v, session_id, "RSA_PKCS1", sig, sig_len, &out) ==
          RV_SIGNATURE_REFUSED);
    CHECK(out == NULL);
    sig[sig_len / 2] ^= 0x01;
    CHECK(rv_vault_complete_signing_raw(v, session_id, "RSA_SHA1", sig, sig_len, &out) ==
          RV_INVALID_ARGUMENT);
    REQUIRE(rv_vault_complete_signing_raw(v, session_id, "RSA_PKCS1", sig, sig_len, &out) == RV_OK);
    CHECK(strstr(out, "\"indication\":\"PASSED\"") != NULL);
    char *cms_hex = json_string(out, "cms");
    rv_string_free(out);
    CHECK(rv_vault_cancel_signing(v, session_id, &out) == RV_SESSION_UNUSABLE);
    CHECK(rv_vault_signing_session(v, "no-such-session", &out) == RV_NOT_FOUND);
    CHECK(rv_vault_signatures(v, id, &out) == RV_OK && strstr(out, session_id) != NULL);
    rv_string_free(out);

    /* Signing through a remote provider, the cases that need no provider: misuse, a bad
     * configuration, an unreachable provider (nothing listens on port 1). None begins a
     * session or stores anything, and no secret reaches the message. */
    const char *smartca =
        "{\"base_url\":\"http://127.0.0.1:1\",\"sp_id\":\"sp\",\"sp_password\":\"pw-not-echoed\","
        "\"user_id\":\"001088012345\",\"answer\":\"raw\",\"timeout_seconds\":5}";
    out = NULL;
    CHECK(rv_vault_sign_remote(v, NULL, smartca, id, NULL, &out) == RV_NULL_PARAMETER);
    CHECK(rv_vault_sign_remote(v, "vnpt-smartca", smartca, id, NULL, NULL) == RV_NULL_PARAMETER);
    CHECK(rv_vault_sign_remote(v, "acme-ca", smartca, id, NULL, &out) == RV_PROVIDER_CONFIG);
    CHECK(rv_vault_sign_remote(v, "vnpt-smartca", "{\"sp_password\":1234}", id, NULL, &out) ==
          RV_PROVIDER_CONFIG);
    CHECK(rv_vault_sign_remote(v, "vnpt-smartca", "[]", id, NULL, &out) == RV_PROVIDER_CONFIG);
    CHECK(rv_vault_sign_remote(v, "vnpt-smartca", smartca, id, "{\"wait\":1}", &out) == RV_INVALID_JSON);
    CHECK(rv_vault_sign_remote(v, "vnpt-smartca", smartca, "not-a-ulid", NULL, &out) ==
          RV_INVALID_ARGUMENT);
    CHECK(rv_vault_sign_remote(v, "vnpt-smartca", smartca, id, NULL, &out) == RV_PROVIDER_UNREACHABLE);
    CHECK(strstr(rv_last_error_message(), "pw-not-echoed") == NULL);
    CHECK(strstr(rv_last_error_message(), "signing session") == NULL);
    CHECK(out == NULL);
    /* A local session has no provider request, and cannot be resumed through one. */
    CHECK(rv_vault_remote_request(v, session_id, &out) == RV_NOT_FOUND && out == NULL);
    CHECK(rv_vault_remote_request(v, "01M8442DNE2PJSSAEKS0MKZ3CK", &out) == RV_NOT_FOUND);
    CHECK(rv_vault_remote_request(v, session_id, NULL) == RV_NULL_PARAMETER);
    CHECK(rv_vault_resume_remote(v, "vnpt-smartca", smartca, session_id, NULL, &out) ==
          RV_PROVIDER_CONFIG);
    CHECK(rv_vault_resume_remote(v, "vnpt-smartca", smartca, "01M8442DNE2PJSSAEKS0MKZ3CK", NULL, &out) ==
          RV_NOT_FOUND);
    CHECK(out == NULL);

    /* Verify: with and without the JSON answer. */
    bool reusable = false;
    CHECK(rv_vault_verify_record(v, id, NULL, &reusable, NULL) == RV_OK && reusable);
    CHECK(rv_vault_verify_record(v, id, NULL, NULL, &out) == RV_OK);
    CHECK(strstr(out, "\"reusable\":true") != NULL);
    rv_string_free(out);
    CHECK(rv_vault_verify_record(v, id, "yesterday", &reusable, NULL) == RV_INVALID_ARGUMENT);

    /* The same CMS verified without a vault, with the caller's own anchor and CRL. */
    size_t cms_len, envelope_len;
    unsigned char *cms = from_hex(cms_hex, &cms_len);
    uint8_t *envelope = NULL;
    CHECK(rv_vault_envelope(v, id, &envelope, &envelope_len) == RV_OK);
    char *trust_json = NULL;
    CHECK(rv_vault_trust_material(v, &trust_json) == RV_OK);
    /* {"anchors":[..],"intermediates":[..],"crls":[..]} is also valid verify params. */
    CHECK(rv_verify_detached(cms, cms_len, envelope, envelope_len, trust_json, &out) == RV_OK);
    CHECK(strstr(out, "\"indication\":\"PASSED\"") != NULL);
    rv_string_free(out);
    envelope[envelope_len - 2] ^= 0x01;
    CHECK(rv_verify_detached(cms, cms_len, envelope, envelope_len, trust_json, &out) == RV_OK);
    CHECK(strstr(out, "\"indication\":\"FAILED\"") != NULL);
    rv_string_free(out);
    CHECK(rv_verify_detached(cms, cms_len, envelope, envelope_len, "[1,2", &out) == RV_INVALID_JSON);
    rv_string_free(trust_json);
    rv_bytes_free(envelope, envelope_len);

    /* Reuse: handed out with its verdict; a requester without purpose is refused. The
     * query's time is the signature's acceptance time (its proof of existence). */
    char now_query[512];
    char *sigs = NULL;
    CHECK(rv_vault_signatures(v, id, &sigs) == RV_OK);
    char *poe = json_string(sigs, "proof_of_existence");
    rv_string_free(sigs);
    REQUIRE(poe != NULL);
    snprintf(now_query, sizeof now_query, QUERY, poe);
    free(poe);
    size_t count = 99;
    CHECK(rv_vault_find_reusable(v, now_query, "{\"agency_code\":\"G01\"}", &count, NULL) ==
          RV_INVALID_JSON);
    CHECK(count == 99);
    CHECK(rv_vault_find_reusable(v, now_query, REQUESTER, &count, &out) == RV_OK);
    CHECK(count == 1 && strstr(out, id) != NULL && strstr(out, "\"verdicts\"") != NULL);
    rv_string_free(out);

    /* Revoke: no longer handed out, with its reason. */
    const char *change =
        "{\"reason\":\"c\xe1\xba\xA5p nh\xe1\xba\xA7m\",\"decision_ref\":\"45/QD-UBND\","
        "\"at\":\"2026-11-20T00:00:00Z\",\"by\":\"G06.01\"}";
    CHECK(rv_vault_revoke(v, id, change, &out) == RV_OK && strstr(out, "REVOKED") != NULL);
    rv_string_free(out);
    CHECK(rv_vault_revoke(v, id, change, &out) == RV_INVALID_TRANSITION);
    CHECK(rv_vault_verify_record(v, id, NULL, &reusable, NULL) == RV_OK && !reusable);
    CHECK(rv_vault_find_reusable(v, now_query, REQUESTER, &count, &out) == RV_OK);
    CHECK(count == 0 && strstr(out, "\"reason\":\"REVOKED\"") != NULL);
    rv_string_free(out);

    /* The log: intact, its head kept and checked again. */
    bool intact = false;
    char *head = NULL;
    CHECK(rv_vault_log_head(v, &head) == RV_OK && strstr(head, "\"seq\":") != NULL);
    CHECK(rv_vault_verify_log(v, head, &intact, NULL) == RV_OK && intact);
    rv_string_free(head);
    CHECK(rv_vault_verify_log(v, NULL, &intact, &out) == RV_OK && intact);
    CHECK(strstr(out, "\"problem_count\":0") != NULL);
    rv_string_free(out);
    CHECK(rv_vault_history(v, id, &out) == RV_OK && strstr(out, "\"revoke\"") != NULL);
    rv_string_free(out);
    CHECK(rv_vault_stats(v, "2026-01-01T00:00:00Z", "2100-01-01T00:00:00Z", &out) == RV_OK);
    CHECK(strstr(out, "\"agency_code\":\"G01.02\"") != NULL);
    rv_string_free(out);
    CHECK(rv_vault_check_storage(v, &out) == RV_OK && strcmp(out, "[]") == 0);
    rv_string_free(out);

    /* Close: later calls are refused; a second close too; then free. */
    CHECK(rv_vault_close(v) == RV_OK);
    out = NULL;
    CHECK(rv_vault_get(v, id, &out) == RV_CLOSED && out == NULL);
    CHECK(rv_vault_close(v) == RV_CLOSED);
    rv_vault_free(v);

    /* Reopen: the record is there, revoked. */
    REQUIRE(rv_vault_open(vault_path, "{\"mode\":\"open\"}", &v) == RV_OK);
    CHECK(rv_vault_get(v, id, &out) == RV_OK && strstr(out, "REVOKED") != NULL);
    rv_string_free(out);
    rv_vault_free(v); /* free without close: closes too */

    free(root), free(crl), free(chain), free(id), free(sha), free(session_id), free(attrs_hex);
    free(attrs), free(sig), free(cms_hex), free(cms);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("vault_test: all checks passed\n");
    return 0;
}
