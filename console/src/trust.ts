/**
 * The console's "secure connection" panel: what a tablet or kiosk must trust before it pairs —
 * the congress CA's SHA-256 fingerprint (to compare on the device), a download link for the CA
 * certificate, the plain-HTTP port that serves it to devices that do not trust the server yet,
 * and short instructions. Says so plainly when the server runs without TLS. Also the download
 * of this console's witness heads (issue 13, finding 16), the file `congress verify --witness`
 * reads.
 */

import { downloadHeads, errorText, h, mount, onLanguageChange, t, type ApiClient, type TlsInfo } from '@congress/web-common';

export function trustPanel(api: ApiClient): { el: HTMLElement; stop: () => void } {
  const el = h('section', { id: 'trust', class: 'panel trust-panel', 'aria-labelledby': 'trust-h', 'data-testid': 'trust' });
  let info: TlsInfo | null = null;
  let error: string | null = null;

  const render = () => {
    const body: (HTMLElement | null)[] = [];
    if (error) body.push(h('p', { class: 'error', role: 'alert' }, error));
    if (info && !info.enabled) body.push(h('p', { class: 'warning', 'data-testid': 'tls-off' }, t('trust.off')));
    if (info?.enabled && info.ca_sha256) {
      body.push(
        h('p', null, t('trust.intro')),
        h(
          'dl',
          null,
          h('dt', { id: 'ca-fp-label' }, t('trust.fingerprint')),
          h('dd', null, h('code', { class: 'fingerprint', 'data-testid': 'ca-fingerprint', 'aria-labelledby': 'ca-fp-label' }, info.ca_sha256)),
        ),
        h('p', null, h('a', { href: info.ca_url ?? '/ca.pem', download: 'congress-ca.pem', 'data-testid': 'ca-download' }, t('trust.download'))),
        info.http_port ? h('p', { class: 'hint' }, t('trust.plain_url', { port: String(info.http_port) })) : null,
        h('ol', null, h('li', null, t('trust.step1')), h('li', null, t('trust.step2')), h('li', null, t('trust.step3'))),
      );
    }
    const witness = h('button', { type: 'button', 'data-testid': 'witness-download' }, t('witness.download'));
    witness.addEventListener('click', () => downloadHeads());
    body.push(h('p', null, witness, ' ', h('span', { class: 'hint' }, t('witness.download_hint'))));
    mount(el, h('h2', { id: 'trust-h' }, t('trust.title')), ...body);
  };

  void (async () => {
    try {
      info = await api.request<TlsInfo>('GET', '/api/tls');
      error = null;
    } catch (e) {
      error = errorText(e);
    }
    render();
  })();
  render();
  const stop = onLanguageChange(render);
  return { el, stop };
}
