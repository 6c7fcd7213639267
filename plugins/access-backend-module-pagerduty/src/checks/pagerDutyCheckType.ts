import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AccessCheck,
  AccessCheckContext,
  AccessCheckFactory,
  AccessCheckOutcome,
} from '@jit-access/plugin-access-node';
import { UnknownPagerDutyAccountError } from '../client/PagerDutyAccounts';
import { PagerDutyClient } from '../client/PagerDutyClient';
import { warnAboutUnknownKeys } from './checkConfig';
import {
  errorOutcome,
  findRequesterAndServices,
  RequesterAndServices,
} from './requesterLookup';

/** What every PagerDuty check's settings say about where to look. */
export interface CheckScope {
  /** Only the requested entities' own services count (each in its entity's account). */
  entityService: boolean;
}

/** What makes one PagerDuty check type: its settings and how it decides. */
export interface PagerDutyCheckType<S extends CheckScope> {
  type: string;
  /** The check's own keys under `access.checks.<id>`; others get a warning. */
  keys: string[];
  /** Reads and validates the settings; errors name the bad key. */
  read(config: Config): S;
  /** A warning for settings that let more people pass than admins may expect. */
  weakness?(id: string, settings: S): string | undefined;
  /** Whether granted access is re-verified (and revoked when the check fails). */
  reverify?(settings: S): boolean;
  /** Decides for the requester's PagerDuty user and, with `entityService`, the services. */
  run(
    client: PagerDutyClient,
    settings: S,
    context: AccessCheckContext,
    found: RequesterAndServices,
  ): Promise<AccessCheckOutcome>;
}

/** The annotation that picks an entity's PagerDuty account (`pagerDuty.accounts[].id`). */
export const PAGERDUTY_ACCOUNT_ANNOTATION = 'pagerduty.com/account';

/** The client of a PagerDuty account (the default one when none is named). */
export type PagerDutyClientOf = (account?: string) => PagerDutyClient;

/**
 * Options of the PagerDuty check factories.
 * @public
 */
export interface PagerDutyCheckFactoryOptions {
  /**
   * The client of a PagerDuty account, the default one without an argument; throws when
   * PagerDuty is not configured (or has no such account).
   */
  getClient: (account?: string) => PagerDutyClient;
}

/**
 * A check of `kind` with these settings; an exception becomes `error`, never `passed`.
 * With `entityService`, requested entities are checked in the account their
 * `pagerduty.com/account` annotation names, each account on its own, and every account
 * must pass. Without it the check is about the requester alone (e.g. named schedules),
 * so it asks the default account: an annotation must not choose where those names are
 * looked up.
 */
export function pagerDutyCheck<S extends CheckScope>(
  kind: PagerDutyCheckType<S>,
  clients: PagerDutyClient | PagerDutyClientOf,
  settings: S,
  logger?: LoggerService,
): AccessCheck {
  const clientOf: PagerDutyClientOf =
    typeof clients === 'function' ? clients : () => clients;
  const runIn = async (
    account: string | undefined,
    context: AccessCheckContext,
  ): Promise<AccessCheckOutcome> => {
    let client: PagerDutyClient | undefined;
    try {
      client = clientOf(account);
      const found = await findRequesterAndServices(
        client,
        context,
        settings.entityService,
      );
      if ('outcome' in found) return found.outcome;
      return await kind.run(client, settings, context, found);
    } catch (e) {
      if (e instanceof UnknownPagerDutyAccountError) {
        return { outcome: 'failed', detail: e.message };
      }
      // redacted with the secrets of the account that answered
      return errorOutcome(client ?? clientOf(), e, logger);
    }
  };
  return {
    ...(kind.reverify ? { reverify: kind.reverify(settings) } : {}),
    async run(context) {
      if (!settings.entityService) return runIn(undefined, context);
      const groups = byAccount(context.resources);
      if (groups.size <= 1) {
        return runIn([...groups.keys()][0], context);
      }
      const outcomes: AccessCheckOutcome[] = [];
      for (const [account, resources] of groups) {
        outcomes.push(await runIn(account, { ...context, resources }));
      }
      return allOf(outcomes);
    },
  };
}

/** The requested resources by the account their entity names (undefined: the default). */
function byAccount(
  resources: AccessCheckContext['resources'],
): Map<string | undefined, AccessCheckContext['resources']> {
  const groups = new Map<string | undefined, AccessCheckContext['resources']>();
  for (const r of resources) {
    const account =
      r.entity?.metadata.annotations?.[PAGERDUTY_ACCOUNT_ANNOTATION]?.trim() ||
      undefined;
    groups.set(account, [...(groups.get(account) ?? []), r]);
  }
  return groups;
}

/**
 * Passed when every account passed; otherwise failed when one failed (a revocation must
 * not wait for another account's outage), else error.
 */
function allOf(outcomes: AccessCheckOutcome[]): AccessCheckOutcome {
  for (const outcome of ['failed', 'error'] as const) {
    const these = outcomes.filter(o => o.outcome === outcome);
    if (these.length > 0) {
      return { outcome, detail: these.map(o => o.detail).join('; ') };
    }
  }
  return {
    outcome: 'passed',
    detail: outcomes.map(o => o.detail).join('; '),
  };
}

/** The factory the access backend builds checks of `kind` with. */
export function pagerDutyCheckFactory<S extends CheckScope>(
  kind: PagerDutyCheckType<S>,
  getClient: PagerDutyClientOf,
): AccessCheckFactory {
  return {
    type: kind.type,
    create({ id, config, logger }) {
      const settings = kind.read(config);
      warnAboutUnknownKeys(config, kind.keys, kind.type, logger);
      const weakness = kind.weakness?.(id, settings);
      if (weakness) logger.warn(weakness);
      // reads PagerDuty's config now, so that a mistake in it stops the backend at start
      getClient();
      return pagerDutyCheck(kind, getClient, settings, logger);
    },
  };
}
