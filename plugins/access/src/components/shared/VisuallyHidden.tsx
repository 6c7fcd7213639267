import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';

const useStyles = makeStyles({
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

/** Text only screen readers get (e.g. the header of an actions column). */
export function VisuallyHidden(props: { children: ReactNode; id?: string }) {
  const classes = useStyles();
  return (
    <span id={props.id} className={classes.visuallyHidden}>
      {props.children}
    </span>
  );
}
