// freePort: loopback ports that are bindable and never handed out twice within one process.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort, freePorts, reservePort } from '../../src/dev/free-port.js';

describe('freePort', () => {
  it('hands out distinct ports, each bindable on 127.0.0.1', async () => {
    const ports = await freePorts(40);
    assert.equal(new Set(ports).size, 40);
    for (const port of ports.slice(0, 5)) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('never returns a port reserved by the caller', async () => {
    const port = await freePort();
    reservePort(port);
    const more = await freePorts(20);
    assert.equal(more.includes(port), false);
  });
});
