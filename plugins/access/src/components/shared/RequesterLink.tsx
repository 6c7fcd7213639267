import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { AccessRequest } from '@jit-access/plugin-access-common';

/** The user a request is for, linked to their catalog page. */
export function RequesterLink(props: { request: AccessRequest }) {
  return (
    <EntityRefLink entityRef={props.request.requester} defaultKind="user" />
  );
}
