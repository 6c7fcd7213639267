// Preview items as the backend answers POST /requests/preview, for the HTTP component
// tests (not part of the plugin's exports).
import { AccessPreviewItem } from '@jit-access/plugin-access-common';

/**
 * An item with sensible defaults: read on orders-db through the manual "Production
 * databases" flow, one approval from dana or erin, 2h of at most 8h, justification
 * required.
 */
export function previewItem(
  over: Partial<AccessPreviewItem> = {},
): AccessPreviewItem {
  return {
    entityRef: 'resource:default/orders-db',
    permissions: ['read'],
    flowId: 'prod-db',
    flowTitle: 'Production databases',
    approvalType: 'manual',
    approvers: ['user:default/dana', 'user:default/erin'],
    requiredApprovals: 1,
    checks: [],
    durationSeconds: 2 * 3600,
    maxDurationSeconds: 8 * 3600,
    justificationRequired: true,
    autoApproved: false,
    ...over,
  };
}
