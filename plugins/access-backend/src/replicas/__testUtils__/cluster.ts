import { ChildProcess, spawn } from 'child_process';
import { closeSync, openSync, writeSync } from 'fs';
import { createServer } from 'net';
import path from 'path';
import { REPLICA_ENV, ReplicaSettings } from './world';

const ENTRY = path.join(__dirname, 'replica.ts');
const PACKAGE_DIR = path.resolve(__dirname, '../../..');

/** A free TCP port on 127.0.0.1 (the replica keeps it across restarts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

/** One backend process: started, killed and restarted on the same port. */
export class Replica {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  /** Serving requests (between 'ready' and its death). */
  up = false;
  starts = 0;
  readyAt = 0;
  /** When it was SIGKILLed. */
  readonly kills: number[] = [];

  constructor(
    readonly settings: ReplicaSettings,
    private readonly logFile: string,
  ) {}

  get name() {
    return this.settings.name;
  }

  get url() {
    return `http://127.0.0.1:${this.settings.port}/api/access`;
  }

  /** Spawns the process and waits until it serves requests. */
  async start(timeoutMs = 90_000): Promise<{ spawnedAt: number }> {
    const spawnedAt = Date.now();
    this.starts++;
    const log = openSync(this.logFile, 'a');
    writeSync(
      log,
      `\n===== start #${this.starts} of ${this.name} at ${new Date(
        spawnedAt,
      ).toISOString()}\n`,
    );
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        ENTRY,
      ],
      {
        cwd: PACKAGE_DIR,
        env: {
          ...process.env,
          // Not 'test': the scheduler's janitor only runs outside tests, as in production.
          NODE_ENV: 'production',
          [REPLICA_ENV]: JSON.stringify(this.settings),
        },
        stdio: ['ignore', log, log, 'ipc'],
      },
    );
    closeSync(log);
    this.child = child;
    this.exited = new Promise(resolve =>
      child.once('exit', () => {
        this.up = false;
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name} did not start within ${timeoutMs}ms`));
      }, timeoutMs);
      child.on('message', (m: any) => {
        if (m?.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', code => {
        clearTimeout(timer);
        reject(
          new Error(
            `${this.name} exited with ${code} while starting; see ${this.logFile}`,
          ),
        );
      });
    });
    this.up = true;
    this.readyAt = Date.now();
    return { spawnedAt };
  }

  /** SIGKILL: no shutdown hooks, connections and claims left as they are. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.up = false;
    this.kills.push(Date.now());
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A clean stop (SIGTERM), killed if it takes longer than 15 s. */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.up = false;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}
