import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The access pages' root (`/access` in the example app): My Access. @public */
export const rootRouteRef = createRouteRef({ id: 'access' });

/** New Request (`/access/new`); deep links: `?entity=<ref>&permission=<name>`. @public */
export const newRequestRouteRef = createSubRouteRef({
  id: 'access/new',
  parent: rootRouteRef,
  path: '/new',
});

/** Approvals (`/access/approvals`). @public */
export const approvalsRouteRef = createSubRouteRef({
  id: 'access/approvals',
  parent: rootRouteRef,
  path: '/approvals',
});

/** Admin (`/access/admin`), for holders of `access.admin`. @public */
export const adminRouteRef = createSubRouteRef({
  id: 'access/admin',
  parent: rootRouteRef,
  path: '/admin',
});

/** One request (`/access/requests/:id`): where notifications link to. @public */
export const requestRouteRef = createSubRouteRef({
  id: 'access/request',
  parent: rootRouteRef,
  path: '/requests/:id',
});
