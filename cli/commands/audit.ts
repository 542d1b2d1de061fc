import type { CliContext } from '../context.js';
import { call } from '../http.js';
import type { Output } from '../output.js';

interface Verification {
  ok: boolean;
  chains: number;
  records: number;
  problems: Array<{ chain?: string; recordId?: string; sequence?: number; problem: string }>;
  verifiedAt: string;
}

export async function auditVerify(ctx: CliContext, output: Output, token: string, json: boolean): Promise<boolean> {
  const { body } = await call<Verification>(ctx.apiUrl, 'GET', '/api/audit/verify', { token });
  if (json) {
    output.out(JSON.stringify(body, null, 2));
    return body.ok;
  }
  output.out(`${body.records} audit records in ${body.chains} chain(s) checked at ${body.verifiedAt}.`);
  if (body.ok) {
    output.out('Audit trail intact: no record altered, reordered or removed.');
    return true;
  }
  output.out(`Audit trail BROKEN: ${body.problems.length} problem(s).`);
  for (const p of body.problems) {
    output.out(`  - ${p.problem}${p.recordId ? ` (record ${p.recordId})` : ''}${p.chain ? ` in chain ${p.chain} at #${p.sequence}` : ''}`);
  }
  return false;
}
