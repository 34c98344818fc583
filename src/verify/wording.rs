//! The words an officer reads: a verdict, its sub-indication and a record's status, in
//! Vietnamese (with full diacritics) and in English. Used by the CLI's sentences (and the
//! verification report).

use crate::record::StatusKind;
use crate::verify::verdict::{Indication, SubIndication};

/// The language of what the officer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Tiếng Việt (the default at the counter).
    Vi,
    /// English.
    En,
}

fn pick(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The indication in one or two words, upper case as a stamp.
pub fn indication_label(lang: Lang, indication: Indication) -> &'static str {
    match indication {
        Indication::Passed => pick(lang, "HỢP LỆ", "PASSED"),
        Indication::Failed => pick(lang, "KHÔNG HỢP LỆ", "FAILED"),
        Indication::Indeterminate => pick(lang, "CHƯA XÁC ĐỊNH", "INDETERMINATE"),
    }
}

/// Why a verdict is not PASSED, in a short phrase.
pub fn sub_indication_label(lang: Lang, sub: SubIndication) -> &'static str {
    use SubIndication as S;
    match sub {
        S::HashFailure => pick(
            lang,
            "nội dung đã bị thay đổi sau khi ký",
            "the content was changed after signing",
        ),
        S::SigCryptoFailure => pick(
            lang,
            "chữ ký số không khớp với chứng thư",
            "the signature value does not verify",
        ),
        S::Revoked => pick(
            lang,
            "chứng thư số của người ký đã bị thu hồi trước khi ký",
            "the signer's certificate was revoked before signing",
        ),
        S::FormatFailure => pick(
            lang,
            "chữ ký không đúng định dạng hoặc thiếu thuộc tính bắt buộc",
            "the signature is malformed or lacks a required attribute",
        ),
        S::CryptoConstraintsFailure => pick(
            lang,
            "thuật toán hoặc độ dài khóa không còn được chấp nhận",
            "the algorithm or key size is no longer accepted",
        ),
        S::RevokedNoPoe => pick(
            lang,
            "chứng thư số đã bị thu hồi và không có bằng chứng đã ký trước đó",
            "the certificate is revoked and nothing proves the signature came earlier",
        ),
        S::RevokedCaNoPoe => pick(
            lang,
            "chứng thư của tổ chức cấp đã bị thu hồi",
            "an issuing CA's certificate is revoked",
        ),
        S::OutOfBoundsNoPoe => pick(
            lang,
            "chứng thư số đã hết hạn và không có bằng chứng đã ký khi còn hạn",
            "the certificate has expired and nothing proves the signature came while it was valid",
        ),
        S::NoCertificateChainFound => pick(
            lang,
            "không tìm được chuỗi chứng thư đến tổ chức chứng thực gốc tin cậy",
            "no chain to a trusted root CA was found",
        ),
        S::NoSigningCertificateFound => pick(
            lang,
            "không tìm thấy chứng thư số của người ký",
            "the signer's certificate was not found",
        ),
        S::TryLater => pick(
            lang,
            "chưa có danh sách thu hồi (CRL) còn hiệu lực",
            "no current revocation list (CRL) is available",
        ),
        S::SignedDataNotFound => pick(lang, "tài liệu không có chữ ký số", "the document carries no signature"),
        S::ChainConstraintsFailure => pick(
            lang,
            "chuỗi chứng thư không đáp ứng ràng buộc",
            "the certificate chain breaks a constraint",
        ),
        S::SigConstraintsFailure => pick(
            lang,
            "chữ ký không đáp ứng chính sách kiểm tra",
            "the signature does not meet the validation policy",
        ),
        S::RevocationOutOfBounds => pick(
            lang,
            "thông tin thu hồi không bao phủ thời điểm kiểm tra",
            "the revocation data does not cover the time of the check",
        ),
        S::NoPoe => pick(
            lang,
            "không có bằng chứng tài liệu đã được ký trước thời điểm kiểm tra",
            "nothing proves the document was signed before the time of the check",
        ),
        S::NotYetValid => pick(
            lang,
            "chứng thư số của người ký chưa có hiệu lực khi chữ ký được chứng minh là đã tồn tại",
            "the signer's certificate was not yet valid when the signature is proven to have existed",
        ),
        S::TimestampOrderFailure => pick(
            lang,
            "các dấu thời gian mâu thuẫn về thứ tự",
            "the timestamps contradict each other's order",
        ),
        S::GenericError => pick(lang, "lỗi khi kiểm tra", "an error occurred during the check"),
    }
}

/// A record's legal status.
pub fn status_label(lang: Lang, status: StatusKind) -> &'static str {
    match status {
        StatusKind::Active => pick(lang, "đang có hiệu lực", "in force"),
        StatusKind::Revoked => pick(lang, "đã bị thu hồi", "revoked"),
        StatusKind::Superseded => pick(lang, "đã được thay thế", "superseded"),
        StatusKind::Expired => pick(lang, "đã hết hiệu lực", "expired"),
        StatusKind::NotYetValid => pick(lang, "chưa có hiệu lực", "not yet in force"),
    }
}

/// The verdict as one sentence: what the officer tells the citizen. `proven_at_signing`:
/// every signature's certificate is known to have been valid when it signed (with a proof
/// of existence); otherwise a PASSED verdict only speaks of the time of the check.
pub fn verdict_sentence(
    lang: Lang,
    indication: Indication,
    sub: Option<SubIndication>,
    status: Option<StatusKind>,
    proven_at_signing: bool,
) -> String {
    let why = sub.map(|s| sub_indication_label(lang, s)).unwrap_or("");
    match (indication, status) {
        (Indication::Passed, None | Some(StatusKind::Active)) => {
            let base = if proven_at_signing {
                pick(
                    lang,
                    "Tài liệu hợp lệ: chữ ký đúng, chứng thư số của người ký còn hiệu lực tại thời điểm ký",
                    "Valid: the signature is right and the signer's certificate was valid when it signed",
                )
            } else {
                pick(
                    lang,
                    "Tài liệu hợp lệ: chữ ký đúng, chứng thư số của người ký có hiệu lực tại thời điểm kiểm tra",
                    "Valid: the signature is right and the signer's certificate is valid at the time of the check",
                )
            };
            match status {
                Some(_) => format!(
                    "{base}{}",
                    pick(lang, "; kết quả đang có hiệu lực.", "; the result is in force.")
                ),
                None => format!("{base}."),
            }
        }
        (Indication::Passed, Some(s)) => format!(
            "{} {}.",
            pick(
                lang,
                "Chữ ký hợp lệ, nhưng kết quả",
                "The signature is valid, but the result is"
            ),
            status_label(lang, s)
        ),
        (Indication::Failed, _) => format!("{}: {why}.", pick(lang, "Tài liệu không hợp lệ", "Not valid")),
        (Indication::Indeterminate, _) => format!(
            "{}: {why}.",
            pick(
                lang,
                "Chưa xác định được tính hợp lệ",
                "Validity could not be established"
            )
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_say_why_in_both_languages() {
        let s = verdict_sentence(
            Lang::Vi,
            Indication::Failed,
            Some(SubIndication::HashFailure),
            None,
            true,
        );
        assert_eq!(s, "Tài liệu không hợp lệ: nội dung đã bị thay đổi sau khi ký.");
        let s = verdict_sentence(Lang::En, Indication::Passed, None, Some(StatusKind::Revoked), true);
        assert_eq!(s, "The signature is valid, but the result is revoked.");
        let s = verdict_sentence(Lang::Vi, Indication::Passed, None, Some(StatusKind::Active), true);
        assert!(s.ends_with("kết quả đang có hiệu lực."), "{s}");
        assert!(s.contains("tại thời điểm ký"), "{s}");
        let s = verdict_sentence(Lang::En, Indication::Passed, None, None, false);
        assert!(s.ends_with("valid at the time of the check."), "{s}");
        assert_eq!(indication_label(Lang::Vi, Indication::Indeterminate), "CHƯA XÁC ĐỊNH");
    }
}
