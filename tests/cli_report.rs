//! `rvault verify --report`: the PDF an officer prints, read back as a person and a
//! machine would: poppler's `pdftotext` must give back the Vietnamese text (full
//! diacritics, the personal ID masked), `pdffonts` must show an embedded subset font with a
//! Unicode map, `pdftoppm` must render a page with ink on it and without complaint, and
//! `zbarimg` must read the QR code, which `rvault verify` then accepts as its input.
//! Needs poppler-utils and zbar-tools (tests/apt-packages.txt).
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Command;

use common::office::{code, err, out, rvault, Office};

/// The same validation time for every run, so that reports can be compared byte for byte.
fn at() -> String {
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let later = later.replace_nanosecond(0).unwrap();
    later
        .to_offset(time::macros::offset!(+7))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Runs a poppler or zbar tool; its stdout, or a panic saying what is missing.
fn tool(program: &str, args: &[&str]) -> String {
    let o = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed (apt install poppler-utils zbar-tools): {e}"));
    assert!(
        o.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // poppler prints "Syntax Error"/"Syntax Warning" on stderr for a malformed file.
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !program.starts_with("pdf") || !stderr.contains("Syntax") && !stderr.contains("Error"),
        "{program} complained: {stderr}"
    );
    String::from_utf8(o.stdout).unwrap()
}

fn text_of(pdf: &Path) -> String {
    tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"])
}

fn pages_of(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    line["Pages:".len()..].trim().parse().unwrap()
}

/// Renders page 1 as a greyscale PGM and returns (width, height, pixels).
fn render(pdf: &Path, dpi: u32) -> (usize, usize, Vec<u8>) {
    let prefix = pdf.with_extension(format!("{dpi}"));
    tool(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            &dpi.to_string(),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let pgm = std::fs::read(prefix.with_extension(format!("{dpi}.pgm"))).unwrap();
    // P5 <width> <height> <maxval>\n<pixels>
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, pgm[at + 1..].to_vec())
}

#[test]
fn a_signed_result_gets_a_one_page_vietnamese_report_with_a_qr_code() {
    let o = Office::new();
    let id = o.ingest("trich-luc.pdf", b"%PDF-1.7 trich luc khai sinh", None);
    assert!(o.sign_local(&id).status.success());
    let (file, report, at) = (o.path("trich-luc.pdf"), o.path("report.pdf"), at());
    let v = o.run(&[
        "verify",
        file.to_str().unwrap(),
        "--at",
        &at,
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code(&v), 0, "{}{}", out(&v), err(&v));
    assert!(err(&v).contains("report written to"), "{}", err(&v));

    let text = text_of(&report);
    let sha = out(&v)
        .lines()
        .find_map(|l| l.trim().strip_prefix("SHA-256: "))
        .unwrap()
        .to_owned();
    for wanted in [
        "BÁO CÁO KIỂM TRA VĂN BẢN ĐIỆN TỬ",
        "HỢP LỆ",
        "Tài liệu hợp lệ: chữ ký đúng, chứng thư số của người ký còn hiệu lực tại thời điểm ký",
        "Trích lục khai sinh",
        "UBND phường Hải Châu (G22.46.01)",
        "Nguyễn Văn An (số định danh cá nhân **********67)",
        "1.000466",
        &sha,
        &id,
        "CN=Signer",
        "CN=Root CA",
        "Chứng thư còn hiệu lực khi ký",
        "chưa bị thu hồi; nguồn: CRL of",
        "Đang có hiệu lực",
        &format!("results-vault {}", env!("CARGO_PKG_VERSION")),
        "Trang 1/1",
    ] {
        assert!(text.contains(wanted), "{wanted:?} not in the report:\n{text}");
    }
    // The time of the check, in Vietnam's time, day first.
    let t = time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).unwrap();
    let shown = format!(
        "{:02}:{:02}:{:02} ngày {:02}/{:02}/{}",
        t.hour(),
        t.minute(),
        t.second(),
        t.day(),
        t.month() as u8,
        t.year()
    );
    assert!(text.contains(&shown), "{shown} not in the report:\n{text}");
    assert!(!text.contains("001203004567"), "the personal ID is printed in full");
    assert_eq!(pages_of(&report), 1);

    // Both faces embedded as subsets, each with a ToUnicode map.
    let fonts = tool("pdffonts", &[report.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(cols[0].contains("+DejaVuSans"), "{fonts}");
        assert_eq!(&cols[cols.len() - 5..cols.len() - 2], ["yes", "yes", "yes"], "{fonts}");
    }

    // A rendered page: white paper with ink on it, and the verdict band in colour (grey
    // here: darker than paper) across the top third.
    let (w, h, pixels) = render(&report, 100);
    assert!(w > 800 && h > 1100, "{w}x{h}: not an A4 page at 100 dpi");
    let ink = pixels.iter().filter(|&&p| p < 128).count() as f64 / pixels.len() as f64;
    assert!(
        (0.01..0.25).contains(&ink),
        "ink covers {:.1}% of the page",
        ink * 100.0
    );

    // The QR code reads back, and rvault accepts what it says.
    render(&report, 150);
    let qr = tool(
        "zbarimg",
        &["-q", "--raw", report.with_extension("150.pgm").to_str().unwrap()],
    );
    assert_eq!(qr.trim(), format!("rvault:sha256={sha};id={id}"));
    let again = o.run(&["verify", qr.trim(), "--json"]);
    assert_eq!(code(&again), 0, "{}{}", out(&again), err(&again));

    // Reproducible: the same inputs and time give the same bytes.
    let second = o.path("second.pdf");
    let v = o.run(&[
        "verify",
        file.to_str().unwrap(),
        "--at",
        &at,
        "--report",
        second.to_str().unwrap(),
    ]);
    assert_eq!(code(&v), 0);
    assert!(
        std::fs::read(&report).unwrap() == std::fs::read(&second).unwrap(),
        "two runs gave different reports"
    );
}

#[test]
fn english_reports_and_reports_that_do_not_pass() {
    let o = Office::new();
    let at = at();
    let signed = o.ingest("signed.pdf", b"%PDF-1.7 later revoked", None);
    assert!(o.sign_local(&signed).status.success());
    let r = o.run(&[
        "revoke",
        &signed,
        "--reason",
        "Cấp nhầm đối tượng",
        "--decision",
        "08/QĐ-UBND",
        "--by",
        "G22.46.01",
    ]);
    assert!(r.status.success(), "{}", err(&r));
    let unsigned = o.ingest("unsigned.pdf", b"%PDF-1.7 never signed", None);

    // Two inputs: one page each, each its own verdict; the exit code is the worst.
    let report = o.path("two.pdf");
    let v = o.run(&[
        "verify",
        &signed,
        &unsigned,
        "--at",
        &at,
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code(&v), 2, "{}", out(&v));
    assert_eq!(pages_of(&report), 2);
    let text = text_of(&report);
    for wanted in [
        "KHÔNG CÒN HIỆU LỰC",
        "Chữ ký hợp lệ, nhưng kết quả đã bị thu hồi.",
        "08/QĐ-UBND",
        "Cấp nhầm đối tượng",
        "CHƯA XÁC ĐỊNH",
        "INDETERMINATE / SIGNED_DATA_NOT_FOUND",
        "Không có chữ ký số nào",
        "Trang 1/2",
        "Trang 2/2",
    ] {
        assert!(text.contains(wanted), "{wanted:?} not in the report:\n{text}");
    }

    let en = o.path("en.pdf");
    let v = o.run(&[
        "verify",
        &signed,
        "--lang",
        "en",
        "--at",
        &at,
        "--report",
        en.to_str().unwrap(),
    ]);
    assert_eq!(code(&v), 3);
    let text = text_of(&en);
    for wanted in [
        "DOCUMENT VERIFICATION REPORT",
        "NOT IN FORCE",
        "The signature is valid, but the result is revoked.",
        "Vietnam time",
        "Nguyễn Văn An (personal ID **********67)",
    ] {
        assert!(text.contains(wanted), "{wanted:?} not in the report:\n{text}");
    }
}

#[test]
fn a_file_checked_without_a_vault_and_a_tampered_one() {
    let o = Office::new();
    let doc = o.path("permit.pdf");
    std::fs::write(&doc, b"%PDF-1.7 giay phep").unwrap();
    let sig = o.path("permit.p7s");
    std::fs::write(&sig, o.pki.sign(b"%PDF-1.7 giay phep", &[])).unwrap();
    std::fs::write(o.path("crl.der"), o.pki.crl("current")).unwrap();
    let run = |content: &[u8], report: &Path| {
        std::fs::write(&doc, content).unwrap();
        rvault(
            &o.path("no.vault"),
            &[
                "verify",
                doc.to_str().unwrap(),
                "--signature",
                sig.to_str().unwrap(),
                "--trust",
                o.pki.path("root.pem").to_str().unwrap(),
                "--crl",
                o.path("crl.der").to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ],
        )
    };
    let good = o.path("good.pdf");
    let v = run(b"%PDF-1.7 giay phep", &good);
    assert_eq!(code(&v), 0, "{}{}", out(&v), err(&v));
    let text = text_of(&good);
    assert!(text.contains("Không dùng kho"), "{text}");
    assert!(text.contains("HỢP LỆ"), "{text}");
    assert!(!text.contains("Mã kết quả trong kho"), "{text}");

    let bad = o.path("bad.pdf");
    let v = run(b"%PDF-1.7 giay phep SUA", &bad);
    assert_eq!(code(&v), 1, "{}", out(&v));
    let text = text_of(&bad);
    assert!(text.contains("KHÔNG HỢP LỆ"), "{text}");
    assert!(text.contains("nội dung đã bị thay đổi sau khi ký"), "{text}");
}

#[test]
fn a_report_that_cannot_be_written_says_so_and_leaves_nothing() {
    let o = Office::new();
    let id = o.ingest("a.pdf", b"%PDF-1.7 a", None);
    let nowhere = o.path("no-such-folder").join("report.pdf");
    let v = o.run(&["verify", &id, "--report", nowhere.to_str().unwrap()]);
    assert_eq!(code(&v), 73, "{}", err(&v));
    assert!(err(&v).contains("cannot write"), "{}", err(&v));
    assert!(err(&v).contains("hint: check that the folder exists"), "{}", err(&v));
    assert!(!o.path("no-such-folder").exists());

    // Nothing verified, nothing written.
    let report = o.path("none.pdf");
    let v = o.run(&["verify", "/nonexistent.pdf", "--report", report.to_str().unwrap()]);
    assert!(code(&v) >= 64, "{}", err(&v));
    assert!(!report.exists());
    let leftovers: Vec<_> = std::fs::read_dir(o.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A QR code naming a record that holds other content is refused.
    let other = o.ingest("b.pdf", b"%PDF-1.7 b", None);
    let sha_b = results_vault::Sha256::of(b"%PDF-1.7 b");
    let v = o.run(&["verify", &format!("rvault:sha256={sha_b};id={id}")]);
    assert_eq!(code(&v), 64, "{}", err(&v));
    assert!(
        err(&v).contains("does not hold the document of this QR code"),
        "{}",
        err(&v)
    );
    let v = o.run(&["verify", &format!("rvault:sha256={sha_b};id={other}"), "--json"]);
    assert_eq!(code(&v), 2, "unsigned: {}", out(&v));
}
