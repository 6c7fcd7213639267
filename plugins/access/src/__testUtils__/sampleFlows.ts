// Sample access flows for the component tests (not part of the plugin's exports).
import { AccessFlowSummary } from '@jit-access/plugin-access-common';

/**
 * A flow with sensible defaults: engineers may ask to read or write databases, one
 * approval from the owners or the DBAs, 1h by default and 8h at most, justification
 * required.
 */
export function makeFlow(
  id: string,
  title: string,
  over: Partial<AccessFlowSummary> = {},
): AccessFlowSummary {
  return {
    id,
    title,
    requesters: ['group:default/engineering'],
    filter: [{ kind: 'Resource', 'spec.type': 'database' }],
    permissions: ['read', 'write'],
    approval: {
      type: 'manual',
      approvers: ['owner', 'group:default/dba'],
      required: 1,
      allowSelfApproval: false,
      autoApproveChecks: [],
      requiredChecks: [],
    },
    duration: { defaultSeconds: 3600, maxSeconds: 28800, extensions: 1 },
    justification: 'required',
    provisioner: 'none',
    ...over,
  };
}
