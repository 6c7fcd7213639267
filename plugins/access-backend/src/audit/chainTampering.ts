import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { ChainHead } from '../database/AuditChainStore';

/** Where the chain broke, as `GET /audit/verify` answers it. */
export interface ChainProblem {
  seq: number;
  id: string;
  reason: string;
}

/** The higher of two marks (either may be missing). */
export function higher(a?: ChainHead, b?: ChainHead): ChainHead | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.seq > a.seq ? b : a;
}

/**
 * Whether the sealed chain still reaches the highest head ever sealed: a head that went
 * back, or a different seal where the mark was, means sealed entries were unsealed,
 * deleted or rewritten (perhaps to have them sealed again after an edit).
 */
export function rollbackProblem(
  head: ChainHead,
  mark: ChainHead | undefined,
  hashAtMark: string | undefined,
): { seq: number; reason: string } | undefined {
  if (!mark || mark.seq === 0) return undefined;
  if (head.seq < mark.seq) {
    return {
      seq: head.seq + 1,
      reason: `lost its seal or was deleted: the chain had been sealed up to ${mark.seq} (seal ${mark.hash}) and ends at ${head.seq} now`,
    };
  }
  if (hashAtMark !== mark.hash) {
    return {
      seq: mark.seq,
      reason: `does not have the seal it was given (${mark.hash}): the chain was rebuilt`,
    };
  }
  return undefined;
}

/**
 * Tells the operators, once per distinct problem: an error in the log and a critical
 * auditor event (`audit-chain-tampered`), which leave the database.
 */
export class TamperReporter {
  private last?: string;

  constructor(
    private readonly deps: { logger: LoggerService; auditor?: AuditorService },
  ) {}

  /** The chain is intact again (e.g. restored from a backup): report the next problem anew. */
  clear(): void {
    this.last = undefined;
  }

  /** @param consequence - what the plugin does about it, for the log line */
  async report(
    problem: ChainProblem,
    mark?: ChainHead,
    consequence = '',
  ): Promise<void> {
    const key = `${problem.seq} ${problem.reason}`;
    if (key === this.last) return;
    this.last = key;
    this.deps.logger.error(
      `access: THE AUDIT TRAIL WAS TAMPERED WITH: entry ${problem.seq} (id ${
        problem.id || '?'
      }) ${problem.reason}${
        mark ? `; highest head sealed: ${mark.seq} ${mark.hash}` : ''
      }.${consequence} See docs/concepts.md#audit-trail.`,
    );
    try {
      const event = await this.deps.auditor?.createEvent({
        eventId: 'audit-chain-tampered',
        severityLevel: 'critical',
        meta: {
          seq: problem.seq,
          id: problem.id,
          reason: problem.reason,
          ...(mark ? { sealedUpTo: { seq: mark.seq, hash: mark.hash } } : {}),
        },
      });
      await event?.fail({ error: new Error(problem.reason) });
    } catch (e) {
      this.deps.logger.warn(`access: could not report audit tampering: ${e}`);
    }
  }
}
