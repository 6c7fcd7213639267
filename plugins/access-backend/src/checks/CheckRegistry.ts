import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { AccessCheckResult } from '@jit-access/plugin-access-common';
import {
  AccessCheck,
  AccessCheckContext,
  AccessCheckFactory,
} from '@jit-access/plugin-access-node';
import { AccessConfigError } from '../config/readAccessConfig';
import { CheckConfig } from '../config/AccessConfig';

/** Longest any check may take before it counts as an error. */
const CHECK_TIMEOUT_MS = 15_000;

/** A configured check with the settings the core applies to every type. */
export interface ConfiguredCheck extends CheckConfig {
  check: AccessCheck;
}

/** Check instances by id, and running them so that nothing unverified ever passes. */
export class CheckRegistry {
  private constructor(
    private readonly byId: Map<string, ConfiguredCheck>,
    private readonly logger: LoggerService,
  ) {}

  static async create(options: {
    config: Config;
    checks: CheckConfig[];
    factories: AccessCheckFactory[];
    logger: LoggerService;
  }): Promise<CheckRegistry> {
    const byId = new Map<string, ConfiguredCheck>();
    const problems: string[] = [];
    // The extension point refuses a second registration already; this keeps the registry
    // from silently using whichever came first should a type reach it twice anyway.
    const types = options.factories.map(f => f.type);
    const twice = [...new Set(types.filter((t, i) => types.indexOf(t) !== i))];
    if (twice.length) {
      throw new Error(
        `Check type ${twice
          .map(t => `"${t}"`)
          .join(', ')} is registered more than once`,
      );
    }
    for (const c of options.checks) {
      const factory = options.factories.find(f => f.type === c.type)!;
      try {
        const check = await factory.create({
          id: c.id,
          config: options.config.getConfig(`access.checks.${c.id}`),
          logger: options.logger.child({ check: c.id }),
        });
        byId.set(c.id, { ...c, check });
      } catch (e) {
        const message = (e as Error).message;
        // Backstage's own config errors already name the full key.
        const named =
          message.startsWith('access.') || message.includes(`'access.checks.`);
        problems.push(named ? message : `access.checks.${c.id}.${message}`);
      }
    }
    if (problems.length) throw new AccessConfigError(problems);
    return new CheckRegistry(byId, options.logger);
  }

  get(id: string): ConfiguredCheck | undefined {
    return this.byId.get(id);
  }

  /**
   * The `error` result of a check that could not be run at all (e.g. the catalog, which
   * its context comes from, did not answer); nothing unverified passes or fails.
   */
  unverified(id: string, detail: string, now: number): AccessCheckResult {
    return {
      checkId: id,
      type: this.byId.get(id)?.type ?? 'unknown',
      outcome: 'error',
      detail: detail.slice(0, 500),
      at: new Date(now).toISOString(),
    };
  }

  /** Runs one check; exceptions and timeouts become `error`, never `passed`. */
  async run(
    id: string,
    context: Omit<AccessCheckContext, 'signal'>,
    now: () => number,
  ): Promise<AccessCheckResult> {
    const c = this.byId.get(id);
    const at = () => new Date(now()).toISOString();
    if (!c)
      return {
        checkId: id,
        type: 'unknown',
        outcome: 'error',
        detail: `no check "${id}" is configured`,
        at: at(),
      };
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new Error('timeout'));
        reject(new Error(`did not answer within ${CHECK_TIMEOUT_MS / 1000}s`));
      }, CHECK_TIMEOUT_MS);
    });
    try {
      const outcome = await Promise.race([
        c.check.run({ ...context, signal: controller.signal }),
        timeout,
      ]);
      if (
        !outcome ||
        !['passed', 'failed', 'error'].includes(outcome.outcome)
      ) {
        return {
          checkId: id,
          type: c.type,
          outcome: 'error',
          detail: 'the check gave no valid answer',
          at: at(),
        };
      }
      return {
        checkId: id,
        type: c.type,
        outcome: outcome.outcome,
        detail: String(outcome.detail ?? '').slice(0, 500),
        at: at(),
      };
    } catch (e) {
      // Anything can be thrown, not only Errors.
      const message =
        (e instanceof Error ? e.message : String(e)) || 'the check threw';
      this.logger.warn(`access: check ${id} failed to run: ${message}`);
      return {
        checkId: id,
        type: c.type,
        outcome: 'error',
        detail: message.slice(0, 500),
        at: at(),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
