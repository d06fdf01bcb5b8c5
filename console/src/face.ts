/**
 * Face check-in in the console: the kiosks panel (each kiosk's connection, frames per second
 * and last result; the last kiosk check-ins with their enrolment thumbnails), and the enrolment
 * dialog (desk webcam, three captures, uploaded to `POST /api/delegates/{id}/enrol`).
 */

import { ApiError, fmtNumber, fmtTimeSec, focusRestorer, h, mount, t, type ApiClient, type Delegate, type EnrolResponse, type FaceOverview } from '@congress/web-common';

const POLL_MS = 2000;

/** Thumbnails need the bearer token, so they are fetched as blobs and cached as object URLs. */
class Thumbs {
  private urls = new Map<string, Promise<string | null>>();
  constructor(private readonly token: () => string | null) {}

  get(id: string): Promise<string | null> {
    let p = this.urls.get(id);
    if (!p) {
      const token = this.token();
      p = fetch(`/api/delegates/${encodeURIComponent(id)}/photo`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      })
        .then(async (r) => (r.ok ? URL.createObjectURL(await r.blob()) : null))
        .catch(() => null);
      this.urls.set(id, p);
    }
    return p;
  }

  forget(id: string): void {
    this.urls.delete(id);
  }
}

const RESULT_KEYS = {
  no_face: 'face.result.no_face',
  looking: 'face.result.looking',
  recognized: 'face.result.recognized',
  unknown: 'face.result.unknown',
  several_faces: 'face.result.several_faces',
  low_quality: 'face.result.low_quality',
  busy: 'face.result.busy',
  rate_limited: 'face.result.rate_limited',
  bad_frame: 'face.result.bad_frame',
  unavailable: 'face.result.unavailable',
} as const;

/** A kiosk's last answer (a `FaceStatus` name from the server), translated when known. */
function resultText(status: string): string {
  const key = (RESULT_KEYS as Record<string, (typeof RESULT_KEYS)[keyof typeof RESULT_KEYS]>)[status];
  return key ? t(key) : status;
}

const two = { minimumFractionDigits: 2, maximumFractionDigits: 2 };

export class FacePanel {
  readonly slot = h('section', { id: 'face', class: 'panel face-panel', 'aria-labelledby': 'face-h', 'data-testid': 'face-panel' });
  private overview: FaceOverview | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  readonly thumbs: Thumbs;
  private enrolled = new Set<string>();
  onEnrolledChange: () => void = () => undefined;

  constructor(
    private readonly api: ApiClient,
    token: () => string | null,
  ) {
    this.thumbs = new Thumbs(token);
  }

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  isEnrolled(id: string): boolean {
    return this.enrolled.has(id);
  }

  get enabled(): boolean {
    return this.overview?.enabled ?? false;
  }

  async poll(): Promise<void> {
    try {
      const o = await this.api.request<FaceOverview>('GET', '/api/face/status');
      const changed = o.enrolled_ids.length !== this.enrolled.size || o.enrolled_ids.some((id) => !this.enrolled.has(id));
      this.overview = o;
      this.enrolled = new Set(o.enrolled_ids);
      if (changed) this.onEnrolledChange();
      this.render();
    } catch {
      /* the console's connection banner covers a lost server */
    }
  }

  render(): void {
    const o = this.overview;
    if (!o) return mount(this.slot, h('h2', { id: 'face-h' }, t('face.kiosks')));
    if (!o.enabled) {
      return mount(this.slot, h('h2', { id: 'face-h' }, t('face.kiosks')), h('p', { class: 'muted' }, t('face.disabled')));
    }
    const recent = h('ul', { class: 'face-recent', 'data-testid': 'face-recent' });
    for (const c of o.recent.slice(0, 10)) {
      const img = h('img', { class: 'face-thumb', alt: '', width: '48', height: '48' }) as HTMLImageElement;
      if (c.has_photo) void this.thumbs.get(c.delegate_id).then((u) => u && (img.src = u));
      recent.append(
        h(
          'li',
          { 'data-testid': 'face-checkin', 'data-delegate': c.delegate_id },
          img,
          h('span', null, h('strong', null, c.full_name), ` · ${c.delegate_id} · ${fmtTimeSec(c.at)}`),
          h('span', { class: 'muted small' }, ` ${c.device_id} · ${t('face.distance', { d: fmtNumber(c.distance, two) })}`),
        ),
      );
    }
    mount(
      this.slot,
      h('h2', { id: 'face-h' }, t('face.kiosks')),
      h('p', { class: 'muted small' }, t('face.enrolled_count', { n: o.enrolled })),
      h(
        'ul',
        { class: 'face-kiosks', 'data-testid': 'face-kiosks' },
        o.kiosks.map((k) =>
          h(
            'li',
            { 'data-testid': 'face-kiosk', 'data-connected': String(k.connected) },
            h('strong', null, k.label || k.device_id),
            ' ',
            h('span', { class: k.connected ? 'status status-present' : 'status status-absent' }, k.connected ? t('face.kiosk_connected') : t('face.kiosk_disconnected')),
            k.connected ? ` · ${t('face.fps', { fps: fmtNumber(k.fps, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) })}` : '',
            k.last_result ? h('span', { class: 'muted small' }, ` · ${resultText(k.last_result)}`) : null,
          ),
        ),
      ),
      h('h3', null, t('face.recent')),
      recent,
    );
  }
}

/** The enrolment dialog: webcam preview, three captures a moment apart, upload, outcome. */
export function openEnrolDialog(api: ApiClient, d: Delegate, done: (r: EnrolResponse) => void): void {
  const restoreFocus = focusRestorer();
  const video = h('video', { class: 'enrol-video', autoplay: '', muted: '', playsinline: '', 'aria-label': t('face.video') }) as HTMLVideoElement;
  const status = h('p', { role: 'status', 'data-testid': 'enrol-status' });
  const capture = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'enrol-capture' }, t('face.enrol_capture')) as HTMLButtonElement;
  const close = h('button', { type: 'button', class: 'btn' }, t('common.cancel'));
  const dialog = h(
    'dialog',
    { class: 'enrol-dialog', 'aria-labelledby': 'enrol-title', 'data-testid': 'enrol-dialog' },
    h('h2', { id: 'enrol-title' }, t('face.enrol_title', { name: d.full_name })),
    video,
    status,
    h('div', { class: 'dialog-actions' }, close, capture),
  ) as HTMLDialogElement;
  document.body.append(dialog);
  let stream: MediaStream | null = null;
  const finish = () => {
    stream?.getTracks().forEach((tr) => tr.stop());
    dialog.close();
    dialog.remove();
    restoreFocus();
  };
  close.onclick = finish;
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    finish();
  });
  dialog.showModal();
  navigator.mediaDevices
    ?.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false })
    .then((s) => {
      stream = s;
      video.srcObject = s;
      void video.play().catch(() => undefined);
    })
    .catch((e: unknown) => {
      status.textContent = t('face.no_camera', { message: e instanceof Error ? e.message : String(e) });
      capture.disabled = true;
    });
  capture.onclick = async () => {
    capture.disabled = true;
    status.textContent = t('common.working');
    const shots: string[] = [];
    const canvas = document.createElement('canvas');
    for (let i = 0; i < 3; i++) {
      const scale = Math.min(1, 1280 / (video.videoWidth || 1));
      canvas.width = Math.round((video.videoWidth || 640) * scale);
      canvas.height = Math.round((video.videoHeight || 480) * scale);
      canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
      shots.push(canvas.toDataURL('image/jpeg', 0.9));
      await new Promise((r) => setTimeout(r, 400));
    }
    try {
      const r = await api.request<EnrolResponse>('POST', `/api/delegates/${encodeURIComponent(d.id)}/enrol`, {
        client_id: `enrol-${d.id}-${Date.now()}`,
        captures: shots,
      });
      if (r.enrolled) {
        status.textContent = t('face.enrol_ok', { n: r.used });
        done(r);
      } else {
        status.textContent = t('face.enrol_failed', { reasons: r.captures.map((c) => c.message).join('; ') });
      }
    } catch (e) {
      status.textContent = e instanceof ApiError ? e.message : String(e);
    }
    capture.disabled = false;
  };
}
