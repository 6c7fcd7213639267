import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  AccessFlowSummary,
  AccessPreviewItem,
  AccessRequest,
  SubmitAccessRequestBody,
} from '@jit-access/plugin-access-common';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useRequestSubmission } from '../../hooks';
import {
  errorMessage,
  formatSeconds,
  MAX_TEXT_LENGTH,
  newIdempotencyKey,
  secondsToHours,
} from '../shared';
import {
  errorTarget,
  flowLimits,
  flowTitles,
  parseDurationHours,
  smallestMax,
} from './logic';
import { PreviewPanel } from './PreviewPanel';

const useStyles = makeStyles((theme: Theme) => ({
  field: { marginTop: theme.spacing(2) },
  actions: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    flexWrap: 'wrap',
    marginTop: theme.spacing(2),
  },
  alert: { marginTop: theme.spacing(2) },
  preview: { marginTop: theme.spacing(3) },
}));

/** What is requested: resources, or a bundle (and a subset of it). */
export type RequestTarget = Pick<
  SubmitAccessRequestBody,
  'resources' | 'bundleId'
>;

export interface RequestFormProps {
  /** Makes the fields' ids unique on a page with several forms. */
  idPrefix: string;
  /** What to request; absent while nothing valid is picked. */
  target?: RequestTarget;
  /** Why `target` is absent, shown instead of the buttons' effect. */
  notReadyReason?: string;
  /** Flows known (client-side) to decide the selection. */
  flowIds: string[];
  flows?: AccessFlowSummary[];
  /** Names `resources[index]` of the body, for error messages. */
  describeItem(index: number): string | undefined;
  /** An API error was about `resources[index]` (undefined: errors cleared). */
  onItemError?(index: number | undefined, message?: string): void;
  onSubmitted(items: AccessRequest[]): void;
}

/** An API error about `resources[index]` of the body. */
export interface ItemError {
  index: number;
  message: string;
}

/** The item error a {@link RequestForm} reports, and the `onItemError` to pass it. */
export function useItemError(): [
  ItemError | undefined,
  NonNullable<RequestFormProps['onItemError']>,
] {
  const [itemError, setItemError] = useState<ItemError>();
  const onItemError = useCallback(
    (index: number | undefined, message?: string) =>
      setItemError(
        index === undefined ? undefined : { index, message: message ?? '' },
      ),
    [],
  );
  return [itemError, onItemError];
}

interface ApiProblem {
  message: string;
  target: ReturnType<typeof errorTarget>;
}

function problemOf(e: unknown): ApiProblem {
  const message = errorMessage(e ?? 'Something went wrong');
  return { message, target: errorTarget(message) };
}

/**
 * Duration, justification, preview and submit for a new request. Knows the deciding flows'
 * limits (from the flow list, or from the last preview) and checks them before asking the
 * backend; the backend's own errors are shown next to the field they name.
 */
export function RequestForm(props: RequestFormProps) {
  const {
    idPrefix,
    target,
    notReadyReason,
    flowIds,
    flows,
    describeItem,
    onItemError,
    onSubmitted,
  } = props;
  const classes = useStyles();
  const submission = useRequestSubmission();

  const [durationText, setDurationText] = useState('');
  const [durationTouched, setDurationTouched] = useState(false);
  const [justification, setJustification] = useState('');
  const [submitAttempted, setSubmitAttempted] = useState(false);
  const [preview, setPreview] = useState<{
    key: string;
    targetKey: string;
    items: AccessPreviewItem[];
  }>();
  const [previewing, setPreviewing] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<ApiProblem & { during: string }>();
  const inFlight = useRef(false);
  // One key per submission: reused while the body is unchanged, so a retry or a second
  // click replays the first result instead of creating requests twice.
  const idempotency = useRef<{ body: string; key: string }>();

  const targetKey = JSON.stringify(target ?? null);
  // An error about resources[i] means nothing once the selection changed.
  useEffect(() => {
    setProblem(undefined);
    onItemError?.(undefined);
  }, [targetKey, onItemError]);
  const previewItems =
    preview && preview.targetKey === targetKey ? preview.items : undefined;
  const limits = useMemo(
    () => flowLimits(flowIds, flows, previewItems),
    [flowIds, flows, previewItems],
  );
  const max = smallestMax(limits);
  const defaults = [
    ...new Set(
      limits
        .map(l => l.defaultSeconds)
        .filter((s): s is number => s !== undefined),
    ),
  ];
  const uniformDefault =
    defaults.length === 1 && limits.every(l => l.defaultSeconds !== undefined)
      ? defaults[0]
      : undefined;
  let durationShown = durationText;
  if (!durationTouched)
    durationShown =
      uniformDefault !== undefined ? secondsToHours(uniformDefault) : '';
  const duration = durationTouched
    ? parseDurationHours(durationText, limits)
    : {};

  const needJustification = limits.filter(l => l.justificationRequired);
  const justificationMissing =
    needJustification.length > 0 && !justification.trim();
  const justificationTooLong = justification.length > MAX_TEXT_LENGTH;

  const previewBody: SubmitAccessRequestBody | undefined = target && {
    ...target,
    ...(duration.seconds !== undefined
      ? { durationSeconds: duration.seconds }
      : {}),
  };
  const previewKey = JSON.stringify(previewBody ?? null);
  const previewFresh = !!preview && preview.key === previewKey;

  const serverDurationError =
    problem?.target.kind === 'duration' ? problem.message : undefined;
  const serverJustificationError =
    problem?.target.kind === 'justification' ? problem.message : undefined;

  let durationHelp: string;
  if (duration.error) durationHelp = duration.error;
  else if (serverDurationError) durationHelp = serverDurationError;
  else if (!limits.length)
    durationHelp = target?.bundleId
      ? "Each flow's default applies; preview to see the limits."
      : "Each flow's default applies.";
  else {
    const def =
      uniformDefault !== undefined
        ? `Default ${formatSeconds(uniformDefault)}`
        : `Empty: each flow's default (${defaults
            .map(formatSeconds)
            .join(', ')})`;
    durationHelp = max
      ? `${def}; at most ${formatSeconds(max.maxSeconds)} ("${max.flowTitle}").`
      : `${def}.`;
  }

  let justificationHelp: string;
  if (justificationTooLong)
    justificationHelp = `At most ${MAX_TEXT_LENGTH} characters (${justification.length} now).`;
  else if (submitAttempted && justificationMissing)
    justificationHelp = `A justification is required by flow ${flowTitles(
      needJustification,
    )}.`;
  else if (serverJustificationError)
    justificationHelp = serverJustificationError;
  else if (needJustification.length)
    justificationHelp = `Required by flow ${flowTitles(needJustification)}.`;
  else justificationHelp = 'Optional: why you need this access.';

  const clearProblem = () => {
    if (problem) {
      setProblem(undefined);
      onItemError?.(undefined);
    }
  };

  const report = (e: unknown, during: string) => {
    const p = problemOf(e);
    setProblem({ ...p, during });
    onItemError?.(
      p.target.kind === 'item' ? p.target.index : undefined,
      p.message,
    );
  };

  const runPreview = async () => {
    if (!previewBody || duration.error) return;
    setPreviewing(true);
    clearProblem();
    try {
      const res = await submission.preview(previewBody);
      setPreview({ key: previewKey, targetKey, items: res.items });
    } catch (e) {
      setPreview(undefined);
      report(e, 'preview');
    } finally {
      setPreviewing(false);
    }
  };

  const submit = async () => {
    setSubmitAttempted(true);
    if (inFlight.current || !previewBody || !previewFresh) return;
    if (duration.error || justificationMissing || justificationTooLong) return;
    const body: SubmitAccessRequestBody = {
      ...previewBody,
      ...(justification.trim() ? { justification: justification.trim() } : {}),
    };
    const bodyKey = JSON.stringify(body);
    if (idempotency.current?.body !== bodyKey)
      idempotency.current = { body: bodyKey, key: newIdempotencyKey() };
    inFlight.current = true;
    setSubmitting(true);
    clearProblem();
    try {
      const res = await submission.submit(body, {
        idempotencyKey: idempotency.current.key,
      });
      idempotency.current = undefined;
      // No toast: the page goes to My Access, whose banner lists what was submitted.
      onSubmitted(res.items);
    } catch (e) {
      report(e, 'submit');
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  };

  const itemIndex =
    problem?.target.kind === 'item' ? problem.target.index : undefined;
  const itemName =
    itemIndex !== undefined ? describeItem(itemIndex) : undefined;

  return (
    <Box component="section" aria-label="Request details">
      <TextField
        id={`${idPrefix}-duration`}
        className={classes.field}
        label="Duration (hours)"
        type="number"
        fullWidth
        variant="outlined"
        value={durationShown}
        placeholder={durationTouched ? "Each flow's default" : undefined}
        InputLabelProps={{ shrink: true }}
        inputProps={{
          min: 0,
          step: 0.5,
          ...(max ? { max: max.maxSeconds / 3600 } : {}),
        }}
        onChange={e => {
          setDurationTouched(true);
          setDurationText(e.target.value);
          if (problem?.target.kind === 'duration') clearProblem();
        }}
        error={!!duration.error || !!serverDurationError}
        helperText={durationHelp}
      />
      <TextField
        id={`${idPrefix}-justification`}
        className={classes.field}
        label="Justification"
        fullWidth
        multiline
        minRows={3}
        variant="outlined"
        required={needJustification.length > 0}
        value={justification}
        onChange={e => {
          setJustification(e.target.value);
          if (problem?.target.kind === 'justification') clearProblem();
        }}
        error={
          justificationTooLong ||
          (submitAttempted && justificationMissing) ||
          !!serverJustificationError
        }
        helperText={justificationHelp}
      />
      <div className={classes.actions}>
        <Button
          variant="outlined"
          color="primary"
          onClick={runPreview}
          disabled={!target || !!duration.error || previewing || submitting}
          startIcon={previewing ? <CircularProgress size={16} /> : undefined}
        >
          Preview
        </Button>
        <Button
          variant="contained"
          color="primary"
          onClick={submit}
          disabled={!previewFresh || submitting || previewing}
          startIcon={submitting ? <CircularProgress size={16} /> : undefined}
        >
          {submitting ? 'Submitting…' : 'Submit request'}
        </Button>
        <Typography variant="body2" color="textSecondary" role="status">
          {!target && notReadyReason}
          {target &&
            !previewFresh &&
            !previewing &&
            'Preview to see who approves, then submit.'}
          {submitting && 'Checks may take up to 30 seconds.'}
        </Typography>
      </div>
      {problem && (
        <Alert severity="error" className={classes.alert} role="alert">
          {problem.during === 'preview'
            ? 'The preview was refused: '
            : 'The request was not submitted: '}
          {problem.message}
          {itemName && ` (item ${(itemIndex ?? 0) + 1}: ${itemName})`}
        </Alert>
      )}
      {preview && target && (
        <div className={classes.preview}>
          <PreviewPanel
            items={preview.items}
            flows={flows}
            stale={!previewFresh}
          />
        </div>
      )}
    </Box>
  );
}
