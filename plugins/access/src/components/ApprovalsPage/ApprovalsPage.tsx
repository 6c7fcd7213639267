import { SearchParamTabs } from '../shared';
import { DecidedTab } from './DecidedTab';
import { WaitingTab } from './WaitingTab';

const TABS = [
  { id: 'waiting', label: 'Waiting for me', content: <WaitingTab /> },
  { id: 'decided', label: 'Decided by me', content: <DecidedTab /> },
];

/**
 * The approver's page: what waits for my decision (new requests, extensions,
 * break-glass reviews), decided one by one or several at once, and what I decided before.
 * The selected tab is kept in the URL (`?tab=decided`) so it can be linked to.
 *
 * @public
 */
export function ApprovalsPage() {
  return (
    <SearchParamTabs
      tabs={TABS}
      label="Approvals"
      idPrefix="access-approvals"
    />
  );
}
