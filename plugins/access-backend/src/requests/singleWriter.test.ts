import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import { RequestWriteMethod } from './RequestDeps';

/*
 * Every change of a request row goes through RequestWriter: the use cases get the store
 * without its write methods (RequestReadStore), and this test catches a cast around that.
 */

const SRC = path.resolve(__dirname, '..');
const WRITES: Record<RequestWriteMethod, true> = {
  insertRequest: true,
  updateRequest: true,
  expireWithoutProvisioner: true,
  clearExtendPending: true,
  markExpiryNotified: true,
};

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

describe('the single writer', () => {
  it('is the only code outside the database layer that writes a request row', () => {
    const calls = new RegExp(`\\.(${Object.keys(WRITES).join('|')})\\(`);
    const writers = productionFiles(SRC)
      .filter(f => !f.startsWith(path.join(SRC, 'database') + path.sep))
      .filter(f => calls.test(readFileSync(f, 'utf8')))
      .map(f => path.relative(SRC, f));
    expect(writers).toEqual([path.join('requests', 'RequestWriter.ts')]);
  });
});
