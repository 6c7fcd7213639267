import { z } from 'zod';

/** A catalog namespace, as the catalog allows them (DNS labels). */
const namespace = z
  .string()
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/i,
    'must be a catalog namespace (letters, digits and -), like default',
  )
  .max(63);

/** A location ref prefix, `<type>:<target>`, as the catalog writes the annotation. */
const origin = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]*:\S/i,
    'must be the start of a catalog location ref, like url:https://github.com/acme/catalog/blob/main/',
  );

/** `namespaces` and `origins`: the entities a flow or provisioner trusts. */
export const entityTrustFields = {
  namespaces: z.array(namespace).min(1).optional(),
  origins: z.array(origin).min(1).optional(),
};

/** `access.provisioners.<id>.trust`. */
export const entityTrustSchema = z.object(entityTrustFields).strict();
