/**
 * Camera streaming for the entrance kiosk: getUserMedia, each frame downscaled to 640 px wide
 * and sent as a JPEG binary message over /ws/kiosk about 5 times a second (at most two frames
 * awaiting an answer), the face boxes of each answer drawn over the video, and the result in
 * large type. The kiosk holds no biometric data: it only sends frames and shows answers. The
 * liveness check's prompt ("turn your head a little to the left", with an arrow and the time
 * left) and its refusals (with the reason; the desk is told by the server) are shown too.
 */

import { fmtTime, onLanguageChange, t, type FaceResultMsg, type FaceStatus, type MessageKey, type WsClient } from '@congress/web-common';

export interface CameraHandle {
  stop(): void;
}

const FRAME_WIDTH = 640;
const FRAME_INTERVAL_MS = 200;
const MAX_IN_FLIGHT = 2;
/** How long a greeting (or "go to the desk") stays on screen. */
const HOLD_MS = 4000;

function beep(ok: boolean): void {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = ok ? 880 : 330;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + (ok ? 0.18 : 0.35));
    osc.onended = () => void ctx.close();
  } catch {
    /* no sound is not an error */
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, testid?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (testid) e.setAttribute('data-testid', testid);
  return e;
}

const QUALITY_KEYS: Record<string, MessageKey> = {
  'face.quality.too_small': 'face.quality.too_small',
  'face.quality.pose': 'face.quality.pose',
  'face.quality.blurry': 'face.quality.blurry',
  'face.quality.too_dark': 'face.quality.too_dark',
  'face.quality.too_bright': 'face.quality.too_bright',
  'face.quality.low_confidence': 'face.quality.low_confidence',
};

const SPOOF_KEYS: Record<string, MessageKey> = {
  'face.pad.spoof.still_image': 'face.pad.spoof.still_image',
  'face.pad.spoof.planar_motion': 'face.pad.spoof.planar_motion',
  'face.pad.spoof.passive_model': 'face.pad.spoof.passive_model',
  'face.pad.spoof.challenge_not_answered': 'face.pad.spoof.challenge_not_answered',
  'face.pad.spoof.challenge_flat': 'face.pad.spoof.challenge_flat',
};

export function startCamera<S>(area: HTMLElement, ws: WsClient<S>): CameraHandle {
  const stage = el('div', 'face-stage');
  const video = el('video', 'face-video', 'face-video');
  video.setAttribute('aria-label', t('face.video'));
  const offLang = onLanguageChange(() => video.setAttribute('aria-label', t('face.video')));
  video.muted = true;
  video.playsInline = true;
  video.autoplay = true;
  const overlay = el('canvas', 'face-overlay');
  stage.append(video, overlay);
  const panel = el('div', 'face-panel', 'face-panel');
  // The greeting is read out too (a polite live region; it replaces, not appends).
  panel.setAttribute('role', 'status');
  panel.setAttribute('aria-live', 'polite');
  panel.setAttribute('aria-atomic', 'true');
  const message = el('p', 'face-message', 'face-message');
  const detail = el('p', 'face-detail', 'face-detail');
  panel.append(message, detail);
  area.append(panel, stage);
  const grab = document.createElement('canvas');

  let stream: MediaStream | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let inFlight = 0;
  let holdUntil = 0;
  let stopped = false;

  const show = (status: string, text: string, sub = ''): void => {
    panel.setAttribute('data-status', status);
    message.textContent = text;
    detail.textContent = sub;
  };
  show('looking', t('face.look'));

  const drawBoxes = (r: FaceResultMsg): void => {
    const w = video.clientWidth;
    const h = video.clientHeight;
    overlay.width = w;
    overlay.height = h;
    const g = overlay.getContext('2d');
    if (!g) return;
    g.clearRect(0, 0, w, h);
    for (const b of r.boxes) {
      g.strokeStyle = b.chosen ? '#3ddc84' : '#ffd45c';
      g.lineWidth = b.chosen ? 6 : 3;
      // the video is mirrored on screen (CSS), so mirror the boxes too
      g.strokeRect((1 - b.x - b.w) * w, b.y * h, b.w * w, b.h * h);
    }
  };

  const onResult = (r: FaceResultMsg): void => {
    inFlight = Math.max(0, inFlight - 1);
    drawBoxes(r);
    const s: FaceStatus = r.result;
    const now = Date.now();
    if (s.status === 'recognized') {
      const hello = s.direction === 'exit' ? 'face.goodbye' : 'face.welcome';
      const sub = s.already
        ? t('face.already', { time: fmtTime(s.at) })
        : t('face.seat', { seat: s.seat, group: s.group });
      if (!(panel.getAttribute('data-status') === 'recognized' && now < holdUntil)) beep(true);
      show('recognized', t(hello, { name: s.full_name }), sub);
      panel.setAttribute('data-delegate', s.delegate_id);
      panel.setAttribute('data-already', String(s.already));
      holdUntil = now + HOLD_MS;
      return;
    }
    if (s.status === 'refused') {
      // a presentation attack (or a challenge not answered): the desk has been told too
      if (!(panel.getAttribute('data-status') === 'refused' && now < holdUntil)) beep(false);
      show('refused', t('face.pad.refused'), t(SPOOF_KEYS[s.reason] ?? 'face.pad.refused'));
      panel.setAttribute('data-reason', s.reason);
      holdUntil = now + HOLD_MS;
      return;
    }
    if (s.status === 'challenge') {
      // the person's left/right; the preview is mirrored, so an arrow to the screen's left is
      // the person's left
      const arrow = s.side === 'left' ? '←' : '→';
      const key: MessageKey = s.side === 'left' ? 'face.pad.turn_left' : 'face.pad.turn_right';
      show('challenge', `${arrow} ${t(key)} ${arrow}`, t('face.pad.seconds_left', { s: Math.ceil(s.remaining_ms / 1000) }));
      panel.setAttribute('data-side', s.side);
      return;
    }
    if (s.status === 'unknown') {
      if (now >= holdUntil) beep(false);
      show('unknown', t('face.unknown'));
      holdUntil = now + HOLD_MS;
      return;
    }
    if (now < holdUntil) return;
    switch (s.status) {
      case 'no_face':
        show('no_face', t('face.look'));
        break;
      case 'several_faces':
        show('several_faces', t('face.several'));
        break;
      case 'low_quality':
        show('low_quality', t(QUALITY_KEYS[s.reason] ?? 'face.look'));
        break;
      case 'looking':
        show('looking', t('face.hold_still'));
        break;
      case 'busy':
      case 'rate_limited':
        break; // transient: the next frame goes through
      case 'bad_frame':
        // a check-in the rules refuse (e.g. an exit kiosk for someone never checked in): the desk
        if (s.error === 'face.error.check_in_refused') show('unknown', t('face.unknown'));
        else show('bad_frame', t('face.bad_frame', { message: s.message }));
        break;
      case 'unavailable':
        show('unavailable', t('face.unavailable'));
        break;
    }
  };

  const unsubscribe = ws.subscribe((ev) => {
    if (ev.type === 'face') onResult(ev.result);
    if (ev.type === 'conn') {
      inFlight = 0;
      if (ev.conn !== 'online') show('offline', t('face.offline'));
      else show('looking', t('face.look'));
    }
  });

  const sendFrame = (): void => {
    if (stopped || ws.conn !== 'online' || inFlight >= MAX_IN_FLIGHT) return;
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh) return;
    const scale = Math.min(1, FRAME_WIDTH / vw);
    grab.width = Math.round(vw * scale);
    grab.height = Math.round(vh * scale);
    const g = grab.getContext('2d');
    if (!g) return;
    g.drawImage(video, 0, 0, grab.width, grab.height);
    inFlight += 1;
    grab.toBlob(
      (blob) => {
        if (!blob || !ws.sendBinary(blob)) inFlight = Math.max(0, inFlight - 1);
      },
      'image/jpeg',
      0.8,
    );
  };

  navigator.mediaDevices
    ?.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' }, audio: false })
    .then((s) => {
      if (stopped) {
        s.getTracks().forEach((tr) => tr.stop());
        return;
      }
      stream = s;
      video.srcObject = s;
      void video.play().catch(() => undefined);
      timer = setInterval(sendFrame, FRAME_INTERVAL_MS);
    })
    .catch((e: unknown) => {
      show('no_camera', t('face.no_camera', { message: e instanceof Error ? e.message : String(e) }));
    });
  if (!navigator.mediaDevices) show('no_camera', t('face.no_camera', { message: 'mediaDevices' }));

  return {
    stop() {
      stopped = true;
      offLang();
      if (timer) clearInterval(timer);
      unsubscribe();
      stream?.getTracks().forEach((tr) => tr.stop());
      area.replaceChildren();
    },
  };
}
