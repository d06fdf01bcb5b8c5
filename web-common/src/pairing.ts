/**
 * The pairing screen shared by the tablet, the kiosk and the projector: enter the 8-digit code
 * shown on the console, exchange it for a long-lived device token, keep that on the device.
 */

import { ApiClient, ApiError } from './api';
import { h, mount } from './dom';
import { onLanguageChange, t } from './i18n';
import type { DeviceKind, PairResponse } from './protocol';
import { local, read, write } from './storage';
import { errorBox, langPicker } from './ui';
import { largeTypeToggle } from './a11y';

export interface DeviceCredentials {
  token: string;
  device: PairResponse['device'];
}

export function loadDevice(key: string): DeviceCredentials | null {
  const raw = read(local(), key);
  if (!raw) return null;
  try {
    const d = JSON.parse(raw) as DeviceCredentials;
    return typeof d.token === 'string' ? d : null;
  } catch {
    return null;
  }
}

export function saveDevice(key: string, creds: DeviceCredentials | null): void {
  write(local(), key, creds ? JSON.stringify(creds) : null);
}

/** Digits only: people type spaces or dashes when copying a code. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s\-–.]/g, '').replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x660));
}

export interface PairingScreenOptions {
  root: HTMLElement;
  kind: DeviceKind;
  title: string;
  /** Shown above the form, e.g. why the device was unpaired. */
  notice?: string | null;
  /** Produces the tablet's age recipient; null until the documents issue. */
  recipient?: () => Promise<string | null>;
  /** Produces the tablet's voting credential (Ed25519 public key, hex); only tablets have one. */
  credential?: () => Promise<string | null>;
  onPaired: (creds: DeviceCredentials) => void;
}

export function renderPairing(o: PairingScreenOptions): void {
  const api = new ApiClient({ token: () => null });
  const input = h('input', {
    id: 'pair-code',
    class: 'code-input',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]*',
    maxlength: '12',
    required: true,
    'aria-describedby': 'pair-hint',
    'data-testid': 'pair-code',
  });
  const status = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'btn btn-primary btn-xl', 'data-testid': 'pair-submit' }, t('pair.submit'));
  const form = h(
    'form',
    {
      class: 'pair-form',
      novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const code = normaliseCode(input.value);
        if (!/^\d{8}$/.test(code)) {
          mount(status, h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, t('pair.bad_code')));
          input.focus();
          return;
        }
        button.disabled = true;
        mount(status, h('p', { class: 'muted' }, t('pair.pairing')));
        try {
          const recipient = o.recipient ? await o.recipient() : null;
          const credential = o.credential ? await o.credential() : undefined;
          const res = await api.pair({ code, recipient, ...(credential ? { credential } : {}) });
          if (res.device.kind !== o.kind) {
            throw new ApiError(422, 'invalid', `code is for a ${res.device.kind}`);
          }
          o.onPaired({ token: res.device_token, device: res.device });
        } catch (err) {
          const box =
            err instanceof ApiError && (err.code === 'conflict' || err.code === 'unauthorized' || err.code === 'not_found')
              ? h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', null, t('pair.code_rejected')))
              : errorBox(err);
          mount(status, box);
          button.disabled = false;
          input.select();
        }
      },
    },
    h('label', { for: 'pair-code', class: 'code-label' }, t('pair.code_label')),
    input,
    h('p', { id: 'pair-hint', class: 'hint' }, t('pair.hint')),
    button,
    status,
  );
  mount(
    o.root,
    h(
      'main',
      { class: 'pair-screen' },
      h('div', { class: 'topbar-tools' }, langPicker(), largeTypeToggle()),
      h('h1', null, o.title),
      o.notice ? h('div', { class: 'banner', role: 'status' }, o.notice) : null,
      form,
    ),
  );
  input.focus();
}

export interface PairedDeviceOptions extends Omit<PairingScreenOptions, 'title' | 'onPaired'> {
  /** Where the device credentials are kept (localStorage key). */
  storageKey: string;
  /** The pairing screen's title, read again when the language changes. */
  title: () => string;
  /** Runs the app once the device is paired. */
  run: (creds: DeviceCredentials) => void;
}

/**
 * Runs the app with the device's saved credentials; without any, shows the pairing screen
 * (redrawn when the language changes) and runs the app once paired.
 */
export function runPairedDevice(o: PairedDeviceOptions): void {
  const creds = loadDevice(o.storageKey);
  if (creds) {
    o.run(creds);
    return;
  }
  const rerender = () =>
    renderPairing({
      root: o.root,
      kind: o.kind,
      title: o.title(),
      notice: o.notice,
      recipient: o.recipient,
      credential: o.credential,
      onPaired: (c) => {
        offLang();
        saveDevice(o.storageKey, c);
        o.run(c);
      },
    });
  const offLang = onLanguageChange(rerender);
  rerender();
}
