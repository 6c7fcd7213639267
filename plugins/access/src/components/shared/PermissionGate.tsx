import { Progress, WarningPanel } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { ReactNode } from 'react';

type BasicPermission = Extract<
  Parameters<typeof usePermission>[0],
  { resourceRef?: never }
>['permission'];

/**
 * Shows `children` only to holders of `permission`; others read why (`title`, `message`)
 * instead. A progress bar while the permission is checked.
 */
export function PermissionGate(props: {
  /** A basic permission (one not about a resource). */
  permission: BasicPermission;
  title: string;
  message: string;
  children: ReactNode;
}) {
  const { loading, allowed } = usePermission({
    permission: props.permission,
  });
  if (loading) return <Progress />;
  if (!allowed)
    return (
      <WarningPanel
        severity="info"
        title={props.title}
        message={props.message}
      />
    );
  return <>{props.children}</>;
}
