import { useCallback, useEffect, useState } from 'react';
import {
  ErrorPanel,
  Progress,
  ProxiedSignInPage,
  WarningPanel,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  IdentityApi,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  Avatar,
  Box,
  Button,
  Card,
  CardActionArea,
  CardContent,
  Chip,
  Container,
  Grid,
  makeStyles,
  Typography,
} from '@material-ui/core';
import {
  forgetUser,
  forgetUserOnSignOut,
  getRememberedUser,
  rememberUser,
} from './devSignInStorage';

/** The auth provider id and header of the backend's dev sign-in module. */
const DEV_PROVIDER = 'dev';
const DEV_USER_HEADER = 'x-dev-user';

/** An entry of `GET /api/auth/dev/users`. */
export type DevUser = {
  entityRef: string;
  name: string;
  displayName: string;
  email?: string;
  description?: string;
  groups: string[];
};

type UsersState =
  | { status: 'loading' }
  | { status: 'loaded'; users: DevUser[] }
  | { status: 'error'; title: string; error: Error };

const useStyles = makeStyles(theme => ({
  root: {
    minHeight: '100vh',
    background: theme.palette.background.default,
    paddingTop: theme.spacing(6),
    paddingBottom: theme.spacing(6),
  },
  card: {
    height: '100%',
  },
  action: {
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'stretch',
    justifyContent: 'flex-start',
  },
  person: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
    marginBottom: theme.spacing(1.5),
  },
  avatar: {
    backgroundColor: theme.palette.primary.main,
    color: theme.palette.primary.contrastText,
  },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(1.5),
  },
}));

function shortRef(ref: string): string {
  // group:default/platform-admins -> platform-admins
  const match = /^(?:[^:]+:)?(?:default\/)?(.+)$/.exec(ref);
  return match ? match[1] : ref;
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map(part => part[0]!.toLocaleUpperCase('en-US'))
    .join('');
}

async function fetchDevUsers(authBaseUrl: string): Promise<DevUser[]> {
  let response: Response;
  try {
    response = await fetch(`${authBaseUrl}/${DEV_PROVIDER}/users`, {
      headers: { Accept: 'application/json' },
    });
  } catch (e) {
    throw new Error(
      `Could not reach the backend at ${authBaseUrl}: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (typeof body?.error?.message === 'string') {
        message = body.error.message;
      }
    } catch {
      // not JSON; keep the status line
    }
    const error = new Error(message);
    (error as Error & { status?: number }).status = response.status;
    throw error;
  }
  const body = (await response.json()) as { items?: DevUser[] };
  return body.items ?? [];
}

function titleFor(error: Error & { status?: number }): string {
  if (error.status === 403) {
    return 'Dev sign-in is only available in development';
  }
  if (error.status === 404) {
    return 'Dev sign-in is not configured on the backend';
  }
  return 'Could not load the users for dev sign-in';
}

function UserCard(props: { user: DevUser; onPick: (ref: string) => void }) {
  const { user, onPick } = props;
  const classes = useStyles();
  return (
    <Card className={classes.card} variant="outlined">
      <CardActionArea
        className={classes.action}
        onClick={() => onPick(user.entityRef)}
        aria-label={`Sign in as ${user.displayName}`}
        data-testid={`dev-sign-in-${user.name}`}
      >
        <CardContent>
          <div className={classes.person}>
            <Avatar className={classes.avatar}>
              {initials(user.displayName)}
            </Avatar>
            <div>
              <Typography variant="h6" component="h2">
                {user.displayName}
              </Typography>
              <Typography variant="body2" color="textSecondary">
                {user.email ?? user.entityRef}
              </Typography>
            </div>
          </div>
          {user.description && (
            <Typography variant="body2">{user.description}</Typography>
          )}
          {user.groups.length > 0 && (
            <div className={classes.chips}>
              {user.groups.map(group => (
                <Chip key={group} size="small" label={shortRef(group)} />
              ))}
            </div>
          )}
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

function UserPicker(props: { onPick: (ref: string) => void }) {
  const { onPick } = props;
  const discoveryApi = useApi(discoveryApiRef);
  const [state, setState] = useState<UsersState>({ status: 'loading' });

  const load = useCallback(async () => {
    setState({ status: 'loading' });
    try {
      // Nobody is signed in yet, so this is a plain fetch (no token).
      const authBaseUrl = await discoveryApi.getBaseUrl('auth');
      const users = await fetchDevUsers(authBaseUrl);
      setState({ status: 'loaded', users });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      setState({ status: 'error', title: titleFor(error), error });
    }
  }, [discoveryApi]);

  useEffect(() => {
    load();
  }, [load]);

  if (state.status === 'loading') {
    return <Progress />;
  }
  if (state.status === 'error') {
    return (
      <>
        <WarningPanel
          severity="error"
          title={state.title}
          message={state.error.message}
          defaultExpanded
        />
        <Box mt={2}>
          <Button variant="outlined" color="primary" onClick={load}>
            Retry
          </Button>
        </Box>
      </>
    );
  }
  if (state.users.length === 0) {
    return (
      <>
        <WarningPanel
          severity="info"
          title="No users in the catalog yet"
          message="The catalog may still be loading the example data (examples/org.yaml). Retry in a few seconds."
        />
        <Box mt={2}>
          <Button variant="outlined" color="primary" onClick={load}>
            Retry
          </Button>
        </Box>
      </>
    );
  }
  return (
    <Grid container spacing={2}>
      {state.users.map(user => (
        <Grid item xs={12} sm={6} md={4} key={user.entityRef}>
          <UserCard user={user} onPick={onPick} />
        </Grid>
      ))}
    </Grid>
  );
}

/**
 * Development sign-in page: pick one of the example users from the catalog and
 * sign in as them through the backend's `dev` proxy provider. The choice is
 * remembered in localStorage so reloads stay signed in; signing out (Settings,
 * or "Switch user" in the sidebar) forgets it and returns here.
 */
export function DevSignInPage(props: {
  onSignInSuccess(identityApi: IdentityApi): void;
}) {
  const { onSignInSuccess } = props;
  const classes = useStyles();
  const [selected, setSelected] = useState<string | undefined>(() =>
    getRememberedUser(),
  );
  // Bumped by "Try again" to remount the proxied sign-in (it signs in on mount).
  const [attempt, setAttempt] = useState(0);

  const pick = useCallback((ref: string) => {
    rememberUser(ref);
    setSelected(ref);
  }, []);

  const chooseAnother = useCallback(() => {
    forgetUser();
    setSelected(undefined);
  }, []);

  if (selected) {
    return (
      <ProxiedSignInPage
        key={`${selected}#${attempt}`}
        provider={DEV_PROVIDER}
        headers={{ [DEV_USER_HEADER]: selected }}
        onSignInSuccess={identity =>
          onSignInSuccess(forgetUserOnSignOut(identity))
        }
        ErrorComponent={({ error }) => (
          <Box className={classes.root}>
            <Container maxWidth="md">
              <ErrorPanel
                title={`Could not sign in as ${selected}`}
                error={error ?? new Error('Unknown error')}
                defaultExpanded
              />
              <Box mt={2} display="flex" style={{ gap: 8 }}>
                <Button
                  variant="outlined"
                  color="primary"
                  onClick={() => setAttempt(n => n + 1)}
                >
                  Try again
                </Button>
                <Button
                  variant="contained"
                  color="primary"
                  onClick={chooseAnother}
                >
                  Choose another user
                </Button>
              </Box>
            </Container>
          </Box>
        )}
      />
    );
  }

  return (
    <Box className={classes.root}>
      <Container maxWidth="lg">
        <Typography variant="h3" component="h1" gutterBottom>
          JIT Access for Backstage
        </Typography>
        <Typography variant="subtitle1" color="textSecondary" paragraph>
          Development sign-in: choose the example user you want to be. Anyone
          can sign in as anyone here, so this page only works when the backend
          runs in development.
        </Typography>
        <UserPicker onPick={pick} />
      </Container>
    </Box>
  );
}
