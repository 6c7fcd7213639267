import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { Progress, WarningPanel } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { accessAdminPermission } from '@jit-access/plugin-access-common';
import { useSearchParams } from 'react-router-dom';
import { AllRequestsTab } from './AllRequestsTab';
import { AuditTab } from './AuditTab';
import { FlowsTab } from './FlowsTab';

const TABS = [
  { id: 'requests', label: 'All requests' },
  { id: 'flows', label: 'Flows' },
  { id: 'audit', label: 'Audit log' },
] as const;

function AdminTabs() {
  const [params, setParams] = useSearchParams();
  const tab = TABS.find(t => t.id === params.get('tab'))?.id ?? 'requests';
  return (
    <>
      <Tabs
        value={tab}
        onChange={(_e, value) => {
          const next = new URLSearchParams(params);
          if (value === 'requests') next.delete('tab');
          else next.set('tab', value);
          setParams(next, { replace: true });
        }}
        indicatorColor="primary"
        textColor="primary"
        aria-label="Access administration"
      >
        {TABS.map(t => (
          <Tab
            key={t.id}
            value={t.id}
            label={t.label}
            id={`access-admin-tab-${t.id}`}
            aria-controls={`access-admin-panel-${t.id}`}
          />
        ))}
      </Tabs>
      <Box
        mt={2}
        role="tabpanel"
        id={`access-admin-panel-${tab}`}
        aria-labelledby={`access-admin-tab-${tab}`}
      >
        {tab === 'requests' && <AllRequestsTab />}
        {tab === 'flows' && <FlowsTab />}
        {tab === 'audit' && <AuditTab />}
      </Box>
    </>
  );
}

/**
 * Access administration: every request (with revoke), the configured flows and which
 * entities they match, and the audit log with CSV export. Guards itself with
 * `access.admin`, so it is safe to mount even where navigation does not hide it.
 *
 * @public
 */
export function AdminPage() {
  const { loading, allowed } = usePermission({
    permission: accessAdminPermission,
  });
  if (loading) return <Progress />;
  if (!allowed)
    return (
      <WarningPanel
        severity="info"
        title="You need the access.admin permission"
        message="This page lists every access request, the configured flows and the audit log. Ask your Backstage admins to grant you the access.admin permission in the permission policy."
      />
    );
  return <AdminTabs />;
}
