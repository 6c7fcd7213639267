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
      db: Knex;
      now: () => number;
    },
  ) {}

  /**
   * Counts a submission for `requester` (the user it is for, also when a service files it),
   * or throws {@link TooManyRequestsError} naming the limit it would break.
   */
  async admit(requester: string): Promise<void> {
    const { submissionsPerMinute, openPendingPerUser } = this.options.limits;
    if (submissionsPerMinute !== Infinity) this.countSubmission(requester);
    if (openPendingPerUser === Infinity) return;
    const pending = await this.countPending(requester);
    if (pending >= openPendingPerUser) {
      throw new TooManyRequestsError(
        `access.limits.openPendingPerUser: ${requester} has ${pending} pending requests, and at most ${openPendingPerUser} may wait at once; wait for decisions or cancel some before asking again`,
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
        `access.limits.submissionsPerMinute: ${requester} made ${times.length} submissions in the last minute, the most allowed; try again in ${retryAfter} s`,
        retryAfter,
      );
    }
    times.push(now);
    this.recent.set(requester, times);
  }

  private async countPending(requester: string): Promise<number> {
    const [row] = await this.options
      .db('access_requests')
      .where({ requester, status: 'pending' })
      .count({ n: '*' });
    return Number(row?.n ?? 0);
  }

  /** Forgets requesters with no submission in the window, so the map stays small. */
  private sweep(now: number) {
    for (const [requester, times] of this.recent) {
      if (times[times.length - 1] <= now - WINDOW_MS)
        this.recent.delete(requester);
    }
  }
}
