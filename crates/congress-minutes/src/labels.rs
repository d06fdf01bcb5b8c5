//! The words of the minutes and the audit log in each congress language: one table of
//! `(key, Vietnamese, English, Arabic)`. Templates name their blanks `{like_this}` ([`fill`]).
//! A section added later (speakers, notices) adds its rows here.
//!
//! (Over 600 lines on purpose: one table of every label in three languages.)

/// The language of the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Vi,
    En,
    Ar,
}

impl Lang {
    /// `vi`, `en` or `ar`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            "ar" => Some(Lang::Ar),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }

    /// Whether the script runs right to left.
    pub fn rtl(self) -> bool {
        self == Lang::Ar
    }
}

/// `(key, vi, en, ar)`.
const TABLE: &[(&str, &str, &str, &str)] = &[
    // The document
    (
        "title",
        "BIÊN BẢN ĐẠI HỘI",
        "MINUTES OF THE CONGRESS",
        "محضر المؤتمر",
    ),
    (
        "subtitle",
        "Lập từ nhật ký điện tử của Đại hội",
        "Drawn up from the congress's electronic journal",
        "أُعِدّ من السجل الإلكتروني للمؤتمر",
    ),
    ("venue", "Địa điểm", "Venue", "المكان"),
    ("dates", "Thời gian", "Dates", "المدة"),
    (
        "from_to",
        "từ ngày {from} đến ngày {to}",
        "from {from} to {to}",
        "من {from} إلى {to}",
    ),
    (
        "place_date",
        "{place}, ngày {d} tháng {m} năm {y}",
        "{place}, {y}-{m}-{d}",
        "{place}، {y}-{m}-{d}",
    ),
    (
        "convened",
        "Số đại biểu được triệu tập",
        "Delegates convened",
        "عدد المندوبين المدعوّين",
    ),
    (
        "listed",
        "Số đại biểu trong danh sách",
        "Delegates on the list",
        "عدد المندوبين في القائمة",
    ),
    (
        "quorum_rule",
        "Điều kiện hợp lệ",
        "Quorum",
        "النصاب القانوني",
    ),
    (
        "quorum_rule_text",
        "ít nhất {n}/{d} số đại biểu được triệu tập có mặt ({req} đại biểu)",
        "at least {n}/{d} of the delegates convened present ({req} delegates)",
        "حضور {n}/{d} على الأقل من المندوبين المدعوّين ({req} مندوبًا)",
    ),
    (
        "times_in",
        "Giờ ghi theo {tz}",
        "Times are {tz}",
        "الأوقات بتوقيت {tz}",
    ),
    (
        "generated",
        "Biên bản lập lúc {t}",
        "Minutes drawn up at {t}",
        "أُعِدّ المحضر في {t}",
    ),
    (
        "no_congress",
        "Chưa có thông tin Đại hội",
        "The congress is not defined yet",
        "لم يُعرَّف المؤتمر بعد",
    ),
    // Sections
    (
        "sec_attendance",
        "Điểm danh và số lượng hợp lệ",
        "Attendance and quorum",
        "الحضور والنصاب",
    ),
    (
        "sec_agenda",
        "Chương trình Đại hội",
        "Agenda",
        "جدول الأعمال",
    ),
    (
        "sec_votes",
        "Biểu quyết và bầu cử",
        "Votes and elections",
        "التصويت والانتخابات",
    ),
    (
        "sec_documents",
        "Tài liệu đã phát hành",
        "Documents issued",
        "الوثائق الصادرة",
    ),
    (
        "sec_closing",
        "Xác thực biên bản",
        "Authentication of the record",
        "توثيق المحضر",
    ),
    // Attendance
    (
        "attendance_final",
        "Khi lập biên bản: {present} đại biểu có mặt, {left} đã rời hội trường, {absent} vắng mặt.",
        "When drawn up: {present} delegates present, {left} left the hall, {absent} absent.",
        "عند إعداد المحضر: {present} مندوبًا حاضرًا، و{left} غادروا القاعة، و{absent} غائبًا.",
    ),
    (
        "attendance_peak",
        "Số đại biểu có mặt cao nhất: {max} (lúc {t}).",
        "Most delegates present: {max} (at {t}).",
        "أعلى عدد من الحاضرين: {max} (في {t}).",
    ),
    (
        "quorum_changes",
        "Các thay đổi về số lượng hợp lệ",
        "Changes of quorum",
        "تغيّرات النصاب",
    ),
    ("col_time", "Thời điểm", "Time", "الوقت"),
    ("col_present", "Có mặt", "Present", "الحاضرون"),
    ("col_required", "Cần có", "Required", "المطلوب"),
    ("col_quorum", "Tình trạng", "Quorum", "النصاب"),
    (
        "quorum_reached",
        "Đủ số lượng hợp lệ",
        "Quorum reached",
        "النصاب مكتمل",
    ),
    (
        "quorum_not_reached",
        "Chưa đủ số lượng hợp lệ",
        "No quorum",
        "النصاب غير مكتمل",
    ),
    (
        "chart_title",
        "Số đại biểu có mặt theo thời gian",
        "Delegates present over time",
        "عدد الحاضرين عبر الوقت",
    ),
    (
        "chart_quorum",
        "Ngưỡng hợp lệ ({req})",
        "Quorum ({req})",
        "النصاب ({req})",
    ),
    (
        "no_attendance",
        "Chưa có đại biểu nào điểm danh.",
        "No delegate has checked in.",
        "لم يسجّل أي مندوب حضوره.",
    ),
    // Agenda
    ("col_no", "STT", "No.", "الرقم"),
    ("col_item", "Nội dung", "Item", "البند"),
    ("col_planned", "Dự kiến", "Planned", "الموعد المخطط"),
    (
        "col_taken_up",
        "Thời điểm tiến hành",
        "Taken up",
        "وقت التناول",
    ),
    (
        "not_taken_up",
        "Chưa tiến hành",
        "Not taken up",
        "لم يُتناوَل",
    ),
    (
        "no_agenda",
        "Chưa có chương trình.",
        "No agenda.",
        "لا يوجد جدول أعمال.",
    ),
    // Votes
    (
        "vote_heading",
        "Biểu quyết số {id}: {title}",
        "Vote {id}: {title}",
        "التصويت رقم {id}: {title}",
    ),
    (
        "runoff_of",
        "bỏ phiếu lại của biểu quyết số {id}",
        "runoff of vote {id}",
        "جولة إعادة للتصويت رقم {id}",
    ),
    ("kind_motion", "Biểu quyết thông qua", "Motion", "اقتراح"),
    (
        "kind_choice",
        "Lựa chọn phương án",
        "Choice of one option",
        "اختيار أحد الخيارات",
    ),
    (
        "kind_election",
        "Bầu cử ({seats} người)",
        "Election ({seats} seats)",
        "انتخاب ({seats} مقاعد)",
    ),
    ("secret", "Bỏ phiếu kín", "Secret ballot", "اقتراع سري"),
    (
        "open_vote",
        "Biểu quyết công khai",
        "Open vote",
        "تصويت علني",
    ),
    ("rule", "Nguyên tắc", "Rule", "القاعدة"),
    (
        "th_more_than_half",
        "quá một nửa",
        "more than half",
        "أكثر من النصف",
    ),
    (
        "th_two_thirds",
        "ít nhất hai phần ba",
        "at least two thirds",
        "الثلثان على الأقل",
    ),
    (
        "th_fraction",
        "ít nhất {n}/{d}",
        "at least {n}/{d}",
        "{n}/{d} على الأقل",
    ),
    (
        "th_plurality",
        "đa số tương đối (nhiều phiếu nhất)",
        "plurality (most votes)",
        "الأغلبية النسبية (أكثر الأصوات)",
    ),
    (
        "basis_valid",
        "số phiếu hợp lệ",
        "of the valid ballots cast",
        "من الأوراق الصحيحة",
    ),
    (
        "basis_present",
        "số đại biểu có mặt",
        "of the delegates present",
        "من المندوبين الحاضرين",
    ),
    (
        "basis_convened",
        "số đại biểu được triệu tập",
        "of the delegates convened",
        "من المندوبين المدعوّين",
    ),
    ("opened_at", "Mở lúc", "Opened", "فُتح في"),
    ("closed_at", "Kết thúc lúc", "Closed", "أُغلق في"),
    ("not_opened", "Chưa mở", "Not opened", "لم يُفتح"),
    ("not_closed", "Chưa kết thúc", "Not closed", "لم يُغلق"),
    (
        "ballots_cast",
        "Số phiếu thu về",
        "Ballots cast",
        "الأوراق المُدلى بها",
    ),
    ("ballots_valid", "Phiếu hợp lệ", "Valid", "الصحيحة"),
    (
        "ballots_invalid",
        "Phiếu không hợp lệ",
        "Invalid",
        "الباطلة",
    ),
    ("ballots_blank", "Phiếu trắng", "Blank", "البيضاء"),
    ("pos_for", "Tán thành", "For", "موافق"),
    ("pos_against", "Không tán thành", "Against", "معارض"),
    ("pos_abstain", "Không biểu quyết", "Abstain", "ممتنع"),
    (
        "col_option",
        "Phương án / ứng cử viên",
        "Option / candidate",
        "الخيار / المرشح",
    ),
    ("col_votes", "Số phiếu", "Votes", "الأصوات"),
    (
        "basis_value",
        "Cơ sở tính ({basis}): {value}",
        "Basis ({basis}): {value}",
        "الأساس ({basis}): {value}",
    ),
    (
        "votes_needed",
        "Số phiếu cần đạt: {n}",
        "Votes needed: {n}",
        "الأصوات اللازمة: {n}",
    ),
    ("outcome", "Kết quả", "Outcome", "النتيجة"),
    ("out_adopted", "THÔNG QUA", "ADOPTED", "اعتُمد"),
    ("out_rejected", "KHÔNG THÔNG QUA", "NOT ADOPTED", "لم يُعتمد"),
    (
        "out_winner",
        "Phương án được chọn: {x}",
        "Chosen: {x}",
        "الخيار الفائز: {x}",
    ),
    ("out_tie", "Ngang phiếu: {x}", "Tie: {x}", "تعادل: {x}"),
    (
        "out_no_majority",
        "Không phương án nào đạt đa số",
        "No option reached the majority",
        "لم يبلغ أي خيار الأغلبية",
    ),
    (
        "out_insufficient_turnout",
        "Không công bố kết quả: số phiếu thu về không đạt mức tối thiểu",
        "No result declared: too few ballots were cast",
        "لا تُعلَن نتيجة: عدد الأوراق المقترَع بها أقل من الحد الأدنى",
    ),
    (
        "turnout_met",
        "Số phiếu thu về: {cast} (có mặt {present}, triệu tập {convened}); tối thiểu {needed} ({basis}) — đạt",
        "Ballots cast: {cast} (present {present}, convened {convened}); at least {needed} needed ({basis}) — met",
        "الأوراق المقترَع بها: {cast} (الحضور {present}، المدعوّون {convened})؛ المطلوب {needed} على الأقل ({basis}) — تحقّق",
    ),
    (
        "turnout_not_met",
        "Số phiếu thu về: {cast} (có mặt {present}, triệu tập {convened}); tối thiểu {needed} ({basis}) — không đạt",
        "Ballots cast: {cast} (present {present}, convened {convened}); at least {needed} needed ({basis}) — not met",
        "الأوراق المقترَع بها: {cast} (الحضور {present}، المدعوّون {convened})؛ المطلوب {needed} على الأقل ({basis}) — لم يتحقق",
    ),
    (
        "quorum_lost_during_vote",
        "Lưu ý: trong khi biểu quyết, lúc {time} số đại biểu có mặt ({present}) xuống dưới mức tối thiểu ({required}); kết quả ghi nhận số có mặt lúc kết thúc.",
        "Note: during this vote, at {time}, the delegates present ({present}) fell below the quorum ({required}); the result records the attendance at the close.",
        "ملاحظة: أثناء هذا التصويت، في {time}، انخفض عدد الحضور ({present}) دون النصاب ({required})؛ تسجّل النتيجة الحضور عند الإغلاق.",
    ),
    (
        "out_elected",
        "Trúng cử: {x}",
        "Elected: {x}",
        "الفائزون: {x}",
    ),
    ("out_nobody", "không ai", "nobody", "لا أحد"),
    (
        "out_seat_tie",
        "Ngang phiếu cho {n} ghế cuối: {x}",
        "Tie for the last {n} seat(s): {x}",
        "تعادل على آخر {n} مقعد: {x}",
    ),
    (
        "out_unfilled",
        "Số ghế chưa bầu đủ: {n}",
        "Seats unfilled: {n}",
        "مقاعد شاغرة: {n}",
    ),
    (
        "roll_call",
        "Biểu quyết công khai — danh sách",
        "Open vote — roll call",
        "التصويت العلني — القائمة بالأسماء",
    ),
    (
        "secret_note",
        "Bỏ phiếu kín: chỉ ghi tổng số phiếu.",
        "Secret ballot: totals only.",
        "اقتراع سري: المجاميع فقط.",
    ),
    (
        "no_votes",
        "Không có biểu quyết.",
        "No votes.",
        "لا توجد عمليات تصويت.",
    ),
    // Documents
    ("col_document", "Tài liệu", "Document", "الوثيقة"),
    ("col_version", "Bản", "Version", "النسخة"),
    ("col_file", "Tệp", "File", "الملف"),
    ("col_pages", "Số trang", "Pages", "الصفحات"),
    ("col_issued", "Phát hành lúc", "Issued", "تاريخ الإصدار"),
    ("col_by", "Người tải lên", "Uploaded by", "رفعه"),
    ("col_note", "Ghi chú", "Note", "ملاحظة"),
    (
        "doc_purged",
        "Nội dung đã xoá theo quy định lưu trữ ({t})",
        "Content deleted under the retention rules ({t})",
        "حُذف المحتوى وفق قواعد الاحتفاظ ({t})",
    ),
    (
        "no_documents",
        "Không có tài liệu.",
        "No documents.",
        "لا توجد وثائق.",
    ),
    // Closing
    (
        "closing_text",
        "Biên bản này được lập từ nhật ký điện tử của Đại hội gồm {events} sự kiện, liên kết với nhau bằng chuỗi mã băm SHA-256. Sự kiện cuối cùng là sự kiện số {seq}, có mã băm:",
        "These minutes are drawn from the congress's electronic journal of {events} events, linked by a chain of SHA-256 hashes. The last event is number {seq}, whose hash is:",
        "أُعِدّ هذا المحضر من السجل الإلكتروني للمؤتمر المؤلَّف من {events} حدثًا مترابطة بسلسلة تجزئة \u{2066}SHA-256\u{2069}. آخر حدث هو رقم {seq}، وقيمة تجزئته:",
    ),
    (
        "verify_text",
        "Bất kỳ ai có bản sao dữ liệu của Đại hội đều có thể kiểm tra biên bản này bằng lệnh {cmd}: lệnh kiểm tra toàn bộ chuỗi mã băm, dựng lại dữ liệu từ nhật ký và in ra mã băm cuối cùng (dòng «head»), mã này phải trùng với mã ghi trên.",
        "Anyone with a copy of the congress data can check this record with the command {cmd}: it checks the whole hash chain, rebuilds the data from the journal and prints the last hash (the «head» line), which must equal the hash above.",
        "يمكن لأي شخص لديه نسخة من بيانات المؤتمر التحقق من هذا المحضر بالأمر {cmd}: فهو يفحص سلسلة التجزئة كاملةً ويعيد بناء البيانات من السجل ويطبع آخر قيمة تجزئة (سطر «head») التي يجب أن تطابق القيمة أعلاه.",
    ),
    (
        "sign_chair",
        "TM. ĐOÀN CHỦ TỊCH",
        "FOR THE PRESIDIUM",
        "عن هيئة الرئاسة",
    ),
    (
        "sign_secretariat",
        "THƯ KÝ ĐẠI HỘI",
        "THE SECRETARIAT",
        "أمانة المؤتمر",
    ),
    (
        "sign_hint",
        "(Ký, ghi rõ họ tên)",
        "(Signature and full name)",
        "(التوقيع والاسم الكامل)",
    ),
    // Audit log
    (
        "a_congress_defined",
        "Thiết lập Đại hội «{name}»",
        "Defined the congress «{name}»",
        "عرّف المؤتمر «{name}»",
    ),
    (
        "a_delegates_imported",
        "Nhập {n} đại biểu",
        "Imported {n} delegates",
        "استورد {n} مندوبًا",
    ),
    (
        "a_agenda_defined",
        "Thiết lập chương trình ({n} nội dung)",
        "Defined the agenda ({n} items)",
        "عرّف جدول الأعمال ({n} بنود)",
    ),
    (
        "a_current_item",
        "Chuyển sang nội dung «{title}»",
        "Took up agenda item «{title}»",
        "انتقل إلى البند «{title}»",
    ),
    (
        "a_current_none",
        "Bỏ chọn nội dung đang tiến hành",
        "Cleared the current agenda item",
        "ألغى تحديد البند الحالي",
    ),
    (
        "a_attendance",
        "{name} ({id}): {status}",
        "{name} ({id}): {status}",
        "{name} ({id}): {status}",
    ),
    (
        "a_reason",
        "lý do: {reason}",
        "reason: {reason}",
        "السبب: {reason}",
    ),
    (
        "a_kiosk",
        "qua máy điểm danh {device}",
        "by kiosk {device}",
        "عبر جهاز التسجيل {device}",
    ),
    ("st_present", "có mặt", "present", "حاضر"),
    ("st_left", "rời hội trường", "left the hall", "غادر القاعة"),
    ("st_absent", "vắng mặt", "absent", "غائب"),
    (
        "a_operator_saved",
        "Lưu tài khoản điều hành {user} ({roles})",
        "Saved operator {user} ({roles})",
        "حفظ حساب المشغّل {user} ({roles})",
    ),
    (
        "a_session_opened",
        "{user} đăng nhập",
        "{user} signed in",
        "سجّل {user} الدخول",
    ),
    (
        "a_session_closed",
        "Một phiên làm việc kết thúc (đăng xuất)",
        "A session ended (signed out)",
        "انتهت جلسة (تسجيل خروج)",
    ),
    (
        "a_pairing_code",
        "Tạo mã ghép nối cho {kind} «{label}»",
        "Created a pairing code for a {kind} «{label}»",
        "أنشأ رمز إقران لـ{kind} «{label}»",
    ),
    (
        "a_device_paired",
        "Ghép nối {kind} «{label}» ({id})",
        "Paired {kind} «{label}» ({id})",
        "أقرن {kind} «{label}» ({id})",
    ),
    (
        "a_paired_two_operators",
        "có mặt do {desk} xác nhận tại bàn, mã ghép nối do {code} tạo",
        "marked present at the desk by {desk}, pairing code by {code}",
        "سجّل {desk} الحضور عند المكتب، وأنشأ {code} رمز الإقران",
    ),
    (
        "a_paired_same_operator",
        "CẢNH BÁO: {desk} vừa xác nhận có mặt tại bàn vừa tạo mã ghép nối (quản trị viên)",
        "WARNING: {desk} both marked present at the desk and made the pairing code (an admin)",
        "تحذير: {desk} سجّل الحضور عند المكتب وأنشأ رمز الإقران معًا (مسؤول)",
    ),
    (
        "a_refused_code",
        "TỪ CHỐI: {user} tạo mã ghép nối máy tính bảng cho {name} ({id}), người mà chính {user} đã xác nhận có mặt; cần một người vận hành thứ hai",
        "REFUSED: {user} made a tablet pairing code for {name} ({id}), whom {user} had marked present at the desk; a second operator must do it",
        "مرفوض: أنشأ {user} رمز إقران جهاز لوحي لـ{name} ({id}) الذي سجّل {user} حضوره عند المكتب؛ يجب أن يقوم بذلك مشغّل ثانٍ",
    ),
    (
        "a_refused_present",
        "TỪ CHỐI: {user} xác nhận có mặt tại bàn cho {name} ({id}) sau khi đã tự tạo mã ghép nối máy tính bảng cho đại biểu này; cần một người vận hành thứ hai",
        "REFUSED: {user} marked {name} ({id}) present at the desk after making their tablet pairing code; a second operator must do it",
        "مرفوض: سجّل {user} حضور {name} ({id}) عند المكتب بعد أن أنشأ رمز إقران جهازه اللوحي؛ يجب أن يقوم بذلك مشغّل ثانٍ",
    ),
    (
        "a_refused_pair",
        "TỪ CHỐI: ghép nối máy tính bảng cho {name} ({id}) bằng mã do {user} tạo, người đã xác nhận có mặt tại bàn; cần một mã mới từ người vận hành thứ hai",
        "REFUSED: pairing a tablet for {name} ({id}) with a code made by {user}, who had marked them present at the desk; a second operator must make a new code",
        "مرفوض: إقران جهاز لوحي لـ{name} ({id}) برمز أنشأه {user} الذي سجّل حضوره عند المكتب؛ يجب أن يُنشئ مشغّل ثانٍ رمزًا جديدًا",
    ),
    (
        "a_device_revoked",
        "Huỷ ghép nối thiết bị {id}",
        "Unpaired device {id}",
        "ألغى إقران الجهاز {id}",
    ),
    ("k_tablet", "máy tính bảng", "tablet", "جهاز لوحي"),
    ("k_kiosk", "máy điểm danh", "kiosk", "جهاز تسجيل"),
    ("k_projector", "máy chiếu", "projector", "جهاز عرض"),
    (
        "a_doc_version",
        "Phát hành bản {v} của tài liệu «{title}» ({pages} trang)",
        "Issued version {v} of document «{title}» ({pages} pages)",
        "أصدر النسخة {v} من الوثيقة «{title}» ({pages} صفحات)",
    ),
    (
        "a_doc_updated",
        "Sửa thông tin tài liệu «{title}»",
        "Changed the details of document «{title}»",
        "عدّل بيانات الوثيقة «{title}»",
    ),
    (
        "a_doc_delivered",
        "Mã hoá bản {v} của «{title}» cho {n} máy tính bảng",
        "Encrypted version {v} of «{title}» for {n} tablets",
        "شفّر النسخة {v} من «{title}» لـ{n} أجهزة لوحية",
    ),
    (
        "a_doc_fetched",
        "Máy tính bảng {device} tải bản {v} của «{title}»",
        "Tablet {device} downloaded version {v} of «{title}»",
        "نزّل الجهاز اللوحي {device} النسخة {v} من «{title}»",
    ),
    (
        "a_docs_purged",
        "Xoá nội dung lưu trữ của {n} bản tài liệu ({reason})",
        "Deleted the stored content of {n} document versions ({reason})",
        "حذف المحتوى المخزَّن لـ{n} نسخ من الوثائق ({reason})",
    ),
    (
        "a_face_enrolled",
        "Đăng ký khuôn mặt của {name} ({id})",
        "Enrolled the face of {name} ({id})",
        "سجّل وجه {name} ({id})",
    ),
    (
        "a_biometrics_purged",
        "Xoá dữ liệu khuôn mặt của {n} đại biểu",
        "Deleted the face enrolments of {n} delegates",
        "حذف بيانات الوجه لـ{n} مندوبين",
    ),
    (
        "a_vote_created",
        "Chuẩn bị biểu quyết số {id} «{title}» ({secrecy})",
        "Prepared vote {id} «{title}» ({secrecy})",
        "أعدّ التصويت رقم {id} «{title}» ({secrecy})",
    ),
    (
        "a_vote_opened",
        "Mở biểu quyết số {id} «{title}»",
        "Opened vote {id} «{title}»",
        "فتح التصويت رقم {id} «{title}»",
    ),
    (
        "a_vote_closed",
        "Kết thúc biểu quyết số {id} «{title}»: {cast} phiếu; {outcome}",
        "Closed vote {id} «{title}»: {cast} ballots; {outcome}",
        "أغلق التصويت رقم {id} «{title}»: {cast} ورقة؛ {outcome}",
    ),
    (
        "a_ballot_cast",
        "{name} ({id}) biểu quyết công khai ở biểu quyết số {vote}",
        "{name} ({id}) voted in open vote {vote}",
        "صوّت {name} ({id}) في التصويت العلني رقم {vote}",
    ),
    (
        "a_participated",
        "{name} ({id}) tham gia bỏ phiếu kín số {vote}",
        "{name} ({id}) took part in secret vote {vote}",
        "شارك {name} ({id}) في الاقتراع السري رقم {vote}",
    ),
    (
        "a_sealed",
        "Một phiếu kín được niêm phong",
        "A secret ballot was sealed",
        "خُتمت ورقة اقتراع سري",
    ),
    (
        "a_other",
        "Sự kiện «{kind}»",
        "Event «{kind}»",
        "حدث «{kind}»",
    ),
    // Audit log: events without their own sentence (meeting, notices, groups): `ak_<kind>`
    (
        "ak_notice_sent",
        "Gửi thông báo",
        "Sent a notice",
        "أرسل إشعارًا",
    ),
    (
        "ak_notice_read",
        "Đã đọc thông báo",
        "Read a notice",
        "قرأ إشعارًا",
    ),
    (
        "ak_group_secretary_set",
        "Chỉ định thư ký tổ",
        "Designated a group secretary",
        "عيّن أمين سر مجموعة",
    ),
    (
        "ak_opinion_saved",
        "Lưu ý kiến thảo luận",
        "Saved a written opinion",
        "حفظ رأيًا مكتوبًا",
    ),
    (
        "ak_group_summary_saved",
        "Lưu bản nháp tổng hợp ý kiến tổ",
        "Saved a draft group summary",
        "حفظ مسودة ملخص المجموعة",
    ),
    (
        "ak_group_summary_submitted",
        "Gửi tổng hợp ý kiến tổ",
        "Submitted a group summary",
        "قدّم ملخص المجموعة",
    ),
    (
        "ak_item_started",
        "Bắt đầu một mục chương trình",
        "Started an agenda item",
        "بدأ بندًا من جدول الأعمال",
    ),
    (
        "ak_item_closed",
        "Kết thúc một mục chương trình",
        "Closed an agenda item",
        "أنهى بندًا من جدول الأعمال",
    ),
    (
        "ak_item_planned",
        "Sửa kế hoạch thời gian",
        "Changed the time plan",
        "عدّل الخطة الزمنية",
    ),
    (
        "ak_vote_linked",
        "Gắn biểu quyết với mục chương trình",
        "Linked a vote to an agenda item",
        "ربط تصويتًا ببند",
    ),
    (
        "ak_speaker_requested",
        "Đăng ký phát biểu",
        "Asked to speak",
        "طلب الكلمة",
    ),
    (
        "ak_speaker_withdrawn",
        "Rút đăng ký phát biểu",
        "Withdrew a request to speak",
        "سحب طلب الكلمة",
    ),
    (
        "ak_speaker_removed",
        "Xoá khỏi danh sách phát biểu",
        "Removed from the speakers' queue",
        "حُذف من قائمة المتحدثين",
    ),
    (
        "ak_speakers_reordered",
        "Đổi thứ tự phát biểu",
        "Reordered the speakers' queue",
        "أعاد ترتيب قائمة المتحدثين",
    ),
    (
        "ak_speaker_granted",
        "Mời phát biểu",
        "Gave the floor",
        "أعطى الكلمة",
    ),
    (
        "ak_speaker_extended",
        "Thêm thời gian phát biểu",
        "Extended the speaking time",
        "مدّد وقت الكلمة",
    ),
    (
        "ak_speaker_finished",
        "Kết thúc phát biểu",
        "A speech ended",
        "انتهت الكلمة",
    ),
    (
        "ak_projector_scene_set",
        "Đổi màn hình chiếu",
        "Changed the projector's scene",
        "غيّر مشهد شاشة العرض",
    ),
    // Extra sections: speakers, notices, group summaries
    ("sp_title", "Danh sách phát biểu", "Speakers", "المتحدثون"),
    ("sp_item", "Nội dung", "Agenda item", "البند"),
    ("sp_speaker", "Người phát biểu", "Speaker", "المتحدث"),
    ("sp_kind", "Loại", "Kind", "النوع"),
    ("sp_duration", "Thời lượng", "Duration", "المدة"),
    (
        "sp_limit",
        "Thời gian cho phép",
        "Time allowed",
        "الوقت المسموح",
    ),
    ("sp_normal", "Phát biểu", "Speech", "مداخلة"),
    ("sp_reply", "Trả lời", "Reply", "رد"),
    (
        "sp_point_of_order",
        "Kiến nghị về thủ tục",
        "Point of order",
        "نقطة نظام",
    ),
    ("nt_title", "Thông báo", "Notices", "الإشعارات"),
    ("nt_audience", "Gửi đến", "To", "إلى"),
    ("nt_text", "Nội dung", "Text", "النص"),
    ("nt_by", "Người gửi", "Sent by", "المرسل"),
    ("nt_read", "Đã đọc", "Read by", "قرأه"),
    (
        "nt_all",
        "Toàn thể đại biểu",
        "All delegates",
        "جميع المندوبين",
    ),
    (
        "nt_group",
        "Tổ {group}",
        "Group {group}",
        "المجموعة {group}",
    ),
    (
        "gs_title",
        "Tổng hợp ý kiến thảo luận tổ",
        "Discussion group summaries",
        "ملخصات مجموعات النقاش",
    ),
    ("gs_group", "Tổ", "Group", "المجموعة"),
    ("gs_item", "Nội dung", "Agenda item", "البند"),
    ("gs_text", "Tổng hợp", "Summary", "الملخص"),
];

/// The text of `key` in `lang`; the key itself if the table lacks it (a test forbids that).
pub fn t(lang: Lang, key: &str) -> &'static str {
    match TABLE.iter().find(|row| row.0 == key) {
        Some((_, vi, en, ar)) => match lang {
            Lang::Vi => vi,
            Lang::En => en,
            Lang::Ar => ar,
        },
        None => "",
    }
}

/// Fills `{name}` blanks of `template` with `values`.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// [`t`] then [`fill`].
pub fn tf(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    fill(t(lang, key), values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_translated_and_has_the_same_blanks() {
        let mut keys = std::collections::HashSet::new();
        for (key, vi, en, ar) in TABLE {
            assert!(keys.insert(*key), "duplicate key {key}");
            let blanks = |s: &str| {
                let mut b: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|x| x.0.to_string()))
                    .collect();
                b.sort();
                b
            };
            assert!(!vi.is_empty() && !en.is_empty() && !ar.is_empty(), "{key}");
            assert_eq!(blanks(vi), blanks(en), "{key}: vi/en blanks differ");
            assert_eq!(blanks(ar), blanks(en), "{key}: ar/en blanks differ");
            if *key != "a_attendance" {
                assert_ne!(vi, en, "{key}: Vietnamese is a copy of English");
                assert_ne!(ar, en, "{key}: Arabic is a copy of English");
            }
        }
        assert_eq!(Lang::parse("ar").map(Lang::rtl), Some(true));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(
            tf(Lang::En, "votes_needed", &[("n", "3")]),
            "Votes needed: 3"
        );
    }
}
