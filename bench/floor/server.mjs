// The floor of "submit one": a bare Express + knex handler on the same database engine
// that, per POST /requests, parses the same JSON body and inserts one equivalent row (all
// the columns of access_requests, into a table with the same columns and indexes) in one
// transaction, and answers 201 with it. No authentication, no permission check, no
// catalog, no audit: what is left is HTTP, JSON and one indexed insert.
//
//   node bench/floor/server.mjs --port 17101 --client pg --connection '{"host":...}' --table bench_floor_requests
import express from 'express';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    client: { type: 'string', default: 'pg' },
    connection: { type: 'string' },
    table: { type: 'string', default: 'bench_floor_requests' },
  },
});

const knex = knexFactory({
  client: values.client,
  connection: JSON.parse(values.connection),
  useNullAsDefault: true,
  // As Backstage configures its PostgreSQL pools (knex's default max of 10).
  pool: values.client === 'pg' ? { min: 0, max: 10 } : undefined,
});

const app = express();
app.use(express.json({ limit: '1mb' }));
app.post('/requests', async (req, res) => {
  const body = req.body ?? {};
  const now = Date.now();
  const row = {
    id: randomUUID(),
    group_id: randomUUID(),
    requester: 'user:default/bench-requester',
    created_by: 'user:default/bench-requester',
    flow_id: 'bench-manual',
    flow_title: 'Bench manual',
    approval_type: 'manual',
    provisioner: 'none',
    resources: JSON.stringify(body.resources ?? []),
    justification: body.justification ?? '',
    duration_seconds: body.durationSeconds ?? 3600,
    status: 'pending',
    awaiting: 'approval',
    approvers: '[]',
    required_approvals: 1,
    allow_self_approval: false,
    checks: '[]',
    break_glass: false,
    extensions_used: 0,
    extensions_allowed: 0,
    created_at: now,
    updated_at: now,
    attempts: 0,
  };
  try {
    await knex.transaction(async tx => {
      await tx(values.table).insert(row);
    });
    res.status(201).json({ items: [row] });
  } catch (e) {
    res.status(500).json({ error: { message: String(e) } });
  }
});
app.get('/health', (_req, res) => res.json({ ok: true }));

const server = app.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`floor listening on ${values.port}\n`);
});
const stop = () =>
  server.close(() => knex.destroy().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
