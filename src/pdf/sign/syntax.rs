//! Writing PDF objects (ISO 32000-1 §7.3) back out, for the objects an incremental update
//! rewrites: what was read comes out as a reader reads it back (names escaped, strings as
//! hex, reals with a decimal point, so that they stay reals), and the text strings and
//! dates of a signature dictionary.

use time::OffsetDateTime;

use crate::pdf::lexer::{is_delimiter, is_space};
use crate::pdf::object::{Dict, Object};

/// Appends `object` in PDF syntax.
pub(crate) fn object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(real(*r).as_bytes()),
        Object::Name(n) => name(out, n),
        Object::String(s) => hex_string(out, &s.bytes),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                self::object(out, item);
            }
            out.push(b']');
        }
        Object::Dict(d) => dict(out, d),
        Object::Ref(id) => out.extend_from_slice(format!("{} {} R", id.num, id.gen).as_bytes()),
    }
}

/// Appends a dictionary, its entries in the order read.
pub(crate) fn dict(out: &mut Vec<u8>, d: &Dict) {
    out.extend_from_slice(b"<<");
    for (i, (key, value)) in d.entries.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        name(out, key);
        out.push(b' ');
        object(out, value);
    }
    out.extend_from_slice(b">>");
}

/// A real as PDF writes one: never an exponent (Rust's `Display` has none), always a
/// decimal point (else it would read back as an integer, another object).
fn real(r: f64) -> String {
    let r = if r.is_finite() { r } else { 0.0 };
    let text = r.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

/// `/Name`, with every byte that is not a regular character written `#xx` (§7.3.5).
pub(crate) fn name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if (0x21..=0x7E).contains(&b) && b != b'#' && !is_delimiter(b) && !is_space(b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// `<…>`: any bytes, nothing to escape.
pub(crate) fn hex_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'<');
    for b in bytes {
        out.extend_from_slice(format!("{b:02X}").as_bytes());
    }
    out.push(b'>');
}

/// A text string's bytes (§7.9.2.2): ASCII as is (PDFDocEncoding agrees with it on the
/// printable range), anything else UTF-16BE with its byte order mark.
pub(crate) fn text_string(text: &str) -> Vec<u8> {
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return text.as_bytes().to_vec();
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    bytes
}

/// A date string (§7.9.4): `D:YYYYMMDDHHmmSS+HH'mm'` in `at`'s own offset.
pub(crate) fn date(at: OffsetDateTime) -> String {
    let (hours, minutes, _) = at.offset().as_hms();
    let sign = if hours < 0 || minutes < 0 { '-' } else { '+' };
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{sign}{:02}'{:02}'",
        at.year().clamp(0, 9999),
        at.month() as u8,
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        hours.unsigned_abs(),
        minutes.unsigned_abs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::lexer::Lexer;
    use crate::pdf::limits::Budget;
    use crate::pdf::object::parse_object;

    fn round_trip(text: &[u8]) {
        let budget = Budget::default();
        let read = parse_object(&mut Lexer::at(text, 0), &budget).unwrap();
        let mut written = Vec::new();
        object(&mut written, &read);
        let again = parse_object(&mut Lexer::at(&written, 0), &budget).unwrap();
        assert_eq!(read, again, "{}", String::from_utf8_lossy(&written));
    }

    #[test]
    fn objects_read_back_as_they_were_read() {
        round_trip(b"<< /Type /Catalog /Pages 2 0 R /Lang (vi) /V 1.0 /W -.5 /N null /B true >>");
        round_trip(b"[ /A#20B /C#23D (a\\(b\\)) <00FF> [1 2.25 [3]] << /K << /L 4 >> >> 0.000001 ]");
        round_trip(b"/Na#2Fme#28");
    }

    #[test]
    fn text_strings_and_dates() {
        assert_eq!(text_string("Signature1"), b"Signature1");
        assert_eq!(text_string("Ký"), [0xFE, 0xFF, 0, b'K', 0, 0xFD]);
        let at = time::macros::datetime!(2026-11-01 17:05:09 +07:00);
        assert_eq!(date(at), "D:20261101170509+07'00'");
        assert_eq!(
            crate::pdf::pades::pdf_date(&date(at)),
            Some(at),
            "the verifier reads /M back"
        );
        let west = time::macros::datetime!(2026-11-01 10:00:00 -05:30);
        assert_eq!(crate::pdf::pades::pdf_date(&date(west)), Some(west));
    }
}
