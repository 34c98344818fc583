//! What the report says, section by section: the verdict, the document, its signatures,
//! its legal status and the facts of the check, in the officer's language.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::font::Face;
use super::layout::{Layout, Op, Rgb, BLACK, CONTENT_WIDTH, GREY, MARGIN, PAGE_WIDTH, RULE};
use super::{verifier, DocumentCheck, Report};
use crate::pdf::PdfSignature;
use crate::record::{LegalStatus, StatusKind, SubjectKind, VIETNAM_OFFSET};
use crate::verify::signature::SignatureVerdict;
use crate::verify::verdict::Indication;
use crate::verify::wording::{indication_label, status_label, sub_indication_label, verdict_sentence, Lang};

const GREEN: Rgb = (0.05, 0.45, 0.2);
const RED: Rgb = (0.72, 0.1, 0.1);
const AMBER: Rgb = (0.66, 0.4, 0.0);
const QR_SIZE: f32 = 80.0;

fn t(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The report's title.
pub(crate) fn title(lang: Lang) -> &'static str {
    t(lang, "BÁO CÁO KIỂM TRA VĂN BẢN ĐIỆN TỬ", "DOCUMENT VERIFICATION REPORT")
}

/// A time as the officer reads it: Vietnam's time, day first in Vietnamese.
fn show_time(lang: Lang, t: OffsetDateTime) -> String {
    // An instant past the last day Vietnam's time can show (a cell edited behind the
    // vault's back) is shown as it is, in RFC 3339, rather than overflow.
    let Some(t) = t.checked_to_offset(VIETNAM_OFFSET) else {
        return t.format(&Rfc3339).unwrap_or_else(|_| format!("{t}"));
    };
    let (d, h) = (t.date(), t.time());
    let clock = format!("{:02}:{:02}:{:02}", h.hour(), h.minute(), h.second());
    match lang {
        Lang::Vi => format!("{clock} ngày {} (giờ Việt Nam, UTC+07:00)", show_date(lang, d)),
        Lang::En => format!("{} {clock} (Vietnam time, UTC+07:00)", show_date(lang, d)),
    }
}

/// An RFC 3339 time from a verdict, shown as [`show_time`]; as given if it does not parse.
fn show_rfc3339(lang: Lang, text: &str) -> String {
    OffsetDateTime::parse(text, &Rfc3339).map_or_else(|_| text.to_owned(), |t| show_time(lang, t))
}

/// The day (in Vietnam) of an RFC 3339 time from a verdict.
fn show_rfc3339_date(lang: Lang, text: &str) -> String {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .and_then(|t| t.checked_to_offset(VIETNAM_OFFSET))
        .map_or_else(|| text.to_owned(), |t| show_date(lang, t.date()))
}

fn show_date(lang: Lang, d: Date) -> String {
    match lang {
        Lang::Vi => format!("{:02}/{:02}/{:04}", d.day(), d.month() as u8, d.year()),
        Lang::En => format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
    }
}

fn indication_colour(indication: Indication) -> Rgb {
    match indication {
        Indication::Passed => GREEN,
        Indication::Failed => RED,
        Indication::Indeterminate => AMBER,
    }
}

/// One document: header with QR code, verdict, document, signatures, status, the check.
pub(crate) fn document(layout: &mut Layout, report: &Report, doc: &DocumentCheck) {
    let lang = report.lang;
    header(layout, lang, doc);
    verdict_box(layout, lang, doc);
    document_section(layout, report, doc);
    signatures_section(layout, lang, &doc.signatures, &doc.pdf_signatures);
    status_section(layout, lang, doc);
    check_section(layout, report);
}

fn header(layout: &mut Layout, lang: Lang, doc: &DocumentCheck) {
    let top = layout.y;
    let text_width = CONTENT_WIDTH - QR_SIZE - 14.0;
    layout.paragraph(Face::Bold, 15.0, MARGIN, text_width, BLACK, title(lang));
    layout.gap(2.0);
    layout.paragraph(
        Face::Regular,
        9.0,
        MARGIN,
        text_width,
        GREY,
        t(
            lang,
            "Kiểm tra chữ ký số, tính toàn vẹn và tình trạng pháp lý của kết quả giải quyết thủ tục hành chính",
            "Digital signatures, integrity and legal status of a result of an administrative procedure",
        ),
    );
    if let Some(uri) = doc.reverify_uri() {
        if let Ok(code) = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M) {
            let width = code.width();
            let dark: Vec<bool> = code.to_colors().iter().map(|&c| c == qrcode::Color::Dark).collect();
            layout.push(Op::Qr {
                x: PAGE_WIDTH - MARGIN - QR_SIZE,
                y: top,
                module: QR_SIZE / width as f32,
                width,
                dark,
            });
            let caption = t(lang, "Quét để kiểm tra lại", "Scan to verify again");
            let w = layout.width(Face::Regular, 7.0, caption);
            layout.text_at(
                Face::Regular,
                7.0,
                PAGE_WIDTH - MARGIN - QR_SIZE / 2.0 - w / 2.0,
                top - QR_SIZE - 9.0,
                GREY,
                caption,
            );
        }
    }
    layout.y = layout.y.min(top - QR_SIZE - 14.0);
}

fn verdict_box(layout: &mut Layout, lang: Lang, doc: &DocumentCheck) {
    let not_in_force = doc.indication == Indication::Passed && doc.status.is_some_and(|s| s != StatusKind::Active);
    let (label, colour) = if not_in_force {
        (t(lang, "KHÔNG CÒN HIỆU LỰC", "NOT IN FORCE"), AMBER)
    } else {
        (
            indication_label(lang, doc.indication),
            indication_colour(doc.indication),
        )
    };
    let proven = doc.signatures.iter().all(|s| s.valid_at_signing_time == Some(true));
    let sentence = verdict_sentence(lang, doc.indication, doc.sub_indication, doc.status, proven);
    let code = match doc.sub_indication {
        Some(sub) => format!("{} / {}", doc.indication.as_str(), sub.as_str()),
        None => doc.indication.as_str().to_owned(),
    };
    let code = format!(
        "{} {code}",
        t(
            lang,
            "Mã kết luận (ETSI EN 319 102-1):",
            "Indication (ETSI EN 319 102-1):"
        )
    );
    let inner = CONTENT_WIDTH - 24.0;
    let lines = layout.wrap(Face::Regular, 10.5, &sentence, inner);
    let height = 12.0 + 20.0 + lines.len() as f32 * 13.5 + 14.0 + 8.0;
    layout.need(height);
    let top = layout.y;
    let tint = (
        1.0 - (1.0 - colour.0) * 0.1,
        1.0 - (1.0 - colour.1) * 0.1,
        1.0 - (1.0 - colour.2) * 0.1,
    );
    layout.push(Op::Rect {
        x: MARGIN,
        y: top - height,
        width: CONTENT_WIDTH,
        height,
        colour: tint,
    });
    layout.push(Op::Rect {
        x: MARGIN,
        y: top - height,
        width: 4.0,
        height,
        colour,
    });
    let x = MARGIN + 14.0;
    let mut y = top - 12.0 - 14.0;
    layout.text_at(Face::Bold, 16.0, x, y, colour, label);
    y -= 6.0;
    for line in &lines {
        y -= 13.5;
        layout.text_at(Face::Regular, 10.5, x, y, BLACK, line);
    }
    layout.text_at(Face::Regular, 7.5, x, y - 14.0, GREY, &code);
    layout.y = top - height;
}

fn document_section(layout: &mut Layout, report: &Report, doc: &DocumentCheck) {
    let lang = report.lang;
    layout.heading(t(lang, "1. Văn bản được kiểm tra", "1. The document"));
    // A file may be named after a citizen's ID: the report is handed to other people.
    let input = crate::redact::mask_personal_ids(&doc.input);
    layout.row(t(lang, "Đầu vào", "Input"), &input, Face::Regular, 9.5);
    match &doc.record {
        Some(record) => {
            let m = &record.meta;
            layout.row(
                t(lang, "Loại giấy tờ", "Document type"),
                &m.document_type,
                Face::Bold,
                9.5,
            );
            layout.row(t(lang, "Số, ký hiệu", "Number"), &m.document_number, Face::Regular, 9.5);
            let agency = match &m.issuer.agency_name {
                Some(name) => format!("{name} ({})", m.issuer.agency_code),
                None => m.issuer.agency_code.clone(),
            };
            layout.row(t(lang, "Cơ quan cấp", "Issuing agency"), &agency, Face::Regular, 9.5);
            let id_kind = match m.subject.kind {
                SubjectKind::Citizen => t(lang, "số định danh cá nhân", "personal ID"),
                SubjectKind::Organization => t(lang, "mã số doanh nghiệp", "enterprise code"),
            };
            // The personal ID is never printed in full: the last two digits are enough to
            // match the citizen in front of the officer.
            let subject = match &m.subject.name {
                Some(name) => format!("{name} ({id_kind} {})", m.subject.id.masked()),
                None => format!("{id_kind} {}", m.subject.id.masked()),
            };
            layout.row(t(lang, "Người được cấp", "Subject"), &subject, Face::Regular, 9.5);
            let procedure = format!(
                "{}; {} {}",
                m.procedure_code,
                t(lang, "hồ sơ", "dossier"),
                m.dossier_code
            );
            layout.row(
                t(lang, "Thủ tục, hồ sơ", "Procedure, dossier"),
                &procedure,
                Face::Regular,
                9.5,
            );
            let until = match m.valid_until {
                Some(until) => format!("{} {}", t(lang, "đến hết", "to"), show_date(lang, until)),
                None => t(lang, "(không thời hạn)", "(no end date)").to_owned(),
            };
            let dates = format!(
                "{} {}; {} {} {until}",
                t(lang, "cấp ngày", "issued"),
                show_date(lang, m.issued_at),
                t(lang, "hiệu lực từ", "valid from"),
                show_date(lang, m.valid_from),
            );
            layout.row(
                t(lang, "Ngày cấp, hiệu lực", "Issued, valid"),
                &dates,
                Face::Regular,
                9.5,
            );
            layout.row(
                t(lang, "Mã kết quả trong kho", "Record id in the vault"),
                &record.result_id.to_string(),
                Face::Regular,
                9.5,
            );
        }
        None => {
            let why = match report.vault {
                Some(_) => t(
                    lang,
                    "Không có trong kho: SHA-256 của tệp không khớp kết quả nào đã lưu (có thể là một bản khác, hoặc đã bị sửa); chỉ kiểm tra tệp và chữ ký đi kèm",
                    "Not in the vault: the file's SHA-256 matches no stored result (it may be another version, or altered); the file and its signature were checked alone",
                ),
                None => t(
                    lang,
                    "Không dùng kho: chỉ kiểm tra tệp và chữ ký đi kèm",
                    "No vault used: the file and its signature were checked alone",
                ),
            };
            layout.row(t(lang, "Hồ sơ lưu trữ", "Stored record"), why, Face::Regular, 9.5);
        }
    }
    if let Some(sha256) = &doc.sha256 {
        layout.row(
            t(lang, "Mã băm SHA-256", "SHA-256"),
            &sha256.to_string(),
            Face::Regular,
            8.0,
        );
    }
    let integrity = match doc.integrity {
        Some(true) => t(
            lang,
            "Nội dung lưu trong kho khớp với mã băm SHA-256",
            "The stored content matches its SHA-256",
        ),
        Some(false) => t(
            lang,
            "Nội dung lưu trong kho KHÔNG khớp với mã băm: dữ liệu đã bị thay đổi",
            "The stored content does NOT match its SHA-256: it was changed",
        ),
        None => t(
            lang,
            "Xem kết quả kiểm tra từng chữ ký bên dưới",
            "See each signature's check below",
        ),
    };
    layout.row(t(lang, "Tính toàn vẹn", "Integrity"), integrity, Face::Regular, 9.5);
}

fn signatures_section(layout: &mut Layout, lang: Lang, signatures: &[SignatureVerdict], pdf: &[PdfSignature]) {
    let heading = format!(
        "2. {} ({})",
        t(lang, "Chữ ký số", "Digital signatures"),
        signatures.len()
    );
    layout.heading(&heading);
    if signatures.is_empty() {
        layout.row(
            t(lang, "Chữ ký", "Signatures"),
            t(
                lang,
                "Không có chữ ký số nào: không thể xác nhận văn bản do ai ban hành",
                "None: nothing shows who issued the document",
            ),
            Face::Regular,
            9.5,
        );
    }
    // Certificate names carry the officer's personal ID (`UID=CCCD:…`): masked here, as
    // the report is handed to the citizen or another agency.
    let shown: Vec<SignatureVerdict> = signatures.iter().map(crate::redact::shown_verdict).collect();
    for (i, s) in shown.iter().enumerate() {
        // A signature is read as one block: it starts on a new page rather than split.
        layout.need(190.0);
        layout.gap(4.0);
        let mut title = format!(
            "{} {}: {}",
            t(lang, "Chữ ký", "Signature"),
            i + 1,
            indication_label(lang, s.indication)
        );
        if let Some(sub) = s.sub_indication {
            title.push_str(&format!(" ({})", sub_indication_label(lang, sub)));
        }
        let colour = indication_colour(s.indication);
        layout.paragraph(Face::Bold, 10.0, MARGIN, CONTENT_WIDTH, colour, &title);
        layout.gap(2.0);
        let unknown = t(lang, "không xác định", "unknown");
        let signer = s.signer.as_ref();
        layout.row(
            t(lang, "Người ký", "Signer"),
            signer.map_or(unknown, |c| &c.subject),
            Face::Bold,
            9.5,
        );
        layout.row(
            t(lang, "Tổ chức cấp chứng thư số", "Issuing CA"),
            signer.map_or(unknown, |c| &c.issuer),
            Face::Regular,
            9.5,
        );
        layout.row(
            t(lang, "Số hiệu chứng thư số", "Certificate serial"),
            signer.map_or(unknown, |c| &c.serial),
            Face::Regular,
            9.5,
        );
        if let Some(c) = signer {
            let period = format!(
                "{} {} {} {}",
                t(lang, "từ", "from"),
                show_rfc3339_date(lang, &c.not_before),
                t(lang, "đến", "to"),
                show_rfc3339_date(lang, &c.not_after)
            );
            layout.row(
                t(lang, "Thời hạn chứng thư số", "Certificate validity"),
                &period,
                Face::Regular,
                9.5,
            );
        }
        let signing_time = match (&s.proof_of_existence, &s.claimed_signing_time) {
            (Some(poe), _) => format!(
                "{} ({})",
                show_rfc3339(lang, poe),
                t(lang, "có bằng chứng thời điểm", "proven")
            ),
            (None, Some(claimed)) => format!(
                "{} ({})",
                show_rfc3339(lang, claimed),
                t(lang, "theo khai báo của người ký", "as claimed by the signer")
            ),
            (None, None) => t(lang, "không có", "none given").to_owned(),
        };
        layout.row(
            t(lang, "Thời điểm ký", "Signing time"),
            &signing_time,
            Face::Regular,
            9.5,
        );
        let valid_then = match s.valid_at_signing_time {
            Some(true) => t(lang, "Có", "Yes"),
            Some(false) => t(lang, "Không", "No"),
            None => t(lang, "Chưa xác định được", "Could not be established"),
        };
        layout.row(
            t(lang, "Chứng thư còn hiệu lực khi ký", "Certificate valid at signing"),
            valid_then,
            Face::Regular,
            9.5,
        );
        layout.row(
            t(lang, "Kiểm tra thu hồi", "Revocation check"),
            &revocation(lang, s),
            Face::Regular,
            9.5,
        );
        if let Some(p) = pdf.get(i) {
            pdf_rows(layout, lang, p);
        }
        if s.chain.len() > 1 {
            let chain: Vec<&str> = s.chain.iter().map(|c| c.subject.as_str()).collect();
            layout.row(
                t(lang, "Chuỗi chứng thư", "Certificate chain"),
                &chain.join(" → "),
                Face::Regular,
                9.5,
            );
        }
        layout.row(
            t(lang, "Chính sách kiểm tra", "Validation policy"),
            &s.policy,
            Face::Regular,
            9.5,
        );
        // The engine's own words, for whoever must look into a signature that did not pass.
        if s.indication != Indication::Passed && !s.detail.is_empty() {
            layout.row(
                t(lang, "Chi tiết kỹ thuật", "Technical detail"),
                &s.detail,
                Face::Regular,
                8.0,
            );
        }
    }
}

/// What a signature embedded in a PDF covers, and what changed after it.
fn pdf_rows(layout: &mut Layout, lang: Lang, p: &PdfSignature) {
    let field = format!("{} ({})", p.field, p.sub_filter);
    layout.row(
        t(lang, "Trường chữ ký trong PDF", "PDF signature field"),
        &field,
        Face::Regular,
        9.5,
    );
    let covers = match (&p.coverage_problem, p.covers_whole_file, p.signed_revision) {
        (Some(problem), _, _) => format!("{} {problem}", t(lang, "KHÔNG HỢP LỆ:", "NOT SOUND:")),
        (None, true, _) => t(lang, "toàn bộ tệp", "the whole file").to_owned(),
        (None, false, Some(r)) => format!(
            "{} {}, {}",
            t(lang, "bản", "revision"),
            r + 1,
            t(lang, "sau đó tệp có cập nhật thêm", "which later updates follow")
        ),
        (None, false, None) => t(lang, "không xác định", "unknown").to_owned(),
    };
    layout.row(
        t(lang, "Phạm vi được ký", "What it covers"),
        &covers,
        Face::Regular,
        9.5,
    );
    let changed = if p.modified_after_signing {
        format!(
            "{} {}",
            t(
                lang,
                "CÓ — nội dung đã bị sửa sau khi ký:",
                "YES — modified after signing:"
            ),
            p.changes_after_signing.join("; ")
        )
    } else if p.changes_after_signing.is_empty() {
        t(lang, "không", "none").to_owned()
    } else {
        format!(
            "{} {}",
            t(lang, "chỉ các thay đổi được phép:", "permitted changes only:"),
            p.changes_after_signing.join("; ")
        )
    };
    layout.row(
        t(lang, "Thay đổi sau khi ký", "Changes after signing"),
        &changed,
        Face::Regular,
        9.5,
    );
    if let Some(level) = p.verdict.level {
        layout.row(
            t(lang, "Mức (PAdES)", "Level (PAdES)"),
            level.as_str(),
            Face::Regular,
            9.5,
        );
    }
    for stamp in &p.verdict.timestamps {
        let what = match stamp.kind {
            crate::verify::levels::TimestampKind::SignatureTimestamp => {
                t(lang, "Dấu thời gian chữ ký", "Signature timestamp")
            }
            crate::verify::levels::TimestampKind::DocumentTimestamp => {
                t(lang, "Dấu thời gian tài liệu", "Document timestamp")
            }
        };
        let tsa = stamp.tsa.as_deref().map(crate::redact::mask_personal_ids);
        let mut text = format!(
            "{} — {}, TSA {}",
            stamp.indication.as_str(),
            stamp.gen_time.as_deref().unwrap_or("?"),
            tsa.as_deref().unwrap_or("?")
        );
        if stamp.proof_used {
            text.push_str(t(lang, " (bằng chứng thời điểm tồn tại)", " (the proof of existence)"));
        }
        layout.row(what, &text, Face::Regular, 9.5);
    }
    if let Some(level) = p.certification {
        let what = match level {
            1 => t(
                lang,
                "chứng nhận: không cho phép thay đổi",
                "certified: no changes permitted",
            ),
            2 => t(
                lang,
                "chứng nhận: cho phép điền biểu mẫu và ký",
                "certified: form filling and signing permitted",
            ),
            _ => t(
                lang,
                "chứng nhận: cho phép điền biểu mẫu, ký và ghi chú",
                "certified: form filling, signing and annotations permitted",
            ),
        };
        layout.row(
            t(lang, "Chứng nhận (DocMDP)", "Certification (DocMDP)"),
            what,
            Face::Regular,
            9.5,
        );
    }
}

fn revocation(lang: Lang, s: &SignatureVerdict) -> String {
    let r = &s.revocation;
    let status = match r.status.as_str() {
        "GOOD" => t(lang, "chưa bị thu hồi", "not revoked").to_owned(),
        "REVOKED" => match &r.revoked_at {
            Some(at) => format!(
                "{} {}",
                t(lang, "đã bị thu hồi lúc", "revoked at"),
                show_rfc3339(lang, at)
            ),
            None => t(lang, "đã bị thu hồi", "revoked").to_owned(),
        },
        _ => t(lang, "không xác định được", "unknown").to_owned(),
    };
    match &r.source {
        Some(source) => format!("{status}; {} {source}", t(lang, "nguồn:", "source:")),
        None => format!(
            "{status}; {}",
            t(lang, "không có danh sách thu hồi (CRL) phù hợp", "no suitable CRL")
        ),
    }
}

fn status_section(layout: &mut Layout, lang: Lang, doc: &DocumentCheck) {
    layout.heading(t(
        lang,
        "3. Tình trạng pháp lý của kết quả",
        "3. Legal status of the result",
    ));
    let (Some(record), Some(status)) = (&doc.record, doc.status) else {
        layout.row(
            t(lang, "Tình trạng", "Status"),
            t(
                lang,
                "Không xác định: văn bản không có trong kho",
                "Unknown: the document is not in the vault",
            ),
            Face::Regular,
            9.5,
        );
        return;
    };
    let label = status_label(lang, status);
    let mut first = label.chars();
    let label = first
        .next()
        .map(|c| c.to_uppercase().chain(first).collect::<String>())
        .unwrap_or_default();
    layout.row(t(lang, "Tình trạng", "Status"), &label, Face::Bold, 9.5);
    let change = match &record.status {
        LegalStatus::Active => None,
        LegalStatus::Revoked { change } => Some(change),
        LegalStatus::Superseded { change, replaced_by } => {
            layout.row(
                t(lang, "Được thay thế bởi", "Replaced by"),
                &replaced_by.to_string(),
                Face::Regular,
                9.5,
            );
            Some(change)
        }
    };
    if let Some(change) = change {
        let decision = format!(
            "{} {} {}, {} {}",
            change.decision_ref,
            t(lang, "của", "by"),
            change.by,
            t(lang, "hiệu lực từ", "effective"),
            show_time(lang, change.at)
        );
        layout.row(t(lang, "Quyết định", "Decision"), &decision, Face::Regular, 9.5);
        layout.row(t(lang, "Lý do", "Reason"), &change.reason, Face::Regular, 9.5);
    }
    if status == StatusKind::Expired {
        if let Some(until) = record.meta.valid_until {
            layout.row(
                t(lang, "Hết hiệu lực sau ngày", "Valid until"),
                &show_date(lang, until),
                Face::Regular,
                9.5,
            );
        }
    }
}

fn check_section(layout: &mut Layout, report: &Report) {
    let lang = report.lang;
    layout.heading(t(lang, "4. Thông tin về lần kiểm tra", "4. About this check"));
    layout.row(
        t(lang, "Thời điểm kiểm tra", "Time of the check"),
        &show_time(lang, report.checked_at),
        Face::Regular,
        9.5,
    );
    layout.row(
        t(lang, "Kho lưu trữ", "Vault"),
        report.vault.as_deref().unwrap_or(t(lang, "không dùng kho", "none")),
        Face::Regular,
        9.5,
    );
    layout.row(
        t(lang, "Phần mềm kiểm tra", "Verifier"),
        &verifier(),
        Face::Regular,
        9.5,
    );
    layout.gap(8.0);
    layout.paragraph(
        Face::Regular,
        8.0,
        MARGIN,
        CONTENT_WIDTH,
        GREY,
        t(
            lang,
            "Báo cáo do phần mềm lập tự động. Kết luận có giá trị tại thời điểm kiểm tra nêu trên, với các chứng thư gốc và danh sách thu hồi mà kho tin cậy vào lúc đó.",
            "This report was written by software. Its verdict holds at the time of the check above, with the root certificates and revocation lists the vault trusted then.",
        ),
    );
}

/// The footer of every page: the verifier, the time of the check, and page i of n.
pub(crate) fn footers(layout: &mut Layout, report: &Report) {
    let lang = report.lang;
    let count = layout.pages.len();
    let left = format!("{} · {}", verifier(), show_time(lang, report.checked_at));
    for i in 0..count {
        let right = format!("{} {}/{count}", t(lang, "Trang", "Page"), i + 1);
        let w = layout.width(Face::Regular, 7.5, &right);
        let y = super::layout::MARGIN - 20.0;
        let ops = [
            Op::Rect {
                x: MARGIN,
                y: y + 11.0,
                width: CONTENT_WIDTH,
                height: 0.5,
                colour: RULE,
            },
            text_op(layout, 7.5, MARGIN, y, &left),
            text_op(layout, 7.5, PAGE_WIDTH - MARGIN - w, y, &right),
        ];
        layout.pages[i].extend(ops);
    }
}

fn text_op(layout: &Layout, size: f32, x: f32, y: f32, text: &str) -> Op {
    Op::Text {
        face: Face::Regular,
        size,
        x,
        y,
        colour: GREY,
        text: super::layout::clean(layout.metrics(Face::Regular), text),
    }
}
