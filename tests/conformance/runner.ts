import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeTtlv } from '../../kmip-server/codec/encoder.js';
import { enumName } from '../../kmip-server/codec/names.js';
import { Tag } from '../../kmip-server/codec/tags.js';
import type { TtlvItem } from '../../kmip-server/codec/types.js';
import { ItemType } from '../../kmip-server/codec/types.js';
import type { XmlItem } from '../../kmip-server/codec/xml.js';
import { parseKmipXml, resolvePlaceholders } from '../../kmip-server/codec/xml.js';
import { compareResponse } from './compare.js';
import { Bindings } from './placeholders.js';

/** Sends one encoded request message and returns the decoded response message. */
export interface Transport {
  request(message: Buffer): Promise<TtlvItem>;
  close(): Promise<void>;
}

export interface StepResult {
  readonly index: number;
  /** Operations of the request's batch items, e.g. "Create" or "Create+Get". */
  readonly operation: string;
  readonly passed: boolean;
  readonly problems: readonly string[];
  /** Values accepted by type and length only (server-chosen). */
  readonly soft: number;
}

export interface CaseResult {
  readonly file: string;
  readonly steps: readonly StepResult[];
  readonly passed: boolean;
  /** Set when the file could not be run at all. */
  readonly error?: string;
  readonly ms: number;
}

export interface CasePair {
  readonly request: XmlItem;
  readonly response: XmlItem;
}

/** Splits a test-case file into request/response pairs, in order. */
export function loadCase(file: string): CasePair[] {
  const items = parseKmipXml(readFileSync(file, 'utf8'));
  const pairs: CasePair[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const request = items[i]!;
    const response = items[i + 1];
    if (request.tag !== Tag.RequestMessage || response?.tag !== Tag.ResponseMessage) {
      throw new Error(`${path.basename(file)}: message ${i} is not a RequestMessage followed by a ResponseMessage`);
    }
    pairs.push({ request, response });
  }
  return pairs;
}

function operationsOf(request: XmlItem): string {
  if (request.type !== ItemType.Structure) return '?';
  const names: string[] = [];
  for (const bi of request.value) {
    if (bi.tag !== Tag.BatchItem || bi.type !== ItemType.Structure) continue;
    const op = bi.value.find((x) => x.tag === Tag.Operation);
    names.push(op && op.type === ItemType.Enumeration && 'value' in op ? (enumName(Tag.Operation, op.value) ?? String(op.value)) : '?');
  }
  return names.join('+');
}

/** Runs one test-case file over a fresh transport and compares every response. */
export async function runCaseFile(file: string, connect: () => Promise<Transport>): Promise<CaseResult> {
  const started = Date.now();
  const name = path.basename(file);
  let pairs: CasePair[];
  try {
    pairs = loadCase(file);
  } catch (e) {
    return { file: name, steps: [], passed: false, error: (e as Error).message, ms: Date.now() - started };
  }
  const bindings = new Bindings();
  const steps: StepResult[] = [];
  let transport: Transport | undefined;
  try {
    transport = await connect();
    for (let i = 0; i < pairs.length; i++) {
      const { request, response } = pairs[i]!;
      const operation = operationsOf(request);
      let actual: TtlvItem;
      try {
        const wire = encodeTtlv(resolvePlaceholders(request, (p) => bindings.resolve(p)));
        actual = await transport.request(wire);
      } catch (e) {
        steps.push({ index: i, operation, passed: false, problems: [`${(e as Error).name}: ${(e as Error).message}`], soft: 0 });
        continue;
      }
      const cmp = compareResponse(response, actual, bindings);
      steps.push({ index: i, operation, passed: cmp.mismatches.length === 0, problems: cmp.mismatches, soft: cmp.soft });
    }
  } catch (e) {
    return { file: name, steps, passed: false, error: (e as Error).message, ms: Date.now() - started };
  } finally {
    await transport?.close().catch(() => undefined);
  }
  return { file: name, steps, passed: steps.length > 0 && steps.every((s) => s.passed), ms: Date.now() - started };
}

/** A pass/fail table, one line per file, and a closing count. */
export function formatReport(results: readonly CaseResult[], verbose = false): string {
  const lines: string[] = [];
  const w = Math.max(4, ...results.map((r) => r.file.length));
  lines.push(`${'file'.padEnd(w)}  result  steps    soft  first problem`);
  lines.push(`${'-'.repeat(w)}  ------  -------  ----  ${'-'.repeat(40)}`);
  for (const r of results) {
    const ok = r.steps.filter((s) => s.passed).length;
    const soft = r.steps.reduce((n, s) => n + s.soft, 0);
    const firstBad = r.steps.find((s) => !s.passed);
    const problem = r.error ?? (firstBad ? `#${firstBad.index} ${firstBad.operation}: ${firstBad.problems[0] ?? ''}` : '');
    lines.push(
      `${r.file.padEnd(w)}  ${(r.passed ? 'PASS' : 'FAIL').padEnd(6)}  ${`${ok}/${r.steps.length}`.padEnd(7)}  ${String(soft).padEnd(4)}  ${problem.length > 110 ? `${problem.slice(0, 110)}…` : problem}`,
    );
    if (verbose) {
      for (const s of r.steps) {
        if (s.passed) continue;
        for (const p of s.problems.slice(0, 8)) lines.push(`${' '.repeat(w)}    #${s.index} ${s.operation}: ${p}`);
      }
    }
  }
  const passed = results.filter((r) => r.passed).length;
  lines.push('');
  lines.push(`${passed} passed, ${results.length - passed} failed`);
  return lines.join('\n');
}
