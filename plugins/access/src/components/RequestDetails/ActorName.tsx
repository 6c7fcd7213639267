import { parseEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';

/** The catalog kinds an actor ref may link to; anything else is shown as text. */
const LINKABLE_KINDS = ['user', 'group'];

/**
 * Who did something: a catalog link for users and groups, plain text for checks
 * (`check:<id>`), services (`service:<subject>`) and `system`.
 */
export function ActorName(props: { actor: string }) {
  const { actor } = props;
  let kind: string | undefined;
  try {
    kind = parseEntityRef(actor).kind.toLocaleLowerCase('en-US');
  } catch {
    kind = undefined;
  }
  if (kind && LINKABLE_KINDS.includes(kind)) {
    return <EntityRefLink entityRef={actor} hideIcon />;
  }
  if (actor.startsWith('check:')) return <span>check {actor.slice(6)}</span>;
  if (actor.startsWith('service:'))
    return <span>service {actor.slice(8)}</span>;
  return <span>{actor}</span>;
}
