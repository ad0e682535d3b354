import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** Which backend (by index) served what: the proxy's access log. */
export interface ProxyHit { backend: number; method: string; path: string; upgrade: boolean }

/**
 * A small reverse proxy in front of several web nodes, as nginx is in the compose recipe: HTTP and
 * websocket upgrades, X-Forwarded-For/-Proto/-Host added. `pick` chooses the backend of each
 * request (round robin when it returns undefined).
 */
export async function startProxy(backends: string[], pick: (req: IncomingMessage) => number | undefined = () => undefined) {
  const hits: ProxyHit[] = [];
  let turn = 0;
  const choose = (req: IncomingMessage, upgrade: boolean): URL => {
    const index = pick(req) ?? turn++ % backends.length;
    hits.push({ backend: index, method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, upgrade });
    return new URL(backends[index]!);
  };
  const forwarded = (req: IncomingMessage) => {
    const client = req.socket.remoteAddress ?? '';
    const prior = req.headers['x-forwarded-for'];
    return { 'x-forwarded-for': prior ? `${String(prior)}, ${client}` : client, 'x-forwarded-proto': 'http', 'x-forwarded-host': req.headers.host ?? '' };
  };

  const server = createServer((req, res) => {
    const target = choose(req, false);
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, ...forwarded(req) } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });

  // Websockets: replay the upgrade request to the backend, then splice the two sockets.
  const sockets = new Set<Socket>();
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = choose(req, true);
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = { ...req.headers, ...forwarded(req) };
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)];
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
