package vn.resultsvault;

/**
 * The algorithm of a raw signature value given to
 * {@link Signing#completeSigningRaw(String, RawSignatureAlgorithm, byte[])}.
 */
public enum RawSignatureAlgorithm {
    /** RSASSA-PKCS1-v1_5 (Java: {@code SHA256withRSA} over the signed attributes). */
    RSA_PKCS1,
    /** RSASSA-PSS. */
    RSA_PSS,
    /** ECDSA, the value DER-encoded or raw {@code r||s}. */
    ECDSA,
    /** Ed25519 (with the session's digest SHA-512). */
    ED25519
}
