/**
 * PagerDuty checks for JIT Access: `pagerduty-oncall` (auto-approve engineers on call) and
 * `pagerduty-incident` (auto-approve responders to an incident).
 *
 * @packageDocumentation
 */
export { accessModulePagerDuty as default } from './module';
export {
  PagerDutyClient,
  PagerDutyError,
  DEFAULT_PAGERDUTY_API_BASE_URL,
} from './client/PagerDutyClient';
export type {
  PagerDutyAgent,
  PagerDutyAuth,
  PagerDutyCallOptions,
  PagerDutyClientOptions,
  PagerDutyIncident,
  PagerDutyIncidentStatus,
  PagerDutyLogEntry,
  PagerDutyOnCall,
  PagerDutyReference,
  PagerDutySchedule,
  PagerDutyService,
  PagerDutyUser,
} from './client/PagerDutyClient';
export {
  ON_CALL_CHECK_TYPE,
  createOnCallCheckFactory,
  type OnCallCheckSettings,
} from './checks/onCallCheck';
export type { PagerDutyCheckFactoryOptions } from './checks/pagerDutyCheckType';
export {
  INCIDENT_CHECK_TYPE,
  createIncidentCheckFactory,
  type IncidentCheckSettings,
} from './checks/incidentCheck';
