// The dashboard's calls to its server: JSON requests and Server-Sent Events, with the token (when
// there is one) in the X-Rollcall-Token header, never in a cookie or the URL.
/* global fetch, sessionStorage, TextDecoder, setTimeout */

/** The server's /api/config answer and the token this tab holds. */
export const session = {
  config: { allowWrites: false, tokenRequired: false, prefix: '' },
  token: sessionStorage.getItem('rollcall-token') || '',
};

function headers(extra) {
  return Object.assign(session.token ? { 'X-Rollcall-Token': session.token } : {}, extra || {});
}

export async function api(path, options) {
  const opts = options || {};
  const response = await fetch(path, { method: opts.method || 'GET', headers: headers(opts.body ? { 'Content-Type': 'application/json' } : {}), body: opts.body ? JSON.stringify(opts.body) : undefined });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

/** A Server-Sent Events reader over fetch (EventSource cannot send the token header); reconnects with Last-Event-ID. */
export function stream(path, onEvent, signal, onState) {
  let lastId = null;
  const run = async () => {
    while (!signal.aborted) {
      try {
        const response = await fetch(path, { headers: headers(lastId === null ? {} : { 'Last-Event-ID': lastId }), signal });
        if (!response.ok || !response.body) throw new Error(`${response.status}`);
        if (onState) onState(true);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const message = { event: 'message', data: '' };
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) lastId = line.slice(4);
              else if (line.startsWith('event: ')) message.event = line.slice(7);
              else if (line.startsWith('data: ')) message.data += line.slice(6);
            }
            if (message.data !== '') onEvent(message.event, JSON.parse(message.data));
          }
        }
      } catch {
        // Dropped or refused: wait a moment and reconnect (below).
      }
      if (onState) onState(false);
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void run();
}

