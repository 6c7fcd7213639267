// Seeds the access plugin's tables directly (multi-row inserts through knex), after the
// plugin has run its migrations. The rows match plugins/access-backend/migrations: every
// NOT NULL column without a default is filled, JSON columns hold what AccessStore writes.
// checkSchema() refuses to seed when the tables have changed in a way this file does not
// know, naming the columns, so that a migration cannot silently make the bench wrong.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const {
  resourceRef,
  resourceCount,
  approversOfResource,
  otherUser,
  REQUESTER,
  APPROVER,
} = require('./entities.cjs');

const DAY = 86_400_000;
const TERMINAL = [
  ['expired', 'Access expired'],
  ['expired', 'Access expired'],
  ['expired', 'Access expired'],
  ['revoked', 'Revoked by the holder'],
  ['rejected', 'not needed'],
  ['cancelled', undefined],
  ['failed', 'Provisioner "none" failed: bench'],
];

/** A full access_requests row (column names as in the migrations). */
export function requestRow(o) {
  const createdAt = o.createdAt;
  return {
    id: o.id ?? randomUUID(),
    group_id: o.groupId ?? randomUUID(),
    requester: o.requester,
    created_by: o.createdBy ?? o.requester,
    flow_id: o.flowId ?? 'bench-manual',
    flow_title: o.flowTitle ?? 'Bench manual',
    approval_type: o.approvalType ?? 'manual',
    provisioner: o.provisioner ?? 'none',
    resources: JSON.stringify(o.resources),
    justification: o.justification ?? 'bench',
    duration_seconds: o.durationSeconds ?? 3600,
    status: o.status,
    awaiting: o.awaiting ?? null,
    approvers: JSON.stringify(o.approvers ?? []),
    required_approvals: o.requiredApprovals ?? 1,
    allow_self_approval: false,
    checks: '[]',
    break_glass: false,
    review: null,
    extension: null,
    extensions_used: 0,
    extensions_allowed: 0,
    again_of: null,
    created_at: createdAt,
    updated_at: o.updatedAt ?? o.endedAt ?? o.grantedAt ?? createdAt,
    granted_at: o.grantedAt ?? null,
    expires_at: o.expiresAt ?? null,
    ended_at: o.endedAt ?? null,
    end_reason: o.endReason ?? null,
    ending: null,
    last_error: null,
    attempts: 0,
    next_attempt_at: null,
    approved_by_check: null,
    expiry_notified_at: o.expiryNotifiedAt ?? null,
  };
}

const KNOWN_COLUMNS = Object.keys(
  requestRow({
    requester: 'x',
    resources: [],
    status: 'pending',
    createdAt: 0,
  }),
);

async function columnsOf(knex, table) {
  if (knex.client.config.client === 'pg') {
    const { rows } = await knex.raw(
      `select column_name as name, is_nullable = 'YES' as nullable, column_default as dflt
         from information_schema.columns where table_schema = current_schema() and table_name = ?`,
      [table],
    );
    return rows;
  }
  const rows = await knex.raw(`pragma table_info(${table})`);
  return rows.map(r => ({
    name: r.name,
    nullable: !r.notnull,
    dflt: r.dflt_value,
  }));
}

/** Columns of the child tables this seeder fills. */
const CHILD_COLUMNS = {
  access_request_entities: ['request_id', 'entity_ref', 'created_at'],
  access_request_approvers: ['request_id', 'approver', 'created_at', 'open'],
};

/** Throws when an access table has a required column this seeder does not fill. */
export async function checkSchema(knex) {
  for (const [table, known] of Object.entries(CHILD_COLUMNS)) {
    const unknownRequired = (await columnsOf(knex, table)).filter(
      c =>
        !c.nullable &&
        (c.dflt === null || c.dflt === undefined) &&
        !known.includes(c.name),
    );
    if (unknownRequired.length) {
      throw new Error(
        `The ${table} schema changed; update bench/lib/seed.mjs. Required columns the seeder does not fill: ${unknownRequired
          .map(c => c.name)
          .join(', ')}`,
      );
    }
  }
  const cols = await columnsOf(knex, 'access_requests');
  if (!cols.length)
    throw new Error('access_requests does not exist: did the plugin migrate?');
  const names = new Set(cols.map(c => c.name));
  const unknownRequired = cols.filter(
    c =>
      !c.nullable &&
      (c.dflt === null || c.dflt === undefined) &&
      !KNOWN_COLUMNS.includes(c.name),
  );
  const gone = KNOWN_COLUMNS.filter(c => !names.has(c));
  if (unknownRequired.length || gone.length) {
    throw new Error(
      `The access_requests schema changed; update bench/lib/seed.mjs (requestRow). ` +
        `Required columns the seeder does not fill: ${
          unknownRequired.map(c => c.name).join(', ') || 'none'
        }; ` +
        `columns the seeder writes that no longer exist: ${
          gone.join(', ') || 'none'
        }`,
    );
  }
  return { columns: cols.length };
}

function chunkSize(knex, columns) {
  // PostgreSQL allows 65,535 bind parameters per statement, SQLite 32,766 and (knex writes
  // multi-row inserts as a compound SELECT there) 500 terms.
  if (knex.client.config.client === 'pg')
    return Math.max(1, Math.min(1000, Math.floor(65_000 / columns)));
  return Math.max(1, Math.min(400, Math.floor(32_000 / columns)));
}

/** Multi-row inserts, a few statements in flight on PostgreSQL. */
export async function insertRows(knex, table, rows) {
  if (!rows.length) return;
  if (knex.client.config.client === 'pg') {
    // One statement per 5,000 rows: PostgreSQL expands a JSON array into rows of the
    // table's own type (much faster than knex building 35-column VALUES lists).
    const cols = Object.keys(rows[0]);
    const list = cols.map(c => `"${c}"`).join(', ');
    const chunks = [];
    for (let i = 0; i < rows.length; i += 5000)
      chunks.push(rows.slice(i, i + 5000));
    let next = 0;
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++];
          await knex.raw(
            `insert into ${table} (${list}) select ${list} from json_populate_recordset(null::${table}, ?::json)`,
            [JSON.stringify(chunk)],
          );
        }
      }),
    );
    return;
  }
  const size = chunkSize(knex, Object.keys(rows[0]).length);
  const chunks = [];
  for (let i = 0; i < rows.length; i += size)
    chunks.push(rows.slice(i, i + size));
  const parallel = knex.client.config.client === 'pg' ? 4 : 1;
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        await knex(table).insert(chunk);
      }
    }),
  );
}

/** Inserts requests with their entity and approver rows, as AccessStore.insertRequest does. */
export async function insertRequests(
  knex,
  requests,
  { entities = true, approvers = true } = {},
) {
  const rows = requests.map(requestRow);
  await insertRows(knex, 'access_requests', rows);
  if (entities) {
    await insertRows(
      knex,
      'access_request_entities',
      rows.flatMap(r =>
        [...new Set(JSON.parse(r.resources).map(x => x.entityRef))].map(
          entity_ref => ({
            request_id: r.id,
            entity_ref,
            created_at: r.created_at,
          }),
        ),
      ),
    );
  }
  if (approvers) {
    // Since the approver-queue migration, approver rows also carry the request's creation
    // time and whether it waits for a decision.
    const cols = new Set(
      (await columnsOf(knex, 'access_request_approvers')).map(c => c.name),
    );
    await insertRows(
      knex,
      'access_request_approvers',
      rows.flatMap(r =>
        JSON.parse(r.approvers).map(approver => ({
          request_id: r.id,
          approver,
          ...(cols.has('created_at') ? { created_at: r.created_at } : {}),
          ...(cols.has('open') ? { open: r.awaiting !== null } : {}),
        })),
      ),
    );
  }
}

/**
 * Stops the backend's work on grants that are still due (an expiry run cut off by its
 * timeout): moves their end to tomorrow, then waits for the ones already claimed to finish.
 */
export async function parkActiveGrants(knex, timeoutMs = 30_000) {
  const tomorrow = Date.now() + 86_400_000;
  await knex('access_requests')
    .where({ status: 'granted' })
    .whereNull('ending')
    .update({ expires_at: tomorrow });
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const row = await knex('access_requests')
      .where({ status: 'granted' })
      .whereNotNull('ending')
      .count({ n: '*' })
      .first();
    if (Number(row.n) === 0) return;
    await new Promise(r => setTimeout(r, 500));
  }
}

/** Empties every access table (the plugin keeps running). */
export async function truncateAccess(knex) {
  for (let attempt = 1; ; attempt++) {
    try {
      await truncateOnce(knex);
      return;
    } catch (e) {
      // The backend's tasks may hold row locks for a moment (deadlock, busy).
      if (attempt >= 5 || !/deadlock|busy|locked/i.test(String(e.message)))
        throw e;
      await new Promise(r => setTimeout(r, 1000 * attempt));
    }
  }
}

async function truncateOnce(knex) {
  const tables = [
    'access_details',
    'access_favorites',
    'access_approvals',
    'access_request_approvers',
    'access_request_entities',
    'access_audit',
    'access_idempotency',
    'access_requests',
  ];
  if (knex.client.config.client === 'pg') {
    await knex.raw(`truncate ${tables.join(', ')} cascade`);
  } else {
    for (const t of tables) await knex(t).delete();
  }
}

export async function analyze(knex) {
  if (knex.client.config.client === 'pg') await knex.raw('analyze');
  else await knex.raw('analyze');
}

function ended(status, createdAt, endReason) {
  const grantedAt = ['expired', 'revoked'].includes(status)
    ? createdAt + 60_000
    : undefined;
  return {
    status,
    grantedAt,
    expiresAt: grantedAt ? grantedAt + 3_600_000 : undefined,
    endedAt: grantedAt ? grantedAt + 3_600_000 : createdAt + 120_000,
    endReason,
  };
}

/** A small deterministic random generator, so every run seeds the same data. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * The listing dataset: the requester's `mine` requests (newest 10 pending, next 20 active,
 * the rest ended, spread over a year), the approver's `approverPending` requests waiting for
 * them (last 6 days), and `noise` requests by 200 other users (spread over a year; those
 * younger than 6 days may be pending or active). Noise requests have 2 approvers from the
 * owning team; the approver's requests have the approver and 2 others.
 */
export function listingRequests({
  now,
  catalogEntities,
  mine = 0,
  approverPending = 0,
  noise = 0,
  seed = 1,
}) {
  const random = rng(seed);
  const resources = resourceCount(catalogEntities);
  const pick = () => Math.floor(random() * resources);
  const out = [];
  for (let i = 0; i < mine; i++) {
    const k = pick();
    const createdAt = now - 60_000 - Math.floor((i / mine) * 365 * DAY);
    const base = {
      requester: REQUESTER,
      resources: [{ entityRef: resourceRef(k), permissions: ['read'] }],
      approvers: approversOfResource(k).slice(0, 2),
      createdAt,
    };
    if (i < 10 && now - createdAt < 6 * DAY) {
      out.push({ ...base, status: 'pending', awaiting: 'approval' });
    } else if (i < 30 && now - createdAt < 6 * DAY) {
      out.push({
        ...base,
        status: 'granted',
        grantedAt: createdAt + 60_000,
        expiresAt: now + 2 * 3_600_000 + i * 60_000,
      });
    } else {
      const [status, reason] = TERMINAL[i % TERMINAL.length];
      out.push({ ...base, ...ended(status, createdAt, reason) });
    }
  }
  for (let j = 0; j < approverPending; j++) {
    const k = pick();
    out.push({
      requester: otherUser(j),
      resources: [{ entityRef: resourceRef(k), permissions: ['read'] }],
      approvers: [APPROVER, ...approversOfResource(k).slice(0, 2)].sort(),
      createdAt:
        now - 30_000 - Math.floor((j / Math.max(1, approverPending)) * 6 * DAY),
      status: 'pending',
      awaiting: 'approval',
    });
  }
  for (let j = 0; j < noise; j++) {
    const k = pick();
    const createdAt = now - 60_000 - Math.floor(random() * 365 * DAY);
    const base = {
      requester: otherUser(j + seed),
      resources: [{ entityRef: resourceRef(k), permissions: ['read'] }],
      approvers: approversOfResource(k).slice(0, 2),
      createdAt,
    };
    const young = now - createdAt < 6 * DAY;
    const roll = random();
    if (young && roll < 0.3)
      out.push({ ...base, status: 'pending', awaiting: 'approval' });
    else if (young && roll < 0.5)
      out.push({
        ...base,
        status: 'granted',
        grantedAt: createdAt + 60_000,
        expiresAt: now + DAY + j,
        expiryNotifiedAt: undefined,
      });
    else {
      const [status, reason] = TERMINAL[j % TERMINAL.length];
      out.push({ ...base, ...ended(status, createdAt, reason) });
    }
  }
  return out;
}

/** `count` active grants on `provisioner`, expiring tomorrow (moved to "now" by the bench). */
export function grantRequests({
  now,
  catalogEntities,
  count,
  provisioner = 'none',
}) {
  const resources = resourceCount(catalogEntities);
  const out = [];
  for (let j = 0; j < count; j++) {
    const k = j % resources;
    out.push({
      requester: otherUser(j),
      resources: [{ entityRef: resourceRef(k), permissions: ['read'] }],
      approvers: approversOfResource(k).slice(0, 2),
      provisioner,
      createdAt: now - 3_600_000,
      status: 'granted',
      grantedAt: now - 3_600_000,
      expiresAt: now + DAY,
      // The holder was told already (as 15 minutes before the end in real life).
      expiryNotifiedAt: now - 60_000,
    });
  }
  return out;
}
