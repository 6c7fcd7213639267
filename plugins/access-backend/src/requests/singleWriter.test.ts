import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import { RequestStore } from '../database/requests/RequestStore';
import { RequestReadStore, RequestWriteMethod } from './RequestDeps';

/*
 * Every change of a request row goes through RequestWriter: the use cases get the store
 * with its request store stripped of the write methods (RequestReadStore), and this test
 * catches a cast around that.
 */

const SRC = path.resolve(__dirname, '..');
const WRITES: Record<RequestWriteMethod, true> = {
  insertRequest: true,
  updateRequest: true,
  expireWithoutProvisioner: true,
  clearExtendPending: true,
  markExpiryNotified: true,
};

/** A write method named as a property, called or not: `.updateRequest(`, `['updateRequest']`. */
const WRITE_ACCESS = new RegExp(
  `(\\.\\s*|\\[\\s*['"\`])(${Object.keys(WRITES).join('|')})\\b`,
);

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory())
      return e.name === '__testUtils__' ? [] : productionFiles(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)
      ? [full]
      : [];
  });
}

// Compile-time: the names are the request store's, and the use cases' store has none of them.
const namesExist: RequestWriteMethod extends keyof RequestStore ? true : false =
  true;
const noneLeaked: [
  Extract<
    keyof RequestReadStore | keyof RequestReadStore['requests'],
    RequestWriteMethod
  >,
] extends [never]
  ? true
  : false = true;

describe('the single writer', () => {
  it('is the only code outside the database layer that writes a request row', () => {
    const writers = productionFiles(SRC)
      .filter(f => !f.startsWith(path.join(SRC, 'database') + path.sep))
      .filter(f => WRITE_ACCESS.test(readFileSync(f, 'utf8')))
      .map(f => path.relative(SRC, f));
    expect(writers).toEqual([path.join('requests', 'RequestWriter.ts')]);
  });

  it('spots a request write however the store is reached', () => {
    for (const write of [
      'await this.deps.store.requests.updateRequest(tx, id, guard, patch, now);',
      'await store.requests.insertRequest(tx, record);',
      '(store as AccessStore).requests.markExpiryNotified(id, at, now)',
      'store.requests\n      .clearExtendPending(id, at)',
      "store.requests['expireWithoutProvisioner'](tx, opts)",
      'const end = requests.expireWithoutProvisioner.bind(requests);',
    ]) {
      expect(write).toMatch(WRITE_ACCESS);
    }
    for (const read of [
      'await this.deps.store.requests.getRequest(id);',
      'store.requests.findExtendsDue(now, 100)',
      "| 'updateRequest'",
    ]) {
      expect(read).not.toMatch(WRITE_ACCESS);
    }
  });

  it('leaves the use cases a store without request writes', () => {
    expect([namesExist, noneLeaked]).toEqual([true, true]);
  });
});
