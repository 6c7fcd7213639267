import { Entity } from '@backstage/catalog-model';
import { RequestRecord } from '../database/types';
import { withTimeout } from '../concurrency';
import { RequestDeps } from './RequestDeps';
import { RequestWriter } from './RequestWriter';

/**
 * A revocation that does not answer within this is retried with backoff like a failed
 * one, so one hung target cannot stall expiry (a late answer does no harm).
 */
const PROVISIONER_CALL_TIMEOUT_MS = 60_000;

/** Calls to a request's provisioner after the grant: extend and revoke in the target. */
export class ProvisionerCalls {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /** Whether an extension must be told to the target (its provisioner has `extend`). */
  tellsTarget(r: RequestRecord): boolean {
    return Boolean(this.deps.provisioners.get(r.provisioner).extend);
  }

  /**
   * Tells the provisioner that access now ends later. A failure is audited (high) and
   * retried with backoff until the target confirms; the grant stays extended in our
   * records meanwhile, and the target's own end is only a second line of defence.
   */
  async extendInTarget(id: string): Promise<'done' | 'retry' | 'skipped'> {
    const r = await this.deps.store.requests.getRequest(id);
    if (
      !r ||
      r.status !== 'granted' ||
      r.ending ||
      !r.expiresAt ||
      r.extendRetryAt === undefined
    )
      return 'skipped';
    const provisioner = this.deps.provisioners.get(r.provisioner);
    if (!provisioner.extend) return 'skipped';
    const expiresAt = r.expiresAt;
    try {
      await provisioner.extend(await this.targetRequest(r, expiresAt));
    } catch (e) {
      const message = (e as Error).message;
      const { attempts } = await this.writer.scheduleRetry(
        r,
        'provisioner-extend-failed',
        message,
        this.now(),
        { expiresAt: new Date(expiresAt).toISOString() },
      );
      this.deps.logger.error(
        `access: provisioner "${r.provisioner}" could not extend ${id} (attempt ${attempts}): ${message}`,
      );
      return 'retry';
    }
    // Done unless another extension moved the end meanwhile (then that one is pending).
    await this.writer.confirmExtended(r.id, expiresAt);
    return 'done';
  }

  /**
   * Asks the request's provisioner to revoke its grant in the target, bounded by
   * PROVISIONER_CALL_TIMEOUT_MS. `expiresAt` is the grant's end in epoch milliseconds.
   */
  async revokeInTarget(r: RequestRecord, expiresAt: number): Promise<void> {
    await withTimeout(
      this.deps.provisioners
        .get(r.provisioner)
        .revoke(await this.targetRequest(r, expiresAt)),
      PROVISIONER_CALL_TIMEOUT_MS,
      `provisioner "${r.provisioner}" did not confirm the revocation within ${
        PROVISIONER_CALL_TIMEOUT_MS / 1000
      } s`,
    );
  }

  /** What a provisioner is told of a request: who, what (with catalog entities), until when. */
  async targetRequest(r: RequestRecord, expiresAt: number) {
    const [user, entities] = await Promise.all([
      this.deps.directory.findUser(r.requester).catch(() => undefined),
      this.deps.directory
        .getEntities(r.resources.map(x => x.entityRef))
        .catch(() => [] as (Entity | undefined)[]),
    ]);
    return {
      requestId: r.id,
      requester: r.requester,
      requesterEmail: user?.email,
      flowId: r.flowId,
      resources: r.resources.map((x, i) => ({ ...x, entity: entities[i] })),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }
}
