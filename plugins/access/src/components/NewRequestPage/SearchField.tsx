import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';

/**
 * The name search, debounced; it keeps its own text so typing re-renders only the field,
 * not a page holding up to 1,000 selected items.
 */
export function SearchField(props: { onSearch(q: string): void }) {
  const { onSearch } = props;
  const [text, setText] = useState('');
  useDebounce(() => onSearch(text), 300, [text]);
  return (
    <TextField
      id="new-request-search"
      label="Search by name"
      type="search"
      variant="outlined"
      size="small"
      value={text}
      onChange={e => setText(e.target.value)}
      inputProps={{ maxLength: 200 }}
    />
  );
}
