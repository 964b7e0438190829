/**
 * Reads rollcall's fields out of a raw stored instance value, for tests that look at what was
 * written to etcd. rollcall writes them as a JSON string in `Metadata` (Go clients panic on an
 * object there); older values held an object. Both are accepted so a test checks the fields, not
 * which form carried them. The wire-format tests pin the form itself.
 */
import assert from 'node:assert/strict';

export function rollcallFields(value: Buffer | Uint8Array | string | undefined): Record<string, unknown> {
  assert.ok(value !== undefined, 'value present');
  const body = JSON.parse(Buffer.from(value).toString()) as Record<string, unknown>;
  const metadata = body['Metadata'];
  const fields: unknown = typeof metadata === 'string' ? JSON.parse(metadata) : metadata;
  assert.ok(typeof fields === 'object' && fields !== null && !Array.isArray(fields), `rollcall fields in ${JSON.stringify(body)}`);
  return fields as Record<string, unknown>;
}
