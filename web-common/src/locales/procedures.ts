/**
 * The congress's own procedures (credentials, bodies, nominations, rounds, the counting board's
 * report) and the turnout safeguard, merged into each language's catalogue. Vietnamese is the
 * source; English and Arabic are complete.
 */
import type { Msg } from '../i18n';

export const proceduresVi = {
  'vote.outcome.insufficient_turnout': 'Không công bố kết quả: số phiếu thu về chưa đạt mức tối thiểu',
};

export const proceduresEn: Record<keyof typeof proceduresVi, Msg> = {
  'vote.outcome.insufficient_turnout': 'No result: too few ballots were cast',
};

export const proceduresAr: Record<keyof typeof proceduresVi, Msg> = {
  'vote.outcome.insufficient_turnout': 'لا نتيجة: عدد الأوراق المقترَع بها أقل من الحد الأدنى',
};
