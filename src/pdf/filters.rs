//! Stream decoding, as far as signature checks need it: FlateDecode with the PNG and TIFF
//! predictors (xref streams and object streams use nothing else in practice), inflated
//! under a size limit so that a "zip bomb" stream is refused, not expanded.

use super::limits::Budget;
use super::object::{Dict, Object};
use super::PdfError;

/// The decoded data of a stream with dictionary `dict` and raw bytes `raw`.
pub(crate) fn decode(dict: &Dict, raw: &[u8], budget: &Budget) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<&[u8]> = match dict.get(b"Filter") {
        None => Vec::new(),
        Some(Object::Name(n)) => vec![n.as_slice()],
        Some(Object::Array(items)) => items
            .iter()
            .map(|o| match o {
                Object::Name(n) => Ok(n.as_slice()),
                _ => Err(PdfError::Unsupported("a filter that is not a name".into())),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(PdfError::Unsupported("a /Filter that is not a name".into())),
    };
    let parms = match dict.get(b"DecodeParms") {
        Some(Object::Dict(d)) => Some(d),
        Some(Object::Array(a)) => a.first().and_then(Object::as_dict),
        _ => None,
    };
    match filters.as_slice() {
        [] => Ok(raw.to_vec()),
        [b"FlateDecode"] => {
            let inflated = inflate(raw, budget)?;
            predict(inflated, parms)
        }
        [other] => Err(PdfError::Unsupported(format!(
            "stream filter /{}",
            String::from_utf8_lossy(other)
        ))),
        _ => Err(PdfError::Unsupported("chained stream filters".into())),
    }
}

fn inflate(raw: &[u8], budget: &Budget) -> Result<Vec<u8>, PdfError> {
    let limit = budget.inflate_allowance();
    let out = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(raw, limit).map_err(|e| {
        if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
            // What was inflated up to the limit was made (and took the time): counted, so
            // that the next stream (a `startxref` retry) does not get the same again.
            budget.inflated(limit);
            PdfError::TooComplex("a stream inflates past the size limit")
        } else {
            PdfError::Malformed {
                at: 0,
                what: format!("a Flate stream does not inflate ({:?})", e.status),
            }
        }
    })?;
    budget.inflated(out.len());
    budget.spend(out.len() as u64 / 64)?;
    Ok(out)
}

/// Undoes a `/Predictor` (§7.4.4.4): 2 is TIFF, 10-15 PNG (each row names its filter).
fn predict(data: Vec<u8>, parms: Option<&Dict>) -> Result<Vec<u8>, PdfError> {
    let Some(parms) = parms else { return Ok(data) };
    let predictor = parms.int(b"Predictor").unwrap_or(1);
    if predictor == 1 {
        return Ok(data);
    }
    let bad = |what: &str| PdfError::Malformed {
        at: 0,
        what: format!("predictor: {what}"),
    };
    let colors = parms.int(b"Colors").unwrap_or(1);
    let bits = parms.int(b"BitsPerComponent").unwrap_or(8);
    let columns = parms.int(b"Columns").unwrap_or(1);
    if !(1..=4).contains(&colors) || bits != 8 || !(1..=1 << 20).contains(&columns) {
        return Err(bad("only 8-bit components, 1 to 4 colours"));
    }
    let bpp = colors as usize;
    let row = bpp * columns as usize;
    match predictor {
        2 => {
            let mut out = data;
            for line in out.chunks_mut(row) {
                for i in bpp..line.len() {
                    line[i] = line[i].wrapping_add(line[i - bpp]);
                }
            }
            Ok(out)
        }
        10..=15 => {
            let mut out = Vec::with_capacity(data.len());
            let mut previous = vec![0u8; row];
            for line in data.chunks(row + 1) {
                if line.len() != row + 1 {
                    return Err(bad("a row is cut short"));
                }
                let mut current = line[1..].to_vec();
                for i in 0..row {
                    let left = if i >= bpp { current[i - bpp] } else { 0 };
                    let up = previous[i];
                    let up_left = if i >= bpp { previous[i - bpp] } else { 0 };
                    current[i] = current[i].wrapping_add(match line[0] {
                        0 => 0,
                        1 => left,
                        2 => up,
                        3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                        4 => paeth(left, up, up_left),
                        _ => return Err(bad("an unknown PNG filter")),
                    });
                }
                out.extend_from_slice(&current);
                previous = current;
            }
            Ok(out)
        }
        _ => Err(bad("an unknown predictor")),
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::lexer::Lexer;
    use crate::pdf::object::parse_object;

    fn dict(text: &[u8]) -> Dict {
        parse_object(&mut Lexer::at(text, 0), &Budget::default())
            .unwrap()
            .as_dict()
            .unwrap()
            .clone()
    }

    #[test]
    fn flate_with_png_up_predictor() {
        // Two rows of three columns, PNG "Up" filter (2).
        let rows = [2u8, 1, 2, 3, 2, 1, 1, 1];
        let raw = miniz_oxide::deflate::compress_to_vec_zlib(&rows, 6);
        let d = dict(b"<< /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 3 >> >>");
        assert_eq!(decode(&d, &raw, &Budget::default()).unwrap(), vec![1, 2, 3, 2, 3, 4]);
    }

    #[test]
    fn a_bomb_is_refused_and_unknown_filters_are_unsupported() {
        let zeros = vec![0u8; 80 << 20];
        let raw = miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 6);
        let d = dict(b"<< /Filter /FlateDecode >>");
        assert!(matches!(
            decode(&d, &raw, &Budget::default()),
            Err(PdfError::TooComplex(_))
        ));
        let d = dict(b"<< /Filter /LZWDecode >>");
        assert!(matches!(
            decode(&d, b"", &Budget::default()),
            Err(PdfError::Unsupported(_))
        ));
    }
}
