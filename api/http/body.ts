import type { Context } from 'koa';
import { ApiError, errors } from '../errors.js';

/**
 * Reads the request body once, bounded, keeping the raw bytes: webhook signatures are computed
 * over exactly what was sent, so the body must not be re-serialised before verification.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

interface BodyState {
  rawBody?: Buffer;
}

export async function readRawBody(ctx: Context, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const state = ctx.state as BodyState;
  if (state.rawBody) return state.rawBody;
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new ApiError(413, 'payload_too_large', `request body exceeds ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new ApiError(413, 'payload_too_large', `request body exceeds ${limit} bytes`);
    chunks.push(buffer);
  }
  state.rawBody = Buffer.concat(chunks);
  return state.rawBody;
}

/** `undefined` for an empty body; 400 naming the body when it is not JSON. */
export async function readJsonBody(ctx: Context): Promise<unknown> {
  const raw = await readRawBody(ctx);
  if (raw.length === 0) return undefined;
  const type = ctx.get('content-type');
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw errors.invalid({ body: 'is not valid JSON' }, 'the request body is not valid JSON');
  }
}
