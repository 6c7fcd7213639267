import { AccessFlowSummary } from '@jit-access/plugin-access-common';
import { AccessFlow } from '../config/AccessConfig';

/** What the API shows of a configured flow (no provisioner or check settings). */
export function flowSummary(f: AccessFlow): AccessFlowSummary {
  return {
    id: f.id,
    title: f.title,
    description: f.description,
    requesters: f.requesters,
    filter: f.filters,
    permissions: f.permissions,
    approval: f.approval,
    duration: f.duration,
    justification: f.justification,
    provisioner: f.provisioner,
  };
}
