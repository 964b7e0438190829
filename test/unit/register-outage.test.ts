/**
 * OutageReporter (what `rollcall register` prints during an etcd outage): one line at the first
 * failure, failures counted not printed, reminders with the counts at most once per reminder
 * period, one recovery line, and nothing at all outside an outage except a lost lease etcd
 * announced. A short reminder period stands in for the real 10 s.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdUnavailableError, LeaseLostError } from '../../src/errors.js';
import { OutageReporter } from '../../src/cli/register-outage.js';
import { waitFor } from '../helpers/etcd.js';

const failure = new EtcdUnavailableError('etcd did not answer within 500 ms');

describe('OutageReporter', () => {
  it('lost contact once, counts, reminders with counts, recovered once', async () => {
    const lines: string[] = [];
    let alive = false;
    const reporter = new OutageReporter({ print: (line) => lines.push(line), isAlive: () => alive, reminderMs: 60 });
    for (let i = 0; i < 6; i++) reporter.keepaliveFailed(failure);
    assert.equal(reporter.absorb(), true, 'a retried failure during the outage is counted, not printed');
    reporter.lost(new LeaseLostError('lease 1 lost', { details: { leaseId: '1' } }));
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^rollcall: warning: lost contact with etcd: etcd did not answer within 500 ms/);
    await waitFor(() => lines.length >= 2, { timeoutMs: 5000, message: 'a reminder' });
    assert.match(lines[1] ?? '', /^rollcall: warning: still no answer from etcd after \d+ s, 6 keepalives failed, 1 other attempt failed, lease lost/);
    alive = true; // the registrar's state says so: the poll ends the outage even without an event
    await waitFor(() => lines.some((line) => /answers again/.test(line)), { timeoutMs: 5000, message: 'the recovery line' });
    const recovery = lines.filter((line) => /answers again/.test(line));
    assert.equal(recovery.length, 1);
    assert.match(recovery[0] ?? '', /^rollcall: etcd answers again after [\d.]+ s \(6 keepalives failed, 1 other attempt failed\); the lease was lost/);
    const count = lines.length;
    reporter.recovered();
    assert.equal(reporter.inOutage, false);
    assert.equal(lines.length, count, 'a second recovery signal prints nothing');
    assert.equal(reporter.absorb(), false, 'outside an outage the caller prints');
    reporter.lost(new LeaseLostError('lease 2 lost (expired)', { details: { leaseId: '2' } }));
    assert.equal(lines.at(-1), 'rollcall: warning: lease 2 lost (expired)');
    reporter.dispose();
  });
});
