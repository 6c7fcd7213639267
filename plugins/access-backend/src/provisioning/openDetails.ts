import { LoggerService } from '@backstage/backend-plugin-api';
import { DetailsCipher, DetailsKeyError } from './DetailsCipher';

/**
 * The grantee's access details, or why they cannot be shown: a value whose key is no longer
 * configured is said to the grantee and logged, never a failure of the whole answer.
 */
export function openDetails(
  deps: { cipher: DetailsCipher; logger: LoggerService },
  requestId: string,
  sealed: string,
): { accessDetails: Record<string, string> } | { accessDetailsError: string } {
  try {
    return { accessDetails: deps.cipher.decrypt(requestId, sealed) };
  } catch (e) {
    const known = e instanceof DetailsKeyError;
    deps.logger.error(
      `access: the access details of ${requestId} cannot be shown to the grantee: the value ${
        known ? e.message : `does not decrypt (${e})`
      }`,
    );
    return {
      accessDetailsError: known
        ? e.forGrantee
        : 'Your access details cannot be shown: they could not be decrypted.',
    };
  }
}
