/**
 * `rollcall member list`: the cluster's members as etcdctl lists them, one line each: id (hex),
 * started or unstarted, name, peer URLs, client URLs, learner. Asked of any one endpoint.
 */
import type { Command } from 'commander';
import { idHex } from '../cluster-probe.js';
import { connectionOptions, withConnectionOptions } from '../cli-options.js';
import { printJson, printTable } from '../cli-output.js';
import { withConnection } from '../instance-listing.js';

export function registerMemberCommand(program: Command): void {
  const member = program.command('member').description('the members of the etcd cluster (like etcdctl)');
  const list = member
    .command('list')
    .description('list the members: id, status, name, peer and client URLs, learner')
    .option('--json', 'print a JSON array of {id, hex, status, name, peerURLs, clientURLs, isLearner}');
  withConnectionOptions(list).action(async (options: { json?: boolean }, command: Command) => {
    const response = await withConnection(connectionOptions(command), (conn) =>
      conn.call('member list', () => conn.client.cluster.memberList({})),
    );
    const members = response.members.map((m) => ({
      id: m.ID,
      hex: idHex(m.ID),
      // etcd names a member once it has started; an added but never started one has no name yet.
      status: m.name === '' ? 'unstarted' : 'started',
      name: m.name,
      peerURLs: m.peerURLs,
      clientURLs: m.clientURLs,
      isLearner: m.isLearner,
    }));
    if (options.json === true) {
      printJson(members);
      return;
    }
    printTable(
      ['ID', 'STATUS', 'NAME', 'PEER URLS', 'CLIENT URLS', 'IS LEARNER'],
      members.map((m) => [m.hex, m.status, m.name || '-', m.peerURLs.join(',') || '-', m.clientURLs.join(',') || '-', String(m.isLearner)]),
    );
  });
}
