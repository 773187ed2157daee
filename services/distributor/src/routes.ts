/**
 * HTTP routes of the distributor: `POST /api/v1/push` (Prometheus remote-write 1.0) and its
 * Cortex-era alias `/api/prom/push`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TesseraError, resolveTenant, type RouteErrorConfig, type TenantResolverConfig } from '@tessera/server';
import type { Distributor } from './distributor.ts';

/** Options of the push routes. */
export interface PushRoutesConfig extends TenantResolverConfig {}

/**
 * Checks the content type and encoding of a remote-write 1.0 request. A missing Content-Type is
 * tolerated (some senders omit it); anything but protobuf (or remote-write 2.0's message) is 415.
 */
function checkHeaders(contentType: string | undefined, contentEncoding: string | undefined): void {
  if (contentType !== undefined && contentType !== '') {
    const [mime, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
    if (mime !== 'application/x-protobuf') {
      throw new TesseraError(
        'unsupported_media',
        'unsupported-content-type',
        `unsupported Content-Type "${contentType}": remote-write requests must be application/x-protobuf (snappy-compressed WriteRequest)`,
      );
    }
    const proto = params.find((p) => p.startsWith('proto='));
    if (proto !== undefined && proto !== 'proto=prometheus.writerequest') {
      throw new TesseraError(
        'unsupported_media',
        'unsupported-remote-write-version',
        `unsupported remote-write message "${proto.slice(6)}": Tessera accepts remote-write 1.0 (prometheus.WriteRequest)`,
      );
    }
  }
  if (contentEncoding !== undefined && contentEncoding !== '' && contentEncoding.toLowerCase() !== 'snappy') {
    throw new TesseraError(
      'unsupported_media',
      'unsupported-content-encoding',
      `unsupported Content-Encoding "${contentEncoding}": remote-write bodies must be snappy block-compressed`,
    );
  }
}

/**
 * Registers the push routes on the server. The tenant and the headers are checked in `onRequest`,
 * before fastify reads and parses the body: a request with a wrong content type is a 415 whatever
 * its body (a body labelled JSON is never handed to the JSON parser), and a request without a
 * tenant is refused before its body is read.
 */
export function registerPushRoutes(app: FastifyInstance, distributor: Distributor, cfg: PushRoutesConfig): void {
  const config: RouteErrorConfig = { textErrors: true };
  for (const url of ['/api/v1/push', '/api/prom/push']) {
    const onRequest = async (req: FastifyRequest): Promise<void> => {
      resolveTenant(req.headers, cfg);
      checkHeaders(req.headers['content-type'], req.headers['content-encoding'] as string | undefined);
    };
    app.post(url, { config, onRequest }, async (req, reply) => {
      const tenant = resolveTenant(req.headers, cfg);
      const body = req.body;
      const bytes = body instanceof Uint8Array ? body : new Uint8Array(0);
      const out = await distributor.push(tenant, bytes);
      if (out.problems.length > 0) {
        const msg =
          `${out.discarded} of ${out.samplesReceived} samples rejected, ${out.samplesStored} stored; ` +
          `first problems:\n` + out.problems.map((p) => `- ${p}`).join('\n');
        throw new TesseraError('bad_data', 'partial-rejection', msg);
      }
      return reply.code(200).send();
    });
  }
}
