import type { Exchange } from '../../simulator/simulator.js';
import { createTwilioSpecValidator } from '../../simulator/openapi-check.js';

const validator = createTwilioSpecValidator(new URL('../fixtures/twilio_api_v2010.json', import.meta.url).pathname);

/**
 * The simulator's REST exchanges whose path has `part` (`/Streams`, `/Recordings`…), and every
 * way one of them strays from Twilio's OpenAPI description, request or response.
 */
export function specCheck(exchanges: readonly Exchange[], part: string): { checked: number; problems: string[] } {
  const rest = exchanges.filter((e) => e.kind === 'rest' && e.path?.includes(part));
  const problems = rest.flatMap((e) => [
    ...validator.validateRequest(e.method, e.path ?? e.url, e.params),
    ...validator.validateResponse(e.method, e.path ?? e.url, e.status, e.body),
  ].map((p) => `${e.method} ${e.path} ${e.status}: ${p}`));
  return { checked: rest.length, problems };
}
