import { useEffect, useMemo, useRef, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import CircularProgress from '@material-ui/core/CircularProgress';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  AccessFlowSummary,
  AccessPreviewItem,
  AccessRequest,
  EntityAccessSummary,
  SubmitAccessRequestBody,
} from '@jit-access/plugin-access-common';
import { useAsyncTask, useFlows, useRequestSubmission } from '../../hooks';
import {
  ExpiryCountdown,
  MAX_TEXT_LENGTH,
  StatusChip,
  formatSeconds,
  newIdempotencyKey,
  secondsToHours,
  shortRef,
  TitledDialog,
} from '../shared';
import { RequestDetailsLink } from './RequestDetailsLink';

const PREVIEW_DEBOUNCE_MS = 400;

type Offer = EntityAccessSummary['permissions'][number];

/** `2.5` hours as text → seconds, or undefined when not a positive number. */
function hoursToSeconds(text: string): number | undefined {
  const hours = Number(text.trim().replace(',', '.'));
  if (!text.trim() || !Number.isFinite(hours) || hours <= 0) return undefined;
  return Math.round(hours * 3600);
}

function names(refs: string[]): string {
  return refs.map(shortRef).join(', ');
}

/** One line saying who decides, for the preview. */
export function describeApproval(item: AccessPreviewItem): string {
  if (item.approvalType === 'breakglass') {
    return item.approvers.length
      ? `Break-glass: granted at once, reviewed afterwards by ${names(
          item.approvers,
        )}`
      : 'Break-glass: granted at once, reviewed afterwards';
  }
  if (item.autoApproved) return 'Approved automatically';
  const who = item.approvers.length ? names(item.approvers) : 'nobody';
  return `Needs ${item.requiredApprovals} approval${
    item.requiredApprovals === 1 ? '' : 's'
  } from ${who}`;
}

function ResultItem(props: { request: AccessRequest }) {
  const { request } = props;
  const perms = request.resources.flatMap(r => r.permissions).join(', ');
  let text: React.ReactNode;
  if (request.status === 'granted') {
    text = request.expiresAt ? (
      <>
        Active now, ends in <ExpiryCountdown expiresAt={request.expiresAt} />
      </>
    ) : (
      'Active now'
    );
  } else if (request.status === 'granting') {
    text = 'Approved; the access is being granted';
  } else if (request.status === 'pending') {
    text = request.approvers.length
      ? `Waiting for approval from ${names(request.approvers)}`
      : 'Waiting for its checks';
  } else {
    text = request.endReason ?? request.lastError ?? '';
  }
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" my={1}>
      <Box mr={1}>
        <StatusChip status={request.status} />
      </Box>
      <Typography variant="body2" component="span">
        <strong>{perms}</strong> via {request.flowTitle}: {text}{' '}
        <RequestDetailsLink id={request.id} />
      </Typography>
    </Box>
  );
}

/** Props of {@link RequestAccessDialog}. */
export interface RequestAccessDialogProps {
  open: boolean;
  entityRef: string;
  /** What the caller may request on the entity, with the deciding flow. */
  offers: Offer[];
  onClose: () => void;
  /** Called once the backend accepted the submission (refresh what you show). */
  onSubmitted: (items: AccessRequest[]) => void;
}

/**
 * Requests access to one entity without leaving its page: permissions, duration,
 * justification, a live preview of who approves, then the outcome.
 */
export function RequestAccessDialog(props: RequestAccessDialogProps) {
  const { open, entityRef, offers, onClose, onSubmitted } = props;
  const submission = useRequestSubmission();

  const [selected, setSelected] = useState<string[]>(() =>
    offers.length === 1 ? [offers[0].permission] : [],
  );
  const [hours, setHours] = useState('');
  const [hoursTouched, setHoursTouched] = useState(false);
  const [justification, setJustification] = useState('');
  const [showErrors, setShowErrors] = useState(false);
  const {
    busy: submitting,
    error: submitError,
    run,
    clearError,
  } = useAsyncTask();
  const [result, setResult] = useState<AccessRequest[]>();

  const flows = useFlows();
  const selectedFlows = useMemo(() => {
    const ids = new Set(
      offers.filter(o => selected.includes(o.permission)).map(o => o.flowId),
    );
    return (flows.value ?? []).filter(f => ids.has(f.id));
  }, [flows.value, offers, selected]);

  // One submission is checked against every flow it touches: the shortest limit applies.
  const limits = useMemo(() => {
    if (!selectedFlows.length) return undefined;
    return {
      defaultSeconds: Math.min(
        ...selectedFlows.map(f => f.duration.defaultSeconds),
      ),
      maxSeconds: Math.min(...selectedFlows.map(f => f.duration.maxSeconds)),
    };
  }, [selectedFlows]);

  useEffect(() => {
    if (limits && !hoursTouched)
      setHours(secondsToHours(limits.defaultSeconds));
  }, [limits, hoursTouched]);

  const durationSeconds = hoursToSeconds(hours);
  const justificationFlows = selectedFlows.filter(
    (f: AccessFlowSummary) => f.justification === 'required',
  );

  let hoursError: string | undefined;
  if (durationSeconds === undefined) {
    hoursError = 'Enter the duration in hours, e.g. 2 or 0.5';
  } else if (limits && durationSeconds > limits.maxSeconds) {
    hoursError = `At most ${formatSeconds(
      limits.maxSeconds,
    )} for ${selectedFlows
      .filter(f => f.duration.maxSeconds === limits.maxSeconds)
      .map(f => f.title)
      .join(', ')}`;
  }
  const errors = {
    permissions: selected.length ? undefined : 'Choose at least one permission',
    hours: hoursError,
    justification:
      justificationFlows.length && !justification.trim()
        ? `Required by ${justificationFlows.map(f => f.title).join(', ')}`
        : undefined,
  };
  let hoursHint = ' ';
  if (limits) {
    hoursHint = `Default ${formatSeconds(
      limits.defaultSeconds,
    )}, at most ${formatSeconds(limits.maxSeconds)}`;
  } else if (flows.error) {
    hoursHint = `Could not load the flows' limits: ${flows.error.message}`;
  }
  const valid = !errors.permissions && !errors.hours && !errors.justification;

  const body: SubmitAccessRequestBody = useMemo(
    () => ({
      resources: [{ entityRef, permissions: selected }],
      durationSeconds,
      justification: justification.trim() || undefined,
    }),
    [entityRef, selected, durationSeconds, justification],
  );
  // A new key whenever what is submitted changes; the same key for retries of one body.
  const bodyJson = JSON.stringify(body);
  const idempotencyKey = useMemo(
    () => newIdempotencyKey(),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [bodyJson],
  );

  // Live preview of who decides, debounced while typing.
  const [preview, setPreview] = useState<{
    loading: boolean;
    items?: AccessPreviewItem[];
    error?: Error;
  }>({ loading: false });
  const previewSeq = useRef(0);
  const previewKey = JSON.stringify([selected, durationSeconds]);
  useEffect(() => {
    if (!open || result || !selected.length) {
      setPreview({ loading: false });
      return undefined;
    }
    const seq = ++previewSeq.current;
    setPreview(p => ({ ...p, loading: true }));
    const timer = setTimeout(() => {
      submission
        .preview({
          resources: [{ entityRef, permissions: selected }],
          durationSeconds,
        })
        .then(
          r => {
            if (seq === previewSeq.current)
              setPreview({ loading: false, items: r.items });
          },
          (e: Error) => {
            if (seq === previewSeq.current)
              setPreview({ loading: false, error: e });
          },
        );
    }, PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [submission, entityRef, open, result, previewKey]);

  const toggle = (permission: string) =>
    setSelected(s =>
      s.includes(permission)
        ? s.filter(p => p !== permission)
        : [...s, permission],
    );

  const submit = () => {
    setShowErrors(true);
    if (!valid) {
      clearError();
      return;
    }
    run(async () => {
      const response = await submission.submit(body, { idempotencyKey });
      setResult(response.items);
      onSubmitted(response.items);
    });
  };

  return (
    <TitledDialog
      open={open}
      title={
        result ? 'Request sent' : `Request access to ${shortRef(entityRef)}`
      }
      busy={submitting}
      onClose={onClose}
    >
      {result ? (
        <>
          <DialogContent>
            {result.map(r => (
              <ResultItem key={r.id} request={r} />
            ))}
          </DialogContent>
          <DialogActions>
            <Button color="primary" variant="contained" onClick={onClose}>
              Done
            </Button>
          </DialogActions>
        </>
      ) : (
        <form
          noValidate
          onSubmit={e => {
            e.preventDefault();
            submit();
          }}
        >
          <DialogContent>
            <FormControl
              component="fieldset"
              error={showErrors && !!errors.permissions}
              margin="normal"
              fullWidth
            >
              <FormLabel component="legend">Permissions</FormLabel>
              <FormGroup>
                {offers.map(o => (
                  <FormControlLabel
                    key={o.permission}
                    control={
                      <Checkbox
                        checked={selected.includes(o.permission)}
                        onChange={() => toggle(o.permission)}
                        name={o.permission}
                        color="primary"
                      />
                    }
                    label={
                      <span>
                        <strong>{o.permission}</strong>{' '}
                        <Typography
                          component="span"
                          variant="body2"
                          color="textSecondary"
                        >
                          decided by {o.flowTitle}
                        </Typography>
                      </span>
                    }
                  />
                ))}
              </FormGroup>
              {showErrors && errors.permissions && (
                <FormHelperText>{errors.permissions}</FormHelperText>
              )}
            </FormControl>

            <TextField
              id="access-request-duration"
              label="Duration (hours)"
              type="number"
              value={hours}
              onChange={e => {
                setHoursTouched(true);
                setHours(e.target.value);
              }}
              inputProps={{
                min: 0.25,
                step: 0.25,
                max: limits ? limits.maxSeconds / 3600 : undefined,
              }}
              error={(showErrors || hoursTouched) && !!errors.hours}
              helperText={
                ((showErrors || hoursTouched) && errors.hours) || hoursHint
              }
              margin="normal"
              fullWidth
              required
            />

            <TextField
              id="access-request-justification"
              label="Justification"
              value={justification}
              onChange={e => setJustification(e.target.value)}
              multiline
              minRows={3}
              inputProps={{ maxLength: MAX_TEXT_LENGTH }}
              required={justificationFlows.length > 0}
              error={showErrors && !!errors.justification}
              helperText={
                (showErrors && errors.justification) ||
                (justificationFlows.length
                  ? `Required by ${justificationFlows
                      .map(f => f.title)
                      .join(', ')}`
                  : 'Optional: why you need it (approvers read this)')
              }
              margin="normal"
              fullWidth
            />

            <Box mt={2} aria-live="polite">
              <Typography variant="subtitle2" component="h3" gutterBottom>
                What happens
              </Typography>
              {!selected.length && (
                <Typography variant="body2" color="textSecondary">
                  Choose a permission to see who approves.
                </Typography>
              )}
              {selected.length > 0 && preview.loading && (
                <CircularProgress size={16} aria-label="Loading preview" />
              )}
              {selected.length > 0 && preview.error && (
                <Alert severity="error">{preview.error.message}</Alert>
              )}
              {selected.length > 0 &&
                !preview.error &&
                preview.items?.map(item => (
                  <Box
                    key={`${item.flowId}:${item.permissions.join(',')}`}
                    mb={1}
                  >
                    <Alert
                      severity={item.autoApproved ? 'success' : 'info'}
                      icon={false}
                    >
                      <strong>{item.permissions.join(', ')}</strong> via{' '}
                      {item.flowTitle}: {describeApproval(item)}
                      {item.checks.length > 0 &&
                        ` (runs checks: ${item.checks.join(', ')})`}
                    </Alert>
                  </Box>
                ))}
            </Box>

            {submitError && (
              <Box mt={2}>
                <Alert severity="error">
                  Could not submit: {submitError.message}
                </Alert>
              </Box>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={submitting}>
              Cancel
            </Button>
            <Button
              type="submit"
              color="primary"
              variant="contained"
              disabled={submitting}
              startIcon={
                submitting ? <CircularProgress size={16} /> : undefined
              }
            >
              {submitting ? 'Submitting…' : 'Submit request'}
            </Button>
          </DialogActions>
        </form>
      )}
    </TitledDialog>
  );
}
