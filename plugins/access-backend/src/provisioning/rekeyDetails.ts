import { LoggerService } from '@backstage/backend-plugin-api';
import { DetailsRekeyStore } from '../database/details/DetailsRekeyStore';
import { DetailsCipher, DetailsKeyError } from './DetailsCipher';

/** The task that moves access details onto the current key. */
export const DETAILS_REKEY_TASK_ID = 'access-details-rekey';

const PAGE = 500;

/**
 * Re-encrypts the access details of active grants that a previous key encrypted with the
 * current key, so that the previous key can be removed; reports those no configured key
 * decrypts (their holders cannot see them).
 */
export async function rekeyDetails(deps: {
  store: DetailsRekeyStore;
  cipher: DetailsCipher;
  logger: LoggerService;
}): Promise<{ rekeyed: number; unreadable: string[] }> {
  const { store, cipher, logger } = deps;
  let rekeyed = 0;
  const unreadable: string[] = [];
  let reason = '';
  for (let after = ''; ; ) {
    const rows = await store.page(after, PAGE);
    for (const { requestId, ciphertext } of rows) {
      if (cipher.isCurrent(ciphertext)) continue;
      try {
        const details = cipher.decrypt(requestId, ciphertext);
        const fresh = cipher.encrypt(requestId, details);
        if (await store.replace(requestId, ciphertext, fresh)) rekeyed++;
      } catch (e) {
        if (!(e instanceof DetailsKeyError)) throw e;
        unreadable.push(requestId);
        reason = e.message;
      }
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1].requestId;
  }
  if (rekeyed) {
    logger.info(
      `access: re-encrypted the access details of ${rekeyed} active grant(s) with key "${cipher.currentKeyId}"`,
    );
  }
  if (unreadable.length) {
    logger.warn(
      `access: the access details of ${
        unreadable.length
      } active grant(s) cannot be decrypted with any configured key, so their holders cannot see them (e.g. ${unreadable
        .slice(0, 5)
        .join(', ')}: the value ${reason})`,
    );
  }
  return { rekeyed, unreadable };
}
