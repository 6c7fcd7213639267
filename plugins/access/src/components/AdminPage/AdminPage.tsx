import { accessAdminPermission } from '@jit-access/plugin-access-common';
import { PermissionGate, SearchParamTabs } from '../shared';
import { AllRequestsTab } from './AllRequestsTab';
import { AuditTab } from './AuditTab';
import { FlowsTab } from './FlowsTab';

const TABS = [
  { id: 'requests', label: 'All requests', content: <AllRequestsTab /> },
  { id: 'flows', label: 'Flows', content: <FlowsTab /> },
  { id: 'audit', label: 'Audit log', content: <AuditTab /> },
];

/**
 * Access administration: every request (with revoke), the configured flows and which
 * entities they match, and the audit log with CSV export. Guards itself with
 * `access.admin`, so it is safe to mount even where navigation does not hide it.
 *
 * @public
 */
export function AdminPage() {
  return (
    <PermissionGate
      permission={accessAdminPermission}
      title="You need the access.admin permission"
      message="This page lists every access request, the configured flows and the audit log. Ask your Backstage admins to grant you the access.admin permission in the permission policy."
    >
      <SearchParamTabs
        tabs={TABS}
        label="Access administration"
        idPrefix="access-admin"
      />
    </PermissionGate>
  );
}
