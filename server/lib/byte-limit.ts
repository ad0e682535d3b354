import { Transform } from 'node:stream';
import { appError } from '../errors.js';

/** Passes bytes through until `limit`, then fails the stream with a coded 413 (a streamed upload is past fastify's bodyLimit). */
export function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > limit ? appError('SB_ERR_REQUEST_TOO_LARGE', `An upload may be at most ${limit / 1024 / 1024} MB`) : null, chunk);
    },
  });
}
