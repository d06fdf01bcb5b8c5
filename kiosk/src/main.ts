/**
 * Entrance kiosk (unattended). First run: pair with a code from the console. Then a full-screen
 * "ready" page showing the connection state over /ws/kiosk. Camera streaming plugs in via
 * `camera.ts` (a later issue).
 */

import '@congress/web-common/styles.css';
import './kiosk.css';
import {
  ApiClient,
  WsClient,
  announceLive,
  byId,
  initLargeType,
  largeTypeToggle,
  connText,
  h,
  initLanguage,
  langPicker,
  mount,
  onLanguageChange,
  runPairedDevice,
  saveDevice,
  startWitness,
  t,
  wsUrl,
  type Congress,
  type DeviceCredentials,
  type Reducer,
} from '@congress/web-common';
import { startCamera, type CameraHandle } from './camera';

const root = byId('app');
initLanguage();
initLargeType();
const DEVICE_KEY = 'congress.kiosk.device';

interface KioskState {
  congress: Congress;
}

const reducer: Reducer<KioskState> = {
  fromSnapshot: (s) => ({ congress: s.congress }),
  applyPush: (st) => st,
};

function start(notice: string | null = null): void {
  runPairedDevice({
    root,
    kind: 'kiosk',
    storageKey: DEVICE_KEY,
    title: () => t('kiosk.pair_title'),
    notice,
    run: runPaired,
  });
}

function runPaired(creds: DeviceCredentials): void {
  // The kiosk needs no resume across reloads: it shows no history.
  const ws = new WsClient<KioskState>({ url: wsUrl('/ws/kiosk'), token: () => creds.token, reducer, storage: null });
  const cameraArea = h('section', { class: 'camera-area', 'aria-label': t('kiosk.camera') });
  let camera: CameraHandle | null = null;
  // The heads this kiosk saw: checked at each connect, an alarm if the journal changed.
  const stopWitness = startWitness(ws, new ApiClient({ token: () => creds.token }));

  const render = () => {
    document.title = t('kiosk.title');
    const online = ws.conn === 'online';
    mount(
      root,
      h(
        'main',
        { class: `kiosk kiosk-${ws.conn}`, 'data-testid': 'kiosk', 'data-conn': ws.conn },
        h('div', { class: 'kiosk-tools' }, langPicker(), largeTypeToggle()),
        h('p', { class: 'kiosk-congress' }, ws.state?.congress.name ?? ''),
        h('h1', { class: 'kiosk-ready', 'data-testid': 'kiosk-ready' }, online ? t('kiosk.ready') : t('kiosk.not_ready')),
        h('p', { class: 'kiosk-conn', role: 'status', 'data-testid': 'conn' }, connText(ws.conn)),
        h('p', { class: 'kiosk-label' }, creds.device.label),
        cameraArea,
      ),
    );
  };

  const unsubscribe = ws.subscribe((ev) => {
    if (ev.type === 'error' && ev.fatal && (ev.error === 'unauthorized' || ev.error === 'forbidden')) {
      camera?.stop();
      saveDevice(DEVICE_KEY, null);
      offLang();
      unsubscribe();
      stopWitness();
      start(t('device.unpaired_notice'));
      return;
    }
    if (ev.type === 'conn' && ev.conn === 'online' && !camera) camera = startCamera(cameraArea, ws);
    if (ev.type === 'state' || ev.type === 'conn') render();
  });
  const offLang = onLanguageChange(render);
  announceLive(ws, {});
  window.addEventListener('online', () => ws.nudge());
  render();
  ws.start();
}

start();
