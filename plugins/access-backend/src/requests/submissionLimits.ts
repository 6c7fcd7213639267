import { CustomErrorBase } from '@backstage/errors';
import { Knex } from 'knex';
import { AccessLimits } from '../config/AccessConfig';

/**
 * 429: the caller asked for more than a configured limit allows. The message names the
 * limit's config key; `retryAfterSeconds`, when known, becomes the `Retry-After` header.
 */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  readonly statusCode = 429;

  constructor(message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

const WINDOW_MS = 60_000;
/** Admissions between sweeps of requesters who have not submitted within the window. */
const SWEEP_EVERY = 1000;

/** Any constant: the first key of the per-requester advisory locks, apart from other locks. */
const PENDING_LOCK_SPACE = 0x6a697431;

/**
 * The per-requester limits on new submissions (`access.limits`). The rate is counted in this
 * process (each replica allows `submissionsPerMinute`); pending requests are counted in the
 * database, so that limit holds across replicas.
 */
export class SubmissionLimits {
  /** Requester -> times of their recent submissions, oldest first. */
  private readonly recent = new Map<string, number[]>();
  private admitted = 0;

  constructor(
    private readonly options: {
      limits: AccessLimits;
      now: () => number;
    },
  ) {}

  /**
   * Counts a submission or an extension request of `requester` (the user it is for, also
   * when a service files it), or throws {@link TooManyRequestsError} past
   * `submissionsPerMinute`.
   */
  admit(requester: string): void {
    if (this.options.limits.submissionsPerMinute !== Infinity)
      this.countSubmission(requester);
  }

  /**
   * Inside the transaction that inserts them: throws {@link TooManyRequestsError} when
   * `adding` new pending requests would take `requester` past `openPendingPerUser`.
   * Concurrent submissions of one requester wait for each other here (PostgreSQL: an
   * advisory lock until the transaction ends; SQLite runs one transaction at a time), so
   * together they cannot cross the limit either.
   */
  async reservePending(
    tx: Knex.Transaction,
    requester: string,
    adding: number,
  ): Promise<void> {
    const limit = this.options.limits.openPendingPerUser;
    if (limit === Infinity || adding === 0) return;
    if (tx.client.config.client === 'pg') {
      await tx.raw('SELECT pg_advisory_xact_lock(?, hashtext(?))', [
        PENDING_LOCK_SPACE,
        requester,
      ]);
    }
    const [row] = await tx('access_requests')
      .where({ requester, status: 'pending' })
      .count({ n: '*' });
    const pending = Number(row?.n ?? 0);
    if (pending + adding > limit) {
      const left = Math.max(0, limit - pending);
      throw new TooManyRequestsError(
        `access.limits.openPendingPerUser: ${requester} has ${pending} pending requests and this submission would add ${adding}, but at most ${limit} may wait at once (${left} more now); ask for fewer, or wait for decisions or cancel some`,
      );
    }
  }

  /** Checked and counted at once, so parallel calls cannot all slip under the limit. */
  private countSubmission(requester: string) {
    const limit = this.options.limits.submissionsPerMinute;
    const now = this.options.now();
    if (++this.admitted % SWEEP_EVERY === 0) this.sweep(now);
    const times = (this.recent.get(requester) ?? []).filter(
      t => t > now - WINDOW_MS,
    );
    if (times.length >= limit) {
      const retryAfter = Math.max(
        1,
        Math.ceil((times[0] + WINDOW_MS - now) / 1000),
      );
      this.recent.set(requester, times);
      throw new TooManyRequestsError(
        `access.limits.submissionsPerMinute: ${requester} made ${times.length} submissions or extension requests in the last minute, the most allowed; try again in ${retryAfter} s`,
        retryAfter,
      );
    }
    times.push(now);
    this.recent.set(requester, times);
  }

  /** Forgets requesters with no submission in the window, so the map stays small. */
  private sweep(now: number) {
    for (const [requester, times] of this.recent) {
      if (times[times.length - 1] <= now - WINDOW_MS)
        this.recent.delete(requester);
    }
  }
}
