import { RequestDeps } from '../requests/RequestDeps';
import { RequestWriter } from '../requests/RequestWriter';

/** Part of the expiry task: tells holders, once per grant, that their access ends soon. */
export class ExpiringSoonNotices {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /** Tells holders, once per grant (again after an extension), that their access ends soon. */
  async notifyExpiringSoon(): Promise<number> {
    const notice = this.deps.config.expiringSoonNoticeSeconds;
    if (!notice) return 0;
    const now = this.now();
    const due = await this.deps.store.requests.findExpiringUnnotified(
      now + notice * 1000,
      500,
    );
    let told = 0;
    for (const r of due) {
      if (!(await this.writer.recordExpiryNotice(r.id, r.expiresAt!, now)))
        continue;
      told++;
      const left = Math.max(0, Math.round((r.expiresAt! - now) / 60_000));
      await this.deps.events.emit([
        {
          request: r,
          action: 'access-expiring',
          actor: 'system',
          severity: 'low',
          notifyRequester: true,
          message: `Your access ends in ${left} minute${left === 1 ? '' : 's'}${
            r.extensionsUsed < r.extensionsAllowed
              ? ': extend it on My Access if you still need it'
              : ''
          }`,
        },
      ]);
    }
    return told;
  }
}
