import type { Static, TSchema } from 'typebox';
import type { Api, ApiRoute } from '../../server/api-contract.js';
import type { ErrorCode } from './types.js';

const USER_KEY = 'switchboard.user';
const REFRESH_LOCK = 'switchboard.refresh';

type SessionReply = Reply<'POST /api/auth/login'>;
export type User = SessionReply['user'];

/**
 * The sign-in. The access token lives only in this tab's memory and lasts minutes; the refresh
 * token is an httpOnly cookie the page never sees, shared by the browser's tabs, and used once
 * per refresh. A reload, a new tab or the return from single sign-on starts with a refresh.
 */
let access: string | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

export const session = {
  token: () => access,
  user: (): User | null => JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null') as User | null,
  save(reply: SessionReply) {
    access = reply.token;
    sessionStorage.setItem(USER_KEY, JSON.stringify(reply.user));
    // Renew a minute before expiry (a fifth of the lifetime for short ones): a background tab's timers may run late.
    clearTimeout(timer);
    const ahead = Math.min(60, reply.expires_in / 5);
    timer = setTimeout(renew, Math.max(5, reply.expires_in - ahead) * 1000);
  },
  clear() {
    access = null;
    clearTimeout(timer);
    sessionStorage.removeItem(USER_KEY);
  },
};

/** A coded error from the server (`{ code, message }`), or from a socket ack. */
export class ApiError extends Error {
  constructor(readonly code: ErrorCode | string, message: string) { super(message); }
}

let onUnauthorized: () => void = () => undefined;
export const whenUnauthorized = (fn: () => void) => { onUnauthorized = fn; };
/** The server ended the sign-in (a socket was told so, or a refresh was refused): back to the sign-in page, saying why. */
export const sessionEnded = () => onUnauthorized();

/** The timed renewal: a server that cannot be reached is asked again shortly (the token may still have a minute). */
function renew() {
  void refresh().then((r) => {
    if (r === 'ended') onUnauthorized();
    if (r === 'offline') timer = setTimeout(renew, 5_000);
  });
}

let inflight: Promise<'ok' | 'ended' | 'offline'> | null = null;

/**
 * A new access token for the cookie's session: 'ended' when the server says the session is over,
 * 'offline' when it could not be asked. One refresh at a time across this browser's tabs (Web
 * Locks): the tabs share one refresh cookie, and a refresh token presented twice ends the session.
 */
export function refresh(): Promise<'ok' | 'ended' | 'offline'> {
  const run = async (): Promise<'ok' | 'ended' | 'offline'> => {
    try {
      const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
      if (res.status === 401) return 'ended';
      if (!res.ok) return 'offline';
      session.save((await res.json()) as SessionReply);
      return 'ok';
    } catch {
      return 'offline';
    }
  };
  if (!inflight) {
    // (The lock's promise resolves to the callback's: `then` unwraps it for the types.)
    const running = navigator.locks ? navigator.locks.request(REFRESH_LOCK, run).then((r) => r) : run();
    inflight = running.finally(() => { inflight = null; });
  }
  return inflight;
}

/** Signs out on the server (the session ends everywhere, its sockets close), then here. */
export async function logout(): Promise<void> {
  const headers: Record<string, string> = access ? { authorization: `Bearer ${access}` } : {};
  await fetch('/api/auth/logout', { method: 'POST', headers, credentials: 'same-origin' }).catch(() => undefined);
  session.clear();
}

/** What a route of the server's contract takes and gives, from the schemas its route declares. */
type Part<R extends ApiRoute, K extends 'body' | 'query' | 'reply'> = Api[R] extends { [P in K]: infer S extends TSchema } ? Static<S> : never;
export type Reply<R extends ApiRoute> = Part<R, 'reply'>;
export type Body<R extends ApiRoute> = Part<R, 'body'>;
type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | PathParams<`/${Rest}`> : P extends `${string}:${infer Name}` ? Name : never;
type Input<R extends ApiRoute> = ([PathParams<R>] extends [never] ? object : { params: Record<PathParams<R>, string | number> })
  & (Api[R] extends { body: TSchema } ? { body: Body<R> } : object)
  & (Api[R] extends { query: TSchema } ? { query?: Partial<Part<R, 'query'>> } : object);

/**
 * Calls a route of the server's contract: `call('GET /api/campaigns/:id/progress', { params: { id } })`.
 * The route names its method and path, so the reply's type is the route's, never picked by hand.
 */
export function call<R extends ApiRoute>(route: R, ...[input]: object extends Input<R> ? [input?: Input<R>] : [input: Input<R>]): Promise<Reply<R>> {
  const [method, template] = route.split(' ') as [string, string];
  const given = (input ?? {}) as { params?: Record<string, string | number>; query?: Record<string, string | number | boolean | undefined>; body?: unknown };
  const path = template.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(given.params?.[name])));
  const search = given.query ? query(given.query) : '';
  return api<Reply<R>>(method, search ? `${path}?${search}` : path, given.body);
}

/** A call outside the contract: only the demo's phone simulator, which the server mounts in the embedded demo alone. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  return send<T>(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
}

/** Posts a file as the raw request body (fetch streams a File: it is never read into a string here). */
export async function upload<T>(path: string, file: Blob, contentType: string): Promise<T> {
  return send<T>('POST', path, { 'content-type': contentType }, file);
}

/** A fetch with the access token; a 401 refreshes once and tries again, then ends the sign-in. */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const attempt = () => fetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...(access ? { authorization: `Bearer ${access}` } : {}) } });
  const res = await attempt();
  if (res.status !== 401 || !access || path.startsWith('/api/auth/')) return res;
  const renewed = await refresh();
  if (renewed === 'ok') return attempt();
  if (renewed === 'ended') onUnauthorized();
  return res;
}

async function send<T>(method: string, path: string, headers: Record<string, string>, body: BodyInit | undefined): Promise<T> {
  const res = await authorizedFetch(path, { method, headers, body });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({ code: 'SB_ERR_SERVER_INTERNAL', message: res.statusText }));
  if (!res.ok) throw new ApiError(data.code, data.message);
  return data as T;
}

export const query = (params: Record<string, string | number | boolean | undefined>) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();
