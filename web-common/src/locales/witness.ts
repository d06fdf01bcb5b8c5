/**
 * Witness-head strings (issue 13, finding 16): the device's own alarm when the congress record
 * changed since it last saw it, the consoles' `journal_rewritten` alarm, and the download of a
 * device's heads. Merged into each language's catalogue.
 */
import type { Msg } from '../i18n';

export const witnessVi = {
  'witness.alarm': 'Hồ sơ đại hội đã bị thay đổi kể từ lần cuối thiết bị này nhìn thấy nó — hãy báo ngay cho ban thư ký.',
  'witness.alarm_seqs': '(số thứ tự nhật ký: {seqs})',
  'alarm.journal_rewritten': 'Cảnh báo an ninh ({time}): một thiết bị đã thấy nhật ký khác với nhật ký trên máy chủ — hồ sơ có thể đã bị sửa. Hãy tải các mốc nhật ký từ các thiết bị và chạy congress verify --witness.',
  'witness.download': 'Tải các mốc nhật ký đã chứng kiến',
  'witness.download_hint': 'Tệp JSON cho lệnh congress verify --witness, để so với nhật ký trên máy chủ.',
} as const;

export const witnessEn: Record<keyof typeof witnessVi, Msg> = {
  'witness.alarm': 'The congress record has changed since this device last saw it — tell the secretariat.',
  'witness.alarm_seqs': '(journal seq: {seqs})',
  'alarm.journal_rewritten': 'Security alarm ({time}): a device saw a journal that differs from the server’s — the record may have been rewritten. Download the witness heads from the devices and run congress verify --witness.',
  'witness.download': 'Download witness heads',
  'witness.download_hint': 'A JSON file for congress verify --witness, to check the server’s journal against.',
};

export const witnessAr: Record<keyof typeof witnessVi, Msg> = {
  'witness.alarm': 'تغيّر سجل المؤتمر منذ آخر مرة رآه فيها هذا الجهاز — أبلغ الأمانة.',
  'witness.alarm_seqs': '(رقم تسلسل السجل: {seqs})',
  'alarm.journal_rewritten': 'إنذار أمني ({time}): رأى جهاز سجلًا يختلف عن سجل الخادم — ربما أُعيدت كتابة السجل. نزّل رؤوس الشهادة من الأجهزة وشغّل congress verify --witness.',
  'witness.download': 'تنزيل رؤوس الشهادة',
  'witness.download_hint': 'ملف JSON للأمر congress verify --witness، لمقارنة سجل الخادم به.',
};
