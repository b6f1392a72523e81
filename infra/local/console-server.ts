// The reviewer console on the local server: every path outside /v1/ is the console (the built files of
// `npm run build:console` in dist/console), plus what only the local server has: config.json (same-origin API,
// local sign-in) and /local/users (the local bearer tokens, so the console can sign a local user in). Nothing here
// runs in AWS, where S3 + CloudFront serve the same build with their own config.json.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { ROOT, setting } from '../../lib/config';

export const CONSOLE_DIR = join(ROOT, 'dist', 'console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

/** The runtime configuration the console reads next to index.html: the API on this origin, local sign-in. */
function localConfig() {
  return { apiBaseUrl: '', environment: 'local', auth: { mode: 'local', usersUrl: 'local/users' } };
}

/** The local users: the bearer tokens the API accepts here (API_TOKENS, from infra/local/tokens.json under `npm start`). */
function localUsers() {
  if (setting('AUTH_MODE') !== 'tokens') return [];
  return Object.entries(setting('API_TOKENS')).map(([token, caller]) => ({ subject: caller.subject, roles: caller.roles, token }));
}

/**
 * Answers a request for the console. Returns false for API paths (/v1 and below), which the caller hands to the
 * API; everything else is answered here.
 */
export async function serveConsole(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  if (path === '/v1' || path.startsWith('/v1/')) return false;
  try {
    await answer(req, res, path);
  } catch (error) {
    console.error(`console: ${req.method} ${path} failed: ${(error as Error).message}`);
    if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error');
    else res.destroy();
  }
  return true;
}

async function answer(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed', { allow: 'GET, HEAD' });
    return;
  }
  if (path === '/config.json') {
    send(res, 200, 'application/json', JSON.stringify(localConfig()));
    return;
  }
  if (path === '/local/users') {
    // Only the local server lists users, and only to this machine (the server listens on 127.0.0.1).
    send(res, 200, 'application/json', JSON.stringify({ users: localUsers() }));
    return;
  }
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(path === '/' ? '/index.html' : path)).replace(/^[/\\]+/, '');
  } catch {
    send(res, 400, 'text/plain; charset=utf-8', 'Bad Request');
    return;
  }
  const file = join(CONSOLE_DIR, relative);
  if (!file.startsWith(CONSOLE_DIR + sep)) {
    send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
    return;
  }
  const found = await stat(file).catch(() => undefined);
  if (!found?.isFile()) {
    if (relative === 'index.html') {
      send(res, 503, 'text/html; charset=utf-8', '<!doctype html><title>Console not built</title><p>The console is not built: run <code>npm run build:console</code> (npm start and npm test do it first).</p>');
    } else {
      send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
    }
    return;
  }
  // Hashed assets never change; index.html is read fresh so a rebuild shows at once.
  const immutable = relative.startsWith(`assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(found.size),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}
