import type { Tools } from '@switchboard/contracts';
import { useState } from 'preact/hooks';
import { describeError } from '../components/load.hook';
import { FilterForm } from '../components/filter-form.component';
import { ErrorNotice } from '../components/notice.component';
import { TextField } from '../components/text-field.component';
import { useSession } from '../context';
import { needsApprovalWords } from '../model/approval-policies';

/**
 * Searches the tools the user may call (GET /tools?q=…, docs/tools.md "Deferred tools and tool
 * search"): the same search a model makes with search_tools, deferred tools included, best first.
 */
export function ToolSearchPanel() {
  const { client } = useSession();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Tools.ToolSearchResult>();
  const [error, setError] = useState<string>();
  const search = async () => {
    setError(undefined);
    if (!query.trim()) return setFound(undefined);
    try {
      setFound(await client.catalog.searchTools(query.trim()));
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <section aria-labelledby="tool-search-title">
      <h2 id="tool-search-title">Search your tools</h2>
      <FilterForm role="search" submit="Search" onApply={() => void search()}>
        <TextField
          label="What the tool does"
          type="search"
          value={query}
          maxLength={500}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </FilterForm>
      <ErrorNotice error={error} />
      {found && (
        <>
          <p class="muted" aria-live="polite">
            {found.results.length} of {found.searched} tools match “{found.query}”.
          </p>
          <ol class="tools" aria-label="Tools found">
            {found.results.map(({ tool, score }) => (
              <li key={tool.name} class="tool" data-tool={tool.name}>
                <strong>{tool.title}</strong> <code>{tool.name}</code>{' '}
                <span class="muted">· score {score}</span>
                <p>{tool.description}</p>
                {tool.approval && <p class="approval-note">{needsApprovalWords(tool.approval)}</p>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
