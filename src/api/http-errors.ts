// fastify's own errors (validation, body parsing, limits) in the catalogue's one error body.
// Anything else is a bug: logged with its stack, answered as SG_INTERNAL without details.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { fail, sendFailure } from './route.js';

export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err.validation) {
    const where = err.validationContext ?? 'body';
    const errors = err.validation.map((v) => {
      const missing = (v.params as { missingProperty?: string; additionalProperty?: string } | undefined);
      const field = missing?.missingProperty ?? missing?.additionalProperty;
      return { path: `${where}${v.instancePath}${field ? `/${field}` : ''}`, message: v.message ?? 'not valid' };
    });
    return sendFailure(reply, fail('SG_BAD_INPUT', errors.map((e) => `${e.path}: ${e.message}`).join('; ').slice(0, 500), { errors }));
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return sendFailure(reply, fail('SG_TOO_LARGE'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return sendFailure(reply, fail('SG_UNSUPPORTED_MEDIA', `content type ${String(req.headers['content-type'] ?? 'none').slice(0, 80)} is not accepted here`));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return sendFailure(reply, fail('SG_BAD_INPUT', err.message));
  }
  // Static files: a refused path (dotfile, directory, "..") is simply not there.
  if (err.statusCode && err.statusCode < 500 && !req.url.startsWith('/api/')) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendFailure(reply, fail('SG_BAD_INPUT', err.message.slice(0, 300)));
  req.log.error({ err, url: req.url.split('?')[0], method: req.method }, 'API handler failed');
  return sendFailure(reply, fail('SG_INTERNAL'));
}
