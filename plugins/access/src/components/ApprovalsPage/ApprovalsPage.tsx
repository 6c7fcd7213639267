import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { useSearchParams } from 'react-router-dom';
import { DecidedTab } from './DecidedTab';
import { WaitingTab } from './WaitingTab';

const TABS = [
  { id: 'waiting', label: 'Waiting for me' },
  { id: 'decided', label: 'Decided by me' },
] as const;

/**
 * The approver's page: what waits for my decision (new requests, extensions,
 * break-glass reviews), decided one by one or several at once, and what I decided before.
 * The selected tab is kept in the URL (`?tab=decided`) so it can be linked to.
 *
 * @public
 */
export function ApprovalsPage() {
  const [params, setParams] = useSearchParams();
  const tab = TABS.find(t => t.id === params.get('tab'))?.id ?? 'waiting';
  return (
    <>
      <Tabs
        value={tab}
        onChange={(_e, value) => {
          const next = new URLSearchParams(params);
          if (value === 'waiting') next.delete('tab');
          else next.set('tab', value);
          setParams(next, { replace: true });
        }}
        indicatorColor="primary"
        textColor="primary"
        aria-label="Approvals"
      >
        {TABS.map(t => (
          <Tab
            key={t.id}
            value={t.id}
            label={t.label}
            id={`access-approvals-tab-${t.id}`}
            aria-controls={`access-approvals-panel-${t.id}`}
          />
        ))}
      </Tabs>
      <Box
        mt={2}
        role="tabpanel"
        id={`access-approvals-panel-${tab}`}
        aria-labelledby={`access-approvals-tab-${tab}`}
      >
        {tab === 'waiting' ? <WaitingTab /> : <DecidedTab />}
      </Box>
    </>
  );
}
