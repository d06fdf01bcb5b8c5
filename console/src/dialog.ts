/**
 * A modal dialog that asks for confirmation (and optionally a reason), runs the action, and
 * shows a failure in place. `showModal` keeps the focus inside (the page behind is inert); on
 * close the focus returns to where it was. The `client_id` is made once per dialog, so pressing the button
 * again after a network failure retries the same request (the server answers it idempotently).
 */

import { errorBox, field, focusRestorer, h, mount, newClientId, t } from '@congress/web-common';

export interface AskOptions {
  title: string;
  body?: string;
  reason?: { label: string; value: string; hint?: string };
  confirm: string;
  danger?: boolean;
  run: (reason: string, clientId: string) => Promise<void>;
}

export function askDialog(o: AskOptions): Promise<boolean> {
  return new Promise((resolve) => {
    // The focus goes back to the control that opened the dialog (or its re-rendered twin).
    const restoreFocus = focusRestorer();
    const clientId = newClientId();
    const status = h('div', { 'aria-live': 'polite' });
    const reason = o.reason
      ? h('textarea', { id: 'dialog-reason', 'data-testid': 'reason', required: true, rows: '3' })
      : null;
    if (reason && o.reason) reason.value = o.reason.value;
    const ok = h(
      'button',
      { type: 'submit', class: o.danger ? 'btn btn-danger' : 'btn btn-primary', 'data-testid': 'dialog-confirm' },
      o.confirm,
    );
    const cancel = h('button', { type: 'button', class: 'btn', 'data-testid': 'dialog-cancel' }, t('common.cancel'));
    const titleId = 'dialog-title';
    const dlg = h(
      'dialog',
      { 'aria-labelledby': titleId, 'data-testid': 'dialog' },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const text = reason ? reason.value.trim() : '';
            if (reason && !text) {
              mount(status, h('div', { class: 'error', role: 'alert' }, h('strong', null, t('attendance.reason_required'))));
              reason.focus();
              return;
            }
            ok.disabled = true;
            cancel.disabled = true;
            mount(status, h('p', { class: 'muted' }, t('common.working')));
            try {
              await o.run(text, clientId);
              close(true);
            } catch (err) {
              mount(status, errorBox(err));
              ok.disabled = false;
              cancel.disabled = false;
              ok.textContent = t('common.retry');
            }
          },
        },
        h('h2', { id: titleId }, o.title),
        o.body ? h('p', null, o.body) : null,
        reason && o.reason ? field(o.reason.label, reason, o.reason.hint) : null,
        status,
        h('div', { class: 'actions' }, cancel, ok),
      ),
    );
    const close = (result: boolean) => {
      dlg.close();
      dlg.remove();
      restoreFocus();
      resolve(result);
    };
    cancel.addEventListener('click', () => close(false));
    dlg.addEventListener('cancel', (e) => {
      if (ok.disabled) e.preventDefault();
      else {
        e.preventDefault();
        close(false);
      }
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    (reason ?? ok).focus();
  });
}
