/**
 * Java binding of results-vault, a store of signed administrative results of Vietnamese
 * public-service portals, over its C ABI ({@code include/results_vault.h}) with JNA.
 *
 * <ul>
 *   <li>{@link vn.resultsvault.Vault}: an open vault (ingest, verification, reuse, audit log),
 *       with its {@link vn.resultsvault.TrustStore} ({@code vault.trustStore()}: anchors,
 *       intermediates, CRLs) and its {@link vn.resultsvault.Signing} ({@code vault.signing()}:
 *       two-phase signing, stored signatures);</li>
 *   <li>{@link vn.resultsvault.Verifier}: a detached CMS verified without a vault;</li>
 *   <li>{@link vn.resultsvault.Json}: the answers, with their raw text;</li>
 *   <li>{@link vn.resultsvault.ResultsVaultException} and its subclasses: the failures;</li>
 *   <li>{@link vn.resultsvault.RvNative}: the raw C functions, for what the wrapper does not cover.</li>
 * </ul>
 *
 * <p>The library is found through the system property {@code resultsvault.library}, the environment
 * variable {@code RESULTS_VAULT_LIB}, or the system library path ({@code libresults_vault.so}).
 */
package vn.resultsvault;
