/**
 * Transport-security strings: the console's "trust this server" panel (the congress CA a tablet
 * or kiosk must trust) and the rate-limit error. Merged into each language's catalogue.
 */
import type { Msg } from '../i18n';

export const trustVi = {
  'error.rate_limited': 'Thử quá nhiều lần từ máy này. Vui lòng chờ một lát rồi thử lại.',
  'trust.title': 'Kết nối an toàn (HTTPS)',
  'trust.intro': 'Máy tính bảng và ki-ốt phải tin cậy chứng chỉ gốc của đại hội một lần trước khi ghép nối.',
  'trust.fingerprint': 'Dấu vân tay SHA-256 của chứng chỉ gốc',
  'trust.download': 'Tải chứng chỉ gốc (ca.pem)',
  'trust.plain_url': 'Máy chưa tin cậy có thể tải chứng chỉ qua HTTP tại cổng {port}: /ca.pem',
  'trust.step1': 'Trên máy tính bảng, mở địa chỉ máy chủ và tải chứng chỉ gốc.',
  'trust.step2': 'Cài chứng chỉ làm chứng chỉ CA tin cậy (Android: Cài đặt › Bảo mật › Cài chứng chỉ CA; iPad: cài hồ sơ, rồi bật tin cậy hoàn toàn trong Giới thiệu › Cài đặt tin cậy chứng chỉ).',
  'trust.step3': 'So dấu vân tay hiển thị trên máy với dấu vân tay ở đây; nếu khác, không cài đặt và báo ngay cho quản trị viên.',
  'trust.off': 'Máy chủ đang chạy không có HTTPS (tls = "off"). Chỉ dùng cho thử nghiệm.',
  'alarm.pairing_guesses': 'Cảnh báo an ninh ({time}): có quá nhiều mã ghép nối sai từ mạng, có thể ai đó đang dò mã. Việc ghép nối tạm dừng cho mọi thiết bị; hãy kiểm tra các thiết bị lạ trong hội trường.',
  'alarm.dismiss': 'Đã hiểu',
} as const;

export const trustEn: Record<keyof typeof trustVi, Msg> = {
  'error.rate_limited': 'Too many attempts from this device. Please wait a moment and try again.',
  'trust.title': 'Secure connection (HTTPS)',
  'trust.intro': 'Tablets and kiosks must trust the congress root certificate once, before pairing.',
  'trust.fingerprint': 'SHA-256 fingerprint of the root certificate',
  'trust.download': 'Download the root certificate (ca.pem)',
  'trust.plain_url': 'A device that does not trust the server yet can fetch it over HTTP on port {port}: /ca.pem',
  'trust.step1': 'On the tablet, open the server address and download the root certificate.',
  'trust.step2': 'Install it as a trusted CA certificate (Android: Settings › Security › Install a CA certificate; iPad: install the profile, then turn on full trust in About › Certificate Trust Settings).',
  'trust.step3': 'Compare the fingerprint the device shows with the one here; if they differ, do not install it and tell an administrator at once.',
  'trust.off': 'The server runs without HTTPS (tls = "off"). For testing only.',
  'alarm.pairing_guesses': 'Security alarm ({time}): too many wrong pairing codes from the network; someone may be guessing codes. Pairing is paused for every device; look for unknown devices in the hall.',
  'alarm.dismiss': 'Understood',
};

export const trustAr: Record<keyof typeof trustVi, Msg> = {
  'error.rate_limited': 'محاولات كثيرة جدًا من هذا الجهاز. يرجى الانتظار قليلًا ثم المحاولة مرة أخرى.',
  'trust.title': 'اتصال آمن (HTTPS)',
  'trust.intro': 'يجب أن تثق الأجهزة اللوحية والأكشاك بالشهادة الجذرية للمؤتمر مرة واحدة قبل الإقران.',
  'trust.fingerprint': 'بصمة SHA-256 للشهادة الجذرية',
  'trust.download': 'تنزيل الشهادة الجذرية (ca.pem)',
  'trust.plain_url': 'يمكن للجهاز الذي لا يثق بالخادم بعد أن ينزّلها عبر HTTP على المنفذ {port}: /ca.pem',
  'trust.step1': 'على الجهاز اللوحي، افتح عنوان الخادم ونزّل الشهادة الجذرية.',
  'trust.step2': 'ثبّتها كشهادة CA موثوقة (أندرويد: الإعدادات › الأمان › تثبيت شهادة CA؛ آيباد: ثبّت ملف التعريف ثم فعّل الثقة الكاملة في حول › إعدادات الثقة بالشهادات).',
  'trust.step3': 'قارن البصمة التي يعرضها الجهاز بالبصمة هنا؛ إن اختلفتا فلا تثبّتها وأبلغ المسؤول فورًا.',
  'trust.off': 'الخادم يعمل بدون HTTPS (tls = "off"). للاختبار فقط.',
  'alarm.pairing_guesses': 'إنذار أمني ({time}): رموز اقتران خاطئة كثيرة جدًا من الشبكة؛ قد يكون أحدهم يخمّن الرموز. الاقتران متوقف مؤقتًا لجميع الأجهزة؛ ابحث عن أجهزة غريبة في القاعة.',
  'alarm.dismiss': 'فهمت',
};
