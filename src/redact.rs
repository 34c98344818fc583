//! Showing what a person typed, or what a certificate says, without leaking a personal ID.
//!
//! Vietnamese personal IDs (CCCD, 12 digits; the older CMND, 9 digits) and tax codes (10
//! or 13 digits) must never be shown in full in an error message or in output that another
//! person or agency reads. The rule, wherever such text is shown:
//!
//! - every run of 9 or more ASCII digits is masked but for its last two digits
//!   (`UID=CCCD:001203004567` → `UID=CCCD:**********67`), as
//!   [`SubjectId::masked`](crate::SubjectId::masked) shows a subject's ID;
//! - an argument echoed in an error is cut after 80 characters, a path to its last 160;
//! - a bad value in JSON is described by its shape (`string (12 digits)`), never quoted;
//!   an unknown field's name is shown masked and cut.
//!
//! Only what is displayed is masked: what is stored, hashed or signed stays as it was.

use std::path::Path;

use crate::reuse::{RecordVerdict, ReuseAnswer};
use crate::verify::signature::{CertificateSummary, SignatureVerdict};

/// The shortest run of digits that is masked: a CMND has 9 digits, a CCCD 12, a tax code
/// 10 or 13.
const MIN_MASKED_DIGITS: usize = 9;

/// How many characters of an argument an error message shows.
const MAX_SHOWN_ARGUMENT: usize = 80;

/// How many characters of a path an error message shows (its end: the file's name).
const MAX_SHOWN_PATH: usize = 160;

/// How many characters of one line of another library's message are shown.
const MAX_SHOWN_LINE: usize = 240;

/// How many characters of an unknown JSON field's name a message shows.
const MAX_SHOWN_FIELD: usize = 40;

/// The longest message made from a JSON error.
const MAX_JSON_MESSAGE: usize = 600;

/// `text` with every run of 9 or more ASCII digits masked but for its last two digits: `CN=Nguyễn Văn A, UID=CCCD:001203004567` gives
/// `CN=Nguyễn Văn A, UID=CCCD:**********67`. Shorter numbers (dates, OIDs' arcs, serials
/// in hex mixed with letters) are left as they are.
///
/// ```
/// use results_vault::redact::mask_personal_ids;
/// assert_eq!(mask_personal_ids("UID=CCCD:001203004567"), "UID=CCCD:**********67");
/// assert_eq!(mask_personal_ids("MST:0312345678-001"), "MST:********78-001");
/// assert_eq!(mask_personal_ids("2026-11-20"), "2026-11-20");
/// ```
pub fn mask_personal_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= MIN_MASKED_DIGITS {
            out.extend(std::iter::repeat_n('*', digits.len() - 2));
            out.push_str(&digits[digits.len() - 2..]);
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Cuts `text` after `max` characters, saying how long it was.
fn cut(text: String, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text;
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({n} characters)")
}

/// An argument (a command-line value, a C string) as an error message may echo it:
/// personal IDs masked, cut after 80 characters.
///
/// ```
/// use results_vault::redact::shown_argument;
/// assert_eq!(shown_argument("001203004567"), "**********67");
/// assert!(shown_argument(&"x".repeat(10_000)).len() < 120);
/// ```
pub fn shown_argument(arg: &str) -> String {
    cut(mask_personal_ids(arg), MAX_SHOWN_ARGUMENT)
}

/// A message made by another library that quotes arguments as they were given (a
/// command-line parser's usage error): personal IDs masked, and each line cut after 240
/// characters.
pub fn shown_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    for line in text.split_inclusive('\n') {
        let (line, end) = match line.strip_suffix('\n') {
            Some(l) => (l, "\n"),
            None => (line, ""),
        };
        out.push_str(&cut(mask_personal_ids(line), MAX_SHOWN_LINE));
        out.push_str(end);
    }
    out
}

/// A path as a message may show it: personal IDs masked (a scan named after a citizen's
/// ID), and only its last 160 characters when it is longer.
pub fn shown_path(path: &Path) -> String {
    let text = mask_personal_ids(&path.display().to_string());
    let n = text.chars().count();
    if n <= MAX_SHOWN_PATH {
        return text;
    }
    let tail: String = text.chars().skip(n - MAX_SHOWN_PATH).collect();
    format!("…{tail}")
}

/// A serde_json error as a message: what kind of failure (syntax, end of input, data), what
/// was wrong and where (line and column), without the offending value. serde quotes the
/// value it did not expect (`invalid type: string "001203004567"`, ``unknown variant
/// `001203004567` ``): the value is replaced by its shape (`string (12 digits)`); an
/// unknown field's name is kept (it names a typo) but masked and cut.
///
/// For `"001203004567"` read as a list of numbers, serde says
///
/// ```text
/// invalid type: string "001203004567", expected a sequence at line 1 column 14
/// ```
///
/// and this says (the unit tests below check it)
///
/// ```text
/// data error: invalid type: string (12 digits), expected a sequence at line 1 column 14
/// ```
pub fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let message = match full.strip_suffix(&position) {
        Some(message) if e.line() > 0 => message,
        _ => full.as_str(),
    };
    let category = match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Eof => "unexpected end of JSON",
        Category::Data => "data error",
    };
    let message = cut(serde_message(message), MAX_JSON_MESSAGE);
    if e.line() > 0 {
        format!("{category}: {message}{position}")
    } else {
        format!("{category}: {message}")
    }
}

/// A serde error message (from any format: JSON, CSV, a configuration) with the values it
/// quotes replaced by their shape and unknown field names masked and cut; any other run
/// of digits long enough to be a personal ID is masked.
pub fn serde_message(message: &str) -> String {
    const MARKERS: [&str; 4] = [
        "invalid type: ",
        "invalid value: ",
        "unknown variant `",
        "unknown field `",
    ];
    let mut out = String::with_capacity(message.len().min(MAX_JSON_MESSAGE));
    let mut rest = message;
    while let Some((at, marker)) = MARKERS
        .iter()
        .filter_map(|m| rest.find(m).map(|i| (i, *m)))
        .min_by_key(|(i, _)| *i)
    {
        out.push_str(&rest[..at]);
        rest = &rest[at + marker.len()..];
        match marker {
            "unknown field `" | "unknown variant `" => {
                // The name is raw (it may hold a backtick): it ends where serde's own words
                // start again, or at the last backtick.
                let end = ["`, expected ", "`, there are no "]
                    .iter()
                    .filter_map(|m| rest.rfind(m))
                    .max()
                    .or_else(|| rest.rfind('`'))
                    .unwrap_or(rest.len());
                let name = &rest[..end];
                if marker == "unknown field `" {
                    out.push_str(&format!(
                        "unknown field `{}`",
                        cut(mask_personal_ids(name), MAX_SHOWN_FIELD)
                    ));
                } else {
                    out.push_str(&format!("unknown variant ({})", shape(name)));
                }
                rest = rest.get(end + 1..).unwrap_or("");
            }
            _ => {
                out.push_str(marker);
                let (shown, after) = unexpected(rest);
                out.push_str(&shown);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    mask_personal_ids(&out)
}

/// serde's `Unexpected` at the start of `text` (`string "…"`, ``integer `…` ``, `map`, …):
/// how to show it, and the text after it.
fn unexpected(text: &str) -> (String, &str) {
    if let Some(quoted) = text.strip_prefix("string \"") {
        // Written with `{:?}`: escapes inside, ends at the first unescaped quote.
        let mut escaped = false;
        let mut chars = 0usize;
        let mut digits = true;
        for (i, c) in quoted.char_indices() {
            match (escaped, c) {
                (false, '\\') => {
                    escaped = true;
                    digits = false;
                }
                (false, '"') => {
                    let shape = shape_of(chars, digits);
                    return (format!("string ({shape})"), &quoted[i + 1..]);
                }
                (true, _) => escaped = false,
                (false, c) => {
                    chars += 1;
                    digits &= c.is_ascii_digit();
                }
            }
        }
        return ("string".to_owned(), "");
    }
    for kind in ["integer", "floating point", "character", "boolean"] {
        let Some(value) = text.strip_prefix(kind).and_then(|t| t.strip_prefix(" `")) else {
            continue;
        };
        // A character may be a backtick itself: it is one character, then the closing one.
        let end = match kind {
            "character" => value.char_indices().nth(1).map(|(i, _)| i),
            _ => value.find('`'),
        };
        let Some(end) = end else {
            return (kind.to_owned(), "");
        };
        let shown = match kind {
            "boolean" => format!("boolean `{}`", &value[..end]),
            "integer" => {
                let n = value[..end].trim_start_matches('-');
                format!("integer ({})", shape_of(n.chars().count(), true))
            }
            _ => kind.to_owned(),
        };
        return (shown, value.get(end + 1..).unwrap_or(""));
    }
    // A kind without a value (`map`, `sequence`, `unit value`, …): left to the caller.
    (String::new(), text)
}

/// How a value is described instead of shown: `12 digits`, `7 characters`, `empty`.
fn shape(value: &str) -> String {
    shape_of(value.chars().count(), value.chars().all(|c| c.is_ascii_digit()))
}

fn shape_of(chars: usize, digits: bool) -> String {
    match (chars, digits) {
        (0, _) => "empty".to_owned(),
        (1, true) => "1 digit".to_owned(),
        (n, true) => format!("{n} digits"),
        (1, false) => "1 character".to_owned(),
        (n, false) => format!("{n} characters"),
    }
}

/// A certificate summary as it is shown: its subject's and issuer's personal IDs masked.
fn shown_certificate(c: &CertificateSummary) -> CertificateSummary {
    CertificateSummary {
        subject: mask_personal_ids(&c.subject),
        issuer: mask_personal_ids(&c.issuer),
        ..c.clone()
    }
}

/// A signature verdict as it is shown to a person or handed to another agency: the
/// personal IDs in its certificates' names (the signer's `UID=CCCD:…`, a `MST:` tax code)
/// and in the revocation source masked with [`mask_personal_ids`]. The verdict kept in
/// the vault is not changed: this is a copy for display.
pub fn shown_verdict(v: &SignatureVerdict) -> SignatureVerdict {
    let mut shown = v.clone();
    shown.signer = v.signer.as_ref().map(shown_certificate);
    shown.chain = v.chain.iter().map(shown_certificate).collect();
    shown.revocation.source = v.revocation.source.as_deref().map(mask_personal_ids);
    for crl in &mut shown.crls_used {
        crl.issuer = mask_personal_ids(&crl.issuer);
    }
    for response in &mut shown.ocsp_used {
        response.issuer = mask_personal_ids(&response.issuer);
        response.responder = mask_personal_ids(&response.responder);
    }
    shown
}

/// A record's verdict as it is shown: each signature's verdict as [`shown_verdict`].
pub fn shown_record_verdict(v: &RecordVerdict) -> RecordVerdict {
    let mut shown = v.clone();
    for s in &mut shown.signatures {
        s.verdict = shown_verdict(&s.verdict);
    }
    shown
}

/// A reuse answer as it is handed to the requesting agency: the certificate names in
/// its verdicts masked (see [`shown_verdict`]). The results themselves are unchanged.
pub fn shown_reuse_answer(answer: ReuseAnswer) -> ReuseAnswer {
    ReuseAnswer {
        verdicts: answer.verdicts.iter().map(shown_record_verdict).collect(),
        ..answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "001203004567";

    fn json_message<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        json_error(&serde_json::from_str::<T>(text).unwrap_err())
    }

    #[test]
    fn digits_runs_of_nine_or_more_are_masked() {
        assert_eq!(mask_personal_ids(ID), "**********67");
        assert_eq!(mask_personal_ids("CMND 123456789."), "CMND *******89.");
        assert_eq!(mask_personal_ids("12345678 x"), "12345678 x");
        assert_eq!(
            mask_personal_ids("0.9.2342.19200300.100.1.1=CCCD:001203004567"),
            "0.9.2342.19200300.100.1.1=CCCD:**********67"
        );
        assert_eq!(mask_personal_ids("Nguyễn 0012030045671"), "Nguyễn ***********71");
        assert_eq!(mask_personal_ids(""), "");
    }

    #[test]
    fn long_arguments_are_cut() {
        let shown = shown_argument(&format!("{}{ID}", "a".repeat(1000)));
        assert!(shown.chars().count() < MAX_SHOWN_ARGUMENT + 30, "{shown}");
        assert!(shown.contains("1012 characters"), "{shown}");
        let path = shown_path(Path::new(&format!("/{}/{ID}.pdf", "d".repeat(500))));
        assert!(path.ends_with("**********67.pdf") && path.starts_with('…'), "{path}");
    }

    #[test]
    fn json_values_are_described_not_quoted() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct S {
            n: Option<u64>,
            s: Option<String>,
            k: Option<crate::SubjectKind>,
            b: Option<bool>,
        }
        for (text, shown) in [
            (
                format!(r#"{{"n": "{ID}"}}"#),
                "invalid type: string (12 digits), expected u64",
            ),
            (
                format!(r#"{{"s": 1{ID}}}"#),
                "invalid type: integer (13 digits), expected a string",
            ),
            (format!(r#"{{"s": -1{ID}}}"#), "invalid type: integer (13 digits)"),
            (
                format!(r#"{{"s": 1{ID}.5}}"#),
                "invalid type: floating point, expected a string",
            ),
            (format!(r#"{{"k": "{ID}"}}"#), "unknown variant (12 digits), expected"),
            (
                format!(r#"{{"k": "x`, expected {ID}"}}"#),
                "unknown variant (25 characters), expected",
            ),
            (
                format!(r#"{{"{ID}": 1}}"#),
                "unknown field `**********67`, expected one of `n`",
            ),
            (format!(r#"{{"n": "a\"b {ID}, expected"}}"#), "invalid type: string ("),
            (
                format!(r#"{{"b": "{ID}"}}"#),
                "invalid type: string (12 digits), expected a boolean",
            ),
            (format!(r#"{{"n": {ID}{ID}{ID}}}"#), "invalid"),
            (format!(r#"{{"n": 1, "s": "{ID}" x}}"#), "syntax error"),
            (format!(r#"{{"n": 1, "s": "{ID}"#), "unexpected end of JSON"),
            (
                format!(r#"[true, "{ID}"]"#),
                "invalid type: boolean `true`, expected u64",
            ),
        ] {
            let message = json_message::<S>(&text);
            assert!(
                !message.contains(ID) && !message.contains("00120300456"),
                "{text}: {message}"
            );
            assert!(message.contains(shown), "{text}: {message}");
            assert!(message.contains(" at line 1 column "), "{text}: {message}");
        }
        // A huge unknown field name is cut.
        let message = json_message::<S>(&format!(r#"{{"{}": 1}}"#, "f".repeat(10 << 20)));
        assert!(message.len() < 300, "{}", &message[..300.min(message.len())]);
        // An error without a position (from a `Value`).
        let message = json_error(&serde_json::from_value::<u8>(serde_json::json!(null)).unwrap_err());
        assert!(message.contains("invalid type: null"), "{message}");
    }

    #[test]
    fn serde_messages_of_other_formats() {
        assert_eq!(
            serde_message("invalid type: character ```, expected a digit"),
            "invalid type: character, expected a digit"
        );
        assert_eq!(
            serde_message("invalid value: integer `-001203004567`, expected u8"),
            "invalid value: integer (12 digits), expected u8"
        );
        assert_eq!(
            serde_message("field 3: invalid type: boolean `true`, expected u8"),
            "field 3: invalid type: boolean `true`, expected u8"
        );
        assert_eq!(
            serde_message("missing field `dossier_code`"),
            "missing field `dossier_code`"
        );
        assert_eq!(
            serde_message(&format!("custom words with {ID} in them")),
            "custom words with **********67 in them"
        );
    }

    #[test]
    fn the_documented_example_holds() {
        let message = json_error(&serde_json::from_str::<Vec<u8>>(r#""001203004567""#).unwrap_err());
        assert_eq!(
            message,
            "data error: invalid type: string (12 digits), expected a sequence at line 1 column 14"
        );
    }
}
