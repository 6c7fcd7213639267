// The commands and services of the adoption test: each writes to a log file of its own,
// long-running ones in a process group of their own so that stopping one stops what it
// started (yarn starts node, node starts workers).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class Processes {
  /** @param {{ logs: string, root: string }} options */
  constructor({ logs, root }) {
    this.logs = logs;
    this.root = root;
    this.children = [];
  }

  /** Runs a command to the end; a failure throws with the log's path and last lines. */
  run(
    command,
    args,
    { cwd, env = {}, log, input, timeoutMs = 15 * 60_000 } = {},
  ) {
    const logFile = path.join(
      this.logs,
      `${log ?? path.basename(command)}.log`,
    );
    const result = spawnSync(command, args, {
      cwd,
      input,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      env: {
        ...process.env,
        FORCE_COLOR: '0',
        CI: 'true',
        // CI=true makes yarn refuse to write the new app's lockfile.
        YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
        ...env,
      },
    });
    fs.appendFileSync(
      logFile,
      `$ ${command} ${args.join(' ')}\n${result.stdout}${result.stderr}\n`,
    );
    if (result.status !== 0) {
      const last = `${result.stdout}${result.stderr}`
        .trim()
        .split('\n')
        .slice(-30)
        .join('\n');
      throw new Error(
        `'${command} ${args.join(' ')}' exited with ${
          result.status ?? result.signal
        } (log: ${path.relative(this.root, logFile)}):\n${last}`,
      );
    }
    return result.stdout;
  }

  /** Starts a long-running process in its own process group; see {@link stopAll}. */
  start(command, args, { cwd, env = {}, log }) {
    const out = fs.openSync(path.join(this.logs, `${log}.log`), 'a');
    const child = spawn(command, args, {
      cwd,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    });
    child.logName = log;
    this.children.push(child);
    return child;
  }

  /** Stops a started process and everything in its group. */
  stop(child) {
    if (child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve();
    return new Promise(resolve => {
      child.once('exit', () => {
        // What the group leader (yarn) started may outlive it.
        killGroup(child, 'SIGKILL');
        resolve();
      });
      if (!killGroup(child, 'SIGTERM')) resolve();
      setTimeout(() => killGroup(child, 'SIGKILL'), 10_000).unref();
    });
  }

  stopAll() {
    return Promise.all(this.children.map(c => this.stop(c)));
  }

  /** For a signal handler, which cannot wait. */
  killAll() {
    for (const child of this.children) killGroup(child, 'SIGKILL');
  }

  /**
   * Polls `check` once a second until it answers true. Fails, naming `what`, after
   * `timeoutMs` or when `child` exits first, with the last lines of its log.
   */
  async waitFor(what, timeoutMs, check, child) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child && child.exitCode !== null) {
        throw new Error(
          `${what}: the process exited with ${child.exitCode}; last lines of ${
            child.logName
          }.log:\n${this.tail(child.logName)}`,
        );
      }
      try {
        if (await check()) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline)
        throw new Error(
          `${what}: not within ${timeoutMs / 1000} s${
            child
              ? `; last lines of ${child.logName}.log:\n${this.tail(
                  child.logName,
                )}`
              : ''
          }`,
        );
      await new Promise(r => setTimeout(r, 1000));
    }
  }

  tail(logName) {
    const file = path.join(this.logs, `${logName}.log`);
    if (!fs.existsSync(file)) return '(no log)';
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(-40)
      .join('\n');
  }
}

/** Whether something answers HTTP at `url`. */
export function answers(url) {
  return fetch(url).then(
    () => true,
    () => false,
  );
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}
