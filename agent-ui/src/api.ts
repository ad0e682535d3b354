import type { ErrorCode } from './types.js';

const TOKEN_KEY = 'switchboard.token';
const USER_KEY = 'switchboard.user';

export interface User { id: number; username: string; role: 'agent' | 'supervisor' | 'rm' | 'admin'; display_name: string }

/** The login lives in this tab's session storage: a reload keeps it, closing the tab ends it. */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  user: (): User | null => JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null') as User | null,
  save(token: string, user: User) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

/** A coded error from the server (`{ code, message }`), or from a socket ack. */
export class ApiError extends Error {
  constructor(readonly code: ErrorCode | string, message: string) { super(message); }
}

let onUnauthorized: () => void = () => undefined;
export const whenUnauthorized = (fn: () => void) => { onUnauthorized = fn; };

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  return send<T>(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
}

/** Posts a file as the raw request body (fetch streams a File: it is never read into a string here). */
export async function upload<T>(path: string, file: Blob, contentType: string): Promise<T> {
  return send<T>('POST', path, { 'content-type': contentType }, file);
}

async function send<T>(method: string, path: string, headers: Record<string, string>, body: BodyInit | undefined): Promise<T> {
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { method, headers, body });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({ code: 'SB_ERR_SERVER_INTERNAL', message: res.statusText }));
  if (!res.ok) {
    if (res.status === 401 && token) onUnauthorized();
    throw new ApiError(data.code, data.message);
  }
  return data as T;
}

export const query = (params: Record<string, string | number | boolean | undefined>) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();
