import type { Catalog } from '../i18n';
import { faceAr } from './face';

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
  ...faceAr,
};
