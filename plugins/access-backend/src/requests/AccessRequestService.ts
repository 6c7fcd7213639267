import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AccessApprovalKind,
  AccessPreviewItem,
  AccessRequest,
  AccessRequestStatus,
  EntityAccessSummary,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { createHash, randomUUID } from 'crypto';
import { Knex } from 'knex';
import { Clock } from '../clock';
import { AccessConfig } from '../config/AccessConfig';
import { formatDuration } from '../config/duration';
import {
  AccessStore,
  RequestPatch,
  UpdateGuard,
} from '../database/AccessStore';
import {
  NewAuditRecord,
  NewRequestRecord,
  PageCursor,
  RequestQuery,
  RequestRecord,
} from '../database/types';
import { AccessChange, AccessEvents } from '../events/AccessEvents';
import {
  CatalogDirectory,
  DirectoryUser,
  ownersOf,
} from '../flows/CatalogDirectory';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { FlowResolver } from '../flows/FlowResolver';
import { ProvisionerRegistry } from '../provisioning/ProvisionerRegistry';
import { canTransition } from './stateMachine';
import { CheckRegistry } from '../checks/CheckRegistry';
import { AccessCheckContext } from '@jit-access/plugin-access-node';
import { DetailsCipher } from '../provisioning/DetailsCipher';
import { openDetails } from '../provisioning/openDetails';
import { decideByChecks, flowHasChecks } from './checkDecision';
import { AccessCheckResult } from '@jit-access/plugin-access-common';
import { AccessFlow } from '../config/AccessConfig';
import { planSubmission, SubmissionInput } from './planSubmission';
import { toView } from './toView';
import { AuditAction } from '../audit/auditActions';
import {
  approvalRefused,
  assertExtendable,
  noLongerApprover,
  unapprovableRequester,
} from './eligibility';
import { grantsInTurn, requesterGone } from './reverification';
import { Limiter, limiter, mapLimit, withTimeout } from '../concurrency';
import { SubmissionLimits } from './submissionLimits';
import { WebhookOutbox } from '../webhooks/WebhookOutbox';

/** Who is calling, as the router established it. */
export interface Caller {
  /** User entity ref, or `service:<subject>` for service principals. */
  ref: string;
  type: 'user' | 'service';
  /** Holds the access admin permission. */
  isAdmin: boolean;
  /** A user's credentials: what they submit or preview is read from the catalog as them. */
  credentials?: BackstageCredentials;
}

/** Extra state changes and audit details for a transition. */
interface TransitionSpec {
  to?: AccessRequestStatus;
  guard?: Partial<UpdateGuard>;
  patch?: RequestPatch;
  action: AuditAction;
  actor: string;
  severity?: 'low' | 'medium' | 'high' | 'critical';
  details?: Record<string, unknown>;
}

const MAX_BACKOFF_MS = 5 * 60_000;
/**
 * A revocation that does not answer within this is retried with backoff like a failed
 * one, so one hung target cannot stall expiry (a late answer does no harm).
 */
const PROVISIONER_CALL_TIMEOUT_MS = 60_000;
/** Grants ended per transaction by the bulk expiry path. */
const BULK_EXPIRY_BATCH = 5000;
/** Tries to record a provisioner's answer (250 ms, then doubling: about 4 s in all). */
const RECORD_TRIES = 5;

/** Keeps string-like access details, at most 50 keys of 4 kB each; anything else is dropped. */
function cleanDetails(raw: unknown): Record<string, string> | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw).slice(0, 50)) {
    if (['string', 'number', 'boolean'].includes(typeof v))
      out[k.slice(0, 100)] = String(v).slice(0, 4096);
  }
  return Object.keys(out).length ? out : undefined;
}

/** What a new request waits for, by approval type. */
const AWAITING_AT_SUBMIT = {
  manual: 'approval',
  breakglass: 'review',
  automatic: undefined,
} as const;

/**
 * The one place that changes a request. Every change is a guarded update plus its audit
 * entry in one transaction; notifications and signals follow the commit.
 */
export class AccessRequestService {
  constructor(
    private readonly deps: {
      store: AccessStore;
      resolver: FlowResolver;
      directory: CatalogDirectory;
      provisioners: ProvisionerRegistry;
      checks: CheckRegistry;
      cipher: DetailsCipher;
      events: AccessEvents;
      clock: Clock;
      config: AccessConfig;
      logger: LoggerService;
      /** Outbound webhooks; none when absent. */
      outbox?: WebhookOutbox;
    },
  ) {
    this.limits = new SubmissionLimits({
      limits: deps.config.limits,
      now: () => this.now(),
    });
  }

  private readonly limits: SubmissionLimits;

  private now() {
    return this.deps.clock.now();
  }

  // ---------------------------------------------------------------- reads

  /** Whether the caller may see this request. */
  canSee(caller: Caller, r: RequestRecord): boolean {
    return (
      caller.isAdmin ||
      r.requester === caller.ref ||
      r.createdBy === caller.ref ||
      r.approvers.includes(caller.ref)
    );
  }

  async get(caller: Caller, id: string): Promise<AccessRequest> {
    const r = await this.load(id);
    if (!this.canSee(caller, r))
      throw new NotAllowedError(`You may not see access request ${id}`);
    return (await this.views([r], caller.ref))[0];
  }

  async list(
    caller: Caller,
    query: RequestQuery,
    page: { cursor?: PageCursor; limit: number },
  ): Promise<{ items: AccessRequest[]; nextCursor?: PageCursor }> {
    const rows = await this.deps.store.listRequests(query, {
      cursor: page.cursor,
      limit: page.limit + 1,
    });
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: await this.views(items, caller.ref),
      nextCursor:
        more && last ? { createdAt: last.createdAt, id: last.id } : undefined,
    };
  }

  /** The caller's starred requests, newest star first. */
  async favorites(caller: Caller, limit: number): Promise<AccessRequest[]> {
    const rows = await this.deps.store.listFavoriteRequests(caller.ref, limit);
    return this.views(rows, caller.ref);
  }

  private async views(
    rows: RequestRecord[],
    viewer: string,
  ): Promise<AccessRequest[]> {
    const ids = rows.map(r => r.id);
    // Access details go to the grantee only, and only while access is active.
    const own = rows
      .filter(r => r.requester === viewer && r.status === 'granted')
      .map(r => r.id);
    const [approvals, favorites, details] = await Promise.all([
      this.deps.store.getApprovals(ids),
      this.deps.store.favoritesOf(viewer, ids),
      this.deps.store.getDetails(own),
    ]);
    return rows.map(r => {
      const sealed = details.get(r.id);
      return toView(
        r,
        approvals,
        favorites.has(r.id),
        sealed ? openDetails(this.deps, r.id, sealed) : undefined,
      );
    });
  }

  private async load(
    id: string,
    tx?: Knex.Transaction,
  ): Promise<RequestRecord> {
    const r = tx
      ? await this.deps.store.lockRequest(tx, id)
      : await this.deps.store.getRequest(id);
    if (!r) throw new NotFoundError(`No access request ${id}`);
    return r;
  }

  // ---------------------------------------------------------------- entity page

  /** The entity as `onBehalfOf` may read it: one they may not read is "not in the catalog". */
  private async entityFor(
    entityRef: string,
    onBehalfOf?: BackstageCredentials,
  ) {
    let ref: string;
    try {
      ref = stringifyEntityRef(
        parseEntityRef(entityRef, { defaultNamespace: 'default' }),
      );
    } catch {
      throw new InputError(
        `entityRef: "${entityRef}" is not an entity ref like resource:default/orders-db`,
      );
    }
    const entity = await this.deps.directory.getEntity(ref, onBehalfOf);
    if (!entity) throw new NotFoundError(`No entity ${ref} in the catalog`);
    return { ref, entity };
  }

  /** Owners of the entity and access admins see who holds access to it. */
  private async canSeeHolders(
    caller: Caller,
    entity: Entity,
  ): Promise<boolean> {
    if (caller.isAdmin) return true;
    if (caller.type !== 'user') return false;
    const user = await this.resolveRequester(caller);
    const owners = ownersOf(entity);
    return (
      owners.includes(user.ref) || user.groups.some(g => owners.includes(g))
    );
  }

  /** The entity page's view: is it covered, what may I request, what do I hold, who holds it. */
  async entityAccess(
    caller: Caller,
    entityRef: string,
    onBehalfOf?: BackstageCredentials,
  ): Promise<EntityAccessSummary> {
    const { ref, entity } = await this.entityFor(entityRef, onBehalfOf);
    const user =
      caller.type === 'user' ? await this.resolveRequester(caller) : undefined;
    const canSeeHolders = await this.canSeeHolders(caller, entity);
    const [mine, holders] = await Promise.all([
      user
        ? this.deps.store.listRequests(
            {
              view: 'entity',
              entityRef: ref,
              requester: user.ref,
              statuses: ['pending', 'granting', 'granted'],
            },
            { limit: 50 },
          )
        : [],
      canSeeHolders
        ? this.deps.store.listRequests(
            { view: 'entity', entityRef: ref, statuses: ['granted'] },
            { limit: 200 },
          )
        : undefined,
    ]);
    return {
      entityRef: ref,
      covered: this.deps.resolver.coversEntity(entity),
      permissions: user
        ? this.deps.resolver.permissionsFor(user, entity).map(p => ({
            permission: p.permission,
            flowId: p.flow.id,
            flowTitle: p.flow.title,
          }))
        : [],
      mine: await this.views(mine, caller.ref),
      canSeeHolders,
      holders: holders ? await this.views(holders, caller.ref) : undefined,
    };
  }

  /** Every request made for an entity, newest first: owners and admins only. */
  async entityHistory(
    caller: Caller,
    entityRef: string,
    page: { cursor?: PageCursor; limit: number },
    onBehalfOf?: BackstageCredentials,
  ): Promise<{ items: AccessRequest[]; nextCursor?: PageCursor }> {
    const { ref, entity } = await this.entityFor(entityRef, onBehalfOf);
    if (!(await this.canSeeHolders(caller, entity))) {
      throw new NotAllowedError(
        `Only owners of ${ref} and access admins may see its access history`,
      );
    }
    return this.list(caller, { view: 'entity', entityRef: ref }, page);
  }

  // ---------------------------------------------------------------- submit

  /** Resolves the person a submission is for, enforcing that only services act for others. */
  async resolveRequester(
    caller: Caller,
    requester?: string,
  ): Promise<DirectoryUser & { inCatalog: boolean }> {
    if (caller.type === 'service') {
      if (!requester)
        throw new InputError(
          'requester: a service must say which user the request is for',
        );
      const user = await this.deps.directory.findUser(requester);
      if (!user)
        throw new InputError(
          `requester: no user "${requester}" in the catalog`,
        );
      return { ...user, inCatalog: true };
    }
    if (requester !== undefined) {
      const user = await this.deps.directory.findUser(requester);
      if (!user || user.ref !== caller.ref) {
        throw new NotAllowedError(
          'requester: users can only request access for themselves',
        );
      }
    }
    const self = await this.deps.directory.findUser(caller.ref);
    // A signed-in user missing from the catalog can still be matched by '*' flows.
    return self
      ? { ...self, inCatalog: true }
      : { ref: caller.ref, groups: [], inCatalog: false };
  }

  async preview(
    caller: Caller,
    input: SubmissionInput & { requester?: string },
  ): Promise<AccessPreviewItem[]> {
    const requester = await this.resolveRequester(caller, input.requester);
    const plans = await this.plan(caller, input, requester, false, true);
    return plans.flatMap(p =>
      p.resources.map(res => ({
        entityRef: res.entityRef,
        permissions: res.permissions,
        flowId: p.flow.id,
        flowTitle: p.flow.title,
        approvalType: p.flow.approval.type,
        approvers: p.approvers,
        requiredApprovals:
          p.flow.approval.type === 'manual' ? p.flow.approval.required : 0,
        // Break-glass flows run only their required checks.
        checks: [
          ...p.flow.approval.requiredChecks,
          ...(p.flow.approval.type === 'breakglass'
            ? []
            : p.flow.approval.autoApproveChecks),
        ],
        durationSeconds: p.durationSeconds,
        maxDurationSeconds: p.flow.duration.maxSeconds,
        justificationRequired: p.flow.justification === 'required',
        autoApproved: p.flow.approval.type !== 'manual',
      })),
    );
  }

  /**
   * A user's entities are read with their credentials; a service filing for a user reads
   * with the plugin's own, since its credentials cannot be narrowed to that user's.
   */
  private plan(
    caller: Caller,
    input: SubmissionInput,
    requester: DirectoryUser,
    clampDuration = false,
    preview = false,
  ) {
    return planSubmission({
      onBehalfOf: caller.type === 'user' ? caller.credentials : undefined,
      preview,
      input,
      requester,
      resolver: this.deps.resolver,
      directory: this.deps.directory,
      bundles: this.deps.config.bundles,
      clampDuration,
    });
  }

  /**
   * Creates the requests of one submission in one transaction. A retried call with the same
   * idempotency key returns what the first one created.
   */
  async submit(
    caller: Caller,
    input: SubmissionInput & { requester?: string },
    options: {
      idempotencyKey?: string;
      againOf?: string;
      clampDuration?: boolean;
    } = {},
  ): Promise<{ items: AccessRequest[]; replayed: boolean }> {
    const { store } = this.deps;
    // "Again" hashes its source too: one key may not replay another request's "again".
    const bodyHash = createHash('sha256')
      .update(
        JSON.stringify(
          options.againOf ? { ...input, againOf: options.againOf } : input,
        ),
      )
      .digest('hex');
    if (options.idempotencyKey) {
      const replay = await this.replay(
        caller,
        options.idempotencyKey,
        bodyHash,
      );
      if (replay) return { items: replay, replayed: true };
    }
    const requester = await this.resolveRequester(caller, input.requester);
    // Counted against the person the access is for, also when a service files it.
    this.limits.admit(requester.ref);
    const plans = await this.plan(
      caller,
      input,
      requester,
      options.clampDuration,
    );
    const unapprovable = unapprovableRequester(
      requester,
      plans.map(p => p.flow),
    );
    if (unapprovable) throw new NotAllowedError(unapprovable);
    const now = this.now();
    const groupId = randomUUID();
    const checked = new Set<string>();
    const records: NewRequestRecord[] = plans.map(p => {
      const type = p.flow.approval.type;
      const id = randomUUID();
      // Requests whose flow runs checks wait, undecided, until the checks answered.
      const runsChecks = flowHasChecks(p.flow);
      if (runsChecks) checked.add(id);
      return {
        id,
        groupId,
        requester: requester.ref,
        createdBy: caller.ref,
        flowId: p.flow.id,
        flowTitle: p.flow.title,
        approvalType: type,
        provisioner: p.flow.provisioner,
        resources: p.resources,
        justification: p.justification,
        durationSeconds: p.durationSeconds,
        status: type === 'manual' || runsChecks ? 'pending' : 'granting',
        awaiting: runsChecks ? undefined : AWAITING_AT_SUBMIT[type],
        approvers: p.approvers,
        requiredApprovals: type === 'manual' ? p.flow.approval.required : 0,
        allowSelfApproval: p.flow.approval.allowSelfApproval,
        checks: [],
        breakGlass: type === 'breakglass',
        review: type === 'breakglass' ? { status: 'pending' } : undefined,
        extensionsUsed: 0,
        extensionsAllowed: p.flow.duration.extensions,
        againOf: options.againOf,
        createdAt: now,
      };
    });

    try {
      await store.transaction(async tx => {
        // Decided with the insert, so parallel submissions cannot together cross it.
        await this.limits.reservePending(
          tx,
          requester.ref,
          records.filter(r => r.status === 'pending').length,
        );
        if (options.idempotencyKey) {
          await store.insertIdempotency(
            tx,
            caller.ref,
            options.idempotencyKey,
            bodyHash,
            groupId,
            now,
          );
        }
        for (const r of records) {
          await store.insertRequest(tx, r);
          await this.audit(
            tx,
            {
              at: now,
              actor: caller.ref,
              action: r.breakGlass
                ? 'breakglass-requested'
                : 'request-submitted',
              requestId: r.id,
              severity: r.breakGlass ? 'high' : 'medium',
              toStatus: r.status,
              details: {
                requester: r.requester,
                flowId: r.flowId,
                resources: r.resources,
                durationSeconds: r.durationSeconds,
                justification: r.justification,
                approvers: r.approvers,
                onBehalfOf:
                  caller.ref !== r.requester ? r.requester : undefined,
                againOf: r.againOf,
              },
            },
            { ...r, updatedAt: now, attempts: 0, extendAttempts: 0 },
          );
        }
      });
    } catch (e) {
      // A concurrent retry with the same key won the insert: answer with its result.
      if (options.idempotencyKey) {
        const replay = await this.replay(
          caller,
          options.idempotencyKey,
          bodyHash,
        ).catch(() => undefined);
        if (replay) return { items: replay, replayed: true };
      }
      throw e;
    }

    // Its approvers get one notice each for the whole submission (emit never throws).
    if (records.length > 1) this.deps.events.hold(groupId);
    await this.deps.events.emit(
      records.map(r => ({
        request: { ...r, updatedAt: now, attempts: 0, extendAttempts: 0 },
        action: r.breakGlass ? 'breakglass-requested' : 'request-submitted',
        actor: caller.ref,
        severity: r.breakGlass ? ('high' as const) : ('medium' as const),
        notifyApprovers: r.awaiting === 'approval',
      })),
    );
    // Automatic and break-glass requests grant now, checked ones decide now; one slow
    // provisioner or check does not hold up the rest.
    const granting = records.filter(r => r.status === 'granting');
    if (!granting.length && !checked.size) {
      // Nothing changed since the insert, and a new request has no approvals or stars.
      const inserted = records.map(r =>
        toView(
          { ...r, updatedAt: now, attempts: 0, extendAttempts: 0 },
          [],
          false,
        ),
      );
      await this.deps.events.release(groupId);
      return { items: inserted, replayed: false };
    }
    // Bounded (access.limits), so a large submission cannot flood checks and targets.
    const { checkConcurrency, grantConcurrency } = this.deps.config.limits;
    const grantSlot = limiter(grantConcurrency);
    const checkSlot = limiter(checkConcurrency);
    try {
      await Promise.all([
        ...granting.map(r =>
          grantSlot(() => this.grantAfterCommit(r.id, caller.ref)),
        ),
        ...[...checked].map(id =>
          checkSlot(() => this.runChecks(id, grantSlot)),
        ),
      ]);
    } finally {
      await this.deps.events.release(groupId);
    }
    const rows = await store.getRequestsByGroup(groupId);
    return { items: await this.views(rows, caller.ref), replayed: false };
  }

  private async replay(
    caller: Caller,
    key: string,
    bodyHash: string,
  ): Promise<AccessRequest[] | undefined> {
    const existing = await this.deps.store.getIdempotency(
      this.deps.store.db,
      caller.ref,
      key,
    );
    if (!existing) return undefined;
    if (existing.bodyHash !== bodyHash) {
      throw new ConflictError(
        'Idempotency-Key was already used with a different request body',
      );
    }
    const rows = await this.deps.store.getRequestsByGroup(existing.groupId);
    return this.views(rows, caller.ref);
  }

  /** "Request again": a new request for the same resources, with a new justification. */
  async again(
    caller: Caller,
    id: string,
    justification: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ items: AccessRequest[]; replayed: boolean }> {
    const r = await this.load(id);
    if (r.requester !== caller.ref)
      throw new NotAllowedError(
        'Only the requester can request this access again',
      );
    if (!TERMINAL_STATUSES.includes(r.status)) {
      throw new ConflictError(
        `Request ${id} is ${r.status}; only ended requests can be requested again`,
      );
    }
    return this.submit(
      caller,
      {
        resources: r.resources,
        durationSeconds: r.durationSeconds,
        justification,
      },
      {
        againOf: r.id,
        clampDuration: true,
        idempotencyKey: options.idempotencyKey,
      },
    );
  }

  // ---------------------------------------------------------------- decisions

  /** The kind of decision a request is waiting for. */
  private pendingDecision(r: RequestRecord): {
    kind: AccessApprovalKind;
    round: number;
  } {
    if (r.status === 'pending' && r.awaiting === 'approval')
      return { kind: 'request', round: 0 };
    // Each extension put to the approvers has its own round: no vote carries over.
    if (r.status === 'granted' && r.awaiting === 'extension')
      return { kind: 'extension', round: r.extensionRound ?? 0 };
    // A break-glass review stays open after the access itself ended.
    if (r.awaiting === 'review') return { kind: 'review', round: 0 };
    throw new ConflictError(
      `Request ${r.id} is ${r.status} and waits for no decision`,
    );
  }

  /**
   * `stale`: why the catalog no longer makes the caller an approver (see
   * {@link AccessRequestService.staleApprover}); admins still decide reviews.
   */
  private assertApprover(
    caller: Caller,
    r: RequestRecord,
    kind: AccessApprovalKind,
    stale?: string,
  ) {
    const asAdmin = kind === 'review' && caller.isAdmin;
    const isApprover = r.approvers.includes(caller.ref) || asAdmin;
    if (!isApprover)
      throw new NotAllowedError(
        `You are not an approver of access request ${r.id}`,
      );
    if (stale && !asAdmin)
      throw new NotAllowedError(
        `You are no longer an approver of access request ${r.id}: ${stale}`,
      );
    if (caller.ref === r.requester && !r.allowSelfApproval) {
      throw new NotAllowedError('You cannot decide on your own access request');
    }
  }

  /**
   * Checks, before the decision's transaction (the catalog is an outside call), that a
   * stored approver is still one by the catalog now; membership may have changed since
   * the request was submitted.
   */
  private async staleApprover(
    caller: Caller,
    id: string,
    decision: 'approve' | 'reject',
  ): Promise<string | undefined> {
    const r = await this.load(id);
    if (!r.approvers.includes(caller.ref)) return undefined;
    return noLongerApprover({
      resolver: this.deps.resolver,
      directory: this.deps.directory,
      request: r,
      user: caller.ref,
      decision,
    });
  }

  async approve(
    caller: Caller,
    id: string,
    comment?: string,
  ): Promise<AccessRequest> {
    const stale = await this.staleApprover(caller, id, 'approve');
    // The requester and the flow's trust, by the catalog now (outside the transaction).
    const refused = await approvalRefused({
      resolver: this.deps.resolver,
      directory: this.deps.directory,
      request: await this.load(id),
      approver: caller.ref,
    });
    const now = this.now();
    let grantAfter = false;
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const r = await this.load(id, tx);
      // Who may not see the request learns nothing of its state (no 409 before the 403).
      if (!this.canSee(caller, r))
        throw new NotAllowedError(
          `You are not an approver of access request ${id}`,
        );
      const { kind, round } = this.pendingDecision(r);
      this.assertApprover(caller, r, kind, stale);
      if (refused && kind !== 'review') throw new NotAllowedError(refused);
      const decision = kind === 'review' ? 'acknowledged' : 'approved';
      const inserted = await this.deps.store.insertApproval(tx, {
        requestId: r.id,
        kind,
        round,
        approver: caller.ref,
        decision,
        comment,
        at: now,
      });
      if (!inserted)
        throw new ConflictError(`You already decided on request ${id}`);

      if (kind === 'review') {
        const changed = await this.change(tx, r, {
          guard: { awaiting: 'review' },
          patch: {
            awaiting: null,
            review: {
              status: 'acknowledged',
              reviewer: caller.ref,
              comment,
              at: new Date(now).toISOString(),
            },
          },
          action: 'breakglass-reviewed',
          actor: caller.ref,
          details: { comment },
        });
        changes.push({
          request: changed,
          action: 'breakglass-reviewed',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
          message: 'Your break-glass access was reviewed and acknowledged',
        });
        return;
      }
      const count = await this.deps.store.countApprovals(tx, r.id, kind, round);
      if (count < r.requiredApprovals) {
        await this.audit(
          tx,
          {
            at: now,
            actor: caller.ref,
            action: 'approval-recorded',
            requestId: r.id,
            severity: 'medium',
            details: {
              kind,
              comment,
              approvals: count,
              required: r.requiredApprovals,
            },
          },
          r,
        );
        changes.push({
          request: r,
          action: 'approval-recorded',
          actor: caller.ref,
        });
        return;
      }
      if (kind === 'request') {
        const changed = await this.change(tx, r, {
          to: 'granting',
          guard: { awaiting: 'approval' },
          patch: { awaiting: null },
          action: 'request-approved',
          actor: caller.ref,
          details: { comment, approvals: count },
        });
        // The decision that approves it, not each partial vote of an N-of-M flow. Its
        // notice shares its scope with the grant's, which replaces it moments later.
        changes.push({
          request: changed,
          action: 'request-approved',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
          message: `Access request approved by ${caller.ref}`,
        });
        grantAfter = true;
      } else {
        const ext = r.extension!;
        const changed = await this.change(tx, r, {
          guard: { awaiting: 'extension', notEnding: true, notExpiredAt: now },
          patch: {
            awaiting: null,
            expiresAt: r.expiresAt! + ext.durationSeconds * 1000,
            ...this.extendPending(r, now),
            extensionsUsed: r.extensionsUsed + 1,
            expiryNotifiedAt: null,
            extension: {
              ...ext,
              status: 'approved',
              decidedAt: new Date(now).toISOString(),
            },
          },
          action: 'extension-approved',
          actor: caller.ref,
          details: {
            comment,
            durationSeconds: ext.durationSeconds,
            previousExpiresAt: new Date(r.expiresAt!).toISOString(),
          },
          conflict:
            'The access ran out or is being revoked; it can no longer be extended',
        });
        changes.push({
          request: changed,
          action: 'extension-approved',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
          message: 'Your access was extended',
        });
      }
    });
    await this.deps.events.emit(changes);
    if (grantAfter) await this.grantAfterCommit(id, caller.ref);
    if (changes.some(c => c.action === 'extension-approved'))
      await this.extendInTarget(id);
    return this.get(caller, id);
  }

  async reject(
    caller: Caller,
    id: string,
    reason: string,
  ): Promise<AccessRequest> {
    const stale = await this.staleApprover(caller, id, 'reject');
    const now = this.now();
    const changes: AccessChange[] = [];
    let revokeAfter = false;
    await this.deps.store.transaction(async tx => {
      const r = await this.load(id, tx);
      // Who may not see the request learns nothing of its state (no 409 before the 403).
      if (!this.canSee(caller, r))
        throw new NotAllowedError(
          `You are not an approver of access request ${id}`,
        );
      const { kind, round } = this.pendingDecision(r);
      this.assertApprover(caller, r, kind, stale);
      const inserted = await this.deps.store.insertApproval(tx, {
        requestId: r.id,
        kind,
        round,
        approver: caller.ref,
        decision: 'rejected',
        comment: reason,
        at: now,
      });
      if (!inserted)
        throw new ConflictError(`You already decided on request ${id}`);
      if (kind === 'request') {
        const changed = await this.change(tx, r, {
          to: 'rejected',
          guard: { awaiting: 'approval' },
          patch: { awaiting: null, endedAt: now, endReason: reason },
          action: 'request-rejected',
          actor: caller.ref,
          details: { reason },
        });
        changes.push({
          request: changed,
          action: 'request-rejected',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
        });
      } else if (kind === 'extension') {
        const changed = await this.change(tx, r, {
          guard: { awaiting: 'extension' },
          patch: {
            awaiting: null,
            extension: {
              ...r.extension!,
              status: 'rejected',
              reason,
              decidedAt: new Date(now).toISOString(),
            },
          },
          action: 'extension-rejected',
          actor: caller.ref,
          details: { reason },
        });
        changes.push({
          request: changed,
          action: 'extension-rejected',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
          message: `Your extension was rejected: ${reason}`,
        });
      } else {
        // Rejecting a break-glass review revokes the access if it is still active.
        if (r.status === 'granting') {
          throw new ConflictError(
            'The access is still being granted; reject the review once it is active',
          );
        }
        const active = r.status === 'granted' && !r.ending;
        const changed = await this.change(tx, r, {
          guard: { awaiting: 'review', ...(active ? { notEnding: true } : {}) },
          patch: {
            awaiting: null,
            review: {
              status: active ? 'revoked' : 'rejected',
              reviewer: caller.ref,
              comment: reason,
              at: new Date(now).toISOString(),
            },
            ...(active
              ? {
                  ending: {
                    as: 'revoked' as const,
                    reason: `Break-glass review rejected: ${reason}`,
                    by: caller.ref,
                    at: now,
                  },
                }
              : {}),
          },
          action: 'breakglass-review-rejected',
          actor: caller.ref,
          severity: 'high',
          details: { reason },
        });
        changes.push({
          request: changed,
          action: 'breakglass-review-rejected',
          actor: caller.ref,
          severity: 'high',
        });
        revokeAfter = active;
      }
    });
    await this.deps.events.emit(changes);
    if (revokeAfter) await this.endGrant(id);
    return this.get(caller, id);
  }

  async cancel(caller: Caller, id: string): Promise<AccessRequest> {
    const now = this.now();
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const r = await this.load(id, tx);
      if (r.requester !== caller.ref && r.createdBy !== caller.ref) {
        throw new NotAllowedError('Only the requester can cancel a request');
      }
      if (r.status === 'pending') {
        const changed = await this.change(tx, r, {
          to: 'cancelled',
          patch: {
            awaiting: null,
            endedAt: now,
            endReason: 'Cancelled by the requester',
          },
          action: 'request-cancelled',
          actor: caller.ref,
        });
        changes.push({
          request: changed,
          action: 'request-cancelled',
          actor: caller.ref,
        });
      } else if (r.status === 'granted' && r.awaiting === 'extension') {
        const changed = await this.change(tx, r, {
          guard: { awaiting: 'extension' },
          patch: {
            awaiting: null,
            extension: {
              ...r.extension!,
              status: 'rejected',
              reason: 'Cancelled by the requester',
              decidedAt: new Date(now).toISOString(),
            },
          },
          action: 'extension-cancelled',
          actor: caller.ref,
        });
        changes.push({
          request: changed,
          action: 'extension-cancelled',
          actor: caller.ref,
        });
      } else {
        throw new ConflictError(
          `Request ${id} is ${r.status}; only pending requests can be cancelled`,
        );
      }
    });
    await this.deps.events.emit(changes);
    return this.get(caller, id);
  }

  /** Ends active access now: the holder, an approver of the request or an admin. */
  async revoke(
    caller: Caller,
    id: string,
    reason?: string,
  ): Promise<AccessRequest> {
    const now = this.now();
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const r = await this.load(id, tx);
      const allowed =
        caller.isAdmin ||
        r.requester === caller.ref ||
        r.approvers.includes(caller.ref);
      if (!allowed)
        throw new NotAllowedError(
          'Only the holder, an approver or an admin can revoke this access',
        );
      if (r.status !== 'granted') {
        throw new ConflictError(
          `Request ${id} is ${r.status}; only active access can be revoked`,
        );
      }
      if (r.ending)
        throw new ConflictError(
          `Access of request ${id} is already being revoked`,
        );
      const text =
        reason?.trim() ||
        (r.requester === caller.ref
          ? 'Revoked by the holder'
          : `Revoked by ${caller.ref}`);
      // An approver or admin revoking break-glass access has reviewed it; the holder has not.
      const closesReview =
        r.awaiting === 'review' && r.requester !== caller.ref;
      const patch: RequestPatch = {
        ending: { as: 'revoked', reason: text, by: caller.ref, at: now },
      };
      if (closesReview) {
        patch.awaiting = null;
        patch.review = {
          status: 'revoked',
          reviewer: caller.ref,
          comment: text,
          at: new Date(now).toISOString(),
        };
      } else if (r.awaiting === 'extension' && r.extension) {
        patch.awaiting = null;
        patch.extension = {
          ...r.extension,
          status: 'rejected',
          reason: 'Access revoked',
          decidedAt: new Date(now).toISOString(),
        };
      }
      const changed = await this.change(tx, r, {
        guard: { notEnding: true },
        patch,
        action: 'revoke-requested',
        actor: caller.ref,
        severity: 'high',
        details: { reason: text },
      });
      changes.push({
        request: changed,
        action: 'revoke-requested',
        actor: caller.ref,
      });
    });
    await this.deps.events.emit(changes);
    await this.endGrant(id);
    return this.get(caller, id);
  }

  /** The holder asks for more time on active access; it goes through the same flow. */
  private validateExtension(
    caller: Caller,
    r: RequestRecord,
    durationSeconds: number,
    justification: string,
    now: number,
  ): AccessFlow {
    if (r.requester !== caller.ref)
      throw new NotAllowedError('Only the holder can extend this access');
    if (r.status !== 'granted' || r.ending || (r.expiresAt ?? 0) <= now) {
      throw new ConflictError(
        `Request ${r.id} is not active access; only active access can be extended`,
      );
    }
    if (r.awaiting === 'extension') {
      throw new ConflictError(
        'An extension of this access is already waiting for approval',
      );
    }
    if (r.extensionsUsed >= r.extensionsAllowed) {
      throw new ConflictError(
        r.extensionsAllowed === 0
          ? `Flow "${r.flowId}" does not allow extensions`
          : `This access was already extended ${r.extensionsUsed} time(s), the most flow "${r.flowId}" allows`,
      );
    }
    const flow = this.deps.resolver.getFlow(r.flowId);
    if (!flow)
      throw new ConflictError(
        `Flow "${r.flowId}" no longer exists; request the access again`,
      );
    if (durationSeconds > flow.duration.maxSeconds) {
      throw new InputError(
        `durationSeconds: at most ${
          flow.duration.maxSeconds
        }s (${formatDuration(flow.duration.maxSeconds)}) for flow "${flow.id}"`,
      );
    }
    if (flow.justification === 'required' && !justification.trim()) {
      throw new InputError(
        `justification: flow "${flow.id}" requires a justification`,
      );
    }
    return flow;
  }

  /** The holder asks for more time on active access; it goes through the same flow (checks, approvers). */
  async extend(
    caller: Caller,
    id: string,
    durationSeconds: number,
    justification: string,
  ): Promise<AccessRequest> {
    const before = await this.load(id);
    const flow = this.validateExtension(
      caller,
      before,
      durationSeconds,
      justification,
      this.now(),
    );
    // Each attempt may run the flow's checks again (outside calls): rate limited.
    this.limits.admit(caller.ref);
    await assertExtendable({
      resolver: this.deps.resolver,
      directory: this.deps.directory,
      request: before,
    });
    // Checks are outside calls: they run before the transaction, never inside it.
    const evaluated = flowHasChecks(flow)
      ? await this.evaluateChecks(
          flow,
          await this.checkContext(before, {
            durationSeconds,
            justification: justification.trim(),
          }),
        )
      : undefined;
    // What the checks saw goes into the audit entry of the decision, as for a new request.
    const checkDetails = evaluated
      ? { checks: checksForAudit(evaluated.results) }
      : {};
    const now = this.now();
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const r = await this.load(id, tx);
      this.validateExtension(caller, r, durationSeconds, justification, now);
      const extension = {
        durationSeconds,
        justification: justification.trim(),
        requestedAt: new Date(now).toISOString(),
      };
      const checks = evaluated ? [...r.checks, ...evaluated.results] : r.checks;
      const decision = evaluated?.decision;
      if (decision?.kind === 'reject') {
        const changed = await this.change(tx, r, {
          guard: { notEnding: true },
          patch: {
            checks,
            extension: {
              ...extension,
              status: 'rejected',
              reason: decision.reason,
              decidedAt: new Date(now).toISOString(),
            },
          },
          action: 'extension-rejected-by-checks',
          actor: 'system',
          details: { ...extension, ...checkDetails, reason: decision.reason },
        });
        changes.push({
          request: changed,
          action: 'extension-rejected-by-checks',
          actor: 'system',
        });
        return;
      }
      const ask = decision
        ? decision.kind === 'ask-approvers'
        : flow.approval.type === 'manual';
      if (ask) {
        const changed = await this.change(tx, r, {
          guard: {
            notEnding: true,
            notExpiredAt: now,
            awaiting: r.awaiting ?? null,
          },
          patch: {
            checks,
            awaiting: 'extension',
            extension: { ...extension, status: 'pending' },
            extensionRound: (r.extensionRound ?? 0) + 1,
          },
          action: 'extension-requested',
          actor: caller.ref,
          details: { ...extension, ...checkDetails },
        });
        changes.push({
          request: changed,
          action: 'extension-requested',
          actor: caller.ref,
          notifyApprovers: true,
          approverMessage: `${r.requester} asks to extend access`,
        });
        return;
      }
      const cap =
        decision?.kind === 'approve' ? decision.maxDurationSeconds : undefined;
      const granted = Math.min(durationSeconds, cap ?? Infinity);
      const checkId =
        decision?.kind === 'approve' ? decision.checkId : undefined;
      const actor = checkId ? `check:${checkId}` : caller.ref;
      // The extra time a re-verifying check approved rests on that check. A grant no such
      // check approved yet (a person did, or a check that does not re-verify) stands on
      // that approval until the window it approved ends, and on the check after it.
      const alreadyReverified =
        r.approvedByCheck && this.reverifies(r.approvedByCheck)
          ? r.approvedByCheck
          : undefined;
      const reverifiedBy =
        checkId && this.reverifies(checkId)
          ? alreadyReverified ?? checkId
          : undefined;
      const reverifyFrom =
        reverifiedBy && reverifiedBy !== r.approvedByCheck
          ? r.expiresAt!
          : undefined;
      const changed = await this.change(tx, r, {
        guard: { notEnding: true, notExpiredAt: now },
        patch: {
          checks,
          ...(reverifyFrom !== undefined
            ? { approvedByCheck: reverifiedBy, reverifyAfter: reverifyFrom }
            : {}),
          expiresAt: r.expiresAt! + granted * 1000,
          ...this.extendPending(r, now),
          extensionsUsed: r.extensionsUsed + 1,
          expiryNotifiedAt: null,
          extension: {
            ...extension,
            durationSeconds: granted,
            status: 'approved',
            decidedAt: new Date(now).toISOString(),
          },
        },
        action: 'extension-approved',
        actor,
        severity: flow.approval.type === 'breakglass' ? 'high' : 'medium',
        details: {
          ...extension,
          ...checkDetails,
          grantedSeconds: granted,
          automatic: true,
          ...(reverifiedBy ? { reverifiedBy } : {}),
          ...(reverifyFrom !== undefined
            ? { reverifiedFrom: new Date(reverifyFrom).toISOString() }
            : {}),
        },
      });
      changes.push({
        request: changed,
        action: 'extension-approved',
        actor,
        notifyApprovers: flow.approval.type === 'breakglass',
        approverMessage:
          flow.approval.type === 'breakglass'
            ? `Break-glass access used by ${r.requester} was extended`
            : undefined,
      });
    });
    await this.deps.events.emit(changes);
    if (changes.some(c => c.action === 'extension-approved'))
      await this.extendInTarget(id);
    return this.get(caller, id);
  }

  async setFavorite(
    caller: Caller,
    id: string,
    on: boolean,
  ): Promise<AccessRequest> {
    const r = await this.load(id);
    if (r.requester !== caller.ref)
      throw new NotAllowedError('Only the requester can star a request');
    await this.deps.store.setFavorite(caller.ref, id, on, this.now());
    return this.get(caller, id);
  }

  // ---------------------------------------------------------------- checks

  /**
   * What checks get to see about a request. When the catalog cannot be read, `unreadable`
   * says why: the checks are then not run but recorded as `error` (a missing entity or
   * e-mail must not look like a verified "no", e.g. "no PagerDuty service annotation").
   */
  private async checkContext(
    r: RequestRecord,
    overrides: {
      durationSeconds?: number;
      justification?: string;
      reverifying?: boolean;
    } = {},
  ): Promise<CheckInput> {
    const problems: string[] = [];
    const unread = (what: string) => (e: unknown) => {
      problems.push(
        `could not load the ${what} from the catalog (${
          e instanceof Error ? e.message : String(e)
        })`,
      );
      return undefined;
    };
    const [user, entities] = await Promise.all([
      this.deps.directory.findUser(r.requester).catch(unread('requester')),
      this.deps.directory
        .getEntities(r.resources.map(x => x.entityRef))
        .catch(unread('requested entities')),
    ]);
    if (problems.length) {
      this.deps.logger.warn(
        `access: checks of ${r.id} not run: ${problems.join('; ')}`,
      );
    }
    return {
      unreadable: problems.length ? problems.join('; ') : undefined,
      context: {
        requestId: r.id,
        requester: {
          ref: r.requester,
          email: user?.email,
          displayName: user?.displayName,
        },
        resources: r.resources.map((x, i) => ({
          ...x,
          entity: entities?.[i],
        })),
        flow: { id: r.flowId, title: r.flowTitle },
        justification: overrides.justification ?? r.justification,
        durationSeconds: overrides.durationSeconds ?? r.durationSeconds,
        ...(overrides.reverifying ? { reverifying: true } : {}),
      },
    };
  }

  /** Runs one check, or records it as `error` when its context could not be loaded. */
  private runCheck(id: string, input: CheckInput): Promise<AccessCheckResult> {
    if (input.unreadable) {
      return Promise.resolve(
        this.deps.checks.unverified(id, input.unreadable, this.now()),
      );
    }
    return this.deps.checks.run(id, input.context, () => this.now());
  }

  private hasEnoughApprovers(r: RequestRecord): boolean {
    const eligible = r.approvers.filter(
      a => r.allowSelfApproval || a !== r.requester,
    );
    return eligible.length >= r.requiredApprovals;
  }

  /** Runs the flow's required checks, then (if they pass) its auto-approve checks. */
  private async evaluateChecks(flow: AccessFlow, input: CheckInput) {
    const run = (ids: string[]) =>
      Promise.all(ids.map(id => this.runCheck(id, input)));
    const results: AccessCheckResult[] = await run(
      flow.approval.requiredChecks,
    );
    if (
      results.every(r => r.outcome === 'passed') &&
      flow.approval.type !== 'breakglass'
    ) {
      results.push(...(await run(flow.approval.autoApproveChecks)));
    }
    const maxDurations = Object.fromEntries(
      flow.approval.autoApproveChecks.map(id => [
        id,
        this.deps.checks.get(id)?.maxDurationSeconds,
      ]),
    );
    return { results, decision: decideByChecks(flow, results, maxDurations) };
  }

  /**
   * Decides a new request by its flow's checks, failing closed, and records every outcome.
   * Safe to call again for a request whose checks never finished (after a crash).
   */
  async runChecks(
    id: string,
    grantSlot: Limiter = task => task(),
  ): Promise<void> {
    const r = await this.deps.store.getRequest(id);
    if (!r || r.status !== 'pending' || r.awaiting) return;
    const flow = this.deps.resolver.getFlow(r.flowId);
    const changes: AccessChange[] = [];
    let grantAfter = false;
    if (!flow) {
      await this.deps.store.transaction(async tx => {
        const cur = await this.load(id, tx);
        if (cur.status !== 'pending' || cur.awaiting) return;
        const reason = `Flow "${r.flowId}" no longer exists`;
        const changed = await this.change(tx, cur, {
          to: 'rejected',
          guard: { awaiting: null },
          patch: { endedAt: this.now(), endReason: reason },
          action: 'request-rejected',
          actor: 'system',
          details: { reason },
        });
        changes.push({
          request: changed,
          action: 'request-rejected',
          actor: 'system',
          notifyRequester: true,
        });
      });
      await this.deps.events.emit(changes);
      return;
    }
    const { results, decision } = await this.evaluateChecks(
      flow,
      await this.checkContext(r),
    );
    await this.deps.store.transaction(async tx => {
      const cur = await this.load(id, tx);
      if (cur.status !== 'pending' || cur.awaiting) return;
      const now = this.now();
      const details = { checks: checksForAudit(results) };
      if (decision.kind === 'reject') {
        const changed = await this.change(tx, cur, {
          to: 'rejected',
          guard: { awaiting: null },
          patch: {
            checks: results,
            endedAt: now,
            endReason: decision.reason,
            // Never granted: a break-glass review has nothing to look at.
            review: null,
          },
          action: 'request-rejected-by-checks',
          actor: 'system',
          details: { ...details, reason: decision.reason },
        });
        changes.push({
          request: changed,
          action: 'request-rejected-by-checks',
          actor: 'system',
          notifyRequester: true,
        });
      } else if (
        decision.kind === 'ask-approvers' &&
        !this.hasEnoughApprovers(cur)
      ) {
        const reason = `No auto-approve check passed and nobody else can approve: flow "${cur.flowId}" needs ${cur.requiredApprovals} approver(s) besides the requester`;
        const changed = await this.change(tx, cur, {
          to: 'rejected',
          guard: { awaiting: null },
          patch: { checks: results, endedAt: now, endReason: reason },
          action: 'request-rejected-by-checks',
          actor: 'system',
          details: { ...details, reason },
        });
        changes.push({
          request: changed,
          action: 'request-rejected-by-checks',
          actor: 'system',
          notifyRequester: true,
        });
      } else if (decision.kind === 'ask-approvers') {
        const changed = await this.change(tx, cur, {
          guard: { awaiting: null },
          patch: { checks: results, awaiting: 'approval' },
          action: 'checks-evaluated',
          actor: 'system',
          details,
        });
        changes.push({
          request: changed,
          action: 'checks-evaluated',
          actor: 'system',
          notifyApprovers: true,
        });
      } else {
        const capped = Math.min(
          cur.durationSeconds,
          decision.maxDurationSeconds ?? Infinity,
        );
        const actor = decision.checkId ? `check:${decision.checkId}` : 'system';
        const changed = await this.change(tx, cur, {
          to: 'granting',
          guard: { awaiting: null },
          patch: {
            checks: results,
            durationSeconds: capped,
            approvedByCheck: decision.checkId ?? null,
            awaiting: cur.breakGlass ? 'review' : null,
          },
          action: decision.checkId
            ? 'request-auto-approved'
            : 'request-approved',
          actor,
          severity: cur.breakGlass ? 'high' : 'medium',
          details: {
            ...details,
            durationSeconds: capped,
            requestedDurationSeconds: cur.durationSeconds,
          },
        });
        changes.push({
          request: changed,
          action: decision.checkId
            ? 'request-auto-approved'
            : 'request-approved',
          actor,
        });
        grantAfter = true;
      }
    });
    await this.deps.events.emit(changes);
    if (grantAfter)
      await grantSlot(() =>
        this.grantAfterCommit(
          id,
          decision.kind === 'approve' && decision.checkId
            ? `check:${decision.checkId}`
            : 'system',
        ),
      );
  }

  /** True when the check is asked again for the grants it approved (`reverify`). */
  private reverifies(checkId: string): boolean {
    return Boolean(this.deps.checks.get(checkId)?.check.reverify);
  }

  /**
   * The re-verification task's body: grants approved by a check that re-verifies (PagerDuty
   * on-call with `revokeWhenOffCall`) are revoked once the check answers `failed`. An `error`
   * answer revokes nothing; it is logged and written to the audit trail. A grant a person
   * approved and such a check extended is re-verified only once the window the person
   * approved has ended (`reverifyAfter`): until then it stands on their approval. A
   * requester deleted from the catalog counts as `failed`. Each run goes on from the grant
   * after the last one checked ({@link grantsInTurn}).
   */
  async runReverification(options: { signal?: AbortSignal } = {}): Promise<{
    checked: number;
    revoked: number;
    errors: number;
    /** True when the scheduler aborted the run (it stops between grants). */
    stopped: boolean;
  }> {
    const ids = this.deps.config.checks
      .filter(c => this.reverifies(c.id))
      .map(c => c.id);
    let checked = 0;
    let revoked = 0;
    let errors = 0;
    const stopped = () => options.signal?.aborted === true;
    // The scheduler's timeout (or shutdown) ends the run between grants; the next run
    // goes on from there, on whichever replica runs it.
    for await (const r of grantsInTurn({
      store: this.deps.store,
      checkIds: ids,
      now: () => this.now(),
      stopped,
    })) {
      checked++;
      // A requester deleted from the catalog fails without asking the check.
      const result =
        (await requesterGone({
          directory: this.deps.directory,
          checks: this.deps.checks,
          checkId: r.approvedByCheck!,
          requester: r.requester,
          now: this.now(),
        })) ??
        (await this.runCheck(
          r.approvedByCheck!,
          await this.checkContext(r, { reverifying: true }),
        ));
      if (result.outcome === 'passed') continue;
      const now = this.now();
      if (result.outcome === 'error') {
        errors++;
        this.deps.logger.warn(
          `access: could not re-verify ${r.id} with ${result.checkId}: ${result.detail}`,
        );
        await this.audit(
          this.deps.store.db,
          {
            at: now,
            actor: 'system',
            action: 'reverify-error',
            requestId: r.id,
            severity: 'medium',
            details: { check: result.checkId, detail: result.detail },
          },
          r,
        );
        continue;
      }
      const reason = `No longer passes check "${result.checkId}": ${result.detail}`;
      const changes: AccessChange[] = [];
      await this.deps.store.transaction(async tx => {
        const cur = await this.load(r.id, tx);
        if (cur.status !== 'granted' || cur.ending) return;
        const changed = await this.change(tx, cur, {
          guard: { notEnding: true },
          patch: {
            ending: {
              as: 'revoked',
              reason,
              by: `check:${result.checkId}`,
              at: now,
            },
            checks: [...cur.checks, result],
            // A pending extension ends with the access; an open break-glass review does not.
            ...(cur.awaiting === 'extension' && cur.extension
              ? {
                  awaiting: null,
                  extension: {
                    ...cur.extension,
                    status: 'rejected' as const,
                    reason: 'Access revoked',
                    decidedAt: new Date(now).toISOString(),
                  },
                }
              : {}),
          },
          action: 'revoke-requested',
          actor: `check:${result.checkId}`,
          severity: 'high',
          details: { reason },
        });
        changes.push({
          request: changed,
          action: 'revoke-requested',
          actor: `check:${result.checkId}`,
        });
      });
      await this.deps.events.emit(changes);
      if (changes.length) {
        revoked++;
        await this.endGrant(r.id);
      }
    }
    return { checked, revoked, errors, stopped: stopped() };
  }

  // ---------------------------------------------------------------- granting and ending

  /**
   * Marks, with the extension itself, that the target must be told: a crash before the
   * provisioner's `extend` leaves the mark, and the expiry task finishes it.
   */
  private extendPending(r: RequestRecord, now: number): RequestPatch {
    return this.deps.provisioners.get(r.provisioner).extend
      ? { extendRetryAt: now, extendAttempts: 0 }
      : {};
  }

  /**
   * Tells the provisioner that access now ends later. A failure is audited (high) and
   * retried with backoff until the target confirms; the grant stays extended in our
   * records meanwhile, and the target's own end is only a second line of defence.
   */
  private async extendInTarget(
    id: string,
  ): Promise<'done' | 'retry' | 'skipped'> {
    const r = await this.deps.store.getRequest(id);
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
      await provisioner.extend({
        requestId: r.id,
        requester: r.requester,
        requesterEmail: await this.emailOf(r.requester),
        flowId: r.flowId,
        resources: await this.withEntities(r),
        expiresAt: new Date(expiresAt).toISOString(),
      });
    } catch (e) {
      const message = (e as Error).message;
      const { attempts } = await this.recordRetry(
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
    await this.deps.store.clearExtendPending(r.id, expiresAt);
    return 'done';
  }

  /**
   * Asks the request's provisioner to revoke its grant in the target, bounded by
   * PROVISIONER_CALL_TIMEOUT_MS. `expiresAt` is the grant's end in epoch milliseconds.
   */
  private async revokeInTarget(
    r: RequestRecord,
    expiresAt: number,
  ): Promise<void> {
    await withTimeout(
      this.deps.provisioners.get(r.provisioner).revoke({
        requestId: r.id,
        requester: r.requester,
        requesterEmail: await this.emailOf(r.requester),
        flowId: r.flowId,
        resources: await this.withEntities(r),
        expiresAt: new Date(expiresAt).toISOString(),
      }),
      PROVISIONER_CALL_TIMEOUT_MS,
      `provisioner "${r.provisioner}" did not confirm the revocation within ${
        PROVISIONER_CALL_TIMEOUT_MS / 1000
      } s`,
    );
  }

  private async emailOf(ref: string): Promise<string | undefined> {
    return (await this.deps.directory.findUser(ref).catch(() => undefined))
      ?.email;
  }

  /** The request's resources with their catalog entities, for provisioners. */
  private async withEntities(r: RequestRecord) {
    const entities = await this.deps.directory
      .getEntities(r.resources.map(x => x.entityRef))
      .catch(() => [] as (Entity | undefined)[]);
    return r.resources.map((x, i) => ({ ...x, entity: entities[i] }));
  }

  /** Calls the provisioner for a request in `granting` and records the outcome. */
  async grant(id: string, actor: string): Promise<void> {
    const r = await this.deps.store.getRequest(id);
    if (!r || r.status !== 'granting') return;
    const grantedAt = this.now();
    const expiresAt = grantedAt + r.durationSeconds * 1000;
    let error: Error | undefined;
    let details: Record<string, string> | undefined;
    try {
      const result = await this.deps.provisioners.get(r.provisioner).grant({
        requestId: r.id,
        requester: r.requester,
        requesterEmail: (
          await this.deps.directory.findUser(r.requester).catch(() => undefined)
        )?.email,
        flowId: r.flowId,
        resources: await this.withEntities(r),
        expiresAt: new Date(expiresAt).toISOString(),
      });
      details = cleanDetails(result?.accessDetails);
    } catch (e) {
      error = e as Error;
    }
    const changes: AccessChange[] = [];
    await this.recordProvisionerAnswer(async tx => {
      changes.length = 0;
      const cur = await this.load(id, tx);
      if (cur.status !== 'granting') return;
      if (error) {
        const reason = `Provisioner "${r.provisioner}" failed: ${error.message}`;
        const changed = await this.change(tx, cur, {
          to: 'failed',
          patch: {
            endedAt: this.now(),
            endReason: reason,
            lastError: error.message,
            awaiting: null,
            // No access was given, so there is nothing left to review.
            review: null,
            // The provisioner may have done part of the work before failing: undo it.
            ending: {
              as: 'cleanup',
              reason: 'Undo a partial grant',
              by: 'system',
              at: this.now(),
            },
          },
          action: 'grant-failed',
          actor: 'system',
          severity: 'high',
          details: { error: error.message },
        });
        changes.push({
          request: changed,
          action: 'grant-failed',
          actor: 'system',
          severity: 'high',
          notifyRequester: true,
        });
      } else {
        // Sealed in the same transaction as the grant; never written to the audit trail.
        if (details) {
          await this.deps.store.putDetails(
            tx,
            cur.id,
            this.deps.cipher.encrypt(cur.id, details),
            this.now(),
          );
        }
        const changed = await this.change(tx, cur, {
          to: 'granted',
          patch: { grantedAt, expiresAt, lastError: null },
          action: cur.breakGlass ? 'breakglass-granted' : 'access-granted',
          actor,
          severity: cur.breakGlass ? 'high' : 'medium',
          details: {
            expiresAt: new Date(expiresAt).toISOString(),
            provisioner: cur.provisioner,
          },
        });
        changes.push({
          request: changed,
          action: changed.breakGlass ? 'breakglass-granted' : 'access-granted',
          actor,
          severity: changed.breakGlass ? 'high' : 'medium',
          notifyRequester: true,
          notifyApprovers: changed.breakGlass,
          approverMessage: changed.breakGlass
            ? `Break-glass access used by ${changed.requester}: please review`
            : undefined,
        });
      }
    });
    if (error)
      this.deps.logger.warn(`access: grant of ${id} failed: ${error.message}`);
    await this.deps.events.emit(changes);
    if (error && changes.length) await this.cleanupFailedGrant(id);
    if (!changes.length) await this.undoLateGrant(id);
  }

  /**
   * Runs the transaction that records what the provisioner did, again when the database
   * fails meanwhile (a dropped connection, a failover). Giving up would leave the target
   * granted and the request in `granting`, without an `expiresAt`, until the crash
   * recovery grants it again minutes later.
   */
  private async recordProvisionerAnswer(
    fn: (tx: Knex.Transaction) => Promise<void>,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.store.transaction(fn);
        return;
      } catch (e) {
        if (attempt >= RECORD_TRIES) throw e;
        this.deps.logger.warn(
          `access: could not record a provisioner's answer (try ${attempt} of ${RECORD_TRIES}); trying again: ${e}`,
        );
        await new Promise(resolve =>
          setTimeout(resolve, 250 * 2 ** (attempt - 1)),
        );
      }
    }
  }

  /**
   * Grants right after the decision committed. The decision stands if this fails (say the
   * database connection dropped): the request waits in `granting` and the pending-timeout
   * task finishes it, so the caller is not told that a committed decision failed.
   */
  private async grantAfterCommit(id: string, actor: string): Promise<void> {
    await this.grant(id, actor).catch(e =>
      this.deps.logger.error(
        `access: could not grant ${id} after it was approved; it will be retried: ${e}`,
      ),
    );
  }

  /**
   * A grant call that returns after the request was settled elsewhere (another replica
   * finished it, or it ended meanwhile) may have re-created access in the target: when the
   * request has ended, undo it like a failed grant.
   */
  private async undoLateGrant(id: string): Promise<void> {
    const now = this.now();
    let marked = false;
    await this.deps.store.transaction(async tx => {
      const cur = await this.load(id, tx);
      if (!TERMINAL_STATUSES.includes(cur.status) || cur.ending) return;
      await this.change(tx, cur, {
        guard: { notEnding: true },
        patch: {
          ending: {
            as: 'cleanup',
            reason: 'Undo a grant that finished after the request had ended',
            by: 'system',
            at: now,
          },
          nextAttemptAt: null,
        },
        action: 'late-grant-undo',
        actor: 'system',
        severity: 'high',
      });
      marked = true;
    });
    if (marked) await this.cleanupFailedGrant(id);
  }

  /**
   * Records a failed provisioner call to be retried with exponential backoff, with its
   * high-severity audit entry. A failed revocation also shows its error on the request;
   * a failed request keeps the error of the grant that failed; a failed extension is
   * retried while the grant lasts.
   */
  private async recordRetry(
    r: RequestRecord,
    action:
      | 'revoke-failed'
      | 'grant-cleanup-failed'
      | 'provisioner-extend-failed',
    message: string,
    now: number,
    details: Record<string, unknown> = {},
  ): Promise<{ attempts: number; backoff: number }> {
    // An extension keeps its own count, apart from the revocation's.
    const extend = action === 'provisioner-extend-failed';
    const attempts = (extend ? r.extendAttempts : r.attempts) + 1;
    const backoff = Math.min(
      MAX_BACKOFF_MS,
      5000 * 2 ** Math.min(attempts - 1, 10),
    );
    let guard: UpdateGuard = { status: r.status };
    let patch: RequestPatch = { attempts, nextAttemptAt: now + backoff };
    if (extend) {
      guard = { status: 'granted', notEnding: true };
      patch = { extendAttempts: attempts, extendRetryAt: now + backoff };
    } else if (action === 'revoke-failed') {
      guard = { status: 'granted' };
      patch.lastError = message;
    }
    await this.deps.store.transaction(async tx => {
      const ok = await this.deps.store.updateRequest(
        tx,
        r.id,
        guard,
        patch,
        now,
      );
      if (ok) {
        await this.audit(
          tx,
          {
            at: now,
            actor: 'system',
            action,
            requestId: r.id,
            severity: 'high',
            details: {
              error: message,
              attempts,
              retryInMs: backoff,
              ...details,
            },
          },
          r,
        );
      }
    });
    return { attempts, backoff };
  }

  /**
   * Undoes what a failed or late grant may have done in the target (provisioners' revoke
   * is idempotent), so nothing stays granted without an active grant record. Retried with
   * backoff by the expiry task until the provisioner confirms.
   */
  async cleanupFailedGrant(id: string): Promise<'done' | 'retry' | 'skipped'> {
    const r = await this.deps.store.getRequest(id);
    if (
      !r ||
      !TERMINAL_STATUSES.includes(r.status) ||
      r.ending?.as !== 'cleanup'
    )
      return 'skipped';
    const now = this.now();
    try {
      await this.revokeInTarget(r, now);
    } catch (e) {
      const message = (e as Error).message;
      const { attempts } = await this.recordRetry(
        r,
        'grant-cleanup-failed',
        message,
        now,
      );
      this.deps.logger.error(
        `access: could not undo the failed grant ${id} (attempt ${attempts}): ${message}`,
      );
      return 'retry';
    }
    await this.deps.store.transaction(async tx => {
      if (
        await this.deps.store.updateRequest(
          tx,
          r.id,
          // A stalled replica finishing the same clean-up late records nothing.
          { status: r.status, ending: true },
          { ending: null, nextAttemptAt: null },
          now,
        )
      ) {
        await this.audit(
          tx,
          {
            at: now,
            actor: 'system',
            action: 'grant-cleanup-done',
            requestId: r.id,
            severity: 'medium',
            details: {},
          },
          r,
        );
      }
    });
    return 'done';
  }

  /**
   * Revokes a grant whose end was decided (or that ran out) and records it once the
   * provisioner confirms. On failure the grant stays active and is retried with backoff.
   */
  async endGrant(id: string): Promise<'ended' | 'retry' | 'skipped'> {
    const now = this.now();
    let r = await this.deps.store.getRequest(id);
    if (!r || r.status !== 'granted') return 'skipped';
    if (!r.ending) {
      if ((r.expiresAt ?? Infinity) > now) return 'skipped';
      // Claim the expiry first so that no extension slips in while the provisioner works.
      const ending = {
        as: 'expired' as const,
        reason: 'Access expired',
        by: 'system',
        at: now,
      };
      const claimed = await this.deps.store.updateRequest(
        this.deps.store.db,
        r.id,
        { status: 'granted', notEnding: true, expiredAt: now },
        { ending },
        now,
      );
      if (!claimed) return 'skipped';
      r = { ...r, ending };
    }
    const ending = r.ending!;
    try {
      await this.revokeInTarget(r, r.expiresAt ?? now);
    } catch (e) {
      const message = (e as Error).message;
      const { attempts, backoff } = await this.recordRetry(
        r,
        'revoke-failed',
        message,
        now,
      );
      this.deps.logger.error(
        `access: revocation of ${id} failed (attempt ${attempts}), retrying in ${backoff} ms: ${message}`,
      );
      return 'retry';
    }
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const cur = await this.load(id, tx);
      if (cur.status !== 'granted') return;
      const endedAt = this.now();
      await this.deps.store.deleteDetails(tx, cur.id);
      const changed = await this.change(tx, cur, {
        to: ending.as === 'expired' ? 'expired' : 'revoked',
        patch: {
          endedAt,
          endReason: ending.reason,
          ending: null,
          // An open break-glass review outlives the access; anything else waiting ends with it.
          awaiting: cur.awaiting === 'review' ? 'review' : null,
          lastError: null,
          nextAttemptAt: null,
          ...(cur.awaiting === 'extension' && cur.extension
            ? {
                extension: {
                  ...cur.extension,
                  status: 'rejected' as const,
                  reason: 'Access ended',
                },
              }
            : {}),
        },
        action: ending.as === 'expired' ? 'access-expired' : 'access-revoked',
        actor: ending.by,
        severity: ending.as === 'revoked' ? 'high' : 'medium',
        details: {
          reason: ending.reason,
          expiresAt: cur.expiresAt
            ? new Date(cur.expiresAt).toISOString()
            : undefined,
          lagMs:
            ending.as === 'expired' && cur.expiresAt
              ? endedAt - cur.expiresAt
              : undefined,
        },
      });
      changes.push({
        request: changed,
        action: ending.as === 'expired' ? 'access-expired' : 'access-revoked',
        actor: ending.by,
        // The holder who ended their own access is not told about it.
        notifyRequester: ending.by !== cur.requester,
      });
    });
    await this.deps.events.emit(changes);
    return changes.length ? 'ended' : 'skipped';
  }

  /**
   * The expiry task's body: ends every grant that ran out or whose revocation is due, and
   * retries clean-ups of failed grants and extensions the target has not confirmed. One
   * run at a time in this process (the task and its watchdog share it), so at most
   * `access.expiry.revokeConcurrency` revocations run at once here.
   */
  runExpiry(): Promise<{ ended: number; retried: number }> {
    if (!this.expiryRun) {
      this.expiryRun = this.expireAll().finally(() => {
        this.expiryRun = undefined;
      });
    }
    return this.expiryRun;
  }

  private expiryRun?: Promise<{ ended: number; retried: number }>;

  private async expireAll(): Promise<{ ended: number; retried: number }> {
    let ended = 0;
    let retried = 0;
    for (const r of await this.deps.store.findFailedCleanup(this.now(), 100)) {
      if (
        (await this.cleanupFailedGrant(r.id).catch(() => 'retry')) === 'retry'
      )
        retried++;
    }
    // Grants whose provisioner changes nothing outside Backstage end in bulk.
    // Each batch's notices go out while the next batch is ended.
    const noop = this.deps.provisioners.noopIds();
    // One batch's notices in flight at a time, so memory stays bounded.
    let notices: Promise<void> = Promise.resolve();
    for (;;) {
      const batch = await this.expireInBulk(noop, BULK_EXPIRY_BATCH);
      ended += batch.length;
      await notices;
      notices = this.deps.events.emit(
        batch.map(r => ({
          request: r,
          action: 'access-expired',
          actor: 'system',
          notifyRequester: true,
          summarized: true,
        })),
      );
      if (batch.length < BULK_EXPIRY_BATCH) break;
    }
    await notices;
    for (const r of await this.deps.store.findExtendsDue(this.now(), 100)) {
      if ((await this.extendInTarget(r.id).catch(() => 'retry')) === 'retry')
        retried++;
    }
    const concurrency = this.deps.config.revokeConcurrency;
    for (;;) {
      const due = await this.deps.store.findGrantsToEnd(this.now(), 500);
      if (due.length === 0) break;
      let progressed = 0;
      const results = await mapLimit(due, concurrency, r =>
        this.endGrant(r.id).catch(() => 'retry' as const),
      );
      for (const res of results) {
        if (res === 'ended') ended++;
        if (res === 'retry') retried++;
        if (res !== 'skipped') progressed++;
      }
      // Everything left is backing off or was taken by someone else.
      if (progressed === 0 || due.length < 500) break;
    }
    return { ended, retried };
  }

  /**
   * Ends a batch of run-out grants of no-op provisioners in one transaction: the same
   * result and audit entries as {@link AccessRequestService.endGrant}, without a round
   * trip per grant. The caller publishes the events.
   */
  private async expireInBulk(
    provisioners: string[],
    limit: number,
  ): Promise<RequestRecord[]> {
    if (!provisioners.length) return [];
    const now = this.now();
    let ended: RequestRecord[] = [];
    await this.deps.store.transaction(async tx => {
      ended = await this.deps.store.expireWithoutProvisioner(tx, {
        now,
        provisioners,
        limit,
      });
      const entries: NewAuditRecord[] = ended.map(r => ({
        at: now,
        actor: 'system',
        action: 'access-expired',
        requestId: r.id,
        severity: 'medium',
        fromStatus: 'granted',
        toStatus: 'expired',
        details: {
          reason: 'Access expired',
          expiresAt: new Date(r.expiresAt!).toISOString(),
          lagMs: now - r.expiresAt!,
        },
      }));
      await this.deps.store.insertAuditMany(tx, entries);
      await this.deps.outbox?.enqueueMany(
        tx,
        entries.map((entry, i) => ({ entry, request: ended[i] })),
      );
    });
    return ended;
  }

  /** Whether some access waits more than `ms` past when it should have ended. */
  async hasOverdueEnds(ms: number): Promise<boolean> {
    return this.deps.store.hasOverdueEnds(this.now() - ms);
  }

  /** Tells holders, once per grant (again after an extension), that their access ends soon. */
  async notifyExpiringSoon(): Promise<number> {
    const notice = this.deps.config.expiringSoonNoticeSeconds;
    if (!notice) return 0;
    const now = this.now();
    const due = await this.deps.store.findExpiringUnnotified(
      now + notice * 1000,
      500,
    );
    let told = 0;
    for (const r of due) {
      if (!(await this.deps.store.markExpiryNotified(r.id, r.expiresAt!, now)))
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

  /** Pending requests nobody decided end as expired after `access.pendingTimeout`. */
  async runPendingTimeout(): Promise<number> {
    const timeoutMs = this.deps.config.pendingTimeoutSeconds * 1000;
    // Requests whose grant never finished (the backend died mid-grant) are granted now;
    // provisioners are idempotent, so a grant that did happen is not done twice. Five
    // minutes: well beyond a provisioner call with its own timeouts and retries.
    for (const r of await this.deps.store.findStuckGranting(
      this.now() - 5 * 60_000,
      100,
    )) {
      await this.grant(r.id, 'system').catch(e =>
        this.deps.logger.warn(`access: grant of ${r.id} failed: ${e}`),
      );
    }
    await this.deps.store.deleteIdempotencyBefore(this.now() - 24 * 3600_000);
    // Requests whose checks never finished (the backend died meanwhile) are decided now.
    for (const r of await this.deps.store.findUndecided(
      this.now() - 60_000,
      100,
    )) {
      await this.runChecks(r.id).catch(e =>
        this.deps.logger.warn(`access: checks of ${r.id} failed: ${e}`),
      );
    }
    let count = 0;
    for (;;) {
      const stale = await this.deps.store.findPendingBefore(
        this.now() - timeoutMs,
        500,
      );
      for (const r of stale) {
        if (await this.timeOut(r.id)) count++;
      }
      if (stale.length < 500) break;
    }
    return count;
  }

  private async timeOut(id: string): Promise<boolean> {
    const now = this.now();
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const cur = await this.load(id, tx);
      if (cur.status !== 'pending') return;
      const changed = await this.change(tx, cur, {
        to: 'expired',
        patch: {
          awaiting: null,
          endedAt: now,
          endReason: `Nobody decided within ${formatDuration(
            this.deps.config.pendingTimeoutSeconds,
          )}`,
        },
        action: 'request-timed-out',
        actor: 'system',
      });
      changes.push({
        request: changed,
        action: 'request-timed-out',
        actor: 'system',
        notifyRequester: true,
      });
    });
    await this.deps.events.emit(changes);
    return changes.length > 0;
  }

  // ---------------------------------------------------------------- the single writer

  /** Writes an audit entry and, in the same transaction, the webhook events it makes. */
  private async audit(
    tx: Knex | Knex.Transaction,
    entry: NewAuditRecord,
    request?: RequestRecord,
  ): Promise<void> {
    await this.deps.store.insertAudit(tx, entry);
    await this.deps.outbox?.enqueue(tx, entry, request);
  }

  /**
   * Applies one guarded change and its audit entry inside the caller's transaction.
   * Throws 409 when another writer changed the request first.
   */
  private async change(
    tx: Knex.Transaction,
    r: RequestRecord,
    spec: TransitionSpec & { conflict?: string },
  ): Promise<RequestRecord> {
    const now = this.now();
    if (spec.to && !canTransition(r.status, spec.to)) {
      throw new ConflictError(
        `Request ${r.id} is ${r.status} and cannot become ${spec.to}`,
      );
    }
    const patch: RequestPatch = { ...spec.patch };
    if (spec.to) patch.status = spec.to;
    const ok = await this.deps.store.updateRequest(
      tx,
      r.id,
      { status: r.status, ...spec.guard },
      patch,
      now,
    );
    if (!ok)
      throw new ConflictError(
        spec.conflict ??
          `Request ${r.id} changed meanwhile; reload and try again`,
      );
    const updated: RequestRecord = { ...r, updatedAt: now };
    for (const [k, v] of Object.entries(patch)) {
      (updated as any)[k] = v === null ? undefined : v;
    }
    await this.audit(
      tx,
      {
        at: now,
        actor: spec.actor,
        action: spec.action,
        requestId: r.id,
        severity: spec.severity ?? 'medium',
        fromStatus: spec.to ? r.status : undefined,
        toStatus: spec.to,
        details: spec.details ?? {},
      },
      updated,
    );
    return updated;
  }
}

/** A check's context, or (in `unreadable`) why the catalog could not provide it. */
interface CheckInput {
  context: Omit<AccessCheckContext, 'signal'>;
  unreadable?: string;
}

/** Check results as audit entries record them. */
function checksForAudit(results: AccessCheckResult[]) {
  return results.map(x => ({
    id: x.checkId,
    outcome: x.outcome,
    detail: x.detail,
  }));
}
