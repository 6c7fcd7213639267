#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Runs the fake Freshservice API until killed:
 *
 *   node packages/fake-freshservice/bin/fake-freshservice.js --port 7013 --api-key demo --ticket 1042
 */

const { parseArgs } = require('node:util');
const { startFakeFreshservice } = require('../src/index.js');

const USAGE = `Usage: fake-freshservice [--port 7013] [--host 127.0.0.1] [--api-key KEY] [--ticket ID]...

A local stand-in for the Freshservice REST API v2 tickets (view, notes, update,
conversations). Requests need Basic auth with the API key as user name and X as password.
Admin: POST /__admin/tickets, GET /__admin/tickets/{id}, GET /__admin/calls,
PUT /__admin/ratelimit, PUT /__admin/failures, POST /__admin/reset.`;

async function main() {
  /** @type {{ port?: string, host?: string, 'api-key'?: string, ticket?: string[], help?: boolean }} */
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
        ticket: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : e}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? 7013);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, not "${values.port}"`);
    process.exit(2);
  }
  const fake = await startFakeFreshservice({
    port,
    host: values.host ?? '127.0.0.1',
    apiKey: values['api-key'],
    tickets: (values.ticket ?? []).map(id => ({ id: Number(id) })),
  });
  console.log(`fake Freshservice listening on ${fake.url}`);
  const stop = () => {
    fake.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(e => {
  console.error(
    `fake Freshservice could not start: ${e instanceof Error ? e.message : e}`,
  );
  process.exit(1);
});
