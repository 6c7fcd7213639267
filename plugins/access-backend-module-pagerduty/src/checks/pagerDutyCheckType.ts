import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AccessCheck,
  AccessCheckContext,
  AccessCheckFactory,
  AccessCheckOutcome,
} from '@jit-access/plugin-access-node';
import { PagerDutyClient } from '../client/PagerDutyClient';
import { warnAboutUnknownKeys } from './checkConfig';
import { errorOutcome } from './requesterLookup';

/** What makes one PagerDuty check type: its settings and how it decides. */
export interface PagerDutyCheckType<S> {
  type: string;
  /** The check's own keys under `access.checks.<id>`; others get a warning. */
  keys: string[];
  /** Reads and validates the settings; errors name the bad key. */
  read(config: Config): S;
  /** A warning for settings that let more people pass than admins may expect. */
  weakness?(id: string, settings: S): string | undefined;
  /** Whether granted access is re-verified (and revoked when the check fails). */
  reverify?(settings: S): boolean;
  run(
    client: PagerDutyClient,
    settings: S,
    context: AccessCheckContext,
  ): Promise<AccessCheckOutcome>;
}

/** A check of `kind` with these settings; an exception becomes `error`, never `passed`. */
export function pagerDutyCheck<S>(
  kind: PagerDutyCheckType<S>,
  client: PagerDutyClient,
  settings: S,
  logger?: LoggerService,
): AccessCheck {
  return {
    ...(kind.reverify ? { reverify: kind.reverify(settings) } : {}),
    async run(context) {
      try {
        return await kind.run(client, settings, context);
      } catch (e) {
        return errorOutcome(client, e, logger);
      }
    },
  };
}

/** The factory the access backend builds checks of `kind` with. */
export function pagerDutyCheckFactory<S>(
  kind: PagerDutyCheckType<S>,
  getClient: () => PagerDutyClient,
): AccessCheckFactory {
  return {
    type: kind.type,
    create({ id, config, logger }) {
      const settings = kind.read(config);
      warnAboutUnknownKeys(config, kind.keys, kind.type, logger);
      const weakness = kind.weakness?.(id, settings);
      if (weakness) logger.warn(weakness);
      return pagerDutyCheck(kind, getClient(), settings, logger);
    },
  };
}
