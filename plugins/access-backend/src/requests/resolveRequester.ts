import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogDirectory, DirectoryUser } from '../flows/CatalogDirectory';
import { Caller } from './RequestDeps';

/**
 * The person a submission is for: only services act for others. `inCatalog` is false for
 * a signed-in user the catalog does not know (still matched by `'*'` flows).
 */
export async function resolveRequester(
  directory: CatalogDirectory,
  caller: Caller,
  requester?: string,
): Promise<DirectoryUser & { inCatalog: boolean }> {
  if (caller.type === 'service') {
    if (!requester)
      throw new InputError(
        'requester: a service must say which user the request is for',
      );
    const user = await directory.findUser(requester);
    if (!user)
      throw new InputError(`requester: no user "${requester}" in the catalog`);
    return { ...user, inCatalog: true };
  }
  if (requester !== undefined) {
    const user = await directory.findUser(requester);
    if (!user || user.ref !== caller.ref) {
      throw new NotAllowedError(
        'requester: users can only request access for themselves',
      );
    }
  }
  const self = await directory.findUser(caller.ref);
  return self
    ? { ...self, inCatalog: true }
    : { ref: caller.ref, groups: [], inCatalog: false };
}
