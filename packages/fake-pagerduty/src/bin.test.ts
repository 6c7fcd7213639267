import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(__dirname, '../bin/fake-pagerduty.js');
const EXAMPLE = path.resolve(__dirname, '../../../examples/pagerduty.yaml');

describe('bin/fake-pagerduty.js', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  it('serves the data file and says where', async () => {
    child = spawn(process.execPath, [BIN, '--port', '0', '--data', EXAMPLE]);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', chunk => {
        out += chunk;
        const m =
          /fake PagerDuty listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child!.on('exit', code => reject(new Error(`exited with ${code}`)));
    });
    const res = await fetch(`${url}/oncalls?user_ids[]=PSAM001`, {
      headers: { Authorization: 'Token token=demo' },
    });
    expect((await res.json()).oncalls).toEqual([
      expect.objectContaining({
        schedule: expect.objectContaining({ summary: 'SRE Primary' }),
        escalation_level: 1,
      }),
    ]);
  });

  it('refuses unknown options', async () => {
    child = spawn(process.execPath, [BIN, '--prot', '7011']);
    let err = '';
    child.stderr!.on('data', chunk => {
      err += chunk;
    });
    const code = await new Promise(resolve => child!.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain("Unknown option '--prot'");
  });
});
