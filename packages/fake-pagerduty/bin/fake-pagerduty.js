#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Runs the fake PagerDuty API until killed:
 *
 *   node packages/fake-pagerduty/bin/fake-pagerduty.js --port 7011 --data examples/pagerduty.yaml
 */

const { parseArgs } = require('node:util');
const { startFakePagerDuty } = require('../src/index.js');

const USAGE = `Usage: fake-pagerduty [--port 7011] [--host 127.0.0.1] [--data file.yaml]

A local stand-in for the PagerDuty REST API v2 (users, schedules, on-calls, services,
incidents). Requests need "Authorization: Token token=<any token>" (or the data file's
apiToken). Admin: PUT /__admin/oncalls, PUT /__admin/incidents (JSON list), POST /__admin/reset.`;

async function main() {
  /** @type {{ port?: string, host?: string, data?: string, help?: boolean }} */
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        data: { type: 'string', short: 'd' },
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
  const port = Number(values.port ?? 7011);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, not "${values.port}"`);
    process.exit(2);
  }
  const fake = await startFakePagerDuty({
    port,
    host: values.host ?? '127.0.0.1',
    dataFile: values.data,
  });
  console.log(`fake PagerDuty listening on ${fake.url}`);

  const stop = () => {
    fake.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(e => {
  console.error(
    `fake PagerDuty could not start: ${e instanceof Error ? e.message : e}`,
  );
  process.exit(1);
});
