/** One choice of a drop-down: the value the form keeps and the words the user sees. */
export interface SelectOption {
  value: string;
  label: string;
}

/** Options whose words are their values (a version number, a dataset's name). */
export const plainOptions = (values: readonly string[]): SelectOption[] =>
  values.map((v) => ({ value: v, label: v }));

/** The choice of no filter, first in a filter's drop-down. */
export const ANY_OPTION: SelectOption = { value: '', label: 'any' };

/** Versions of an agent as the console writes them: `v2`. */
export const versionOptions = (versions: readonly (string | number)[]): SelectOption[] =>
  versions.map((v) => ({ value: String(v), label: `v${v}` }));

/** A labelled drop-down of fixed or loaded options, the label's text before it. */
export function SelectField(props: {
  label: string;
  value: string;
  options: readonly SelectOption[];
  onChange: (e: { currentTarget: { value: string } }) => void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={props.onChange}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
