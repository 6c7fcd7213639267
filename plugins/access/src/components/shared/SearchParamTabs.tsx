import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';

/** One tab of {@link SearchParamTabs}. */
export interface SearchParamTab {
  /** The tab's value in the URL (`?tab=<id>`). */
  id: string;
  label: string;
  /** Rendered only while the tab is selected. */
  content: ReactNode;
}

/**
 * Tabs whose selection is kept in the URL (`?tab=<id>`) so it can be linked to; the first
 * tab is the default and leaves the URL without `tab`.
 */
export function SearchParamTabs(props: {
  tabs: readonly SearchParamTab[];
  /** The tab list's accessible name. */
  label: string;
  /** Makes the tabs' and panels' ids unique: `<idPrefix>-tab-<id>`, `<idPrefix>-panel-<id>`. */
  idPrefix: string;
}) {
  const { tabs, label, idPrefix } = props;
  const [params, setParams] = useSearchParams();
  const current = tabs.find(t => t.id === params.get('tab')) ?? tabs[0];
  return (
    <>
      <Tabs
        value={current.id}
        onChange={(_e, value) => {
          const next = new URLSearchParams(params);
          if (value === tabs[0].id) next.delete('tab');
          else next.set('tab', value);
          setParams(next, { replace: true });
        }}
        indicatorColor="primary"
        textColor="primary"
        aria-label={label}
      >
        {tabs.map(t => (
          <Tab
            key={t.id}
            value={t.id}
            label={t.label}
            id={`${idPrefix}-tab-${t.id}`}
            aria-controls={`${idPrefix}-panel-${t.id}`}
          />
        ))}
      </Tabs>
      <Box
        mt={2}
        role="tabpanel"
        id={`${idPrefix}-panel-${current.id}`}
        aria-labelledby={`${idPrefix}-tab-${current.id}`}
      >
        {current.content}
      </Box>
    </>
  );
}
