import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliContext } from '../context.js';
import { usageError } from '../errors.js';
import { call } from '../http.js';
import type { Output } from '../output.js';

interface Issued {
  certificate: { serial: string; notAfter: string };
  certificatePem: string;
  chainPem: string;
  caPem: string;
  privateKeyPem?: string;
  pkcs12Base64?: string;
  pkcs12Password?: string;
}

/**
 * Registers a MongoDB service (if new) and writes its certificate bundle: the files the
 * console's snippets and MongoDB's KMIP options refer to. Private material is written 0600.
 */
export async function serviceRegister(
  ctx: CliContext,
  output: Output,
  token: string,
  options: { serviceId: string; outDir: string; csrFile?: string; description?: string },
): Promise<void> {
  const created = await call(ctx.apiUrl, 'POST', '/api/services', {
    token,
    body: { serviceId: options.serviceId, ...(options.description ? { description: options.description } : {}) },
    accept: [409],
  });
  output.progress(created.status === 409 ? `service ${options.serviceId} exists` : `registered service ${options.serviceId}`);
  let csrPem: string | undefined;
  if (options.csrFile) {
    try {
      csrPem = await readFile(options.csrFile, 'utf8');
    } catch {
      throw usageError(`cannot read the CSR file ${options.csrFile}`);
    }
  }
  const base = `/api/services/${encodeURIComponent(options.serviceId)}`;
  // The default service's key pair was generated at provisioning: take that bundle (once) first.
  const pending = csrPem ? undefined : await call<Issued>(ctx.apiUrl, 'POST', `${base}/bundle`, { token, accept: [404] });
  let body: Issued;
  if (pending?.status === 200) {
    output.progress('downloaded the certificate bundle generated at provisioning');
    body = pending.body;
  } else {
    output.progress(csrPem ? 'issuing a certificate for your CSR' : 'issuing a certificate with a generated key pair');
    body = (await call<Issued>(ctx.apiUrl, 'POST', `${base}/certificates`, { token, body: csrPem ? { csrPem } : { generate: true } })).body;
  }

  const dir = path.resolve(options.outDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const write = async (name: string, content: string | Buffer, mode = 0o644) => {
    const file = path.join(dir, name);
    await writeFile(file, content, { mode });
    await chmod(file, mode);
    return name;
  };
  // The names docs/mongodb.md and the console's snippets use.
  const name = options.serviceId;
  const written = [await write('ca.pem', body.caPem), await write(`${name}.crt.pem`, body.chainPem)];
  if (body.privateKeyPem) {
    written.push(await write(`${name}.key.pem`, body.privateKeyPem, 0o600));
    // tlsCertificateKeyFile for MongoDB drivers and mongod: certificate chain and key in one file.
    written.push(await write(`${name}.pem`, `${body.chainPem.trimEnd()}\n${body.privateKeyPem}`, 0o600));
  }
  if (body.pkcs12Base64 && body.pkcs12Password) {
    written.push(await write(`${name}.p12`, Buffer.from(body.pkcs12Base64, 'base64'), 0o600));
    written.push(await write(`${name}.p12.password`, `${body.pkcs12Password}\n`, 0o600));
  }
  output.out(`Certificate ${body.certificate.serial} for ${options.serviceId}, valid until ${body.certificate.notAfter}.`);
  output.out(`Wrote ${written.join(', ')} to ${dir}`);
  if (!body.privateKeyPem) output.out(`Your CSR’s private key stays with you: append it to ${name}.crt.pem for MongoDB’s tlsCertificateKeyFile.`);
}
