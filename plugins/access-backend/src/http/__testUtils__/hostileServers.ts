import {
  createServer,
  IncomingHttpHeaders,
  Server,
  ServerResponse,
} from 'http';
import { AddressInfo } from 'net';

/** What a test server saw: one entry per request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A real HTTP server on 127.0.0.1 whose answer each test chooses. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `127.0.0.1:<port>` */
  host: string;
  seen: SeenRequest[];
  /** Bytes of response body written so far (for the endless answer). */
  written: () => number;
  /** Whether the client hung up while the endless answer was still being written. */
  clientHungUp: () => boolean;
  close: () => Promise<void>;
}

/** A JSON answer that would pass a `$.incidents[0].status` = acknowledged validator. */
const ACKNOWLEDGED = '{"incidents":[{"status":"acknowledged"}],"pad":"';

/** The endless answer stops here, so a test of an unbounded reader cannot eat the machine. */
const ENDLESS_SAFETY_BYTES = 64 * 1024 * 1024;

/** How a test server answers (see {@link startTestServer}). */
export type TestAnswer =
  | { big: number; status?: number }
  | { endless: true; status?: number }
  | { redirectTo: string }
  | { json: unknown };

/** A `startTestServer` whose servers are closed after each test. */
export function useTestServers(): (answer: TestAnswer) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(s => s.close()));
  });
  return async answer => {
    const started = await startTestServer(answer);
    servers.push(started);
    return started;
  };
}

/** Waits up to 5 s for `condition` to hold, then asserts it. */
export async function waitUntil(condition: () => boolean) {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise(r => setTimeout(r, 25));
  }
  expect(condition()).toBe(true);
}

/**
 * Starts a server answering every request with `answer`:
 * - `{ big: n, status? }`: a valid, passing JSON body of `n` bytes with a Content-Length;
 * - `{ endless: true, status? }`: a chunked JSON body that never ends (it stops writing at
 *   64 MB but keeps the connection open);
 * - `{ redirectTo: url }`: a 302 to `url`;
 * - `{ json: value }`: a small JSON answer.
 */
export async function startTestServer(answer: TestAnswer): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  let written = 0;
  let hungUp = false;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
      });
      if ('redirectTo' in answer) {
        res.writeHead(302, { Location: answer.redirectTo }).end();
      } else if ('json' in answer) {
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify(answer.json));
      } else if ('big' in answer) {
        const pad = 'x'.repeat(answer.big - ACKNOWLEDGED.length - 2);
        res
          .writeHead(answer.status ?? 200, {
            'Content-Type': 'application/json',
            'Content-Length': String(answer.big),
          })
          .end(`${ACKNOWLEDGED}${pad}"}`);
      } else {
        res.writeHead(answer.status ?? 200, {
          'Content-Type': 'application/json',
        });
        res.on('close', () => {
          if (!res.writableFinished) hungUp = true;
        });
        writeForever(res, n => (written += n));
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    seen,
    written: () => written,
    clientHungUp: () => hungUp,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes 64 KB chunks as fast as the client takes them, until it hangs up. */
function writeForever(res: ServerResponse, count: (bytes: number) => void) {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let total = 0;
  const pump = () => {
    if (total === 0) {
      res.write(ACKNOWLEDGED);
    }
    while (!res.destroyed && total < ENDLESS_SAFETY_BYTES) {
      total += chunk.length;
      count(chunk.length);
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}
