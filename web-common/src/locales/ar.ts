import type { Catalog } from '../i18n';

/**
 * Arabic: a stub for now (a later issue translates it). Missing keys fall back to English; the
 * layout is already right-to-left (`setLanguage` sets `dir="rtl"`).
 */
export const ar: Catalog = {
  'common.language': 'اللغة',
  'common.loading': 'جارٍ التحميل…',
  'common.cancel': 'إلغاء',
  'conn.online': 'متصل',
  'conn.offline': 'غير متصل',
  'status.present': 'حاضر',
  'status.absent': 'غائب',
  'status.left': 'غادر',
  'vote.title': "التصويت",
  'vote.for': "موافق",
  'vote.against': "معارض",
  'vote.abstain': "ممتنع",
  'vote.blank': "ورقة بيضاء",
  'vote.confirm_q': "اخترت: {choice}. هل تؤكد؟",
  'vote.confirm': "تأكيد",
  'vote.change': "تغيير",
  'vote.sending': "جارٍ إرسال الورقة…",
  'vote.queued': "غير متصل: سترسل ورقتك عند عودة الاتصال.",
  'vote.recorded': "تم تسجيل صوتك",
  'vote.receipt': "رمز الإيصال: {code}",
  'vote.refused': "رُفضت الورقة: {reason}",
  'vote.secret': "اقتراع سري",
  'vote.open_vote': "تصويت علني",
  'vote.keep_up_to': "أبقِ {seats} أسماء على الأكثر",
  'vote.too_many': "أبقيت أكثر من {seats} أسماء: ستكون الورقة باطلة.",
  'vote.submit': "الإدلاء بالصوت",
  'vote.closed': "مغلق",
  'vote.turnout': "صوّت: {cast}",
  'vote.outcome.adopted': "مُعتمد",
  'vote.outcome.rejected': "غير مُعتمد",
  'vote.outcome.winner': "الخيار المختار",
  'vote.outcome.tie_for_first': "تعادل",
  'vote.outcome.no_majority': "لا أغلبية",
  'vote.outcome.election': "نتيجة الانتخاب",
};
